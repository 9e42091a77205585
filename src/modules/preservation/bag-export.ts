/**
 * BagIt exports of a record, a volume (案卷), a hand-over (移交批次) or a fonds
 * (全宗), for archivists: the HTTP routes (zip, tar) and `lantai export bag`
 * (a folder, zip or tar) both plan here and write with bag.ts.
 *
 * A bag holds only records the viewer may see with their content, decided in the
 * plan and checked again as each page of records is read: a record outside the
 * viewer's scope, or visible only as a catalog entry, is simply not in it, and
 * nothing in the bag says it exists. The plan is audited (`preservation.bag.export`,
 * with the count of records, files and bytes) before a byte leaves; a refusal is
 * audited on its own, and a bag that fails on the way is audited as failed.
 */
import type { Db, Executor } from '../../platform/db/database.js';
import type { BlobStore } from '../../platform/storage/blob-store.js';
import { auditedCommand } from '../accounts/audited-command.js';
import { accountsErrors } from '../accounts/errors.js';
import { ROLE_LABELS } from '../accounts/model.js';
import { findArchive } from '../accounts/organisations.js';
import type { Actor, AuditSink } from '../accounts/service.js';
import type { Viewer } from '../accounts/viewer.js';
import { catalogErrors } from '../catalog/errors.js';
import type { RecordRef } from '../catalog/record-exports.js';
import type { CatalogService } from '../catalog/service.js';
import { safeName, writeBag, type BagProgress, type BagRecord, type BagSink, type BagTotals } from './bag.js';
import { preservationErrors } from './errors.js';
import type { PreservationService } from './service.js';

export const BAG_SUBJECTS = ['record', 'volume', 'transfer', 'fonds'] as const;
export type BagSubjectType = (typeof BAG_SUBJECTS)[number];
export const BAG_FORMATS = ['folder', 'zip', 'tar'] as const;
export type BagFormat = (typeof BAG_FORMATS)[number];

/** What to export: a record (id or 档号), a volume (id or 档号), a hand-over (id) or a fonds (id or 全宗号). */
export interface BagSubject {
  type: BagSubjectType;
  id: string;
}

/** A hand-over as this module reads it (the transfer service's `get`). */
export interface HandOverRef {
  id: string;
  title: string;
  agencyName: string;
  fondsId: string;
}

export interface BagExportDeps {
  db: Db;
  audit: AuditSink;
  catalog: Pick<CatalogService, 'contentRecords' | 'describeRecords' | 'findRecord' | 'findVolume' | 'findFonds'>;
  preservation: Pick<PreservationService, 'filesOf' | 'timelines' | 'totals' | 'recordsOfTransfer'>;
  transfers: { get(db: Executor, actor: Actor, id: string): Promise<HandOverRef> };
  files: Pick<BlobStore, 'get'>;
  version: string;
}

/** A decided export: what the bag is called, what bag-info.txt says of it, and the records in it. */
export interface BagPlan {
  subject: BagSubject;
  format: BagFormat;
  layout: 'record' | 'records';
  /** The bag's top folder (and file name), safe on any file system. */
  root: string;
  info: Array<readonly [string, string]>;
  records: RecordRef[];
  files: number;
  bytes: number;
  archiveName: string;
  actor: Actor;
  viewer: Viewer;
  target: { type: BagSubjectType; id: string; label: string };
}

export const BAG_EXPORT_ACTION = 'preservation.bag.export';
const PAGE = 100;
const SUBJECT_LABELS: Record<BagSubjectType, { zh: string; en: string }> = { record: { zh: '档案', en: 'record' }, volume: { zh: '案卷', en: 'volume' }, transfer: { zh: '移交批次', en: 'hand-over' }, fonds: { zh: '全宗', en: 'fonds' } };

export function createBagExport(deps: BagExportDeps) {
  const { db, audit, catalog, preservation } = deps;

  type Resolved = Pick<BagPlan, 'layout' | 'root' | 'info' | 'records' | 'target'>;

  async function resolve(tx: Executor, actor: Actor, viewer: Viewer, subject: BagSubject): Promise<Resolved> {
    switch (subject.type) {
      case 'record': {
        const ref = await catalog.findRecord(tx, viewer, subject.id);
        const [record] = await catalog.describeRecords(tx, viewer, [ref.id]);
        // Seen as a catalog entry only: as far as a bag goes, it is not there.
        if (!record) throw catalogErrors.CATALOG_ITEM_NOT_FOUND({ id: subject.id });
        const code = record.archivalCode ?? record.id;
        return { layout: 'record', root: safeName(code, record.id), info: [['External-Identifier', code], ['External-Description', record.title]], records: [ref], target: { type: 'record', id: record.id, label: code } };
      }
      case 'volume': {
        const volume = await catalog.findVolume(tx, viewer, subject.id);
        const code = volume.archivalCode ?? volume.title;
        const info = [['External-Identifier', code], ['External-Description', volume.title], ['Bag-Group-Identifier', volume.fondsCode], ['Lantai-Volume-Id', volume.id]] as const;
        return { layout: 'records', root: safeName(code, volume.id), info: [...info], records: await catalog.contentRecords(tx, viewer, { volumeId: volume.id }), target: { type: 'volume', id: volume.id, label: code } };
      }
      case 'transfer': {
        const handOver = await deps.transfers.get(tx, actor, subject.id);
        const fonds = await catalog.findFonds(tx, handOver.fondsId);
        const info = [['External-Identifier', handOver.title], ['External-Description', `${handOver.agencyName}：${handOver.title}`], ['Bag-Group-Identifier', fonds.code], ['Lantai-Transfer-Id', handOver.id]] as const;
        const records = await catalog.contentRecords(tx, viewer, { recordIds: await preservation.recordsOfTransfer(tx, handOver.id) });
        return { layout: 'records', root: safeName(handOver.title, handOver.id), info: [...info], records, target: { type: 'transfer', id: handOver.id, label: handOver.title } };
      }
      case 'fonds': {
        const fonds = await catalog.findFonds(tx, subject.id);
        const info = [['External-Identifier', fonds.code], ['External-Description', fonds.name], ['Lantai-Fonds-Id', fonds.id]] as const;
        return { layout: 'records', root: safeName(fonds.code, fonds.id), info: [...info], records: await catalog.contentRecords(tx, viewer, { fondsId: fonds.id }), target: { type: 'fonds', id: fonds.id, label: fonds.code } };
      }
    }
  }

  /** The records of a plan a page at a time, read again through the viewer. */
  async function* records(plan: BagPlan): AsyncGenerator<BagRecord> {
    for (let i = 0; i < plan.records.length; i += PAGE) {
      const descriptions = await catalog.describeRecords(db, plan.viewer, plan.records.slice(i, i + PAGE).map((r) => r.id));
      const ids = descriptions.map((d) => d.id);
      const files = await preservation.filesOf(db, ids);
      const events = await preservation.timelines(db, ids);
      for (const d of descriptions) yield { description: d, files: files.get(d.id) ?? [], events: events.get(d.id) ?? [] };
    }
  }

  return {
    /** Decides what the bag holds and audits the export: archivists only, records the viewer may see with content only. */
    async plan(actor: Actor, viewer: Viewer, subject: BagSubject, format: BagFormat): Promise<BagPlan> {
      return auditedCommand({ db, audit }, actor, BAG_EXPORT_ACTION, { type: subject.type, id: subject.id }, async (tx) => {
        if (actor.userId === null) throw accountsErrors.AUTH_REQUIRED();
        if (!actor.roles.includes('archivist')) {
          const held = actor.roles[0];
          throw accountsErrors.FORBIDDEN_ROLE({ role: held ? ROLE_LABELS[held].zh : '当前用户', roleEn: held ? ROLE_LABELS[held].en.toLowerCase() : 'user', action: '导出 BagIt 包 / export BagIt bags' });
        }
        const resolved = await resolve(tx, actor, viewer, subject);
        if (resolved.records.length === 0) {
          const label = SUBJECT_LABELS[subject.type];
          throw preservationErrors.PRESERVATION_BAG_EMPTY({ subject: `${label.zh}“${resolved.target.label}”`, subjectEn: `${label.en} "${resolved.target.label}"` });
        }
        const totals = await preservation.totals(tx, resolved.records.map((r) => r.id));
        const archive = await findArchive(tx);
        await audit.append(tx, { actor: { ...actor, roles: [...actor.roles] }, action: BAG_EXPORT_ACTION, target: resolved.target, result: 'ok', details: { format, records: resolved.records.length, files: totals.files, bytes: totals.bytes } });
        return { ...resolved, subject, format, files: totals.files, bytes: totals.bytes, archiveName: archive?.name ?? 'Lantai', actor, viewer };
      });
    },

    /** Writes a planned bag into a sink; a bag that fails on the way is aborted and audited as failed. */
    async write(plan: BagPlan, sink: BagSink, progress?: BagProgress): Promise<BagTotals> {
      try {
        return await writeBag({ layout: plan.layout, info: plan.info, software: `Lantai ${deps.version}`, archiveName: plan.archiveName, records: records(plan), open: (sha256) => deps.files.get(sha256) }, sink, progress);
      } catch (err) {
        const reason = (err as { code?: unknown }).code;
        await db.transaction().execute((tx) =>
          audit.append(tx, { actor: { ...plan.actor, roles: [...plan.actor.roles] }, action: BAG_EXPORT_ACTION, target: plan.target, result: 'failed', reason: typeof reason === 'string' ? reason : (err as Error).message.slice(0, 200), details: { format: plan.format } }),
        );
        throw err;
      }
    },
  };
}

export type BagExport = ReturnType<typeof createBagExport>;
