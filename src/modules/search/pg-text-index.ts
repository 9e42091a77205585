/**
 * PostgreSQL's full-text indexes of the search tables, and how they are built after a bulk
 * write (pg-index.ts drops them; `buildTextIndexes` builds whatever is missing).
 *
 * The full-text indexes are GIN indexes on search_docs: meta_v (the metadata's vector,
 * with positions and weights), terms_a (the codes of every token of the item's metadata
 * and pages, once, without positions) and chars_a (its Han characters; pg-terms.ts). A
 * query is answered by one bitmap scan of search_docs, whose rows carry the visibility and
 * facet columns; only a phrase (a term of three or more characters) is then checked on the candidates' own metadata vector and runs (the row's
 * copy of its pages' text as tokenize.ts runsText, since migration 09). Each item's terms
 * also name the sample regions its key lies in (sampleCodes), so an estimate's sample
 * is read out of the same index.
 * Before migration 08 the pages had tsvectors with their own GIN index and a query went
 * from the page rows to the items, one key lookup each: at 1,000,000 items 37 of 61 ms for
 * 蓄洪's 7,810 pages, and 防汛 抗旱 read 2 × 90,000 page rows (146 ms) before intersecting.
 *
 * PostgreSQL builds a GIN index on one core, and the terms index is most of a rebuild, so
 * it is four partial indexes over a hash of the key (`key % 4`), built as many at once as
 * there are cores; a query ORs the four, which the planner answers with one BitmapOr.
 */
import os from 'node:os';
import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { Db } from '../../platform/db/database.js';
import { sampleLevelAt, sampleLevelOf, type KeyRange } from './index-common.js';
import { sampleCode, termsSql, type TermsQuery } from './pg-terms.js';

/** The terms index's parts: partial indexes over `key % TERMS_PARTS`, built side by side. */
export const TERMS_PARTS = 4;
const TERMS_PART_NUMBERS = Array.from({ length: TERMS_PARTS }, (_, n) => n);

interface TextIndex {
  name: string;
  column: 'meta_v' | 'terms_a' | 'chars_a';
  part: number | null;
}
const parts = (column: 'terms_a' | 'chars_a') => TERMS_PART_NUMBERS.map((n): TextIndex => ({ name: `search_docs_${column}${n}`, column, part: n }));
/** Largest first, so that the cores' shares of a build come out even. */
const INDEXES: readonly TextIndex[] = [...parts('terms_a'), ...parts('chars_a'), { name: 'search_docs_meta_v', column: 'meta_v', part: null }];
/** The full-text indexes of the search tables. */
export const TEXT_INDEXES = INDEXES.map((i) => i.name);

const partOf = (column: string, n: number) => sql<SqlBool>`${sql.raw(column)} % ${sql.lit(TERMS_PARTS)} = ${sql.lit(n)}`;

/**
 * The codes naming the sample regions a key lies in (index-common.ts sampleEdge), added to
 * its terms. The planner cannot read a key range out of the terms index (it estimates a
 * term's rows at one and filters the range after the bitmap, so the sample of
 * 现将有关事项通知如下 visited 300,000 rows at 1,000,000 items to keep 6,000); as a code the
 * range is one more posting list for GIN to intersect.
 */
export function sampleCodes(key: number): number[] {
  return Array.from({ length: sampleLevelAt(key) }, (_, i) => sampleCode(i + 1));
}

/**
 * Whether the row `d`'s terms hold `query`, within `range` where that is a sample region:
 * one condition per part of the index, written as the parts' predicates are, so the planner
 * uses each part for its arm. (The caller still applies the range itself.)
 */
export function termsTest(query: TermsQuery, range: KeyRange | null = null): RawBuilder<SqlBool> {
  const level = range === null ? null : sampleLevelOf(range);
  const q: TermsQuery = level === null ? query : { kind: 'and', parts: [query, { kind: 'all', terms: [sampleCode(level)], chars: [] }] };
  const test = sql.raw(termsSql(q, 'd'));
  return sql<SqlBool>`(${sql.join(TERMS_PART_NUMBERS.map((n) => sql`(${partOf('d.key', n)} and ${test})`), sql` or `)})`;
}

/** Runs `fn` on every item, at most `limit` at once. */
async function eachAtMost<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await fn(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
}

/** Builds one index in one sorted pass (GIN accumulates entries in maintenance_work_mem and writes each key's list once). */
async function createTextIndex(db: Db, index: TextIndex): Promise<void> {
  await db.transaction().execute(async (tx) => {
    await sql`set local maintenance_work_mem = '256MB'`.execute(tx);
    await sql`drop index if exists ${sql.raw(index.name)}`.execute(tx);
    const where = index.part === null ? sql`` : sql` where ${partOf('key', index.part)}`;
    await sql`create index ${sql.raw(index.name)} on search_docs using gin (${sql.ref(index.column)})${where}`.execute(tx);
  });
}

/**
 * Builds the full-text indexes that are missing or invalid (after a bulk write dropped
 * them, or a crash interrupted this), as many at once as there are cores.
 */
export async function buildTextIndexes(db: Db): Promise<void> {
  const valid = new Set(
    (await sql<{ relname: string }>`select c.relname from pg_class as c join pg_index as i on i.indexrelid = c.oid where c.relname in (${sql.join(TEXT_INDEXES)}) and i.indisvalid`.execute(db)).rows.map((r) => r.relname),
  );
  const missing = INDEXES.filter((i) => !valid.has(i.name));
  await eachAtMost(missing, os.availableParallelism(), (index) => createTextIndex(db, index));
}
