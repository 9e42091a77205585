/**
 * Every query of the audit module. There is deliberately no query that updates or
 * deletes an entry, except `detachSegment`, which the DELETE trigger allows only for
 * the rows of the segment recorded in the same transaction.
 */
import type { Selectable } from 'kysely';
import type { Capabilities, Executor, Tx } from '../../platform/db/database.js';
import type { ActorClass, AuditResult, ReviewFilters } from './model.js';

export interface AuditEntriesTable {
  seq: number;
  id: string;
  at: string;
  actor_user_id: string | null;
  actor_username: string | null;
  actor_organisation_id: string | null;
  /** JSON array of role names, sorted. */
  actor_roles: string;
  actor_class: ActorClass;
  actor_address: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  target_label: string | null;
  result: AuditResult;
  reason: string | null;
  /** Canonical JSON object. */
  details: string;
  prev_hash: string;
  hash: string;
}

export interface AuditChainHeadTable {
  id: number;
  /** Random, set once: names this log in checkpoints and archive manifests. */
  chain_id: string;
  seq: number;
  hash: string;
  count: number;
  checkpoint_seq: number;
  checkpoint_at: string | null;
}

export interface AuditArchivedSegmentsTable {
  to_seq: number;
  from_seq: number;
  head_hash: string;
  file_sha256: string;
  file_sm3: string;
  archived_by: string | null;
  archived_at: string;
  /** The signed manifest (JSON); null for a segment recorded without one, which verify reports. */
  manifest: string | null;
}

declare module '../../platform/db/tables.js' {
  interface Tables {
    audit_entries: AuditEntriesTable;
    audit_chain_head: AuditChainHeadTable;
    audit_archived_segments: AuditArchivedSegmentsTable;
  }
}

export type EntryRow = Selectable<AuditEntriesTable>;
export type HeadRow = Selectable<AuditChainHeadTable>;
export type SegmentRow = Selectable<AuditArchivedSegmentsTable>;

const PAGE = 1000;

/**
 * The head an append links to, locked for the rest of the caller's transaction
 * where several writers can race for it (PostgreSQL: SELECT … FOR UPDATE). SQLite
 * needs no row lock: the write transaction (BEGIN IMMEDIATE) already holds the
 * database's single write lock.
 */
export async function lockHead(tx: Tx, caps: Pick<Capabilities, 'concurrentWriters'>): Promise<HeadRow> {
  const query = tx.selectFrom('audit_chain_head').selectAll().where('id', '=', 1);
  return (caps.concurrentWriters ? query.forUpdate() : query).executeTakeFirstOrThrow();
}

export async function insertEntry(tx: Tx, row: EntryRow): Promise<void> {
  await tx.insertInto('audit_entries').values(row).execute();
}

/** Makes the head the entry just inserted (the head row is locked, so its values are current). */
export async function advanceHead(tx: Tx, head: Pick<HeadRow, 'seq' | 'hash' | 'count'>): Promise<void> {
  await tx.updateTable('audit_chain_head').set(head).where('id', '=', 1).execute();
}

/** The committed head, as a reader outside any append sees it. */
export async function readHead(db: Executor): Promise<HeadRow> {
  return db.selectFrom('audit_chain_head').selectAll().where('id', '=', 1).executeTakeFirstOrThrow();
}

export async function markCheckpointed(db: Executor, seq: number, at: string): Promise<void> {
  await db.updateTable('audit_chain_head').set({ checkpoint_seq: seq, checkpoint_at: at }).where('id', '=', 1).where('checkpoint_seq', '<', seq).execute();
}

/** Entries with after < seq ≤ upto in seq order, a page at a time (keyset paging, the same on both databases). */
export async function* entriesInOrder(db: Executor, after: number, upto: number): AsyncGenerator<EntryRow> {
  let last = after;
  for (;;) {
    const rows = await db.selectFrom('audit_entries').selectAll().where('seq', '>', last).where('seq', '<=', upto).orderBy('seq').limit(PAGE).execute();
    yield* rows;
    const tail = rows.at(-1);
    if (!tail || rows.length < PAGE) return;
    last = tail.seq;
  }
}

function reviewQuery(db: Executor, classes: readonly ActorClass[], f: ReviewFilters) {
  let q = db.selectFrom('audit_entries').selectAll().where('actor_class', 'in', classes);
  if (f.from) q = q.where('at', '>=', new Date(f.from).toISOString());
  if (f.to) q = q.where('at', '<', new Date(f.to).toISOString());
  if (f.action) q = q.where('action', '=', f.action);
  if (f.actor) q = q.where('actor_username', '=', f.actor);
  if (f.result) q = q.where('result', '=', f.result);
  if (f.targetType) q = q.where('target_type', '=', f.targetType);
  if (f.targetId) q = q.where('target_id', '=', f.targetId);
  return q;
}

/** Newest first, below `before`. */
export async function reviewPage(db: Executor, classes: readonly ActorClass[], filters: ReviewFilters, page: { limit: number; before?: number }): Promise<EntryRow[]> {
  let q = reviewQuery(db, classes, filters);
  if (page.before !== undefined) q = q.where('seq', '<', page.before);
  return q.orderBy('seq', 'desc').limit(page.limit).execute();
}

/** Every matching entry, oldest first, a page at a time (for export). */
export async function* reviewAll(db: Executor, classes: readonly ActorClass[], filters: ReviewFilters): AsyncGenerator<EntryRow> {
  let last = 0;
  for (;;) {
    const rows = await reviewQuery(db, classes, filters).where('seq', '>', last).orderBy('seq').limit(PAGE).execute();
    yield* rows;
    const tail = rows.at(-1);
    if (!tail || rows.length < PAGE) return;
    last = tail.seq;
  }
}

export async function segments(db: Executor): Promise<SegmentRow[]> {
  return db.selectFrom('audit_archived_segments').selectAll().orderBy('from_seq').execute();
}

/** The first entry at or after a time, in seq order; entries before it are the archivable prefix. */
export async function firstSeqAtOrAfter(db: Executor, at: string, after: number): Promise<number | null> {
  const row = await db.selectFrom('audit_entries').select('seq').where('seq', '>', after).where('at', '>=', at).orderBy('seq').limit(1).executeTakeFirst();
  return row?.seq ?? null;
}

/**
 * Records a segment and removes its rows: the only delete there is. The trigger
 * lets the delete through because the segment row, inserted first in this same
 * transaction, covers those seqs.
 */
export async function detachSegment(tx: Tx, segment: SegmentRow): Promise<number> {
  await tx.insertInto('audit_archived_segments').values(segment).execute();
  const deleted = await tx.deleteFrom('audit_entries').where('seq', '>=', segment.from_seq).where('seq', '<=', segment.to_seq).executeTakeFirst();
  const n = Number(deleted.numDeletedRows);
  await tx.updateTable('audit_chain_head').set((eb) => ({ count: eb('count', '-', n) })).where('id', '=', 1).execute();
  return n;
}
