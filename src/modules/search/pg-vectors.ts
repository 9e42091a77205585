/**
 * PostgreSQL's tsvector literals of the search index (pg-index.ts says what each vector
 * is for), built here rather than by to_tsvector so no text search configuration touches
 * the tokens; made on the tokenizer threads for a rebuild, so this imports nothing else
 * of the search module.
 */
import { META_FIELDS, type MetaField, type MetaStreams, type StreamPair } from './index-common.js';

export const PG_WEIGHT: Record<MetaField, string> = { title: 'A', resp: 'B', docno: 'C', other: 'D' };
/** Gap between meta fields in PostgreSQL positions, so no phrase runs from one field into the next. */
const PG_FIELD_BASE: Record<MetaField, number> = { title: 0, resp: 4000, docno: 6000, other: 8000 };
/** PostgreSQL keeps positions up to 16,383; pages are cut to 8,000 characters, so bigrams fit. */
const PG_MAX_POSITION = 16_383;
/** terms_v's prefix of a metadata field's tokens (tokens are letters, digits and marks: none starts with `^`). */
export const TERM_PREFIX: Record<MetaField, string> = { title: '^t', resp: '^r', docno: '^d', other: '^o' };

/**
 * A tsvector literal of one field's streams: bigrams at consecutive positions, words as
 * `~word` at the field's first. Built on the tokenizer threads for a rebuild (about a
 * millisecond per 1,000-token page, which on the writing thread held a rebuild back).
 */
export function pgVector(pairs: ReadonlyArray<{ pair: StreamPair; base: number; weight: string }>): string {
  // Each lexeme's positions as the literal's text, and how many (PostgreSQL keeps 256).
  const positions = new Map<string, string>();
  const counts = new Map<string, number>();
  const add = (lexeme: string, at: string) => {
    const had = positions.get(lexeme);
    if (had === undefined) {
      positions.set(lexeme, at);
      counts.set(lexeme, 1);
      return;
    }
    const n = counts.get(lexeme) ?? 0;
    if (n >= 256) return;
    positions.set(lexeme, `${had},${at}`);
    counts.set(lexeme, n + 1);
  };
  for (const { pair, base, weight } of pairs) {
    const w = weight === 'D' ? '' : weight;
    let pos = base;
    if (pair.sub !== '') for (const token of pair.sub.split(' ')) add(token, `${Math.min(++pos, PG_MAX_POSITION)}${w}`);
    if (pair.words !== '') for (const word of pair.words.split(' ')) add(`~${word}`, `${base + 1}${w}`);
  }
  const out: string[] = [];
  for (const [lexeme, at] of positions) out.push(`'${lexeme}':${at}`);
  return out.join(' ');
}

export function pgMetaVector(streams: MetaStreams): string {
  return pgVector(META_FIELDS.map((f) => ({ pair: streams[f], base: PG_FIELD_BASE[f], weight: PG_WEIGHT[f] })));
}

/** A document's terms_v literal: each token of its metadata (prefixed by field) and of its pages, once. */
export function pgTermsVector(streams: MetaStreams, pages: readonly StreamPair[]): string {
  const lexemes = new Set<string>();
  for (const f of META_FIELDS) {
    const sub = streams[f].sub;
    if (sub !== '') for (const token of sub.split(' ')) lexemes.add(`${TERM_PREFIX[f]}${token}`);
  }
  for (const page of pages) if (page.sub !== '') for (const token of page.sub.split(' ')) lexemes.add(token);
  let out = '';
  for (const lexeme of lexemes) out += out === '' ? `'${lexeme}'` : ` '${lexeme}'`;
  return out;
}

