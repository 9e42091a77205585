/**
 * The register of offline volumes (离线介质登记): what each volume is, when and by
 * whom it was written, where the disc is kept (`lantai media locate`) and how its
 * last verification went. Archivists change it; every change is audited in the
 * transaction that makes it.
 */
import type { Db, Executor } from '../../platform/db/database.js';
import { auditedCommand } from '../accounts/audited-command.js';
import { accountsErrors } from '../accounts/errors.js';
import { ROLE_LABELS } from '../accounts/model.js';
import { findUserNames } from '../accounts/organisations.js';
import type { Actor, AuditSink } from '../accounts/service.js';
import { mediaErrors } from './media-errors.js';
import * as repo from './media-repo.js';
import type { MediaVolumeStatus } from './media-tables.js';

export const MEDIA_LOCATE_ACTION = 'preservation.media.locate';

/** Refuses anyone but an archivist (档案馆业务人员); `action` names what was refused, `中文 / English`. Returns the archivist's user id. */
export function requireArchivist(actor: Actor, action: string): string {
  if (actor.userId === null) throw accountsErrors.AUTH_REQUIRED();
  if (!actor.roles.includes('archivist')) {
    const held = actor.roles[0];
    throw accountsErrors.FORBIDDEN_ROLE({ role: held ? ROLE_LABELS[held].zh : '当前用户', roleEn: held ? ROLE_LABELS[held].en.toLowerCase() : 'user', action });
  }
  return actor.userId;
}

/** One volume as the register shows it. */
export interface MediaVolume {
  id: string;
  label: string;
  set: string;
  position: number;
  status: MediaVolumeStatus;
  capacity: number;
  bytes: number;
  files: number;
  records: number;
  plannedAt: string;
  writtenAt: string | null;
  writtenBy: string | null;
  location: string | null;
  isoSha256: string | null;
  lastVerifiedAt: string | null;
  lastVerifyResult: 'ok' | 'failed' | null;
  lastVerifyDetails: Record<string, unknown> | null;
}

function present(r: repo.MediaVolumeRow, names: Map<string, string>): MediaVolume {
  return {
    id: r.id, label: r.label, set: r.set_label, position: r.position, status: r.status as MediaVolumeStatus, capacity: Number(r.capacity), bytes: Number(r.bytes), files: r.files, records: r.records,
    plannedAt: r.planned_at, writtenAt: r.written_at, writtenBy: r.written_by ? (names.get(r.written_by) ?? r.written_by) : null, location: r.location, isoSha256: r.iso_sha256,
    lastVerifiedAt: r.last_verified_at, lastVerifyResult: r.last_verify_result as MediaVolume['lastVerifyResult'], lastVerifyDetails: r.last_verify_details ? (JSON.parse(r.last_verify_details) as Record<string, unknown>) : null,
  };
}

export function createMediaRegister(deps: { db: Db; audit: AuditSink }) {
  const { db, audit } = deps;
  return {
    /** The register, newest set first. */
    async list(executor: Executor, filters: { set?: string; status?: string } = {}): Promise<MediaVolume[]> {
      const rows = await repo.listVolumes(executor, filters);
      const names = await findUserNames(executor, rows.flatMap((r) => (r.written_by ? [r.written_by] : [])));
      return rows.map((r) => present(r, names));
    },

    /** Where the disc of a volume is kept now (`档案库房 3 号柜`); audited with where it was before. */
    async locate(actor: Actor, label: string, location: string): Promise<MediaVolume> {
      const where = location.trim();
      return auditedCommand({ db, audit }, actor, MEDIA_LOCATE_ACTION, { type: 'media_volume', id: null, label }, async (tx) => {
        requireArchivist(actor, '登记离线介质存放位置 / record where offline media are kept');
        if (where === '' || [...where].length > 200) throw mediaErrors.MEDIA_LOCATION_INVALID();
        const volume = (await repo.volumesLabelled(tx, label)).find((v) => v.label === label);
        if (!volume) throw mediaErrors.MEDIA_VOLUME_NOT_FOUND({ label });
        await repo.setLocation(tx, volume.id, where);
        await audit.append(tx, { actor: { ...actor, roles: [...actor.roles] }, action: MEDIA_LOCATE_ACTION, target: { type: 'media_volume', id: volume.id, label }, result: 'ok', details: { from: volume.location, to: where } });
        return present({ ...volume, location: where }, await findUserNames(tx, volume.written_by ? [volume.written_by] : []));
      });
    },
  };
}

export type MediaRegister = ReturnType<typeof createMediaRegister>;
