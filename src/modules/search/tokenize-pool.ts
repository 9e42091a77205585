/**
 * Tokenising on every core: batches of documents and pages are split across a pool of
 * worker threads (piscina) running tokenize-worker.ts. Small batches (one edited item)
 * are tokenised in place, where a thread hop would cost more than the work.
 */
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import type { TokenizeAnswer, TokenizeTask } from './tokenize-worker.js';
import tokenizeInPlace from './tokenize-worker.js';

const WORKER_URL = new URL(`./tokenize-worker.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url);
/** Below this many characters a batch is tokenised on the calling thread. */
const IN_PLACE_CHARS = 20_000;

let pool: Piscina | null = null;
function tokenizerPool(): Piscina {
  if (!pool) {
    const filename = fileURLToPath(WORKER_URL);
    const inherited = process.execArgv.filter((arg, i, all) => !arg.startsWith('--input-type') && arg !== '-e' && arg !== '--eval' && all[i - 1] !== '-e' && all[i - 1] !== '--eval');
    const execArgv = filename.endsWith('.ts') ? [...inherited, '--import', 'tsx'] : inherited;
    pool = new Piscina({ filename, maxThreads: os.availableParallelism(), minThreads: 0, idleTimeout: 10_000, execArgv });
  }
  return pool;
}

function size(task: TokenizeTask): number {
  let n = 0;
  for (const m of task.metas) n += m.title.length + m.resp.length + m.docno.length + m.other.length;
  for (const p of task.pages) n += p.length;
  return n;
}

/** Token streams of a batch, in input order. */
export async function tokenizeBatch(task: TokenizeTask): Promise<TokenizeAnswer> {
  if (task.docPages.length !== task.metas.length || task.docPages.reduce((a, b) => a + b, 0) !== task.pages.length) throw new Error('tokenizeBatch: docPages must count every page of every document');
  if (size(task) < IN_PLACE_CHARS) return tokenizeInPlace(task);
  // Whole documents to each thread: a document's terms vector needs its metadata and all its pages.
  const metaStep = Math.ceil(task.metas.length / os.availableParallelism());
  const runs: Promise<TokenizeAnswer>[] = [];
  let page = 0;
  for (let i = 0; i * metaStep < task.metas.length; i++) {
    const docPages = task.docPages.slice(i * metaStep, (i + 1) * metaStep);
    const n = docPages.reduce((a, b) => a + b, 0);
    runs.push(tokenizerPool().run({ metas: task.metas.slice(i * metaStep, (i + 1) * metaStep), pages: task.pages.slice(page, page + n), vectors: task.vectors, docPages, vocabulary: task.vocabulary }) as Promise<TokenizeAnswer>);
    page += n;
  }
  const answers = await Promise.all(runs);
  const joined: TokenizeAnswer = { metas: answers.flatMap((a) => a.metas), pages: answers.flatMap((a) => a.pages) };
  if (task.vectors) {
    joined.metaVectors = answers.flatMap((a) => a.metaVectors ?? []);
    joined.termsArrays = answers.flatMap((a) => a.termsArrays ?? []);
    joined.charsArrays = answers.flatMap((a) => a.charsArrays ?? []);
    joined.docRuns = answers.flatMap((a) => a.docRuns ?? []);
    joined.vocabulary = task.vocabulary?.generation ?? 0;
  }
  return joined;
}

/** Stops the tokenizer threads (tests and shutdown); the next batch starts them again. */
export async function closeTokenizerPool(): Promise<void> {
  const running = pool;
  pool = null;
  await running?.destroy();
}
