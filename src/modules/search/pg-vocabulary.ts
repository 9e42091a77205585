/**
 * PostgreSQL's vocabulary of common bigrams (pg-terms.ts Vocabulary), one row of
 * search_vocabulary: which bigrams keep exact codes in terms_a, and how many buckets the
 * rest share. It is learnt when a large index is built from empty (pg-index.ts `bulk`),
 * from the first items to be written, and is otherwise never changed: every row of
 * terms_a was written under the vocabulary queries read, so a query's codes are the rows'.
 *
 * Generation 0 is no vocabulary (every bigram exact: small indexes, and every index built
 * before it existed). Each learnt vocabulary gets a random generation; a batch is tokenised
 * under the generation it read and written only if that is still the one in the row, which
 * its transaction holds (FOR SHARE) while learning takes it FOR UPDATE, so no row is ever
 * written under a vocabulary other than the one that reads it, whatever other app nodes do.
 */
import { sql } from 'kysely';
import type { Db, Executor } from '../../platform/db/database.js';
import { commonBigramCounts, isBucketCode, validBuckets, type TokenCode, type Vocabulary } from './pg-terms.js';

/**
 * Buckets of the rare bigrams. Fewer build faster (one part of 24,869 items: 2^18 32.7 s,
 * 2^20 41.5 s, exact 49.2 s); each rare bigram's query then checks about 511 × items / buckets
 * false candidates on their rows (2,000 at 1,000,000 items).
 */
export const DEFAULT_BUCKETS = 1 << 18;
/** A bigram in this share of the sample or more keeps its exact code. */
export const COMMON_SHARE = 0.002;
/** A bulk build from empty of this many items or more learns a vocabulary first … */
export const VOCABULARY_FROM = 50_000;
/** … from the codes of this many of them. */
export const VOCABULARY_SAMPLE = 10_000;

/** What the tokenizer threads are given of a vocabulary (tokenize-worker.ts). */
export interface VocabularyTask {
  generation: number;
  buckets: number;
  common: Int32Array;
}

/**
 * A learnt vocabulary as the main thread keeps it: its task for the threads, and each
 * common bigram's share of the sampled items (none for a vocabulary learnt before migration
 * 13), with `rare`, the share every other bigram stayed under.
 */
interface Learnt {
  vocabulary: Vocabulary;
  task: VocabularyTask;
  shares: ReadonlyMap<number, number>;
  rare: number | null;
}
let cached: Learnt | null = null;

/**
 * The vocabulary in force (null: none), read with one small statement; its list is read
 * again only when its generation changed. The last one read is also `inUse`, for the query
 * builders (pg-index.ts), which run inside the same read.
 */
export async function currentVocabulary(ex: Executor): Promise<Learnt | null> {
  const have = cached?.vocabulary.generation ?? 0;
  const row = (
    await sql<{ generation: number; buckets: number; common: number[] | null; counts: number[] | null; sampled: number }>`select generation, buckets, case when generation <> ${have} then common end as common, case when generation <> ${have} then counts end as counts, sampled from search_vocabulary where id = 1`.execute(ex)
  ).rows[0];
  const generation = row?.generation ?? 0;
  if (generation === 0) inUse = null;
  else if (generation !== have) {
    const common = Int32Array.from(row?.common ?? []);
    const counts = row?.counts ?? [];
    const sampled = Number(row?.sampled ?? 0);
    const known = counts.length === common.length && sampled > 0;
    const shares = new Map(known ? Array.from(common, (code, i) => [code, Number(counts[i]) / sampled] as const) : []);
    // A loop, not Math.min(...): a vocabulary may hold more codes than a call takes arguments.
    let rare: number | null = null;
    for (const share of shares.values()) if (rare === null || share < rare) rare = share;
    cached = { vocabulary: { generation, buckets: row?.buckets ?? 0, common: new Set(common) }, task: { generation, buckets: row?.buckets ?? 0, common }, shares, rare };
    inUse = cached;
  } else inUse = cached;
  return generation === 0 ? null : cached;
}
let inUse: Learnt | null = null;
/** The vocabulary the last `currentVocabulary` found (a process serves one database; tests that open several read it again first). */
export function vocabularyInUse(): Vocabulary | null {
  return inUse?.vocabulary ?? null;
}

/**
 * The share of the sampled items that held a token of `code` (under the vocabulary in use),
 * an estimate of its share of the index: a common bigram's own, a bucketed one's under the
 * least common one's (it was rarer than that); null where the sample does not tell (a
 * character, a Latin token, no vocabulary or one without counts).
 */
export function shareOf(code: TokenCode): number | null {
  if (inUse === null || code.chars) return null;
  const own = inUse.shares.get(code.code);
  if (own !== undefined) return own;
  return isBucketCode(code.code) ? inUse.rare : null;
}

/**
 * Holds the vocabulary for this write transaction and checks the batch was tokenised under
 * it (generation 0: none); if not (another node learnt one meanwhile), the write fails
 * and its job runs again, tokenising under the new one.
 */
export async function holdVocabulary(tx: Executor, generation: number): Promise<void> {
  const row = (await sql<{ generation: number }>`select generation from search_vocabulary where id = 1 for share`.execute(tx)).rows[0];
  if ((row?.generation ?? 0) !== generation) throw new Error(`the search vocabulary changed (generation ${row?.generation ?? 0}) while this batch was tokenised under ${generation}: index it again`);
}

/**
 * Learns a vocabulary from the exact terms arrays (tokenised with none) of a sample of the
 * items about to be written, if the index holds no item (rows written under the old one
 * must stay readable). Returns whether it did.
 */
export async function learnVocabulary(db: Db, sample: readonly Uint8Array[], options: { buckets?: number; minShare?: number } = {}): Promise<boolean> {
  const buckets = options.buckets ?? DEFAULT_BUCKETS;
  if (!validBuckets(buckets)) throw new Error(`buckets must be a power of two from 2 to 2^24: ${buckets}`);
  const counted = commonBigramCounts(sample, options.minShare ?? COMMON_SHARE);
  const common = [...counted.keys()];
  const counts = [...counted.values()];
  return db.transaction().execute(async (tx) => {
    const row = (await sql<{ generation: number }>`select generation from search_vocabulary where id = 1 for update`.execute(tx)).rows[0];
    if (row === undefined) throw new Error('search_vocabulary has no row: run the migrations');
    if ((await sql`select 1 from search_docs limit 1`.execute(tx)).rows.length > 0) return false;
    let generation = row.generation;
    while (generation === row.generation || generation === 0) generation = (Math.random() * 0x7fffffff) | 0;
    await sql`update search_vocabulary set generation = ${generation}, buckets = ${buckets}, common = ${common}::int4[], counts = ${counts}::int4[], sampled = ${sample.length}, learnt_at = now() where id = 1`.execute(tx);
    return true;
  });
}
