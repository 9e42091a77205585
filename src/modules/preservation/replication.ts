/**
 * Replication: every accepted file's bytes are copied from the primary store to each
 * replica store (LANTAI_STORES) by a job queued in the accept's transaction, and
 * verified there (the replica's put hashes the bytes and refuses them unless they have
 * the SHA-256, SM3 and size kept at accession). A replica that cannot be reached fails
 * the job, which the runner retries later, and an alert says so; copies already made
 * stay. Fixity audits of the replicas catch anything a failed run left behind, and
 * repair it from the primary.
 *
 * Also the daily gc of every store: blobs nothing refers to any more (the leftovers of an
 * interrupted accept) are removed after a day's grace (so an accept still in its
 * transaction keeps its blobs); a blob a record file or an access copy refers to is never
 * touched. Staged uploads live outside the stores.
 */
import { v7 as uuidv7 } from 'uuid';
import type { Db } from '../../platform/db/database.js';
import type { JobContext } from '../../platform/jobs/model.js';
import type { JobQueue } from '../../platform/jobs/queue.js';
import type { BlobStore } from '../../platform/storage/blob-store.js';
import type { PremisAgent, PreservationEventInput, PreservationService } from './service.js';

export const REPLICATE_JOB = 'preservation.replicate';
export const GC_JOB = 'preservation.gc';

export interface ReplicationDeps {
  db: Db;
  jobs: Pick<JobQueue, 'enqueue'>;
  stores: ReadonlyMap<string, BlobStore>;
  preservation: PreservationService;
  version: string;
}

export function createReplication(deps: ReplicationDeps) {
  const { db } = deps;
  const primary = deps.stores.get('primary') as BlobStore;
  const replicas = () => [...deps.stores.values()].filter((s) => s.name !== 'primary');
  const lantai: PremisAgent = { role: 'executing program', name: 'Lantai 兰台', version: deps.version };

  /** Raises (once) an alert that a replica cannot be reached; the job will be retried. */
  async function reportFailure(store: string, reason: string): Promise<void> {
    await db.transaction().execute(async (tx) => {
      const open = await tx.selectFrom('preservation_alerts').select('id').where('kind', '=', 'store-unreachable').where('store', '=', store).where('resolved_at', 'is', null).executeTakeFirst();
      if (!open) await tx.insertInto('preservation_alerts').values({ id: uuidv7(), kind: 'store-unreachable', store, sha256: null, message: `复制到存储库 ${store} 失败：${reason.slice(0, 500)}（稍后自动重试）`, created_at: new Date().toISOString(), resolved_at: null }).execute();
    });
  }

  return {
    /** Queues the copies of a hand-over's accepted files (inside the accept's transaction); nothing when there are no replicas. */
    async enqueue(tx: Parameters<JobQueue['enqueue']>[0], transferId: string): Promise<void> {
      if (replicas().length === 0) return;
      await deps.jobs.enqueue(tx, REPLICATE_JOB, { transferId }, { dedupeKey: `${REPLICATE_JOB}:${transferId}` });
    },

    /** The job: each file of the hand-over onto each replica that lacks it, verified; one replication event per file and replica. */
    async run(payload: { transferId: string }, ctx: Pick<JobContext, 'signal' | 'progress'>): Promise<{ copied: number; present: number }> {
      const files = await db
        .selectFrom('record_files as f')
        .innerJoin('preservation_files as p', 'p.id', 'f.id')
        .select(['f.id', 'f.record_id', 'f.sha256', 'f.sm3', 'f.size'])
        .where('p.transfer_id', '=', payload.transferId)
        .orderBy('f.sha256')
        .execute();
      let copied = 0;
      let present = 0;
      let done = 0;
      for (const replica of replicas()) {
        const events: PreservationEventInput[] = [];
        const copies: Array<{ sha256: string; at: string }> = [];
        try {
          for (const f of files) {
            ctx.signal.throwIfAborted();
            const at = new Date().toISOString();
            if ((await replica.stat(f.sha256))?.size === Number(f.size)) present += 1;
            else {
              await replica.put(await primary.get(f.sha256), { expect: { sha256: f.sha256, sm3: f.sm3, size: Number(f.size) }, signal: ctx.signal });
              copied += 1;
              events.push({ subjectType: 'file', subjectId: f.id, recordId: f.record_id, type: 'replication', at, outcome: 'success', detail: `已复制到存储库 ${replica.name}，SHA-256 与 SM3 核验一致`, agents: [lantai] });
            }
            copies.push({ sha256: f.sha256, at });
            done += 1;
            await ctx.progress({ done, total: files.length * replicas().length, unit: 'files', message: `复制到 ${replica.name}` });
          }
        } catch (err) {
          if (!ctx.signal.aborted) await reportFailure(replica.name, (err as Error).message);
          throw err;
        } finally {
          // What was copied stays recorded even when the replica fails part way.
          await db.transaction().execute(async (tx) => {
            await deps.preservation.addEvents(tx, events);
            for (const c of copies) {
              await tx.insertInto('blob_copies').values({ sha256: c.sha256, store: replica.name, status: 'ok', detail: null, checked_at: c.at, ok_at: c.at }).onConflict((oc) => oc.columns(['sha256', 'store']).doUpdateSet({ status: 'ok', detail: null, checked_at: c.at, ok_at: c.at })).execute();
            }
          });
        }
      }
      return { copied, present };
    },

    /** Removes, in every store, old blobs that nothing refers to. */
    async gc(options: { graceMs?: number } = {}): Promise<Record<string, { examined: number; removed: number }>> {
      const isReferenced = async (sha256: string) =>
        Boolean(
          (await db.selectFrom('record_files').select('id').where('sha256', '=', sha256).executeTakeFirst()) ??
            (await db.selectFrom('access_copies').select('id').where('sha256', '=', sha256).executeTakeFirst()),
        );
      const out: Record<string, { examined: number; removed: number }> = {};
      for (const store of deps.stores.values()) {
        const result = await store.gc(isReferenced, options);
        out[store.name] = { examined: result.examined, removed: result.removed.length };
      }
      return out;
    },
  };
}

export type Replication = ReturnType<typeof createReplication>;
