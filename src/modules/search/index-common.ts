/**
 * What both index dialects (index-sql.ts: SQLite; pg-index.ts: PostgreSQL) and the query
 * compiler share: the metadata fields, key spaces and ranges, the wire form of token
 * streams, the empty set, and the count of bulk writes under way. It imports nothing of
 * the search module, so every part of it may import this.
 */
import { sql, type RawBuilder, type SqlBool } from 'kysely';

export type MetaField = 'title' | 'resp' | 'docno' | 'other';
export const META_FIELDS: readonly MetaField[] = ['title', 'resp', 'docno', 'other'];
/** Bits of a page key that number the pages of one document. */
export const PAGE_BITS = 20;
/** Page keys of one document: doc key × PAGE_SPAN + sequence. */
export const PAGE_SPAN = 2 ** PAGE_BITS;
/** Document keys are 1 … DOC_KEY_SPACE, so page keys stay exact in a JavaScript number (< 2^53). */
export const DOC_KEY_SPACE = 2 ** (53 - PAGE_BITS) - 1;

/** An inclusive range of document keys: a set evaluated on it is the sample an estimate is made from. */
export interface KeyRange {
  from: number;
  to: number;
}

/**
 * The regions an estimate samples: keys 1 … sampleEdge(level), the lowest 1/2^level of the
 * key space (keys are spread pseudo-randomly over it, so each region is a uniform sample).
 * Fixed regions let PostgreSQL mark each item with the regions it lies in (pg-index.ts),
 * so a sample is read from the terms index instead of filtered out of the whole match.
 */
export const SAMPLE_LEVELS = 16;
export function sampleEdge(level: number): number {
  return Math.floor(DOC_KEY_SPACE / 2 ** level);
}
/** The smallest sample region holding `key` and every lower key (level 0: the whole key space). */
export function sampleLevelAt(key: number): number {
  let level = 0;
  while (level < SAMPLE_LEVELS && sampleEdge(level + 1) >= key) level += 1;
  return level;
}
/** The level whose region `range` is, or null for any other range. */
export function sampleLevelOf(range: KeyRange): number | null {
  if (range.from > 1) return null;
  for (let level = 1; level <= SAMPLE_LEVELS; level++) if (sampleEdge(level) === range.to) return level;
  return null;
}

/** Token streams of one field, joined by spaces (the wire form between tokenizer threads and writers). */
export interface StreamPair {
  sub: string;
  words: string;
}
export type MetaStreams = Record<MetaField, StreamPair>;

/** A set of keys with no member, usable wherever a `select … as k` is. */
export const EMPTY_SET = sql`select 0 as k where 1 = 0`;

/**
 * `column` (a document key, or a page key with scale PAGE_SPAN) within the range. The
 * bounds are written as integer literals: better-sqlite3 binds a JavaScript number as a
 * REAL, and FTS5 then applies the range only after reading the whole match (the sample of
 * 安全生产 at 1,000,000 items read 8,000 rowids to keep 155: 6 ms instead of 0.1 ms).
 */
export function inRange(column: string, range: KeyRange, scale = 1): RawBuilder<SqlBool> {
  return sql<SqlBool>`${sql.ref(column)} between ${keyLiteral(range.from * scale)} and ${keyLiteral(range.to * scale + scale - 1)}`;
}
function keyLiteral(n: number): RawBuilder<number> {
  if (!Number.isSafeInteger(n)) throw new Error(`not a key: ${n}`);
  return sql.lit(n);
}

/**
 * The same test on each row visited, out of the key index's reach: where the terms index
 * already narrows the rows to a sample region (PostgreSQL), the planner would otherwise read
 * the region from the key index and test every row's de-TOASTed terms instead.
 */
export function inRangeFilter(column: string, range: KeyRange): RawBuilder<SqlBool> {
  return sql<SqlBool>`(${sql.ref(column)} + 0) between ${keyLiteral(range.from)} and ${keyLiteral(range.to)}`;
}

export function chunks<T>(rows: readonly T[], size = 200): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}

/** Bulk writes in progress in this process. */
let bulkWrites = 0;

/** Counts a bulk write in; returns how many are now under way (1: this is the outermost). */
export function bulkBegin(): number {
  bulkWrites += 1;
  return bulkWrites;
}
export const bulkUnderWay = (): boolean => bulkWrites > 0;

/** The end of one bulk write: runs once, and `last` only when no other bulk write of this process is still going. */
export function bulkEnd(last: () => Promise<void>, always: () => Promise<void> = async () => undefined): () => Promise<void> {
  let ended = false;
  return async () => {
    if (ended) return;
    ended = true;
    bulkWrites -= 1;
    if (bulkWrites === 0) await last();
    await always();
  };
}
