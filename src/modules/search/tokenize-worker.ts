/**
 * Runs inside a piscina worker thread: turns the text of documents and pages into the
 * token streams the index stores (tokenize.ts), so a rebuild keeps every core busy and
 * the web server's event loop free. Streams cross back as space-joined strings.
 */
import type { MetaField, MetaStreams, StreamPair } from './index-common.js';
import { pgMetaVector } from './pg-index.js';
import { termsArrays } from './pg-terms.js';
import { normalize, runsText, substringTokens, tokenizeField } from './tokenize.js';

export interface TokenizeTask {
  metas: ReadonlyArray<Record<MetaField, string>>;
  pages: readonly string[];
  /** Also make what PostgreSQL stores: the pages' `runs`, `metaVectors`, `termsArrays` and `charsArrays`. */
  vectors?: boolean;
  /** How many of `pages` (in order) belong to each of `metas`: the pages of a document are those after its predecessors'. */
  docPages: readonly number[];
}
export interface TokenizeAnswer {
  metas: MetaStreams[];
  pages: StreamPair[];
  /** PostgreSQL's meta_v literal of each of `metas`, when asked for. */
  metaVectors?: string[];
  /** PostgreSQL's terms_a literal of each of `metas`: the code of every token of the document's metadata and pages, once (pg-terms.ts). */
  termsArrays?: string[];
  /** PostgreSQL's chars_a literal of each of `metas`: the code point of every Han character of the document's metadata and pages, once. */
  charsArrays?: string[];
}

function pair(text: string): StreamPair {
  const t = tokenizeField(text);
  return { sub: t.sub.join(' '), words: t.words.join(' ') };
}

export default function tokenize(task: TokenizeTask): TokenizeAnswer {
  const metas = task.metas.map((m): MetaStreams => ({ title: pair(m.title), resp: pair(m.resp), docno: pair(m.docno), other: pair(m.other) }));
  // Page text gets the substring stream only: words rank metadata matches; in the text they
  // would cost jieba's time and a third more index for nothing any query reads. PostgreSQL
  // stores the runs and the codes made from them (pg-terms.ts), never the stream.
  const pages = task.pages.map((text): StreamPair => {
    const normalized = normalize(text);
    return task.vectors ? { sub: '', words: '', runs: runsText(normalized) } : { sub: substringTokens(normalized).join(' '), words: '' };
  });
  if (!task.vectors) return { metas, pages };
  let from = 0;
  const arrays = task.metas.map((fields, i) => {
    const to = from + (task.docPages[i] ?? 0);
    const own = pages.slice(from, to);
    from = to;
    return termsArrays([...Object.values(fields).map((text) => runsText(normalize(text))), ...own.map((page) => page.runs ?? '')]);
  });
  return { metas, pages, metaVectors: metas.map(pgMetaVector), termsArrays: arrays.map((a) => a.terms), charsArrays: arrays.map((a) => a.chars) };
}
