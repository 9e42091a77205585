/**
 * Runs inside a piscina worker thread: reads one file and returns its SHA-256,
 * SM3 and size. The worker reads the file itself, so no bytes cross threads.
 * Self-contained (node built-ins only): it is loaded as is from the build and,
 * from sources, through tsx.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';

const CHUNK = 1 << 20;
let buffer: Buffer | null = null;

export type DigestAnswer = { sha256: string; sm3: string; size: number } | { error: { message: string; code?: string } };

/** Errors come back as data: an Error crossing the thread boundary loses its `code`. */
export default function digestFile(task: { path: string; algorithms?: ReadonlyArray<'sha256' | 'sm3'> }): DigestAnswer {
  try {
    return digest(task.path, task.algorithms ?? ['sha256', 'sm3']);
  } catch (err) {
    return { error: { message: (err as Error).message, code: (err as NodeJS.ErrnoException).code } };
  }
}

/** Digests not asked for come back as ''. */
function digest(file: string, algorithms: ReadonlyArray<'sha256' | 'sm3'>): { sha256: string; sm3: string; size: number } {
  buffer ??= Buffer.allocUnsafe(CHUNK);
  const sha256 = algorithms.includes('sha256') ? createHash('sha256') : null;
  const sm3 = algorithms.includes('sm3') ? createHash('sm3') : null;
  const fd = fs.openSync(file, 'r');
  let size = 0;
  try {
    for (;;) {
      const n = fs.readSync(fd, buffer, 0, CHUNK, null);
      if (n === 0) break;
      const bytes = buffer.subarray(0, n);
      sha256?.update(bytes);
      sm3?.update(bytes);
      size += n;
    }
  } finally {
    fs.closeSync(fd);
  }
  return { sha256: sha256?.digest('hex') ?? '', sm3: sm3?.digest('hex') ?? '', size };
}
