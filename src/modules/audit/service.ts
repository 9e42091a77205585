/**
 * The security audit log (安全审计, GB/T 22239-2019 level 3, 8.1.4.3): for every
 * state-changing action, every refusal, and every view or download of a controlled
 * record — who, organisation, roles, address, when, action, target, result.
 *
 * Tamper evidence, in three layers:
 *  1. triggers refuse UPDATE and DELETE of entries on both databases (migrations.ts);
 *  2. each entry is chained to the one before it with SM3 (hash-chain.ts), so an
 *     edited, deleted or reordered row breaks the chain at that row;
 *  3. the committed head is signed now and then with a key outside the database and
 *     written to a file outside it (checkpoints.ts), so a chain recomputed
 *     consistently by someone who dropped the triggers no longer matches.
 * `verify` (verify.ts) checks all three and names the first broken entry;
 * `archive` (archive.ts) moves entries older than six months into signed files.
 *
 * `append` writes inside the caller's transaction (DESIGN.md "Transactions"): if the
 * action rolls back, so does its entry. Appends serialise on the single chain-head
 * row: on PostgreSQL append locks it (SELECT … FOR UPDATE) and the lock is held
 * until the caller commits; SQLite's write transaction already holds the file lock.
 * So call append as the last thing before commit, to keep that lock short; the
 * head update is append's own last statement.
 *
 * When a checkpoint is due (every `checkpointEvery` entries, or when the last one
 * is ten minutes old), append reports it and, given a job queue, enqueues the
 * checkpoint job in the same transaction: it then runs right after commit and signs
 * the committed head. A scheduled run of the same job (app.ts) covers quiet times.
 * What the database says about the last checkpoint only decides *when* to write
 * one; verification trusts the signed file alone.
 */
import { v7 as uuidv7 } from 'uuid';
import type { Capabilities, Db, Executor, Tx } from '../../platform/db/database.js';
import type { JobQueue } from '../../platform/jobs/queue.js';
import { archiveSegment, type ArchiveOptions, type ArchivedSegment } from './archive.js';
import type { Checkpoint, CheckpointSink } from './checkpoints.js';
import { auditErrors } from './errors.js';
import { entryFields, entryHash } from './hash-chain.js';
import { ACTION_NAME, AUDIT_RESULTS, reviewFiltersSchema, reviewPageSchema, type AuditEntry, type AuditEntryInput, type ReviewerClass, type ReviewFilters, type ReviewPage, type VerifyReport } from './model.js';
import { advanceHead, insertEntry, lockHead, markCheckpointed, readHead } from './repo.js';
import { entriesCsv, reviewEntries } from './review.js';
import { verifyChain } from './verify.js';

/** The job that signs the committed head (registerAuditJobs). */
export const AUDIT_CHECKPOINT_JOB = 'audit.checkpoint';
export const CHECKPOINT_EVERY = 1000;
export const CHECKPOINT_MAX_AGE_MS = 10 * 60_000;

export interface AuditLogDeps {
  /** Whether appends must lock the head row (several writers at once: PostgreSQL). */
  caps: Pick<Capabilities, 'concurrentWriters'>;
  checkpoints: CheckpointSink;
  /** Given, a due checkpoint is enqueued as AUDIT_CHECKPOINT_JOB inside the appending transaction. */
  jobs?: Pick<JobQueue, 'enqueue'>;
  /** Entries between checkpoints (default 1000). */
  checkpointEvery?: number;
  clock?: () => Date;
}

export interface Appended {
  id: string;
  seq: number;
  hash: string;
  /** A checkpoint should be written once this transaction commits. */
  checkpointDue: boolean;
}

export function createAuditLog(deps: AuditLogDeps) {
  const { caps, checkpoints, jobs } = deps;
  const every = deps.checkpointEvery ?? CHECKPOINT_EVERY;
  const clock = deps.clock ?? (() => new Date());

  async function append(tx: Tx, input: AuditEntryInput): Promise<Appended> {
    // The type checks callers at compile time; at run time only what the database would not.
    if (!ACTION_NAME.test(input.action)) throw auditErrors.AUDIT_ENTRY_INVALID({ summary: `action "${input.action}" is not module.noun.verb` });
    if (!AUDIT_RESULTS.includes(input.result)) throw auditErrors.AUDIT_ENTRY_INVALID({ summary: `result "${String(input.result)}"` });
    const head = await lockHead(tx, caps);
    const now = clock();
    const { fields, json } = entryFields(head.seq + 1, uuidv7(), now.toISOString(), input);
    const hash = entryHash(head.hash, fields, json);
    await insertEntry(tx, { ...fields, prev_hash: head.hash, hash });
    const lastAt = head.checkpoint_at === null ? null : Date.parse(head.checkpoint_at);
    const checkpointDue = fields.seq - head.checkpoint_seq >= every || lastAt === null || now.getTime() - lastAt >= CHECKPOINT_MAX_AGE_MS;
    if (checkpointDue && jobs) await jobs.enqueue(tx, AUDIT_CHECKPOINT_JOB, null, { dedupeKey: AUDIT_CHECKPOINT_JOB });
    // Last statement: the head row becomes this entry.
    await advanceHead(tx, { seq: fields.seq, hash, count: head.count + 1 });
    return { id: fields.id, seq: fields.seq, hash, checkpointDue };
  }

  return {
    append,

    /**
     * Signs the committed head and appends it to the checkpoint file; null when the
     * log is empty or the last line already covers the head.
     */
    async checkpointNow(db: Executor): Promise<Checkpoint | null> {
      const head = await readHead(db);
      if (head.seq === 0) return null;
      const last = await checkpoints.last();
      const covered = last?.chain === head.chain_id && last.seq === head.seq && last.hash === head.hash;
      const checkpoint = covered ? null : await checkpoints.write({ chain: head.chain_id, seq: head.seq, hash: head.hash, count: head.count });
      await markCheckpointed(db, head.seq, checkpoint?.at ?? last?.at ?? clock().toISOString());
      return checkpoint;
    },

    /** Recomputes the chain and holds it against the signed checkpoints and segments; names the first broken entry. */
    verify(db: Executor): Promise<VerifyReport> {
      return verifyChain(db, checkpoints);
    },

    /** A page of the entries this reviewer may read (the 三员 split), newest first. */
    query(db: Executor, reviewer: ReviewerClass, filters: ReviewFilters = {}, page: Partial<ReviewPage> = {}): Promise<{ entries: AuditEntry[]; nextBefore: number | null }> {
      return reviewEntries(db, reviewer, reviewFiltersSchema.parse(filters), reviewPageSchema.parse(page));
    },

    /** The same entries, all of them, oldest first, as CSV lines. */
    exportCsv(db: Executor, reviewer: ReviewerClass, filters: ReviewFilters = {}): AsyncGenerator<string> {
      return entriesCsv(db, reviewer, reviewFiltersSchema.parse(filters));
    },

    /** Moves the entries before `options.before` (six months ago at the latest) into a signed segment file. */
    archive(db: Db, options: ArchiveOptions): Promise<ArchivedSegment | null> {
      return archiveSegment({ db, sink: checkpoints, clock, append }, options);
    },
  };
}

export type AuditLog = ReturnType<typeof createAuditLog>;

/**
 * Defines the checkpoint job that append enqueues, and runs it every ten minutes
 * as well (covering quiet times). Call once, in app.ts, with the queue given to
 * createAuditLog.
 */
export function registerAuditJobs(jobs: Pick<JobQueue, 'define' | 'schedule'>, deps: { db: Db; audit: AuditLog }): void {
  jobs.define(AUDIT_CHECKPOINT_JOB, () => deps.audit.checkpointNow(deps.db));
  jobs.schedule(AUDIT_CHECKPOINT_JOB, '*/10 * * * *');
}
