/**
 * Planning a set of offline volumes (`lantai media plan`): the accepted records with
 * a kept file no volume holds yet — all of them, or a fonds' or a range of years' —
 * that the archivist may see with their content, packed whole onto volumes of the
 * configured capacity in 档号 order (media-capacity.ts), and registered with every
 * file each volume will hold. Records above the archivist's clearance stay for a
 * colleague who may see them, as with BagIt exports.
 *
 * A record given a new file after its volume was planned (a migration, say) is
 * planned again whole, so each volume holds its records complete.
 *
 * Labels read `<archive code or LANTAI>-<year>-<seq>` (DEMO-2026-001), the set
 * `<prefix>-<year>-S<nn>`; the year is the year of planning.
 */
import { v7 as uuidv7 } from 'uuid';
import type { Db, Executor } from '../../platform/db/database.js';
import { auditedCommand } from '../accounts/audited-command.js';
import { findArchive } from '../accounts/organisations.js';
import type { Actor, AuditSink } from '../accounts/service.js';
import type { Viewer } from '../accounts/viewer.js';
import type { RecordRef } from '../catalog/record-exports.js';
import type { CatalogService } from '../catalog/service.js';
import { da46Xml } from './bag.js';
import { packVolumes, type Capacity, type PackRecord } from './media-capacity.js';
import { mediaErrors } from './media-errors.js';
import { requireArchivist } from './media-register.js';
import * as repo from './media-repo.js';
import { premisXml } from './premis.js';
import type { PreservationService } from './service.js';
import type { PreservationFilesTable } from './tables.js';

export const MEDIA_PLAN_ACTION = 'preservation.media.plan';
const PAGE = 500;
const MAX_YEARS = 200;

/** Which holdings to plan: all, a fonds (id or 全宗号), years (年度) from–to, or both. */
export interface MediaScope {
  fonds?: string;
  yearFrom?: number;
  yearTo?: number;
}

export interface PlannedVolume {
  id: string;
  label: string;
  records: number;
  files: number;
  bytes: number;
  /** 档号 of its first and last record. */
  first: string;
  last: string;
}

export interface PlannedSet {
  set: string;
  capacity: Capacity;
  volumes: PlannedVolume[];
  records: number;
  files: number;
  bytes: number;
}

export interface MediaPlanDeps {
  db: Db;
  audit: AuditSink;
  catalog: Pick<CatalogService, 'contentRecords' | 'describeRecords' | 'listItems' | 'findFonds'>;
  preservation: Pick<PreservationService, 'filesOf' | 'timelines'>;
}

interface PlanRecord extends PackRecord {
  files: readonly PreservationFilesTable[];
}

/** A label prefix safe as an ISO 9660 volume id: the archive's code in capitals, else LANTAI. */
export function labelPrefix(archiveCode: string | null | undefined): string {
  const code = (archiveCode ?? '').toUpperCase().replace(/[^A-Z0-9_]/g, '').slice(0, 16);
  return code === '' ? 'LANTAI' : code;
}

/** The next numbers after the labels already given under `<prefix>-<year>-`. */
function nextNumbers(taken: readonly string[], stem: string): { volume: number; set: number } {
  let volume = 0;
  let set = 0;
  for (const label of taken) {
    if (!label.startsWith(stem)) continue;
    const rest = label.slice(stem.length);
    if (/^\d+$/.test(rest)) volume = Math.max(volume, Number(rest));
    else if (/^S\d+$/.test(rest)) set = Math.max(set, Number(rest.slice(1)));
  }
  return { volume: volume + 1, set: set + 1 };
}

export function createMediaPlanner(deps: MediaPlanDeps) {
  const { db, audit, catalog, preservation } = deps;

  /** Ids of the records in scope that the viewer may see with content (null: no limit). */
  async function inScope(tx: Executor, viewer: Viewer, scope: MediaScope): Promise<Set<string> | null> {
    const fondsId = scope.fonds ? (await catalog.findFonds(tx, scope.fonds)).id : undefined;
    if (scope.yearFrom === undefined && scope.yearTo === undefined) return fondsId ? new Set((await catalog.contentRecords(tx, viewer, { fondsId })).map((r) => r.id)) : null;
    const from = scope.yearFrom ?? scope.yearTo ?? 0;
    const to = scope.yearTo ?? scope.yearFrom ?? 0;
    if (!(from >= 1000 && to <= 2999 && from <= to && to - from < MAX_YEARS)) throw mediaErrors.MEDIA_YEARS_INVALID({ from, to });
    const ids = new Set<string>();
    for (let year = from; year <= to; year++) {
      for (let offset = 0; ; offset += PAGE) {
        const { items } = await catalog.listItems(tx, viewer, { fondsId, year, sort: 'archivalCode', order: 'asc', offset, limit: PAGE });
        for (const item of items) if (item.visibility === 'content') ids.add(item.id);
        if (items.length < PAGE) break;
      }
    }
    return ids;
  }

  /** The records of the plan with their files and the size of their metadata, a page at a time. */
  async function* measured(tx: Executor, viewer: Viewer, refs: readonly RecordRef[]): AsyncGenerator<PlanRecord> {
    for (let i = 0; i < refs.length; i += PAGE) {
      const descriptions = await catalog.describeRecords(tx, viewer, refs.slice(i, i + PAGE).map((r) => r.id));
      const ids = descriptions.map((d) => d.id);
      const files = await preservation.filesOf(tx, ids);
      const events = await preservation.timelines(tx, ids);
      for (const d of descriptions) {
        const kept = files.get(d.id) ?? [];
        const premis = premisXml({ id: d.id, archivalCode: d.archivalCode, title: d.title }, kept, events.get(d.id) ?? []);
        yield { id: d.id, label: d.archivalCode ?? d.id, files: kept, fileSizes: kept.map((f) => Number(f.size)), metadataSizes: [Buffer.byteLength(da46Xml(d)), Buffer.byteLength(premis)] };
      }
    }
  }

  return {
    /** Plans and registers a set of volumes; archivists only, audited. */
    async plan(actor: Actor, viewer: Viewer, scope: MediaScope, capacity: Capacity, now = new Date()): Promise<PlannedSet> {
      return auditedCommand({ db, audit }, actor, MEDIA_PLAN_ACTION, { type: 'media_set', id: null }, async (tx) => {
        const userId = requireArchivist(actor, '规划离线介质 / plan offline media');
        const waiting = await repo.recordsNotOnMedia(tx);
        const allowed = await inScope(tx, viewer, scope);
        const refs = await catalog.contentRecords(tx, viewer, { recordIds: allowed ? waiting.filter((id) => allowed.has(id)) : waiting });
        if (refs.length === 0) {
          const [from, to] = [scope.yearFrom ?? scope.yearTo, scope.yearTo ?? scope.yearFrom];
          const years = from === undefined ? '' : from === to ? String(from) : `${from}-${to}`;
          const parts = [scope.fonds ? `全宗 ${scope.fonds}` : '', years ? `年度 ${years}` : ''].filter(Boolean);
          const partsEn = [scope.fonds ? `fonds ${scope.fonds}` : '', years ? `years ${years}` : ''].filter(Boolean);
          throw mediaErrors.MEDIA_NOTHING_TO_PLAN({ scope: parts.length ? `（${parts.join('，')}）` : '', scopeEn: partsEn.length ? ` (${partsEn.join(', ')})` : '' });
        }
        const records: PlanRecord[] = [];
        for await (const record of measured(tx, viewer, refs)) records.push(record);
        const packed = packVolumes(records, capacity);

        const year = now.getFullYear();
        const prefix = labelPrefix((await findArchive(tx))?.code);
        const stem = `${prefix}-${year}-`;
        const next = nextNumbers(await repo.labelsStartingWith(tx, stem), stem);
        const set = `${stem}S${String(next.set).padStart(2, '0')}`;
        const at = now.toISOString();
        const volumes: PlannedVolume[] = [];
        for (const [i, volume] of packed.entries()) {
          const id = uuidv7();
          const label = `${stem}${String(next.volume + i).padStart(3, '0')}`;
          const files = volume.records.flatMap((r) => r.files.map((f) => ({ volume_id: id, file_id: f.id, record_id: r.id, sha256: f.sha256, sm3: f.sm3, size: Number(f.size), path: null })));
          await repo.insertVolume(
            tx,
            { id, label, set_label: set, position: i + 1, capacity: capacity.bytes, bytes: volume.bytes, files: volume.files, records: volume.records.length, status: 'planned', planned_at: at, planned_by: userId, written_at: null, written_by: null, location: null, iso_sha256: null, last_verified_at: null, last_verify_result: null, last_verify_details: null },
            files,
          );
          volumes.push({ id, label, records: volume.records.length, files: volume.files, bytes: volume.bytes, first: volume.records[0]?.label ?? '', last: volume.records.at(-1)?.label ?? '' });
        }
        const totals = { records: records.length, files: volumes.reduce((n, v) => n + v.files, 0), bytes: volumes.reduce((n, v) => n + v.bytes, 0) };
        await audit.append(tx, { actor: { ...actor, roles: [...actor.roles] }, action: MEDIA_PLAN_ACTION, target: { type: 'media_set', id: set, label: set }, result: 'ok', details: { capacity: capacity.bytes, volumes: volumes.map((v) => v.label), scope: { ...scope }, ...totals } });
        return { set, capacity, volumes, ...totals };
      });
    },
  };
}

export type MediaPlanner = ReturnType<typeof createMediaPlanner>;
