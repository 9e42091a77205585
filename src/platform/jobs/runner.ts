/**
 * The job runner: leases due jobs, runs them, renews leases, retries with
 * exponential back-off, and enqueues scheduled jobs once per cron slot.
 *
 * Leasing: PostgreSQL takes rows with `FOR UPDATE SKIP LOCKED` so many workers
 * on many nodes share one queue; SQLite leases inside an immediate (write)
 * transaction, which serialises claimers across processes. A worker that dies
 * stops renewing its lease; once the lease expires any runner takes the job again.
 */
import os from 'node:os';
import { sql, type Selectable } from 'kysely';
import type { Logger } from 'pino';
import type { Capabilities, Database, Executor } from '../db/database.js';
import type { JobsTable } from '../db/tables.js';
import { createCpuPool, type CpuPool } from './cpu-pool.js';
import type { JobContext, JobHandler, JobProgress } from './model.js';
import { latestSlot, nowIso, type JobQueue } from './queue.js';

export interface RunnerOptions {
  database: Database;
  queue: JobQueue;
  log: Logger;
  /** Identifies this worker in leases (host:pid:random by default). */
  owner?: string;
  pollMs?: number;
  leaseMs?: number;
  retryBaseMs?: number;
  /** Job types this runner takes (default: every defined type). */
  types?: string[];
  cpuThreads?: number;
  /** Start polling at once (default); tests pass false and call tick(). */
  autoStart?: boolean;
  /** How long stop() waits for running jobs before leaving them to lease expiry (default 10 s). */
  stopTimeoutMs?: number;
}

export interface Runner {
  /** Runs one claim-and-schedule round now (tests, and the loop itself). */
  tick(): Promise<number>;
  /** Resolves when every job started so far has settled. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

type ClaimedJob = Selectable<JobsTable>;

/**
 * The query that picks the next job to lease: due pending jobs and running jobs whose
 * lease expired, highest priority first. Exported so a test can show its SQL.
 */
export function nextJobQuery(tx: Executor, caps: Capabilities, types: string[], now: string) {
  const query = tx
    .selectFrom('jobs')
    .select('id')
    .where('type', 'in', types)
    .where((eb) =>
      eb.or([
        eb.and([eb('status', '=', 'pending'), eb('run_at', '<=', now)]),
        eb.and([eb('status', '=', 'running'), eb('lease_expires_at', '<', now)]),
      ]),
    )
    .orderBy('priority', 'desc')
    .orderBy('run_at')
    .limit(1);
  return caps.supportsSkipLocked ? query.forUpdate().skipLocked() : query;
}

export function startRunner(options: RunnerOptions): Runner {
  const { database, queue, log } = options;
  const { db, caps } = database;
  const owner = options.owner ?? `${os.hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;
  const pollMs = options.pollMs ?? 1000;
  const leaseMs = options.leaseMs ?? 60_000;
  const retryBaseMs = options.retryBaseMs ?? 5_000;
  const running = new Map<string, Promise<void>>();
  const runningByType = new Map<string, number>();
  let cpuPool: CpuPool | null = null;
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let ticking: Promise<number> | null = null;
  const looping = options.autoStart ?? true;

  const defs = () => [...queue.definitions().values()].filter((d) => !options.types || options.types.includes(d.type));

  async function claimOne(): Promise<ClaimedJob | null> {
    const free = defs().filter((d) => (runningByType.get(d.type) ?? 0) < d.concurrency).map((d) => d.type);
    if (free.length === 0) return null;
    const now = nowIso();
    return db.transaction().execute(async (tx) => {
      const candidate = nextJobQuery(tx, caps, free, now);
      const row = await candidate.executeTakeFirst();
      if (!row) return null;
      const claimed = await tx
        .updateTable('jobs')
        .set({
          status: 'running',
          lease_owner: owner,
          lease_expires_at: new Date(Date.now() + leaseMs).toISOString(),
          attempts: sql<number>`attempts + 1`,
          updated_at: now,
        })
        .where('id', '=', row.id)
        .returningAll()
        .executeTakeFirstOrThrow();
      if (claimed.attempts > claimed.max_attempts) {
        // The job already used its last attempt on a worker that died.
        await tx
          .updateTable('jobs')
          .set({ status: 'failed', last_error: 'worker lost (lease expired) on the last attempt', finished_at: now, lease_owner: null })
          .where('id', '=', claimed.id)
          .execute();
        return null;
      }
      // A job that drains a work list lets go of its key: marks made from now on queue a run of their own.
      if (claimed.dedupe_key !== null && !claimed.dedupe_key.includes('#') && queue.definitions().get(claimed.type)?.dedupe === 'pending') {
        claimed.dedupe_key = `${claimed.dedupe_key}#${claimed.id}`;
        await tx.updateTable('jobs').set({ dedupe_key: claimed.dedupe_key }).where('id', '=', claimed.id).execute();
      }
      return claimed;
    });
  }

  async function runSchedules(): Promise<void> {
    const now = new Date();
    for (const s of queue.schedules()) {
      const slot = latestSlot(s.cron, now);
      await db.transaction().execute(async (tx) => {
        const row = await tx.selectFrom('job_schedules').selectAll().where('name', '=', s.name).executeTakeFirst();
        if (!row) {
          // A new schedule starts from the current slot: it does not fire for the past.
          await tx.insertInto('job_schedules').values({ name: s.name, cron: s.cron, last_slot: slot, updated_at: nowIso() }).onConflict((oc) => oc.column('name').doNothing()).execute();
          return;
        }
        const won = await tx
          .updateTable('job_schedules')
          .set({ last_slot: slot, cron: s.cron, updated_at: nowIso() })
          .where('name', '=', s.name)
          .where((eb) => eb.or([eb('last_slot', 'is', null), eb('last_slot', '<', slot)]))
          .executeTakeFirst();
        // Only the node whose update moved last_slot enqueues, so N nodes enqueue once.
        if (Number(won.numUpdatedRows) === 1) await queue.enqueue(tx, s.name, s.payload, { dedupeKey: `${s.name}@${slot}` });
      });
    }
  }

  async function execute(job: ClaimedJob): Promise<void> {
    const def = queue.definitions().get(job.type);
    const controller = new AbortController();
    const jobLog = log.child({ jobId: job.id, jobType: job.type, attempt: job.attempts });
    let leaseLost = false;
    const heartbeat = setInterval(() => {
      void (async () => {
        const res = await db
          .updateTable('jobs')
          .set({ lease_expires_at: new Date(Date.now() + leaseMs).toISOString() })
          .where('id', '=', job.id)
          .where('lease_owner', '=', owner)
          .where('status', '=', 'running')
          .returning('cancel_requested')
          .executeTakeFirst();
        if (!res) {
          leaseLost = true;
          controller.abort(new Error('lease lost'));
        } else if (res.cancel_requested === 1) controller.abort(new Error('cancelled'));
      })().catch((err: unknown) => jobLog.warn({ err }, 'lease renewal failed'));
    }, Math.max(50, Math.floor(leaseMs / 3)));
    const progress = async (p: JobProgress) => {
      await db.updateTable('jobs').set({ progress: JSON.stringify(p), updated_at: nowIso() }).where('id', '=', job.id).where('lease_owner', '=', owner).execute();
    };
    const ctx: JobContext = { id: job.id, attempt: job.attempts, signal: controller.signal, progress, log: jobLog };
    let outcome: { ok: true; result: unknown } | { ok: false; error: Error };
    try {
      if (!def) throw new Error(`no handler defined for job type ${job.type} on this node`);
      const payload: unknown = JSON.parse(job.payload);
      let result: unknown;
      if (typeof def.handler === 'function') {
        result = await (def.handler as JobHandler)(payload, ctx);
      } else {
        cpuPool ??= createCpuPool(options.cpuThreads);
        // Progress posted from the thread is written in order and before the job is finished.
        let progressWrites = Promise.resolve();
        result = await cpuPool.run(def.handler.cpuModule, payload, {
          signal: controller.signal,
          onProgress: (p) => (progressWrites = progressWrites.then(() => progress(p)).catch(() => undefined)),
        });
        await progressWrites;
      }
      outcome = { ok: true, result };
    } catch (err) {
      outcome = { ok: false, error: err instanceof Error ? err : new Error(String(err)) };
    } finally {
      clearInterval(heartbeat);
    }
    if (leaseLost) return; // another runner owns the job now
    const now = nowIso();
    const mine = db.updateTable('jobs').where('id', '=', job.id).where('lease_owner', '=', owner);
    const current = await db.selectFrom('jobs').select('cancel_requested').where('id', '=', job.id).executeTakeFirst();
    if (current?.cancel_requested === 1) {
      await mine.set({ status: 'cancelled', finished_at: now, updated_at: now, lease_owner: null, lease_expires_at: null }).execute();
      jobLog.info('job cancelled');
    } else if (outcome.ok) {
      await mine
        .set({ status: 'succeeded', result: JSON.stringify(outcome.result ?? null), finished_at: now, updated_at: now, lease_owner: null, lease_expires_at: null })
        .execute();
      jobLog.info('job succeeded');
    } else if (job.attempts < job.max_attempts) {
      const delay = Math.min(retryBaseMs * 2 ** (job.attempts - 1), 60 * 60 * 1000) * (0.8 + Math.random() * 0.4);
      await mine
        .set({ status: 'pending', last_error: outcome.error.message, run_at: new Date(Date.now() + delay).toISOString(), updated_at: now, lease_owner: null, lease_expires_at: null })
        .execute();
      jobLog.warn({ err: outcome.error, retryInMs: Math.round(delay) }, 'job failed; will retry');
    } else {
      await mine.set({ status: 'failed', last_error: outcome.error.message, finished_at: now, updated_at: now, lease_owner: null, lease_expires_at: null }).execute();
      jobLog.error({ err: outcome.error }, 'job failed for good');
    }
  }

  async function tickOnce(): Promise<number> {
    await runSchedules();
    let started = 0;
    while (!stopped) {
      const job = await claimOne();
      if (!job) break;
      started += 1;
      runningByType.set(job.type, (runningByType.get(job.type) ?? 0) + 1);
      const p = execute(job)
        .catch((err: unknown) => log.error({ err, jobId: job.id }, 'job bookkeeping failed'))
        .finally(() => {
          running.delete(job.id);
          runningByType.set(job.type, (runningByType.get(job.type) ?? 1) - 1);
          if (looping && !stopped) schedule(0);
        });
      running.set(job.id, p);
    }
    return started;
  }

  function tick(): Promise<number> {
    // One round at a time; a caller arriving mid-round waits for it and starts another.
    const next = (ticking ?? Promise.resolve(0)).catch(() => 0).then(tickOnce);
    ticking = next;
    return next;
  }

  function schedule(ms: number): void {
    if (stopped) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      tick()
        .catch((err: unknown) => log.error({ err }, 'job runner round failed'))
        .finally(() => {
          if (!timer) schedule(pollMs);
        });
    }, ms);
  }

  if (looping) schedule(0);
  // A nudge (jobs just committed in this process) starts a round now rather than at the next poll.
  const stopNudges = looping ? options.queue.onNudge(() => schedule(0)) : () => undefined;

  return {
    tick,
    async idle() {
      while (running.size > 0) await Promise.allSettled([...running.values()]);
    },
    async stop() {
      stopNudges();
      stopped = true;
      if (timer) clearTimeout(timer);
      await ticking?.catch(() => undefined);
      // Jobs still running after the timeout are left to lease expiry: another runner takes them.
      await Promise.race([Promise.allSettled([...running.values()]), new Promise((r) => setTimeout(r, options.stopTimeoutMs ?? 10_000).unref())]);
      await cpuPool?.close();
    },
  };
}
