/**
 * SHA-256 and SM3 of a file on local disk, using every core when many files are
 * digested at once (accession re-verifies thousands of small files).
 *
 * Files up to SMALL_FILE_LIMIT go to a pool of worker threads (piscina), one file
 * per thread with both digests, so N files keep N cores busy and the event loop
 * stays free. Larger files are streamed through `digestStream`, whose two threads
 * hash SHA-256 and SM3 side by side: one big file still gets both cores — unless the
 * caller keeps a file per core in flight anyway (`oneThreadPerFile`).
 */
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { digestStream } from './digest.js';
import { TASKS_PER_THREAD, type DigestAnswer } from './file-digest-worker.js';

export const SMALL_FILE_LIMIT = 4 * 1024 * 1024;

const WORKER_URL = new URL(`./file-digest-worker.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url);

// One thread more than cores: a thread waiting on the disk (a cold read) leaves its core to another.
// Each thread holds TASKS_PER_THREAD files at once (see the worker).
const THREADS = os.availableParallelism() + 1;

/** Files to keep in flight for every digest thread to be busy (a fixity audit). */
export const FILES_AT_ONCE = THREADS * TASKS_PER_THREAD;

let pool: Piscina | null = null;

function smallFilePool(): Piscina {
  if (!pool) {
    const filename = fileURLToPath(WORKER_URL);
    // Options that only make sense for the main script (`node --input-type=module -e …`) are refused by workers.
    const inherited = process.execArgv.filter((arg, i, all) => !arg.startsWith('--input-type') && arg !== '-e' && arg !== '--eval' && all[i - 1] !== '-e' && all[i - 1] !== '--eval');
    const execArgv = filename.endsWith('.ts') ? [...inherited, '--import', 'tsx'] : inherited;
    pool = new Piscina({ filename, maxThreads: THREADS, concurrentTasksPerWorker: TASKS_PER_THREAD, minThreads: 0, idleTimeout: 5_000, execArgv });
  }
  return pool;
}

export interface FileDigests {
  sha256: string;
  sm3: string;
  size: number;
}

/**
 * Digests a local file. `size`, when the caller knows it, saves a stat. With `algorithms`
 * (a fixity audit configured for one digest) small files skip the other, which comes back ''.
 * `direct` reads the disk itself, past the page cache (a fixity audit; see the worker).
 */
export async function digestFile(file: string, size?: number, algorithms?: ReadonlyArray<'sha256' | 'sm3'>, options: { oneThreadPerFile?: boolean; direct?: boolean } = {}): Promise<FileDigests> {
  const bytes = size ?? (await fs.stat(file)).size;
  // A caller that digests as many files at once as there are cores (a fixity audit) does best
  // with one thread per file whatever its size: no bytes cross threads, every core hashes.
  if (bytes <= SMALL_FILE_LIMIT || options.oneThreadPerFile || options.direct) {
    const answer = (await smallFilePool().run({ path: file, algorithms, direct: options.direct })) as DigestAnswer;
    if ('error' in answer) throw Object.assign(new Error(answer.error.message), { code: answer.error.code });
    return answer;
  }
  return digestStream(createReadStream(file, { highWaterMark: 1 << 22 }));
}

/** Stops the small-file threads (tests and shutdown); the next call starts them again. */
export async function closeFileDigestPool(): Promise<void> {
  const running = pool;
  pool = null;
  await running?.destroy();
}
