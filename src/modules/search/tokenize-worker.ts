/**
 * Runs inside a piscina worker thread: turns the text of documents and pages into the
 * token streams the index stores (tokenize.ts), so a rebuild keeps every core busy and
 * the web server's event loop free. Streams cross back as space-joined strings.
 */
import type { MetaField, MetaStreams, StreamPair } from './index-sql.js';
import { normalize, substringTokens, tokenizeField } from './tokenize.js';

export interface TokenizeTask {
  metas: ReadonlyArray<Record<MetaField, string>>;
  pages: readonly string[];
}
export interface TokenizeAnswer {
  metas: MetaStreams[];
  pages: StreamPair[];
}

function pair(text: string): StreamPair {
  const t = tokenizeField(text);
  return { sub: t.sub.join(' '), words: t.words.join(' ') };
}

export default function tokenize(task: TokenizeTask): TokenizeAnswer {
  return {
    metas: task.metas.map((m) => ({ title: pair(m.title), resp: pair(m.resp), docno: pair(m.docno), other: pair(m.other) })),
    // Page text gets the substring stream only: words rank metadata matches; in the text they
    // would cost jieba's time and a third more index for nothing any query reads.
    pages: task.pages.map((text) => ({ sub: substringTokens(normalize(text)).join(' '), words: '' })),
  };
}
