/**
 * Runs inside a piscina worker thread: reads one file and returns its SHA-256,
 * SM3 and size. The worker reads the file itself, so no bytes cross threads.
 * Self-contained (node built-ins only): it is loaded as is from the build and,
 * from sources, through tsx.
 *
 * `direct` (fixity audits) reads with O_DIRECT: the bytes come from the disk, not from a
 * copy in the page cache (an audit is meant to check the medium), the reading room's hot
 * pages are not evicted by terabytes read once, and the kernel does no copying — on this
 * project's 2-core machines buffered cold reads cost Node 1 s of system time per GB,
 * direct ones 0.1 s. Where the filesystem refuses O_DIRECT (tmpfs) the read is buffered.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';

const CHUNK = 1 << 20;
let buffer: Buffer | null = null;
/** A CHUNK-long view of a larger buffer that O_DIRECT accepts (aligned to the device's block); null until found. */
let directBuffer: Buffer | null = null;

export type DigestAnswer = { sha256: string; sm3: string; size: number } | { error: { message: string; code?: string } };

/** Errors come back as data: an Error crossing the thread boundary loses its `code`. */
export default function digestFile(task: { path: string; algorithms?: ReadonlyArray<'sha256' | 'sm3'>; direct?: boolean }): DigestAnswer {
  try {
    return digest(task.path, task.algorithms ?? ['sha256', 'sm3'], task.direct === true);
  } catch (err) {
    return { error: { message: (err as Error).message, code: (err as NodeJS.ErrnoException).code } };
  }
}

/** Digests not asked for come back as ''. */
function digest(file: string, algorithms: ReadonlyArray<'sha256' | 'sm3'>, direct: boolean): { sha256: string; sm3: string; size: number } {
  const sha256 = algorithms.includes('sha256') ? createHash('sha256') : null;
  const sm3 = algorithms.includes('sm3') ? createHash('sm3') : null;
  const opened = direct ? openDirect(file) : null;
  const fd = opened?.fd ?? fs.openSync(file, 'r');
  buffer ??= Buffer.allocUnsafe(CHUNK);
  const into = opened?.buffer ?? buffer;
  let size = 0;
  try {
    for (;;) {
      // An explicit position: O_DIRECT needs aligned offsets, which whole chunks keep.
      const n = fs.readSync(fd, into, 0, CHUNK, size);
      if (n === 0) break;
      const bytes = into.subarray(0, n);
      sha256?.update(bytes);
      sm3?.update(bytes);
      size += n;
    }
  } finally {
    fs.closeSync(fd);
  }
  return { sha256: sha256?.digest('hex') ?? '', sm3: sm3?.digest('hex') ?? '', size };
}

/**
 * Opens the file for O_DIRECT reads with a buffer the kernel accepts, or returns null
 * (buffered reading then). JavaScript cannot ask for an aligned allocation, so the first
 * call finds an offset in a larger buffer where a direct read succeeds and keeps it.
 */
function openDirect(file: string): { fd: number; buffer: Buffer } | null {
  const flag = fs.constants.O_DIRECT;
  if (flag === undefined) return null;
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | flag);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EINVAL') return null;
    throw err;
  }
  if (directBuffer) return { fd, buffer: directBuffer };
  const raw = Buffer.allocUnsafeSlow(CHUNK + 4096);
  for (let offset = 0; offset < 4096; offset += 16) {
    const view = raw.subarray(offset, offset + CHUNK);
    try {
      // An empty file proves nothing about the alignment: read it buffered.
      if (fs.readSync(fd, view, 0, 4096, 0) === 0) break;
      directBuffer = view;
      return { fd, buffer: view };
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
