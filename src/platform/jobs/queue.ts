/**
 * The durable job queue (DESIGN.md "Jobs"), kept in the database itself so a job
 * commits or rolls back with the transaction that caused it.
 *
 * `define` registers handlers at buildApp; `enqueue(tx, …)` writes inside the
 * caller's transaction; `schedule(name, cron)` makes the runner enqueue one job per
 * cron slot however many nodes run; `cancel` is cooperative. The runner
 * (runner.ts) leases, runs, retries and finishes jobs.
 */
import { sql, type Selectable } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { CronExpressionParser } from 'cron-parser';
import type { Executor, Tx } from '../db/database.js';
import type { JobsTable } from '../db/tables.js';
import { platformErrors } from '../http/errors.js';
import type { EnqueueOptions, JobHandler, JobOptions, JobView } from './model.js';

export interface JobDefinition {
  type: string;
  /** In-process handler, or the module run in the cpu pool (its default export). */
  handler: JobHandler | { cpuModule: URL };
  concurrency: number;
  priority: number;
  cpu: boolean;
  maxAttempts: number;
  /** 'pending': a job lets go of its dedupe key when it starts, so marks made while it runs queue one more. */
  dedupe: 'active' | 'pending';
}

export interface ScheduleDefinition {
  name: string;
  cron: string;
  payload: unknown;
}

export interface JobQueue {
  define<P>(type: string, handler: JobHandler<P> | { cpuModule: URL }, options?: JobOptions): void;
  enqueue(tx: Tx, type: string, payload: unknown, options?: EnqueueOptions): Promise<{ id: string; deduplicated: boolean }>;
  schedule(name: string, cron: string, payload?: unknown): void;
  cancel(tx: Tx, id: string): Promise<JobView>;
  get(db: Executor, id: string): Promise<JobView>;
  definitions(): ReadonlyMap<string, JobDefinition>;
  schedules(): readonly ScheduleDefinition[];
  /**
   * Tells this process's runner that jobs were committed, so it claims them now
   * instead of at its next poll. Call after the enqueueing transaction commits;
   * other nodes find the jobs at their next poll.
   */
  nudge(): void;
  /** The runner's side of `nudge`. */
  onNudge(listener: () => void): () => void;
}

export const nowIso = (): string => new Date().toISOString();

export function toJobView(row: Selectable<JobsTable>): JobView {
  return {
    id: row.id,
    type: row.type,
    status: row.status,
    priority: row.priority,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    runAt: row.run_at,
    progress: row.progress ? JSON.parse(row.progress) : null,
    result: row.result ? JSON.parse(row.result) : null,
    lastError: row.last_error,
    cancelRequested: row.cancel_requested === 1,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    finishedAt: row.finished_at,
  };
}

/** The most recent cron slot at or before `at` (local time of the server, as cron users expect). */
export function latestSlot(cron: string, at: Date): string {
  const expression = CronExpressionParser.parse(cron, { currentDate: new Date(at.getTime() + 1) });
  return expression.prev().toDate().toISOString();
}

export function createJobQueue(): JobQueue {
  const defs = new Map<string, JobDefinition>();
  const scheduled: ScheduleDefinition[] = [];
  const nudgeListeners = new Set<() => void>();

  async function fetchJob(db: Executor, id: string): Promise<JobView> {
    const row = await db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw platformErrors.JOB_NOT_FOUND({ id });
    return toJobView(row);
  }

  return {
    nudge() {
      for (const listener of nudgeListeners) listener();
    },
    onNudge(listener) {
      nudgeListeners.add(listener);
      return () => nudgeListeners.delete(listener);
    },
    define(type, handler, options = {}) {
      if (defs.has(type)) throw new Error(`job type ${type} is defined twice`);
      if (options.cpu && typeof handler === 'function') throw new Error(`cpu job ${type} must name a worker module ({ cpuModule })`);
      defs.set(type, {
        type,
        handler: handler as JobHandler | { cpuModule: URL },
        concurrency: options.concurrency ?? 1,
        priority: options.priority ?? 0,
        cpu: options.cpu ?? false,
        maxAttempts: options.maxAttempts ?? 5,
        dedupe: options.dedupe ?? 'active',
      });
    },

    async enqueue(tx, type, payload, options = {}) {
      const def = defs.get(type);
      if (!def) throw platformErrors.JOB_TYPE_UNKNOWN({ type });
      const now = nowIso();
      const id = uuidv7();
      // On PostgreSQL the twin the insert ran into can finish before the select reads it
      // (each statement sees the latest commits): then the insert is tried again.
      for (let attempt = 0; ; attempt++) {
        const inserted = await tx
          .insertInto('jobs')
          .values({
            id,
            type,
            payload: JSON.stringify(payload ?? null),
            status: 'pending',
            priority: options.priority ?? def.priority,
            max_attempts: options.maxAttempts ?? def.maxAttempts,
            run_at: (options.runAt ?? new Date()).toISOString(),
            dedupe_key: options.dedupeKey ?? null,
            lease_owner: null,
            lease_expires_at: null,
            progress: null,
            result: null,
            last_error: null,
            created_at: now,
            updated_at: now,
            finished_at: null,
          })
          .onConflict((oc) => oc.column('dedupe_key').where(sql.ref('status'), 'in', sql`('pending','running')`).doNothing())
          .returning('id')
          .executeTakeFirst();
        if (inserted) return { id: inserted.id, deduplicated: false };
        const existing = await tx
          .selectFrom('jobs')
          .select('id')
          .where('dedupe_key', '=', options.dedupeKey ?? '')
          .where('status', 'in', ['pending', 'running'])
          .executeTakeFirst();
        if (existing) return { id: existing.id, deduplicated: true };
        if (attempt >= 20) throw new Error(`job ${type}: dedupe key ${options.dedupeKey} neither free nor held`);
      }
    },

    schedule(name, cron, payload = null) {
      latestSlot(cron, new Date()); // throws on a malformed expression, at startup
      scheduled.push({ name, cron, payload });
    },

    async cancel(tx, id) {
      const job = await fetchJob(tx, id);
      const now = nowIso();
      if (job.status === 'pending') {
        await tx.updateTable('jobs').set({ status: 'cancelled', finished_at: now, updated_at: now }).where('id', '=', id).where('status', '=', 'pending').execute();
      } else if (job.status === 'running') {
        await tx.updateTable('jobs').set({ cancel_requested: 1, updated_at: now }).where('id', '=', id).execute();
      }
      return fetchJob(tx, id);
    },

    get: fetchJob,
    definitions: () => defs,
    schedules: () => scheduled,
  };
}
