/**
 * Runs inside a piscina worker thread: turns the text of documents and pages into the
 * token streams the index stores (tokenize.ts), so a rebuild keeps every core busy and
 * the web server's event loop free. Streams cross back as space-joined strings; what
 * PostgreSQL stores as binary arrays and UTF-8, which the writing thread sends as they are.
 */
import type { MetaField, MetaStreams, StreamPair } from './index-common.js';
import { pgMetaVector } from './pg-index.js';
import { termsArrays, type Vocabulary } from './pg-terms.js';
import type { VocabularyTask } from './pg-vocabulary.js';
import { normalize, runsText, substringTokens, tokenizeField } from './tokenize.js';

export interface TokenizeTask {
  metas: ReadonlyArray<Record<MetaField, string>>;
  pages: readonly string[];
  /** Also make what PostgreSQL stores: the pages' `runs`, `metaVectors`, `termsArrays` and `charsArrays`. */
  vectors?: boolean;
  /** How many of `pages` (in order) belong to each of `metas`: the pages of a document are those after its predecessors'. */
  docPages: readonly number[];
  /** PostgreSQL's vocabulary of common bigrams for termsArrays (pg-vocabulary.ts); none: every bigram exact. */
  vocabulary?: VocabularyTask | null;
}
export interface TokenizeAnswer {
  metas: MetaStreams[];
  pages: StreamPair[];
  /** PostgreSQL's meta_v literal of each of `metas`, when asked for. */
  metaVectors?: string[];
  /** PostgreSQL's terms_a of each of `metas` (binary form): the code of every token of the document's metadata and pages, once (pg-terms.ts). */
  termsArrays?: Uint8Array[];
  /** PostgreSQL's chars_a of each of `metas` (binary form): the code point of every Han character of the document's metadata and pages, once. */
  charsArrays?: Uint8Array[];
  /** PostgreSQL's runs of each of `metas` as UTF-8: its pages' runs (tokenize.ts runsText), a line break between pages. */
  docRuns?: Uint8Array[];
  /** The generation of the vocabulary termsArrays were made under (0: none), which the write checks. */
  vocabulary?: number;
}

/** The last vocabulary a task brought, as a set (a thread keeps it while batches bring the same generation). */
let vocabulary: Vocabulary | null = null;
function vocabularyOf(task: VocabularyTask | null | undefined): Vocabulary | null {
  if (!task) return null;
  if (vocabulary?.generation !== task.generation) vocabulary = { generation: task.generation, buckets: task.buckets, common: new Set(task.common) };
  return vocabulary;
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
  if (!task.vectors) return { metas, pages: task.pages.map((text): StreamPair => ({ sub: substringTokens(normalize(text)).join(' '), words: '' })) };
  // Binary and UTF-8 here, so the writing thread neither encodes nor PostgreSQL parses them.
  const runs = task.pages.map((text) => runsText(normalize(text)));
  const encoder = new TextEncoder();
  const under = vocabularyOf(task.vocabulary);
  let from = 0;
  const docs = task.metas.map((fields, i) => {
    const to = from + (task.docPages[i] ?? 0);
    const own = runs.slice(from, to);
    from = to;
    return { arrays: termsArrays([...Object.values(fields).map((text) => runsText(normalize(text))), ...own], under), runs: encoder.encode(own.join('\n')) };
  });
  return {
    metas,
    pages: task.pages.map((): StreamPair => ({ sub: '', words: '' })),
    metaVectors: metas.map(pgMetaVector),
    termsArrays: docs.map((d) => d.arrays.terms),
    charsArrays: docs.map((d) => d.arrays.chars),
    docRuns: docs.map((d) => d.runs),
    vocabulary: under?.generation ?? 0,
  };
}
