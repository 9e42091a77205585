/**
 * PostgreSQL's terms index holds integers, not text: each item's `terms_a` is an int4[] of
 * codes of its substring tokens (tokenize.ts) and `chars_a` an int4[] of its Han characters,
 * each under GIN's built-in array operator class.
 *
 * Why: a rebuild spends most of its time building the terms index, and GIN builds it by
 * inserting every (token, item) pair into a red-black tree keyed by the token. With text
 * keys (a tsvector's lexemes) each comparison de-TOASTs two text datums and chases pointers
 * through millions of keys (2.5 million distinct lexemes in 25,000 items of the synthetic
 * corpus, whose bigrams across word boundaries are nearly all distinct); with int4 keys a
 * comparison is one instruction on a value held in the tree node. One part of the terms
 * index at 100,000 items (25,000 items) built in 85.7 s as a tsvector and 44.3 s as codes.
 * The characters are a column of their own: in the same tree they added 13.6 s to that
 * part (every item's 550 characters each descending a tree of millions of keys), in their
 * own tree of a few thousand keys 3.4 s.
 *
 * The codes are exact for Han text, so no lookup needs checking afterwards:
 *  - terms_a, 1 … 63: the sample regions an item's key lies in (sampleLevelAt);
 *  - terms_a, 0x110000 + the pair's index: a bigram of two characters of the CJK unified
 *    ideographs and extension A (U+3400 … U+9FFF), nearly every bigram of Chinese text;
 *  - terms_a, negative: a 31-bit hash (SHA-1) of any other token (letters, digits, bigrams
 *    of rarer Han characters); these may collide, so a term holding one is always checked on
 *    the item's own metadata and runs, as phrases are;
 *  - chars_a: the code point of every Han character of the item, so a one-character query
 *    (formerly the prefix `'档':*`) is one posting list.
 *
 * A vocabulary (pg-vocabulary.ts, learnt from a sample when a large index is built from
 * empty) makes the bigram codes of the block exact only for the bigrams in many items; every
 * other such bigram's code is its bucket, BUCKET_BASE + a hash of the pair into one of the
 * vocabulary's `buckets`, and not exact. Building GIN costs per distinct key (each new key a
 * cold descent of ginbulk.c's tree of millions): at 100,000 items all in one index, 196.8 s
 * with every bigram exact, 104.7 s with rare ones in 262,144 buckets. A rare bigram's query
 * then checks its candidates on the row (about 2,000 false ones at 1,000,000 items).
 */
import { createHash } from 'node:crypto';

const BLOCK_FROM = 0x3400;
const BLOCK_SIZE = 0xa000 - BLOCK_FROM;
const BIGRAM_BASE = 0x110000;
/** Sample region levels are codes 1 … MAX_SAMPLE_CODE. */
const MAX_SAMPLE_CODE = 63;

/** Bucket codes are BUCKET_BASE + 0 … buckets - 1, above every exact bigram code (BIGRAM_BASE + BLOCK_SIZE², about 0x2DA10000). */
const BUCKET_BASE = 0x40000000;
const MAX_BUCKETS = 1 << 24;

const inBlock = (cp: number) => cp >= BLOCK_FROM && cp < BLOCK_FROM + BLOCK_SIZE;
const bigramCode = (first: number, second: number) => BIGRAM_BASE + (first - BLOCK_FROM) * BLOCK_SIZE + (second - BLOCK_FROM);
const isBigramCode = (code: number) => code >= BIGRAM_BASE && code < BUCKET_BASE;

/**
 * Which bigrams of the block keep exact codes: those in `common` (their exact codes); every
 * other one is hashed into one of `buckets` (a power of two). `generation` names it, so a
 * batch tokenised under one is never written under another (pg-vocabulary.ts).
 */
export interface Vocabulary {
  generation: number;
  buckets: number;
  common: ReadonlySet<number>;
}

/** The code of a bigram of the block under a vocabulary: exact if common (or with no vocabulary), else its bucket. */
function bigramUnder(code: number, vocabulary: Vocabulary | null): number {
  if (vocabulary === null || vocabulary.common.has(code)) return code;
  // Fibonacci hashing: the pair index times 2^32/φ, its top bits the bucket.
  return BUCKET_BASE + (Math.imul(code - BIGRAM_BASE, 0x9e3779b1) >>> (1 + Math.clz32(vocabulary.buckets)));
}

/** Checks a vocabulary's bucket count: a power of two from 2 to 2^24. */
export function validBuckets(buckets: number): boolean {
  return Number.isInteger(buckets) && buckets >= 2 && buckets <= MAX_BUCKETS && (buckets & (buckets - 1)) === 0;
}

/**
 * The bigram codes of the block in at least `minShare` of the sampled items' terms arrays
 * (exact codes: made with no vocabulary), and never fewer items than two, with how many
 * items held each: a vocabulary's common list.
 */
export function commonBigramCounts(sample: readonly Uint8Array[], minShare: number): Map<number, number> {
  const counts = new Map<number, number>();
  for (const array of sample) {
    for (const code of codesOf(array)) if (isBigramCode(code)) counts.set(code, (counts.get(code) ?? 0) + 1);
  }
  const least = Math.max(2, Math.ceil(minShare * sample.length));
  return new Map([...counts].filter(([, n]) => n >= least));
}
/** The codes of commonBigramCounts. */
export function commonBigrams(sample: readonly Uint8Array[], minShare: number): number[] {
  return [...commonBigramCounts(sample, minShare).keys()];
}

/** Whether a code is a bucket of rare bigrams (of any vocabulary). */
export const isBucketCode = (code: number) => code >= BUCKET_BASE && code < BUCKET_BASE + MAX_BUCKETS;

function hashCode(token: string): number {
  const digest = createHash('sha1').update(token).digest();
  return -1 - (digest.readUInt32BE(0) & 0x7ffffffe);
}

const HAN_CHAR = /^\p{Script=Han}$/u;

/** Where a token's code lives (terms_a or chars_a), the code, and `exact` when no other token shares it. */
export interface TokenCode {
  chars: boolean;
  code: number;
  exact: boolean;
}

/** The code of one substring token, under `vocabulary` (null: every bigram of the block exact). */
export function tokenCode(token: string, vocabulary: Vocabulary | null = null): TokenCode {
  const first = token.charCodeAt(0);
  if (token.length === 2 && inBlock(first)) {
    const second = token.charCodeAt(1);
    if (inBlock(second)) {
      const exact = bigramCode(first, second);
      const code = bigramUnder(exact, vocabulary);
      return { chars: false, code, exact: code === exact };
    }
  }
  if (token.length === 1 && inBlock(first)) return { chars: true, code: first, exact: true };
  if (HAN_CHAR.test(token)) return { chars: true, code: token.codePointAt(0) ?? 0, exact: true };
  return { chars: false, code: hashCode(token), exact: false };
}

/** The code of sample region `level` (1 is the lowest half of the key space, 2 the lowest quarter …). */
export function sampleCode(level: number): number {
  if (!Number.isInteger(level) || level < 1 || level > MAX_SAMPLE_CODE) throw new Error(`sample level out of range: ${level}`);
  return level;
}

/**
 * Adds the codes of runs (tokenize.ts runsText: runs between spaces, pages between line
 * breaks): the codes of the same text's substring stream (tokenize.ts substringTokens),
 * without making the stream: each Han run's bigrams and characters, each other run whole.
 */
function addRuns(runs: string, codes: Set<number>, chars: Set<number>, vocabulary: Vocabulary | null): void {
  const n = runs.length;
  let i = 0;
  while (i < n) {
    let j = i;
    while (j < n && runs.charCodeAt(j) !== 0x20 && runs.charCodeAt(j) !== 0x0a) j++;
    if (j > i) {
      const first = runs.codePointAt(i) ?? 0;
      if (HAN_CHAR.test(String.fromCodePoint(first))) {
        let prev = first;
        chars.add(first);
        for (let k = i + (first > 0xffff ? 2 : 1); k < j; ) {
          const cp = runs.codePointAt(k) ?? 0;
          codes.add(inBlock(prev) && inBlock(cp) ? bigramUnder(bigramCode(prev, cp), vocabulary) : tokenCode(String.fromCodePoint(prev, cp)).code);
          chars.add(cp);
          prev = cp;
          k += cp > 0xffff ? 2 : 1;
        }
      } else codes.add(tokenCode(runs.slice(i, j)).code);
    }
    i = j + 1;
  }
}

/** PostgreSQL's int4 type OID, which the binary form of an int4[] names. */
const INT4_OID = 23;
const ARRAY_HEADER = 20;

/**
 * An int4[] in PostgreSQL's binary form (array_recv): one dimension, no nulls, each element
 * its length and value. Sent as a binary parameter, it costs neither the writing thread's
 * string encoding nor PostgreSQL's parsing of a text literal.
 */
function int4Array(codes: Iterable<number>, count: number): Uint8Array {
  if (count === 0) return emptyInt4Array();
  const bytes = new Uint8Array(ARRAY_HEADER + count * 8);
  const view = new DataView(bytes.buffer);
  view.setInt32(0, 1);
  view.setInt32(4, 0);
  view.setInt32(8, INT4_OID);
  view.setInt32(12, count);
  view.setInt32(16, 1);
  writeElements(view, ARRAY_HEADER, codes);
  return bytes;
}
/** Writes each code as an element (its length, 4, and its value) from byte `at` on. */
function writeElements(view: DataView, at: number, codes: Iterable<number>): void {
  for (const code of codes) {
    view.setInt32(at, 4);
    view.setInt32(at + 4, code);
    at += 8;
  }
}
/** An empty int4[]: no dimensions. */
function emptyInt4Array(): Uint8Array {
  const bytes = new Uint8Array(12);
  new DataView(bytes.buffer).setInt32(8, INT4_OID);
  return bytes;
}

/** The codes of an int4[] in binary form (int4Array). */
export function codesOf(array: Uint8Array): number[] {
  const view = new DataView(array.buffer, array.byteOffset, array.byteLength);
  if (array.byteLength < 12 || view.getInt32(0) === 0) return [];
  const count = view.getInt32(12);
  return Array.from({ length: count }, (_, i) => view.getInt32(ARRAY_HEADER + i * 8 + 4));
}

/**
 * The terms_a and chars_a arrays of an item (binary form), from the runs of its metadata
 * fields and pages: every substring token's code but single characters, and every Han
 * character's, once, in ascending order. (Made on the tokenizer threads, which do not know
 * the item's key: its sample codes are added with `withCodes` when the row is written.)
 * Bigram codes are those of `vocabulary` (null: all exact).
 *
 * In order because GIN sorts every row's keys before adding them to its build tree, and
 * its sort returns at once on sorted input: one part of the terms index at 100,000 items
 * built in 27.7 and 29.2 s from sorted arrays against 33.2 and 36.1 s from the same codes
 * in the order they were met (psql, the two built one after the other, both orders).
 */
export function termsArrays(runs: readonly string[], vocabulary: Vocabulary | null = null): { terms: Uint8Array; chars: Uint8Array } {
  const codes = new Set<number>();
  const chars = new Set<number>();
  for (const text of runs) addRuns(text, codes, chars, vocabulary);
  return { terms: int4Array(ascending(codes), codes.size), chars: int4Array(ascending(chars), chars.size) };
}

/** The codes of a set in ascending order (filled by a loop: Int32Array.from(set) took twice as long). */
function ascending(set: ReadonlySet<number>): Int32Array {
  const codes = new Int32Array(set.size);
  let i = 0;
  for (const code of set) codes[i++] = code;
  return codes.sort();
}

/**
 * A binary int4[] of termsArrays with `more` codes added (codes it does not hold, as the
 * sample codes), still in ascending order: each added code's place found by binary search
 * and the elements between copied as bytes (decoding and re-encoding every element took
 * 0.15-0.3 ms an item on the writing thread).
 */
export function withCodes(array: Uint8Array, more: readonly number[]): Uint8Array {
  if (more.length === 0) return array;
  const added = Int32Array.from(more).sort();
  const view = new DataView(array.buffer, array.byteOffset, array.byteLength);
  if (view.getInt32(0) === 0) return int4Array(added, added.length);
  const count = view.getInt32(12);
  const element = (i: number) => ARRAY_HEADER + i * 8;
  const bytes = new Uint8Array(array.byteLength + added.length * 8);
  bytes.set(array.subarray(0, ARRAY_HEADER));
  const out = new DataView(bytes.buffer);
  out.setInt32(12, count + added.length);
  let from = 0;
  let at = ARRAY_HEADER;
  for (const code of added) {
    let lo = from;
    let hi = count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (view.getInt32(element(mid) + 4) < code) lo = mid + 1;
      else hi = mid;
    }
    bytes.set(array.subarray(element(from), element(lo)), at);
    at += (lo - from) * 8;
    writeElements(out, at, [code]);
    at += 8;
    from = lo;
  }
  bytes.set(array.subarray(element(from)), at);
  return bytes;
}

/** What a query asks of an item's codes: every code of `all` (in terms_a, and in chars_a), each part of `and`, any part of `or`, or not `not`'s part. */
export type TermsQuery =
  | { kind: 'all'; terms: readonly number[]; chars: readonly number[] }
  | { kind: 'and'; parts: readonly TermsQuery[] }
  | { kind: 'or'; parts: readonly TermsQuery[] }
  | { kind: 'not'; part: TermsQuery };

const literal = (codes: readonly number[]) => `'{${[...new Set(codes)].join(',')}}'::int4[]`;

function allSql(terms: readonly number[], chars: readonly number[], alias: string): string[] {
  return [...(terms.length === 0 ? [] : [`${alias}.terms_a @> ${literal(terms)}`]), ...(chars.length === 0 ? [] : [`${alias}.chars_a @> ${literal(chars)}`])];
}

/**
 * SQL testing the codes of the row `alias` against the query, for the terms indexes: an
 * AND's codes become one containment per column (`@>`, which GIN answers by intersecting
 * their lists), an OR of single codes of one column one overlap (`&&`). Every code is an
 * integer made here, so the text is safe to inline.
 */
export function termsSql(q: TermsQuery, alias: string): string {
  switch (q.kind) {
    case 'all': {
      const tests = allSql(q.terms, q.chars, alias);
      return tests.length === 1 ? (tests[0] as string) : `(${tests.join(' and ')})`;
    }
    case 'and': {
      const alls = q.parts.flatMap((p) => (p.kind === 'all' ? [p] : []));
      const tests = [...allSql(alls.flatMap((p) => p.terms), alls.flatMap((p) => p.chars), alias), ...q.parts.filter((p) => p.kind !== 'all').map((p) => termsSql(p, alias))];
      return `(${tests.join(' and ')})`;
    }
    case 'or': {
      const singles = q.parts.flatMap((p) => (p.kind === 'all' && p.terms.length + p.chars.length === 1 ? [p] : []));
      if (singles.length === q.parts.length && (singles.every((p) => p.chars.length === 0) || singles.every((p) => p.terms.length === 0))) {
        const chars = singles[0]?.terms.length === 0;
        return `${alias}.${chars ? 'chars_a' : 'terms_a'} && ${literal(singles.flatMap((p) => [...p.terms, ...p.chars]))}`;
      }
      return `(${q.parts.map((p) => termsSql(p, alias)).join(' or ')})`;
    }
    case 'not':
      return `not ${termsSql(q.part, alias)}`;
  }
}
