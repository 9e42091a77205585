/**
 * Fixity audits and self-repair (issue "Long-term preservation").
 *
 * An audit of one store walks every blob the catalog refers to (the files of records
 * and their access copies) in SHA-256 order, re-reads each copy and recomputes its
 * digests (SHA-256 and SM3, or the one configured), on all cores, under an optional
 * MB/s cap. A copy that is missing or damaged is repaired through `replace` from
 * another store whose copy hashes right — `replace` verifies the bytes before it swaps
 * them in, so a repair never overwrites a good copy with a bad one. When no store has a
 * good copy the blob is at risk: an alert for archivists and the system admin, and the
 * damaged copies stay as they are.
 *
 * Walking the catalog's references rather than the store's listing is what finds a
 * missing blob. The walk commits its results a page at a time together with its cursor
 * (the last SHA-256 done), so an audit killed halfway resumes after the last committed
 * page: no file counted twice, none skipped. Each file gets a PREMIS "fixity check"
 * event per store and audit, and a "repair" event when its copy was repaired.
 */
import pLimit from 'p-limit';
import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { Db, Tx } from '../../platform/db/database.js';
import type { BlobStore } from '../../platform/storage/blob-store.js';
import { digestStream } from '../../platform/storage/digest.js';
import { digestFile, FILES_AT_ONCE } from '../../platform/storage/file-digest.js';
import type { PremisAgent, PreservationEventInput, PreservationService } from './service.js';

export const FIXITY_JOB = 'preservation.fixity';
/** A run whose heartbeat is older than this was interrupted (killed, or its node died) and may be resumed. */
const STALE_MS = 60_000;

export type Algorithm = 'sha256' | 'sm3';

export interface FixityDeps {
  db: Db;
  stores: ReadonlyMap<string, BlobStore>;
  preservation: PreservationService;
  algorithms: readonly Algorithm[];
  /** MB/s cap on reading (0: none). */
  maxMbps: number;
  version: string;
  /** Blobs per committed page (tests use a few). */
  pageSize?: number;
  /** How old a running audit's heartbeat must be before another may resume it (tests shorten it). */
  staleMs?: number;
}

export interface FixityOptions {
  /** Audit only this share of the blobs (by SHA-256 prefix, so the same ones each time), 1–100. */
  samplePercent?: number;
  signal?: AbortSignal;
  /** Who started it: a user name, or 'schedule'. */
  startedBy: string;
  onProgress?: (p: { blobs: number; bytes: number; damaged: number; missing: number; repaired: number; atRisk: number }) => void;
}

export interface FixityRunSummary {
  id: string;
  store: string;
  status: 'completed' | 'failed';
  resumed: boolean;
  blobs: number;
  bytes: number;
  ok: number;
  missing: number;
  damaged: number;
  repaired: number;
  atRisk: number;
  detail: string | null;
}

interface Expected {
  sha256: string;
  /** Known for record files (kept at accession); null for access copies. */
  sm3: string | null;
  size: number;
}

type Finding =
  | { blob: Expected; state: 'ok' }
  | { blob: Expected; state: 'missing' | 'damaged'; detail: string; repairedFrom: string | null; tried: string[] };

export class StoreUnreachable extends Error {
  constructor(readonly store: string, reason: string) {
    super(`store ${store} is unreachable: ${reason}`);
  }
}

/** Network and permission trouble, as opposed to a blob that is simply not there. */
function unreachable(err: unknown): boolean {
  const code = (err as { code?: string }).code ?? '';
  return code === 'STORAGE_UNAVAILABLE' || /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|EACCES|EIO/.test(code) || /ECONNREFUSED|socket hang up|ETIMEDOUT/.test(String((err as Error).message));
}

export function createFixity(deps: FixityDeps) {
  const { db } = deps;
  const PAGE = deps.pageSize ?? 100;
  const lantai: PremisAgent = { role: 'executing program', name: 'Lantai 兰台', version: deps.version };
  const names = (algorithms: readonly Algorithm[]) => algorithms.map((a) => (a === 'sha256' ? 'SHA-256' : 'SM3')).join('、');

  /**
   * The next page of referenced blobs after `cursor` (record files and access copies merged,
   * in SHA-256 order, sampled), and the key the walk has read up to, which becomes the cursor
   * once the page is done. Null when nothing is left.
   */
  async function page(executor: Db | Tx, cursor: string, samplePercent: number): Promise<{ blobs: Expected[]; upTo: string } | null> {
    const inSample = (sha256: string) => samplePercent >= 100 || Number.parseInt(sha256.slice(0, 4), 16) < (samplePercent / 100) * 0x10000;
    let after = cursor;
    for (;;) {
      const files = await executor.selectFrom('record_files').select(['sha256', 'sm3', 'size']).where('sha256', '>', after).orderBy('sha256').limit(PAGE).execute();
      const copies = await executor.selectFrom('access_copies').select(['sha256', 'size']).where('sha256', '>', after).orderBy('sha256').limit(PAGE).execute();
      if (files.length === 0 && copies.length === 0) return null;
      // A list that came back full may hold more beyond its last key: merge only up to the smaller such key.
      const bounds = [files.length === PAGE ? files.at(-1)?.sha256 : undefined, copies.length === PAGE ? copies.at(-1)?.sha256 : undefined].filter((x): x is string => x !== undefined).sort();
      const bound = bounds[0];
      const merged = new Map<string, Expected>();
      for (const blob of [...files.map((f) => ({ sha256: f.sha256, sm3: f.sm3, size: Number(f.size) })), ...copies.map((c) => ({ sha256: c.sha256, sm3: null, size: Number(c.size) }))]) {
        if (bound !== undefined && blob.sha256 > bound) continue;
        const known = merged.get(blob.sha256);
        if (!known || (known.sm3 === null && blob.sm3 !== null)) merged.set(blob.sha256, blob);
      }
      const keys = [...merged.keys()].sort();
      const upTo = keys.at(-1) as string;
      const blobs = keys.filter(inSample).map((k) => merged.get(k) as Expected);
      if (blobs.length > 0 || bound === undefined) return blobs.length > 0 ? { blobs, upTo } : null;
      after = upTo;
    }
  }

  /** Recomputes a copy's digests; null when the store does not hold it. */
  async function digestsOf(store: BlobStore, blob: Expected, algorithms: readonly Algorithm[]): Promise<{ sha256: string; sm3: string; size: number } | null> {
    const stat = await store.stat(blob.sha256);
    if (!stat) return null;
    if (store.localPath) {
      const file = store.localPath(blob.sha256);
      try {
        return await digestFile(file, stat.size, algorithms, { oneThreadPerFile: true, direct: true });
      } catch (err) {
        if ((err as { code?: string }).code === 'ENOENT') return null;
        throw err;
      }
    }
    return digestStream(await store.get(blob.sha256));
  }

  function verdict(found: { sha256: string; sm3: string; size: number }, blob: Expected, algorithms: readonly Algorithm[]): string | null {
    if (found.size !== blob.size) return `大小应为 ${blob.size} 字节，实为 ${found.size} 字节`;
    if (algorithms.includes('sha256') && found.sha256 !== blob.sha256) return `SHA-256 应为 ${blob.sha256}，实为 ${found.sha256}`;
    if (algorithms.includes('sm3') && blob.sm3 !== null && found.sm3 !== blob.sm3) return `SM3 应为 ${blob.sm3}，实为 ${found.sm3}`;
    return null;
  }

  /** Copies a good copy from another store over the damaged or missing one; the store that served, or null. */
  async function repair(target: BlobStore, blob: Expected): Promise<{ from: string | null; tried: string[] }> {
    const tried: string[] = [];
    const others = [...deps.stores.values()].filter((s) => s !== target).sort((a, b) => (a.name === 'primary' ? -1 : b.name === 'primary' ? 1 : a.name < b.name ? -1 : 1));
    for (const source of others) {
      try {
        if (!(await source.stat(blob.sha256))) {
          tried.push(`${source.name}：无副本`);
          continue;
        }
        // replace() hashes the incoming bytes and swaps them in only when they are the blob's.
        const written = await target.replace(blob.sha256, await source.get(blob.sha256));
        if (blob.sm3 !== null && written.sm3 !== blob.sm3) throw new Error('SM3 mismatch after replace');
        return { from: source.name, tried };
      } catch (err) {
        tried.push(`${source.name}：${(err as { code?: string }).code === 'BLOB_DIGEST_MISMATCH' ? '副本也已损坏' : unreachable(err) ? '无法访问' : (err as Error).message}`);
      }
    }
    return { from: null, tried };
  }

  async function check(store: BlobStore, blob: Expected, algorithms: readonly Algorithm[]): Promise<Finding> {
    let found: Awaited<ReturnType<typeof digestsOf>>;
    try {
      found = await digestsOf(store, blob, algorithms);
    } catch (err) {
      if (unreachable(err)) throw new StoreUnreachable(store.name, (err as Error).message);
      throw err;
    }
    const problem = found === null ? '副本缺失' : verdict(found, blob, algorithms);
    if (problem === null) return { blob, state: 'ok' };
    const { from, tried } = await repair(store, blob);
    return { blob, state: found === null ? 'missing' : 'damaged', detail: problem, repairedFrom: from, tried };
  }

  /** Writes a page's results, and moves the cursor past it, in one transaction. */
  async function commitPage(runId: string, store: string, findings: readonly Finding[], cursor: string, agents: readonly PremisAgent[], algorithms: readonly Algorithm[]): Promise<void> {
    const at = new Date().toISOString();
    await db.transaction().execute(async (tx) => {
      const shas = findings.map((f) => f.blob.sha256);
      const files = shas.length === 0 ? [] : await tx.selectFrom('record_files').select(['id', 'record_id', 'sha256']).where('sha256', 'in', shas).execute();
      const filesOf = new Map<string, typeof files>();
      for (const f of files) filesOf.set(f.sha256, [...(filesOf.get(f.sha256) ?? []), f]);
      const events: PreservationEventInput[] = [];
      for (const f of findings) {
        for (const file of filesOf.get(f.blob.sha256) ?? []) {
          const on = (type: PreservationEventInput['type'], outcome: PreservationEventInput['outcome'], detail: string): PreservationEventInput => ({ subjectType: 'file', subjectId: file.id, recordId: file.record_id, type, at, outcome, detail, agents: [...agents] });
          if (f.state === 'ok') events.push(on('fixity check', 'success', `存储库 ${store}：${names(algorithms)} 复核一致`));
          else {
            events.push(on('fixity check', 'failure', `存储库 ${store}：${f.state === 'missing' ? '副本缺失' : `副本损坏（${f.detail}）`}`));
            if (f.repairedFrom) events.push(on('repair', 'success', `存储库 ${store} 的副本已用存储库 ${f.repairedFrom} 中核验无误的副本修复`));
            else events.push(on('repair', 'failure', `存储库 ${store} 的副本无法修复：没有其他核验无误的副本（${f.tried.join('；') || '没有其他存储库'}）；原副本未被覆盖`));
          }
        }
        const status = f.state === 'ok' ? 'ok' : f.repairedFrom ? 'repaired' : f.state;
        const detail = f.state === 'ok' ? null : `${f.detail}${f.repairedFrom ? `；已从 ${f.repairedFrom} 修复` : '；无法修复'}`;
        await tx
          .insertInto('blob_copies')
          .values({ sha256: f.blob.sha256, store, status, detail, checked_at: at, ok_at: status === 'ok' || status === 'repaired' ? at : null })
          .onConflict((oc) => oc.columns(['sha256', 'store']).doUpdateSet({ status, detail, checked_at: at, ...(status === 'ok' || status === 'repaired' ? { ok_at: at } : {}) }))
          .execute();
        if (f.state !== 'ok' && !f.repairedFrom) {
          const open = await tx.selectFrom('preservation_alerts').select('id').where('kind', '=', 'at-risk').where('sha256', '=', f.blob.sha256).where('store', '=', store).where('resolved_at', 'is', null).executeTakeFirst();
          if (!open) {
            const records = [...new Set((filesOf.get(f.blob.sha256) ?? []).map((x) => x.record_id))];
            await tx.insertInto('preservation_alerts').values({ id: uuidv7(), kind: 'at-risk', store, sha256: f.blob.sha256, message: `文件处于风险中：存储库 ${store} 的副本${f.state === 'missing' ? '缺失' : '损坏'}，且没有可用于修复的完好副本（涉及 ${records.length} 件档案）`, created_at: at, resolved_at: null }).execute();
          }
        } else {
          // A good (or repaired) copy settles an earlier alert about this copy.
          await tx.updateTable('preservation_alerts').set({ resolved_at: at }).where('kind', '=', 'at-risk').where('sha256', '=', f.blob.sha256).where('store', '=', store).where('resolved_at', 'is', null).execute();
        }
      }
      await deps.preservation.addEvents(tx, events);
      const count = (state: string) => findings.filter((f) => f.state === state).length;
      const repaired = findings.filter((f) => f.state !== 'ok' && f.repairedFrom).length;
      const atRisk = findings.filter((f) => f.state !== 'ok' && !f.repairedFrom).length;
      await tx
        .updateTable('fixity_runs')
        .set((eb) => ({
          cursor,
          heartbeat_at: at,
          blobs: eb('blobs', '+', findings.length),
          bytes: eb('bytes', '+', findings.reduce((n, f) => n + f.blob.size, 0)),
          ok: eb('ok', '+', count('ok')),
          missing: eb('missing', '+', count('missing')),
          damaged: eb('damaged', '+', count('damaged')),
          repaired: eb('repaired', '+', repaired),
          at_risk: eb('at_risk', '+', atRisk),
        }))
        .where('id', '=', runId)
        .execute();
    });
  }

  /** Starts an audit of one store, or resumes its interrupted one (same sample), and runs it to the end. */
  async function audit(storeName: string, options: FixityOptions): Promise<FixityRunSummary> {
    const store = deps.stores.get(storeName);
    if (!store) throw new Error(`no store named ${storeName}`);
    const samplePercent = Math.min(100, Math.max(1, Math.round(options.samplePercent ?? 100)));
    const algorithms = deps.algorithms;
    const now = () => new Date().toISOString();
    const stale = new Date(Date.now() - (deps.staleMs ?? STALE_MS)).toISOString();
    let resumed = false;
    const run = await db.transaction().execute(async (tx) => {
      const open = await tx.selectFrom('fixity_runs').selectAll().where('store', '=', storeName).where('status', '=', 'running').orderBy('started_at', 'desc').executeTakeFirst();
      if (open && open.heartbeat_at > stale) throw Object.assign(new Error(`an audit of store ${storeName} is running (started ${open.started_at})`), { code: 'FIXITY_RUNNING', run: open.id });
      if (open && open.sample_percent === samplePercent) {
        resumed = true;
        await tx.updateTable('fixity_runs').set({ heartbeat_at: now() }).where('id', '=', open.id).execute();
        return open;
      }
      if (open) await tx.updateTable('fixity_runs').set({ status: 'abandoned', finished_at: now(), detail: '被新的审计取代（抽样比例不同）' }).where('id', '=', open.id).execute();
      const row = { id: uuidv7(), store: storeName, status: 'running', sample_percent: samplePercent, algorithms: algorithms.join(','), cursor: '', blobs: 0, bytes: 0, ok: 0, missing: 0, damaged: 0, repaired: 0, at_risk: 0, detail: null, started_by: options.startedBy, started_at: now(), heartbeat_at: now(), finished_at: null };
      await tx.insertInto('fixity_runs').values(row).execute();
      return row;
    });
    const agents: PremisAgent[] = [options.startedBy === 'schedule' ? { role: 'implementer', name: '定时任务' } : { role: 'implementer', name: options.startedBy }, lantai];
    const totals = { blobs: Number(run.blobs), bytes: Number(run.bytes), damaged: Number(run.damaged), missing: Number(run.missing), repaired: Number(run.repaired), atRisk: Number(run.at_risk) };
    const finish = async (status: 'completed' | 'failed', detail: string | null): Promise<FixityRunSummary> => {
      await db.updateTable('fixity_runs').set({ status, detail, finished_at: now(), heartbeat_at: now() }).where('id', '=', run.id).execute();
      const row = await db.selectFrom('fixity_runs').selectAll().where('id', '=', run.id).executeTakeFirstOrThrow();
      return { id: row.id, store: storeName, status, resumed, blobs: Number(row.blobs), bytes: Number(row.bytes), ok: Number(row.ok), missing: Number(row.missing), damaged: Number(row.damaged), repaired: Number(row.repaired), atRisk: Number(row.at_risk), detail };
    };

    const health = await store.health();
    if (!health.ok) {
      await reportUnreachable(storeName, health.detail);
      return finish('failed', `存储库无法访问：${health.detail}`);
    }
    // As many files as keep every digest thread busy while some of them wait on the disk.
    const limit = pLimit(FILES_AT_ONCE);
    const throttle = createThrottle(deps.maxMbps);
    let cursor = run.cursor;
    const record = async (findings: readonly Finding[], upTo: string) => {
      await commitPage(run.id, storeName, findings, upTo, agents, algorithms);
      totals.blobs += findings.length;
      totals.bytes += findings.reduce((n, f) => n + f.blob.size, 0);
      for (const f of findings) {
        if (f.state === 'missing') totals.missing += 1;
        if (f.state === 'damaged') totals.damaged += 1;
        if (f.state !== 'ok' && f.repairedFrom) totals.repaired += 1;
        if (f.state !== 'ok' && !f.repairedFrom) totals.atRisk += 1;
      }
      options.onProgress?.({ ...totals });
    };
    let committed: Promise<void> = Promise.resolve();
    try {
      // Pages overlap: the next page's files are read while the last large files of this one finish
      // and its results are committed, so no core waits at a page boundary. Commits stay in order
      // (the cursor only moves past pages whose every result is written), two pages at most in flight.
      const window: Array<Promise<void>> = [];
      for (;;) {
        options.signal?.throwIfAborted();
        const next = await page(db, cursor, samplePercent);
        if (!next) break;
        cursor = next.upTo;
        const upTo = next.upTo;
        const findings = Promise.all(
          next.blobs.map((blob) =>
            limit(async () => {
              options.signal?.throwIfAborted();
              await throttle(blob.size);
              return check(store, blob, algorithms);
            }),
          ),
        );
        // Handled through `committed`; this keeps a failure of a page behind a failed one from going unhandled.
        findings.catch(() => undefined);
        committed = committed.then(async () => {
          const done = await findings;
          // Stopped meanwhile: nothing more is written, so a resumed audit starts after the last page written here.
          options.signal?.throwIfAborted();
          await record(done, upTo);
        });
        window.push(committed);
        if (window.length >= 2) await window.shift();
      }
      await committed;
    } catch (err) {
      // Let the page in flight settle first: no commit may land after this audit has given up.
      await committed.catch(() => undefined);
      if (err instanceof StoreUnreachable) {
        await reportUnreachable(storeName, err.message);
        return finish('failed', `审计中途存储库无法访问：${err.message}`);
      }
      // Aborted or crashed: the run stays 'running' with its cursor, and the next audit resumes it.
      throw err;
    }
    await db.updateTable('preservation_alerts').set({ resolved_at: now() }).where('kind', '=', 'store-unreachable').where('store', '=', storeName).where('resolved_at', 'is', null).execute();
    return finish('completed', null);
  }

  async function reportUnreachable(store: string, reason: string): Promise<void> {
    await db.transaction().execute(async (tx) => {
      const open = await tx.selectFrom('preservation_alerts').select('id').where('kind', '=', 'store-unreachable').where('store', '=', store).where('resolved_at', 'is', null).executeTakeFirst();
      if (!open) await tx.insertInto('preservation_alerts').values({ id: uuidv7(), kind: 'store-unreachable', store, sha256: null, message: `存储库 ${store} 无法访问：${reason.slice(0, 500)}`, created_at: new Date().toISOString(), resolved_at: null }).execute();
    });
  }

  return {
    audit,
    /** How many distinct blobs the catalog refers to, and their bytes (for progress bars). */
    async totals(executor: Db | Tx = db): Promise<{ blobs: number; bytes: number }> {
      const row = await sql<{ blobs: number | string; bytes: number | string | null }>`select count(*) as blobs, sum(size) as bytes from (select sha256, size from record_files union select sha256, size from access_copies) as referenced`.execute(executor);
      const first = row.rows[0];
      return { blobs: Number(first?.blobs ?? 0), bytes: Number(first?.bytes ?? 0) };
    },
    /** Every store in turn; an unreachable one is reported and the others are still audited. */
    async auditAll(options: FixityOptions & { stores?: readonly string[] }): Promise<FixityRunSummary[]> {
      const out: FixityRunSummary[] = [];
      for (const name of options.stores ?? [...deps.stores.keys()]) out.push(await audit(name, options));
      return out;
    },
    /** Alerts not yet resolved, newest first (dashboard and notification list). */
    openAlerts(executor: Db | Tx) {
      return executor.selectFrom('preservation_alerts').selectAll().where('resolved_at', 'is', null).orderBy('created_at', 'desc').limit(500).execute();
    },
  };
}

export type Fixity = ReturnType<typeof createFixity>;

/** Sleeps as needed so that reading stays under `mbps` megabytes per second (0: no cap). */
export function createThrottle(mbps: number): (bytes: number) => Promise<void> {
  if (mbps <= 0) return async () => undefined;
  const started = performance.now();
  let total = 0;
  return async (bytes) => {
    total += bytes;
    const due = (total / (mbps * 1e6)) * 1000;
    const wait = due - (performance.now() - started);
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  };
}
