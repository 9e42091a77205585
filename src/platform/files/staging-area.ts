/**
 * The folder one `unpack` call stages into: it creates folders and files without ever
 * following a link already there, hashes every byte (SHA-256 and SM3) once while it is
 * written, counts entries and bytes against the limits across nested archives, and
 * remembers what it created so a refused package leaves nothing behind.
 */
import { constants } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { createDualDigest } from '../storage/digest.js';
import { UnpackError, type EntryLabel } from './unpack-error.js';

/** What one package may hold; checked on declared sizes first and on actual bytes always. */
export interface UnpackLimits {
  /** Entries (files and folders), counted over all nested archives. */
  maxEntries: number;
  /** Bytes staged, counted as they are inflated, over all nested archives. */
  maxTotalBytes: number;
  /** Largest inflated/compressed ratio of an entry once it is over 1 MiB. */
  maxRatio: number;
  /** How many levels of archives inside archives 'expand' opens. */
  maxDepth: number;
}

/** One file staged from a package. */
export interface UnpackedFile {
  /** POSIX, NFC-normalised, relative path as declared in its archive. */
  path: string;
  size: number;
  sha256: string;
  sm3: string;
  /** Absolute path of the staged copy under the destination folder. */
  stagedPath: string;
  modified: Date | null;
  /** Paths of the nested archives it came from, outermost first; [] at top level. */
  fromArchive: string[];
}

/** One archive being unpacked: where its entries go and which nested archives hold it. */
export interface ArchiveScope {
  /** Relative POSIX folder in the staging area for this archive's entries; '' at top level. */
  folder: string;
  /** Paths of the nested archives holding this one, outermost first; [] at top level. */
  fromArchive: readonly string[];
}

/** The staging path of an entry of `scope`. */
export function stagingPath(scope: ArchiveScope, entryPath: string): string {
  return scope.folder === '' ? entryPath : `${scope.folder}/${entryPath}`;
}

export interface StagingOptions {
  /** Bytes staged so far by this call, as they are written (at least every MiB). */
  onProgress?(bytes: number): void;
  signal?: AbortSignal;
}

export interface WrittenFile {
  size: number;
  sha256: string;
  sm3: string;
  stagedPath: string;
}

export interface WriteChecks {
  /** Sees each chunk before it is written, with the entry's byte count including it; throws to refuse. */
  inspect?(chunk: Uint8Array, entryBytes: number): void;
  /** Turns an error raised by the source (a damaged archive) into a refusal. */
  sourceError(err: unknown): Error;
}

export interface StagingArea {
  readonly limits: UnpackLimits;
  /** Bytes staged so far. */
  readonly bytesStaged: number;
  /** Counts `count` more entries; refuses when they exceed maxEntries. */
  admitEntries(count: number, where: EntryLabel): void;
  /** Creates a folder (and its parents) at a relative POSIX path. */
  makeDirectory(relative: string): Promise<void>;
  /** Streams `source` into a new file at a relative POSIX path, hashing and counting on the way. */
  writeFile(relative: string, source: AsyncIterable<Uint8Array>, where: EntryLabel, checks: WriteChecks): Promise<WrittenFile>;
  /** Creates a fresh folder beside a staged archive to expand it into; returns its relative path. */
  makeExpansionFolder(archiveRelative: string): Promise<string>;
  throwIfAborted(): void;
  /** Flushes every staged file and new folder to disk. */
  finish(): Promise<void>;
  /** Removes everything this area created. */
  discard(): Promise<void>;
}

const WRITE_BATCH_BYTES = 1024 * 1024;
/** Concurrent fsyncs: the filesystem folds them into few journal commits. */
const SYNC_CONCURRENCY = 8;

async function syncPath(target: string): Promise<void> {
  const handle = await fs.open(target, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function syncAll(targets: readonly string[]): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < targets.length) {
      const target = targets[next];
      next += 1;
      if (target !== undefined) await syncPath(target);
    }
  };
  await Promise.all(Array.from({ length: Math.min(SYNC_CONCURRENCY, targets.length) }, lane));
}

/** FileHandle.write may write less than asked (a full disk): loop until done or an error. */
async function writeFully(handle: fs.FileHandle, bytes: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < bytes.byteLength) {
    const { bytesWritten } = await handle.write(bytes, offset, bytes.byteLength - offset);
    if (bytesWritten === 0) throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
    offset += bytesWritten;
  }
}

/** Opens (creating it if needed) the staging folder `destDir` for one unpack call. */
export async function createStagingArea(destDir: string, limits: UnpackLimits, options: StagingOptions = {}): Promise<StagingArea> {
  const root = path.resolve(destDir);
  const createdRoot = await fs.mkdir(root, { recursive: true });
  const knownDirs = new Set<string>([root]);
  const createdDirs: string[] = [];
  const createdFiles: string[] = [];
  let entries = 0;
  let bytes = 0;

  function absolute(relative: string): string {
    const target = path.join(root, ...relative.split('/'));
    // Names were checked already; this guards against a caller passing an unchecked one.
    if (target !== root && !target.startsWith(root + path.sep)) throw new Error(`staging path escapes ${root}: ${relative}`);
    return target;
  }

  async function ensureDir(dir: string): Promise<void> {
    if (knownDirs.has(dir)) return;
    await ensureDir(path.dirname(dir));
    try {
      await fs.mkdir(dir);
      createdDirs.push(dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      // Something was there before us: use it only if it is a real folder, never a link.
      const st = await fs.lstat(dir);
      if (!st.isDirectory()) throw new Error(`cannot stage into ${dir}: it exists and is not a folder (links are not followed)`);
    }
    knownDirs.add(dir);
  }

  return {
    limits,
    get bytesStaged() {
      return bytes;
    },

    admitEntries(count, where) {
      entries += count;
      if (entries > limits.maxEntries) {
        throw new UnpackError('too-many-entries', where, `more than ${limits.maxEntries} entries`);
      }
    },

    makeDirectory(relative) {
      return ensureDir(absolute(relative));
    },

    async writeFile(relative, source, where, checks) {
      const target = absolute(relative);
      await ensureDir(path.dirname(target));
      // O_EXCL also refuses a link sitting at the final name, dangling or not.
      const handle = await fs.open(target, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644);
      createdFiles.push(target);
      const digest = createDualDigest();
      const iterator = source[Symbol.asyncIterator]();
      let done = false;
      // Inflaters hand out 16 KiB chunks; writing and hashing in batches of up to
      // WRITE_BATCH_BYTES costs far fewer system calls and worker messages.
      let batch: Uint8Array[] = [];
      let batchBytes = 0;
      const flush = async () => {
        if (batchBytes === 0) return;
        const bytesOut = batch.length === 1 && batch[0] ? batch[0] : Buffer.concat(batch, batchBytes);
        batch = [];
        batchBytes = 0;
        await Promise.all([writeFully(handle, bytesOut), digest.update(bytesOut)]);
        options.onProgress?.(bytes);
      };
      try {
        let size = 0;
        for (;;) {
          options.signal?.throwIfAborted();
          let step: IteratorResult<Uint8Array>;
          try {
            step = await iterator.next();
          } catch (err) {
            done = true;
            throw checks.sourceError(err);
          }
          if (step.done) {
            done = true;
            break;
          }
          const chunk = step.value;
          size += chunk.byteLength;
          bytes += chunk.byteLength;
          // Actual inflated bytes, whatever the headers said.
          if (bytes > limits.maxTotalBytes) throw new UnpackError('too-large', where, `more than ${limits.maxTotalBytes} bytes unpacked`);
          checks.inspect?.(chunk, size);
          batch.push(chunk);
          batchBytes += chunk.byteLength;
          if (batchBytes >= WRITE_BATCH_BYTES) await flush();
        }
        await flush();
        const digests = await digest.digest();
        return { size, sha256: digests.sha256, sm3: digests.sm3, stagedPath: target };
      } catch (err) {
        digest.abort();
        throw err;
      } finally {
        // Stop the source (e.g. a zip entry's inflater) when we leave it half-read.
        if (!done) await iterator.return?.().catch(() => undefined);
        await handle.close();
      }
    },

    async makeExpansionFolder(archiveRelative) {
      // A name the package itself may also use: mkdir refuses an existing one, so try the next.
      for (let n = 1; ; n += 1) {
        const relative = `${archiveRelative}.d${n === 1 ? '' : `-${n}`}`;
        const dir = absolute(relative);
        try {
          await fs.mkdir(dir);
          createdDirs.push(dir);
          knownDirs.add(dir);
          return relative;
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        }
      }
    },

    throwIfAborted() {
      options.signal?.throwIfAborted();
    },

    async finish() {
      await syncAll(createdFiles);
      // A new name is durable once the folder holding it is synced.
      const parents = new Set([...createdFiles, ...createdDirs].map((p) => path.dirname(p)));
      if (createdRoot) parents.add(path.dirname(root));
      await syncAll([...parents].sort((a, b) => b.length - a.length));
    },

    async discard() {
      for (const file of createdFiles) await fs.rm(file, { force: true });
      for (const dir of [...createdDirs].reverse()) await fs.rm(dir, { recursive: true, force: true });
      if (createdRoot) await fs.rm(createdRoot, { recursive: true, force: true });
    },
  };
}
