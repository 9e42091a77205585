/**
 * The storage dashboard's queries: aggregates over the preservation tables (kept files,
 * access copies, blob copies, fixity runs, alerts, offline volumes) and, for holdings by
 * year, the catalog's record year. None returns a record; the records behind files at
 * risk are read through the catalog's Viewer-scoped items (dashboard.ts).
 */
import { sql } from 'kysely';
import type { Executor } from '../../platform/db/database.js';
import type { FixityRunView } from './dashboard-model.js';
import './media-tables.js';
import './tables.js';

/** A copy in a store that holds the blob's bytes as kept. */
const GOOD_COPY = ['ok', 'repaired'];

/** Kept files: records, files and bytes. */
export async function keptTotals(db: Executor) {
  const row = await db
    .selectFrom('preservation_files')
    .select((eb) => [eb.fn.count<number>('record_id').distinct().as('records'), eb.fn.countAll<number>().as('files'), eb.fn.sum<number>('size').as('bytes')])
    .executeTakeFirstOrThrow();
  return { records: Number(row.records), files: Number(row.files), bytes: Number(row.bytes ?? 0) };
}

/** Every blob referred to (kept files and access copies), once each, with its size. */
function referencedBlobs(db: Executor) {
  return db
    .selectFrom((eb) => eb.selectFrom('preservation_files').select(['sha256', 'size']).unionAll(eb.selectFrom('access_copies').select(['sha256', 'size'])).as('u'))
    .select((eb) => ['u.sha256', eb.fn.max('u.size').as('size')])
    .groupBy('u.sha256');
}

/** Distinct referenced blobs and their bytes; with `missingIn`, only those without a good copy in that store. */
export async function blobTotals(db: Executor, missingIn?: string) {
  let q = db.selectFrom(referencedBlobs(db).as('b')).select((eb) => [eb.fn.countAll<number>().as('blobs'), eb.fn.sum<number>('b.size').as('bytes')]);
  if (missingIn !== undefined) {
    q = q.where(({ not, exists, selectFrom }) =>
      not(exists(selectFrom('blob_copies as c').select('c.sha256').whereRef('c.sha256', '=', 'b.sha256').where('c.store', '=', missingIn).where('c.status', 'in', GOOD_COPY))),
    );
  }
  const row = await q.executeTakeFirstOrThrow();
  return { blobs: Number(row.blobs), bytes: Number(row.bytes ?? 0) };
}

/** Copies per store and state (ok, repaired, missing, damaged, unreachable). */
export async function copyStates(db: Executor) {
  const rows = await db.selectFrom('blob_copies').select((eb) => ['store', 'status', eb.fn.countAll<number>().as('n')]).groupBy(['store', 'status']).execute();
  return rows.map((r) => ({ store: r.store, status: r.status, n: Number(r.n) }));
}

/**
 * Files and bytes accepted per month. Times are ISO text on SQLite and timestamptz on
 * PostgreSQL, whose sessions run in UTC (platform/db): as text both begin `YYYY-MM`.
 */
export async function growthByMonth(db: Executor) {
  const month = sql<string>`substr(cast(pf.created_at as text), 1, 7)`;
  const rows = await db
    .selectFrom('preservation_files as pf')
    .select((eb) => [month.as('month'), eb.fn.countAll<number>().as('files'), eb.fn.sum<number>('pf.size').as('bytes')])
    .groupBy(month)
    .orderBy(month)
    .execute();
  return rows.map((r) => ({ month: r.month, files: Number(r.files), bytes: Number(r.bytes ?? 0) }));
}

/** Kept files by the year (年度) of their record. */
export async function holdingsByYear(db: Executor) {
  const rows = await db
    .selectFrom('preservation_files as pf')
    .innerJoin('records as r', 'r.id', 'pf.record_id')
    .select((eb) => ['r.year', eb.fn.count<number>('pf.record_id').distinct().as('records'), eb.fn.countAll<number>().as('files'), eb.fn.sum<number>('pf.size').as('bytes')])
    .groupBy('r.year')
    .orderBy('r.year')
    .execute();
  return rows.map((r) => ({ year: Number(r.year), records: Number(r.records), files: Number(r.files), bytes: Number(r.bytes ?? 0) }));
}

/** The last `perStore` audits of each store, newest first; with `failuresOnly`, those that failed or found a bad copy. */
export async function lastAudits(db: Executor, perStore: number, failuresOnly = false): Promise<FixityRunView[]> {
  const rows = await db
    .selectFrom((eb) => {
      let runs = eb.selectFrom('fixity_runs').selectAll().select((e) => e.fn.agg<number>('row_number').over((o) => o.partitionBy('store').orderBy('started_at', 'desc').orderBy('id', 'desc')).as('n'));
      if (failuresOnly) runs = runs.where((e) => e.or([e('status', '=', 'failed'), e('missing', '>', 0), e('damaged', '>', 0), e('at_risk', '>', 0)]));
      return runs.as('x');
    })
    .selectAll()
    .where('x.n', '<=', perStore)
    .orderBy('x.store')
    .orderBy('x.started_at', 'desc')
    .execute();
  return rows.map((r) => ({
    id: r.id, store: r.store, status: r.status, samplePercent: Number(r.sample_percent), blobs: Number(r.blobs), bytes: Number(r.bytes), ok: Number(r.ok), missing: Number(r.missing), damaged: Number(r.damaged),
    repaired: Number(r.repaired), atRisk: Number(r.at_risk), detail: r.detail, startedBy: r.started_by, startedAt: r.started_at, heartbeatAt: r.heartbeat_at, finishedAt: r.finished_at,
  }));
}

/** Which records keep each of these blobs (the caller scopes the records by the Viewer). */
export async function recordsKeeping(db: Executor, sha256s: readonly string[]): Promise<Array<{ sha256: string; recordId: string }>> {
  if (sha256s.length === 0) return [];
  const rows = await db.selectFrom('preservation_files').select(['sha256', 'record_id']).distinct().where('sha256', 'in', [...new Set(sha256s)].slice(0, 1000)).execute();
  return rows.map((r) => ({ sha256: r.sha256, recordId: r.record_id }));
}

/** The offline volumes, by set and place in it, with their last verification (media-tables.ts). */
export async function offlineVolumes(db: Executor) {
  const rows = await db
    .selectFrom('media_volumes')
    .select(['id', 'label', 'set_label', 'status', 'bytes', 'files', 'written_at', 'location', 'last_verified_at', 'last_verify_result'])
    .orderBy('set_label')
    .orderBy('position')
    .limit(1000)
    .execute();
  return rows.map((r) => ({ id: r.id, label: r.label, set: r.set_label, status: r.status, bytes: Number(r.bytes), files: Number(r.files), writtenAt: r.written_at, location: r.location, lastVerifiedAt: r.last_verified_at, lastVerifyResult: r.last_verify_result }));
}
