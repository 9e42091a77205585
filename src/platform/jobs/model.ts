/** Shapes of the job queue, shared by the queue, the runner and the HTTP route. */
import { z } from 'zod';
import type { Logger } from 'pino';

export const jobStatusSchema = z.enum(['pending', 'running', 'succeeded', 'failed', 'cancelled']);
export type JobStatus = z.infer<typeof jobStatusSchema>;

export const jobProgressSchema = z.object({
  done: z.number().nonnegative(),
  total: z.number().nonnegative().optional(),
  unit: z.string().optional(),
  message: z.string().optional(),
});
export type JobProgress = z.infer<typeof jobProgressSchema>;

export const jobViewSchema = z.object({
  id: z.string(),
  type: z.string(),
  status: jobStatusSchema,
  priority: z.number(),
  attempts: z.number(),
  maxAttempts: z.number(),
  runAt: z.string(),
  progress: jobProgressSchema.nullable(),
  result: z.unknown().nullable(),
  lastError: z.string().nullable(),
  cancelRequested: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
  finishedAt: z.string().nullable(),
});
export type JobView = z.infer<typeof jobViewSchema>;

export interface JobContext {
  id: string;
  /** 1 for the first run, 2 for the first retry, … */
  attempt: number;
  /** Aborted when the job is cancelled or its lease is lost: stop cooperatively. */
  signal: AbortSignal;
  progress(progress: JobProgress): Promise<void>;
  log: Logger;
}

export type JobHandler<P = unknown> = (payload: P, ctx: JobContext) => Promise<unknown>;

/** What a cpu job's worker-thread module receives besides its payload. */
export interface CpuJobContext {
  progress(progress: JobProgress): void;
}

export interface JobOptions {
  /** Most jobs of this type one node runs at once (default 1). */
  concurrency?: number;
  /** Higher runs first (default 0). */
  priority?: number;
  /** Runs in the worker-thread pool so the web server stays responsive. */
  cpu?: boolean;
  /** Attempts before the job is marked failed (default 5). */
  maxAttempts?: number;
  /**
   * Which twins an enqueue with the same dedupe key joins: 'active' (default) pending and
   * running ones; 'pending' only those not yet started, for jobs that drain a work list
   * (what is marked after the job read the list needs a run of its own).
   */
  dedupe?: 'active' | 'pending';
}

export interface EnqueueOptions {
  runAt?: Date;
  /** At most one pending (or, by the type's `dedupe`, running) job per key; a second enqueue returns the first. */
  dedupeKey?: string;
  priority?: number;
  maxAttempts?: number;
}
