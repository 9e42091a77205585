/**
 * Runs inside a piscina worker thread: reads one file and returns its SHA-256,
 * SM3 and size. The worker reads the file itself, so no bytes cross threads.
 * Self-contained (node built-ins only): it is loaded as is from the build and,
 * from sources, through tsx.
 *
 * Reads run ahead: while this thread hashes one chunk, the next READ_AHEAD chunks are
 * being read (on libuv's thread pool), and a thread holds TASKS_PER_THREAD files at once,
 * so a file's first read, or a read the disk is slow to answer, leaves the thread another
 * file's chunk to hash. With one synchronous read per chunk, three files in flight on two
 * cores kept 1.5 cores busy on cold O_DIRECT reads.
 *
 * `direct` (fixity audits) reads with O_DIRECT: the bytes come from the disk, not from a
 * copy in the page cache (an audit is meant to check the medium), the reading room's hot
 * pages are not evicted by terabytes read once, and the kernel does no copying — on this
 * project's 2-core machines buffered cold reads cost Node 1 s of system time per GB,
 * direct ones 0.1 s. Where the filesystem refuses O_DIRECT (tmpfs) the read is buffered.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';

/** Files a thread digests at once (the pool's concurrentTasksPerWorker). */
export const TASKS_PER_THREAD = 2;
const CHUNK = 2 << 20;
const READ_AHEAD = 2;
const SET = READ_AHEAD + 1;
const ALIGN = 4096;

/**
 * The thread's read buffers: TASKS_PER_THREAD sets of SET chunks in one allocation, each set
 * with ALIGN bytes of slack, and a probe area after them. JavaScript cannot ask for an aligned
 * allocation, so the first direct open finds (in the probe area) the offset where O_DIRECT
 * accepts a buffer; every chunk starts at that offset into its slot (CHUNK and the slots are
 * multiples of the block size), and sets stay disjoint whatever the offset.
 */
const SLOT = SET * CHUNK + ALIGN;
let raw: Buffer | null = null;
let aligned: number | null = null;
const freeSets = Array.from({ length: TASKS_PER_THREAD }, (_, i) => i);

function memory(): Buffer {
  raw ??= Buffer.allocUnsafeSlow(TASKS_PER_THREAD * SLOT + 2 * ALIGN);
  return raw;
}

export type DigestAnswer = { sha256: string; sm3: string; size: number } | { error: { message: string; code?: string } };

/** Errors come back as data: an Error crossing the thread boundary loses its `code`. */
export default async function digestFile(task: { path: string; algorithms?: ReadonlyArray<'sha256' | 'sm3'>; direct?: boolean }): Promise<DigestAnswer> {
  try {
    return await digest(task.path, task.algorithms ?? ['sha256', 'sm3'], task.direct === true);
  } catch (err) {
    return { error: { message: (err as Error).message, code: (err as NodeJS.ErrnoException).code } };
  }
}

function read(fd: number, into: Buffer, position: number): Promise<number> {
  return new Promise((resolve, reject) => fs.read(fd, into, 0, CHUNK, position, (err, n) => (err ? reject(err) : resolve(n))));
}

/** Digests not asked for come back as ''. */
async function digest(file: string, algorithms: ReadonlyArray<'sha256' | 'sm3'>, direct: boolean): Promise<{ sha256: string; sm3: string; size: number }> {
  const sha256 = algorithms.includes('sha256') ? createHash('sha256') : null;
  const sm3 = algorithms.includes('sm3') ? createHash('sm3') : null;
  const set = freeSets.pop();
  if (set === undefined) throw new Error(`more than ${TASKS_PER_THREAD} files at once in one digest thread`);
  let fd: number;
  try {
    fd = (direct ? openDirect(file) : null) ?? fs.openSync(file, 'r');
  } catch (err) {
    freeSets.push(set);
    throw err;
  }
  const chunks = Array.from({ length: SET }, (_, i) => chunkAt(set, i));
  // Reads in flight, oldest first; an explicit position each (O_DIRECT needs aligned offsets).
  const pending: Array<Promise<number>> = [];
  let requested = 0;
  let ended = false;
  const requestNext = () => {
    if (ended) return;
    const into = chunks[(requested / CHUNK) % SET] as Buffer;
    const reading = read(fd, into, requested);
    // Settled in order by the loop below; this only keeps an early failure from going unhandled.
    reading.catch(() => undefined);
    pending.push(reading);
    requested += CHUNK;
  };
  let size = 0;
  try {
    for (let i = 0; i < READ_AHEAD; i++) requestNext();
    for (;;) {
      const n = await (pending.shift() as Promise<number>);
      // A short read is the end of the file: reads past it return 0.
      if (n < CHUNK) ended = true;
      if (n === 0) break;
      requestNext();
      const bytes = (chunks[(size / CHUNK) % SET] as Buffer).subarray(0, n);
      sha256?.update(bytes);
      sm3?.update(bytes);
      size += n;
      if (n < CHUNK) break;
    }
  } finally {
    // Reads still in flight write into this set: let them land before it is reused or fd closed.
    await Promise.allSettled(pending);
    fs.closeSync(fd);
    freeSets.push(set);
  }
  return { sha256: sha256?.digest('hex') ?? '', sm3: sm3?.digest('hex') ?? '', size };
}

function chunkAt(set: number, index: number): Buffer {
  const start = set * SLOT + (aligned ?? 0) + index * CHUNK;
  return memory().subarray(start, start + CHUNK);
}

/** Opens the file for O_DIRECT reads (finding the aligned offset on the first call), or returns null: buffered reading then. */
function openDirect(file: string): number | null {
  const flag = fs.constants.O_DIRECT;
  if (flag === undefined) return null;
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | flag);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EINVAL') return null;
    throw err;
  }
  if (aligned !== null) return fd;
  const probe = TASKS_PER_THREAD * SLOT;
  for (let offset = 0; offset < ALIGN; offset += 16) {
    try {
      // An empty file proves nothing about the alignment: read it buffered.
      if (fs.readSync(fd, memory().subarray(probe + offset, probe + offset + ALIGN), 0, ALIGN, 0) === 0) break;
      aligned = offset;
      return fd;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EINVAL') {
        fs.closeSync(fd);
        throw err;
      }
    }
  }
  fs.closeSync(fd);
  return null;
}
