/**
 * A BlobStore in a local folder (the embedded default).
 *
 * Layout: `<root>/blobs/ab/cd/<sha256>` (fan-out by the first two byte pairs, so
 * a directory never holds more than a few thousand entries even with 10^9 blobs),
 * `<root>/tmp/` for writes in progress. A write goes to tmp, is fsync'd, renamed
 * into place and the directory fsync'd: a killed writer leaves at most a file in
 * tmp (invisible to get/stat/iterate, swept by gc), never a partial blob.
 */
import { constants, createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import pLimit from 'p-limit';
import type { Readable } from 'node:stream';
import { platformErrors, LantaiError } from '../http/errors.js';
import type { BlobStat, BlobStore, ByteRange, BytesSource, Digests, GcOptions, GcResult, PutOptions } from './blob-store.js';
import { SHA256_HEX, checkDigests } from './blob-store.js';
import { createDualDigest } from './digest.js';
import { digestFile } from './file-digest.js';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface FolderStoreOptions {
  name: string;
  root: string;
}

/**
 * Creates a folder-backed blob store.
 * @example
 * const store = await createFolderStore({ name: 'primary', root: './data/blobs' });
 * const { sha256 } = await store.put(fs.createReadStream('scan.pdf'));
 */
export async function createFolderStore(options: FolderStoreOptions): Promise<BlobStore> {
  const { name } = options;
  const root = path.resolve(options.root);
  const blobsDir = path.join(root, 'blobs');
  const tmpDir = path.join(root, 'tmp');
  await fs.mkdir(blobsDir, { recursive: true });
  await fs.mkdir(tmpDir, { recursive: true });

  const execFileAsync = promisify(execFile);
  const blobPath = (sha256: string) => path.join(blobsDir, sha256.slice(0, 2), sha256.slice(2, 4), sha256);

  function checkKey(sha256: string): void {
    if (!SHA256_HEX.test(sha256)) throw platformErrors.BLOB_NOT_FOUND({ store: name, sha256 });
  }

  function storageError(err: unknown): Error {
    if (err instanceof LantaiError) return err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOSPC' || code === 'EDQUOT') return platformErrors.STORAGE_FULL({ store: name });
    if (code === 'EACCES' || code === 'EROFS' || code === 'EIO') {
      return platformErrors.STORAGE_UNAVAILABLE({ store: name, reason: `${code}: ${(err as Error).message}` });
    }
    return err instanceof Error ? err : new Error(String(err));
  }

  async function fsyncDir(dir: string): Promise<void> {
    const handle = await fs.open(dir, constants.O_RDONLY | constants.O_DIRECTORY);
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }

  // Blobs adopted with deferSync since the last sync(): their names and bytes may still be in the page cache.
  let deferred: string[] = [];

  /**
   * One flush for a whole batch: syncfs(2) of the store's filesystem through coreutils
   * `sync -f` (Node has no binding for it), which commits the journal once for every
   * rename, new directory and data block. Where that fails, each blob, its directories
   * and the fan-out root are fsync'd instead.
   */
  async function syncDeferred(): Promise<void> {
    if (deferred.length === 0) return;
    const batch = deferred;
    deferred = [];
    try {
      await execFileAsync('sync', ['-f', blobsDir]);
      return;
    } catch {
      // fall back to fsyncing what the batch touched
    }
    try {
      const dirs = new Set<string>([blobsDir]);
      for (const file of batch) {
        dirs.add(path.dirname(file));
        dirs.add(path.dirname(path.dirname(file)));
      }
      const limit = pLimit(16);
      await Promise.all(batch.map((file) => limit(async () => {
        const handle = await fs.open(file, 'r');
        await handle.sync().finally(() => handle.close());
      })));
      await Promise.all([...dirs].map((dir) => limit(() => fsyncDir(dir))));
    } catch (err) {
      deferred.push(...batch);
      throw storageError(err);
    }
  }

  /** Creates the fan-out directories of a blob, fsyncing each parent that gained an entry. */
  async function ensureParent(file: string, durable = true): Promise<void> {
    const level2 = path.dirname(file);
    const level1 = path.dirname(level2);
    try {
      await fs.access(level2);
      return;
    } catch {
      // fall through: create the missing levels
    }
    for (const [dir, parent] of [[level1, blobsDir], [level2, level1]] as const) {
      try {
        await fs.mkdir(dir);
        if (durable) await fsyncDir(parent);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
    }
  }

  /** Streams the source into a new temp file, hashing on the way; the file is fsync'd and closed. */
  async function writeTemp(source: BytesSource, options: PutOptions = {}): Promise<{ temp: string; digests: Digests }> {
    const temp = path.join(tmpDir, `${randomUUID()}.part`);
    const digest = createDualDigest();
    let handle: fs.FileHandle | undefined;
    try {
      options.signal?.throwIfAborted();
      handle = await fs.open(temp, 'wx', 0o644);
      let written = 0;
      for await (const chunk of source as AsyncIterable<Uint8Array>) {
        options.signal?.throwIfAborted();
        const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
        // Write and hash the same chunk at once: the hashers run in worker threads.
        await Promise.all([writeFully(handle, bytes), digest.update(bytes)]);
        written += bytes.byteLength;
        options.onProgress?.(written);
      }
      options.signal?.throwIfAborted();
      await handle.sync();
      await handle.close();
      handle = undefined;
      const digests = await digest.digest();
      checkDigests(digests, options.expect);
      return { temp, digests };
    } catch (err) {
      digest.abort();
      await handle?.close().catch(() => undefined);
      await fs.rm(temp, { force: true });
      throw storageError(err);
    }
  }

  /** Moves a complete, fsync'd temp file to its final name (or drops it when the blob exists). */
  async function commit(temp: string, sha256: string, overwrite: boolean, durable = true): Promise<void> {
    const final = blobPath(sha256);
    try {
      if (!overwrite && (await exists(final))) {
        await fs.rm(temp, { force: true });
        // Freshen the time so a gc running now treats the blob as new (within its grace).
        const t = new Date();
        await fs.utimes(final, t, t);
        return;
      }
      await fs.chmod(temp, 0o444);
      await ensureParent(final, durable);
      await fs.rename(temp, final);
      if (durable) await fsyncDir(path.dirname(final));
      else deferred.push(final);
    } catch (err) {
      await fs.rm(temp, { force: true });
      throw storageError(err);
    }
  }

  /** FileHandle.write may write less than asked (e.g. when the disk fills up): loop until done or an error. */
  async function writeFully(handle: fs.FileHandle, bytes: Uint8Array): Promise<void> {
    let offset = 0;
    while (offset < bytes.byteLength) {
      const { bytesWritten } = await handle.write(bytes, offset, bytes.byteLength - offset);
      if (bytesWritten === 0) throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
      offset += bytesWritten;
    }
  }

  async function exists(file: string): Promise<boolean> {
    try {
      await fs.access(file);
      return true;
    } catch {
      return false;
    }
  }

  async function sortedDir(dir: string): Promise<string[]> {
    try {
      return (await fs.readdir(dir)).sort();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
  }

  async function* walk(after?: string): AsyncGenerator<BlobStat> {
    const a = after?.toLowerCase() ?? '';
    for (const l1 of await sortedDir(blobsDir)) {
      if (a && l1 < a.slice(0, 2)) continue;
      for (const l2 of await sortedDir(path.join(blobsDir, l1))) {
        if (a && l1 + l2 < a.slice(0, 4)) continue;
        for (const file of await sortedDir(path.join(blobsDir, l1, l2))) {
          if (!SHA256_HEX.test(file) || (a && file <= a)) continue;
          const st = await fs.stat(path.join(blobsDir, l1, l2, file)).catch(() => null);
          if (st) yield { sha256: file, size: st.size, modifiedAt: st.mtime };
        }
      }
    }
  }

  const store: BlobStore = {
    name,
    kind: 'folder',

    async put(source, options) {
      const { temp, digests } = await writeTemp(source, options);
      await commit(temp, digests.sha256, false);
      return digests;
    },

    async adopt(localPath, digests, options = {}) {
      const st = await fs.stat(localPath);
      if (st.size !== digests.size) throw platformErrors.BLOB_SIZE_MISMATCH({ expected: digests.size, actual: st.size });
      if (options.verify ?? true) {
        checkDigests(await digestFile(localPath, st.size), digests);
      }
      if (await exists(blobPath(digests.sha256))) {
        const t = new Date();
        await fs.utimes(blobPath(digests.sha256), t, t);
        return digests;
      }
      const temp = path.join(tmpDir, `${randomUUID()}.part`);
      try {
        // The staged file may not have been fsync'd by whoever wrote it (a deferred sync flushes it with the rest).
        if (!options.deferSync) {
          const handle = await fs.open(localPath, 'r');
          await handle.sync().finally(() => handle.close());
        }
        try {
          await fs.link(localPath, temp);
        } catch (err) {
          if (!['EXDEV', 'EPERM', 'EMLINK'].includes((err as NodeJS.ErrnoException).code ?? '')) throw err;
          await fs.copyFile(localPath, temp);
          if (!options.deferSync) {
            const copy = await fs.open(temp, 'r+');
            await copy.sync().finally(() => copy.close());
          }
        }
      } catch (err) {
        await fs.rm(temp, { force: true });
        throw storageError(err);
      }
      await commit(temp, digests.sha256, false, !options.deferSync);
      return digests;
    },

    sync: syncDeferred,

    async replace(sha256, source) {
      checkKey(sha256);
      const { temp, digests } = await writeTemp(source, { expect: { sha256 } });
      await commit(temp, sha256, true);
      return digests;
    },

    async get(sha256, range?: ByteRange): Promise<Readable> {
      checkKey(sha256);
      const file = blobPath(sha256);
      const st = await fs.stat(file).catch(() => null);
      if (!st) throw platformErrors.BLOB_NOT_FOUND({ store: name, sha256 });
      if (!range) return createReadStream(file, { highWaterMark: 1 << 20 });
      const end = range.end ?? st.size - 1;
      if (!Number.isInteger(range.start) || !Number.isInteger(end) || range.start < 0 || end < range.start || end >= st.size) {
        throw platformErrors.BLOB_RANGE_INVALID();
      }
      return createReadStream(file, { start: range.start, end, highWaterMark: 1 << 20 });
    },

    localPath(sha256) {
      checkKey(sha256);
      return blobPath(sha256);
    },

    async stat(sha256) {
      if (!SHA256_HEX.test(sha256)) return null;
      const st = await fs.stat(blobPath(sha256)).catch(() => null);
      return st ? { sha256, size: st.size, modifiedAt: st.mtime } : null;
    },

    iterate(options = {}) {
      return walk(options.after);
    },

    async gc(isReferenced, options: GcOptions = {}): Promise<GcResult> {
      const cutoff = Date.now() - (options.graceMs ?? DAY_MS);
      const removed: string[] = [];
      let examined = 0;
      for await (const blob of walk()) {
        examined += 1;
        if (blob.modifiedAt.getTime() > cutoff) continue;
        if (await isReferenced(blob.sha256)) continue;
        await fs.rm(blobPath(blob.sha256), { force: true });
        removed.push(blob.sha256);
      }
      // Leftovers of killed writers.
      for (const file of await sortedDir(tmpDir)) {
        const st = await fs.stat(path.join(tmpDir, file)).catch(() => null);
        if (st && st.mtime.getTime() <= cutoff) await fs.rm(path.join(tmpDir, file), { force: true });
      }
      return { examined, removed };
    },

    async health() {
      try {
        const probe = path.join(tmpDir, `health-${randomUUID()}`);
        await fs.writeFile(probe, 'ok');
        await fs.rm(probe);
        const fsStat = await fs.statfs(root);
        const freeGb = (Number(fsStat.bavail) * Number(fsStat.bsize)) / 1e9;
        return { ok: true, detail: `${root} (${freeGb.toFixed(1)} GB free)` };
      } catch (err) {
        return { ok: false, detail: `${root}: ${(err as Error).message}` };
      }
    },

    async close() {
      // Nothing held open between calls.
    },
  };
  return store;
}
