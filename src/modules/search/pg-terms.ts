/**
 * PostgreSQL's terms index holds integers, not text: each item's `terms_a` is an int4[] of
 * codes of its substring tokens (tokenize.ts), under GIN's built-in array operator class.
 *
 * Why: a rebuild spends most of its time building the terms index, and GIN builds it by
 * inserting every (token, item) pair into a red-black tree keyed by the token. With text
 * keys (a tsvector's lexemes) each comparison de-TOASTs two text datums and chases pointers
 * through millions of keys (2.5 million distinct lexemes in 25,000 items of the synthetic
 * corpus, whose bigrams across word boundaries are nearly all distinct); with int4 keys a
 * comparison is one machine instruction on a value held in the tree node.
 *
 * The codes are exact for Han text, so no lookup needs checking afterwards:
 *  - 1 … 63: the sample regions an item's key lies in (sampleLevelAt);
 *  - a Han character's code point: every Han character of the item, so a one-character
 *    query (formerly the prefix `'档':*`) is one posting list;
 *  - 0x110000 + the pair's index: a bigram of two characters of the CJK unified ideographs
 *    and extension A (U+3400 … U+9FFF), which is nearly every bigram of Chinese text;
 *  - negative: a 31-bit hash (SHA-1) of any other token (letters, digits, rarer Han
 *    characters); these may collide, so a term holding one is always checked on the item's
 *    own metadata and runs, as phrases are.
 */
import { createHash } from 'node:crypto';
import type { StreamPair } from './index-common.js';

const BLOCK_FROM = 0x3400;
const BLOCK_SIZE = 0xa000 - BLOCK_FROM;
const BIGRAM_BASE = 0x110000;
/** Sample region levels are codes 1 … MAX_SAMPLE_CODE. */
const MAX_SAMPLE_CODE = 63;

const inBlock = (cp: number) => cp >= BLOCK_FROM && cp < BLOCK_FROM + BLOCK_SIZE;

function hashCode(token: string): number {
  const digest = createHash('sha1').update(token).digest();
  return -1 - (digest.readUInt32BE(0) & 0x7ffffffe);
}

const HAN_CHAR = /^\p{Script=Han}$/u;

/** The code of one substring token; `exact` when no other token shares it. */
export function tokenCode(token: string): { code: number; exact: boolean } {
  const first = token.charCodeAt(0);
  if (token.length === 2 && inBlock(first)) {
    const second = token.charCodeAt(1);
    if (inBlock(second)) return { code: BIGRAM_BASE + (first - BLOCK_FROM) * BLOCK_SIZE + (second - BLOCK_FROM), exact: true };
  }
  if (token.length === 1 && inBlock(first)) return { code: first, exact: true };
  if (HAN_CHAR.test(token)) return { code: token.codePointAt(0) ?? 0, exact: true };
  return { code: hashCode(token), exact: false };
}

/** The code of sample region `level` (1 is the lowest half of the key space, 2 the lowest quarter …). */
export function sampleCode(level: number): number {
  if (!Number.isInteger(level) || level < 1 || level > MAX_SAMPLE_CODE) throw new Error(`sample level out of range: ${level}`);
  return level;
}

/**
 * The terms_a literal of an item's streams and sample levels: every substring token's code
 * and every Han character's, once.
 */
export function termsArray(pairs: readonly StreamPair[], sampleLevels = 0): string {
  const codes = new Set<number>();
  for (let level = 1; level <= sampleLevels; level++) codes.add(sampleCode(level));
  for (const pair of pairs) {
    if (pair.sub === '') continue;
    for (const token of pair.sub.split(' ')) {
      const { code, exact } = tokenCode(token);
      codes.add(code);
      // Every Han character of a run starts a bigram or is the run's last token: adding each
      // bigram's first character adds them all.
      if (code >= BIGRAM_BASE) codes.add(BLOCK_FROM + Math.floor((code - BIGRAM_BASE) / BLOCK_SIZE));
      else if (!exact) {
        const cp = token.codePointAt(0) ?? 0;
        if (HAN_CHAR.test(String.fromCodePoint(cp))) codes.add(cp);
      }
    }
  }
  return `{${[...codes].join(',')}}`;
}

/** What a query asks of terms_a: every code of `all`, each part of `and`, any part of `or`, or not `not`'s part. */
export type TermsQuery = { kind: 'all'; codes: readonly number[] } | { kind: 'and'; parts: readonly TermsQuery[] } | { kind: 'or'; parts: readonly TermsQuery[] } | { kind: 'not'; part: TermsQuery };

const literal = (codes: readonly number[]) => `'{${codes.join(',')}}'::int4[]`;

/**
 * SQL testing `column` (an int4[]) against the query, for the terms index: an AND's codes
 * become one containment (`@>`, which GIN answers by intersecting their lists), an OR of
 * single codes one overlap (`&&`). Every code is an integer made here, so the text is safe
 * to inline.
 */
export function termsSql(q: TermsQuery, column: string): string {
  switch (q.kind) {
    case 'all':
      return `${column} @> ${literal(q.codes)}`;
    case 'and': {
      const codes = q.parts.flatMap((p) => (p.kind === 'all' ? p.codes : []));
      const rest = q.parts.filter((p) => p.kind !== 'all').map((p) => termsSql(p, column));
      const all = codes.length === 0 ? [] : [`${column} @> ${literal([...new Set(codes)])}`];
      return `(${[...all, ...rest].join(' and ')})`;
    }
    case 'or':
      if (q.parts.every((p) => p.kind === 'all' && p.codes.length === 1)) return `${column} && ${literal(q.parts.flatMap((p) => (p.kind === 'all' ? p.codes : [])))}`;
      return `(${q.parts.map((p) => termsSql(p, column)).join(' or ')})`;
    case 'not':
      return `not ${termsSql(q.part, column)}`;
  }
}
