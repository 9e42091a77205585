/**
 * Runs inside a piscina worker thread: turns the text of documents and pages into the
 * token streams the index stores (tokenize.ts), so a rebuild keeps every core busy and
 * the web server's event loop free. Streams cross back as space-joined strings.
 */
import type { MetaField, MetaStreams, StreamPair } from './index-common.js';
import { pgMetaVector, pgVector } from './pg-index.js';
import { normalize, substringTokens, tokenizeField } from './tokenize.js';

export interface TokenizeTask {
  metas: ReadonlyArray<Record<MetaField, string>>;
  pages: readonly string[];
  /** Also make PostgreSQL's tsvector literals (pages' `vector`, `metaVectors`). */
  vectors?: boolean;
}
export interface TokenizeAnswer {
  metas: MetaStreams[];
  pages: StreamPair[];
  /** PostgreSQL's meta_v literal of each of `metas`, when asked for. */
  metaVectors?: string[];
}

function pair(text: string): StreamPair {
  const t = tokenizeField(text);
  return { sub: t.sub.join(' '), words: t.words.join(' ') };
}

export default function tokenize(task: TokenizeTask): TokenizeAnswer {
  const metas = task.metas.map((m): MetaStreams => ({ title: pair(m.title), resp: pair(m.resp), docno: pair(m.docno), other: pair(m.other) }));
  // Page text gets the substring stream only: words rank metadata matches; in the text they
  // would cost jieba's time and a third more index for nothing any query reads.
  const pages = task.pages.map((text): StreamPair => ({ sub: substringTokens(normalize(text)).join(' '), words: '' }));
  if (!task.vectors) return { metas, pages };
  for (const page of pages) page.vector = pgVector([{ pair: page, base: 0, weight: 'D' }]);
  return { metas, pages, metaVectors: metas.map(pgMetaVector) };
}
