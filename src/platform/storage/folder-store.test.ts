import { execFileSync, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { describeBlobStoreContract } from './blob-store.contract.js';
import { closeDigestWorkers } from './digest.js';
import { createFolderStore } from './folder-store.js';

afterAll(closeDigestWorkers);

describeBlobStoreContract('folder', async () => {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'lantai-folder-'));
  const store = await createFolderStore({ name: 'primary', root });
  return {
    store,
    async corrupt(sha256) {
      const file = path.join(root, 'blobs', sha256.slice(0, 2), sha256.slice(2, 4), sha256);
      await fs.chmod(file, 0o644);
      const handle = await fs.open(file, 'r+');
      await handle.write(Buffer.from('bit rot'), 0, 7, 10);
      await handle.close();
    },
    cleanup: () => fs.rm(root, { recursive: true, force: true }),
  };
});

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await fs.readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) out.push(path.join(entry.parentPath, entry.name));
  }
  return out;
}

describe('folder store on disk', () => {
  it('adopts a batch with deferred sync, then makes it durable with one syncfs of the store (or fsyncs when that fails)', async () => {
    const root = await fs.mkdtemp(path.join(os.tmpdir(), 'lantai-folder-'));
    const bin = await fs.mkdtemp(path.join(os.tmpdir(), 'lantai-bin-'));
    const savedPath = process.env.PATH;
    try {
      const store = await createFolderStore({ name: 'primary', root });
      const staged = await Promise.all(
        Array.from({ length: 20 }, async (_, i) => {
          const data = randomBytes(1000 + i);
          const file = path.join(root, `staged-${i}.bin`);
          await fs.writeFile(file, data);
          return { file, data, digests: { sha256: createHash('sha256').update(data).digest('hex'), sm3: createHash('sm3').update(data).digest('hex'), size: data.length } };
        }),
      );
      // A `sync` on PATH that logs its arguments, then does the real flush.
      const log = path.join(bin, 'calls.log');
      await fs.writeFile(path.join(bin, 'sync'), `#!/bin/sh\necho "$@" >> ${log}\nexec /bin/sync "$@"\n`, { mode: 0o755 });
      process.env.PATH = `${bin}:${savedPath}`;
      for (const { file, digests } of staged) await store.adopt(file, digests, { deferSync: true });
      for (const { data, digests } of staged) {
        const bytes = Buffer.concat(await (await store.get(digests.sha256)).toArray());
        expect(bytes.equals(data)).toBe(true);
      }
      await store.sync();
      expect((await fs.readFile(log, 'utf8')).trim().split('\n')).toEqual([`-f ${path.join(root, 'blobs')}`]);
      // Nothing pending: no second flush.
      await store.sync();
      expect((await fs.readFile(log, 'utf8')).trim().split('\n')).toHaveLength(1);

      // Without `sync -f` (a failing one here), each blob and directory is fsync'd; a blob gone
      // before the flush is an error, and the batch stays pending for the next try.
      await fs.writeFile(path.join(bin, 'sync'), '#!/bin/sh\nexit 1\n', { mode: 0o755 });
      const more = randomBytes(5000);
      const moreFile = path.join(root, 'more.bin');
      await fs.writeFile(moreFile, more);
      const moreDigests = { sha256: createHash('sha256').update(more).digest('hex'), sm3: createHash('sm3').update(more).digest('hex'), size: more.length };
      await store.adopt(moreFile, moreDigests, { deferSync: true });
      const blob = path.join(root, 'blobs', moreDigests.sha256.slice(0, 2), moreDigests.sha256.slice(2, 4), moreDigests.sha256);
      await fs.rename(blob, `${blob}.away`);
      await expect(store.sync()).rejects.toThrow();
      await fs.rename(`${blob}.away`, blob);
      await store.sync();
      await store.sync();
    } finally {
      process.env.PATH = savedPath;
      await fs.rm(root, { recursive: true, force: true });
      await fs.rm(bin, { recursive: true, force: true });
    }
  });

  it('fans blobs out by the first two byte pairs of their SHA-256 and makes them read-only', async () => {
    const root = await fs.mkdtemp(path.join(os.tmpdir(), 'lantai-folder-'));
    try {
      const store = await createFolderStore({ name: 'primary', root });
      const { sha256 } = await store.put(Readable.from([Buffer.from('兰台')]));
      const file = path.join(root, 'blobs', sha256.slice(0, 2), sha256.slice(2, 4), sha256);
      const st = await fs.stat(file);
      expect(st.mode & 0o777).toBe(0o444);
      expect(await fs.readdir(path.join(root, 'tmp'))).toEqual([]);
    } finally {
      await fs.rm(root, { recursive: true, force: true });
    }
  });

  it('keeps a blob that a new put just found already stored, even if gc runs right then', async () => {
    const root = await fs.mkdtemp(path.join(os.tmpdir(), 'lantai-folder-'));
    try {
      const store = await createFolderStore({ name: 'primary', root });
      const { sha256 } = await store.put(Readable.from([Buffer.from('同一份扫描件')]));
      const file = path.join(root, 'blobs', sha256.slice(0, 2), sha256.slice(2, 4), sha256);
      const longAgo = new Date(Date.now() - 3 * 24 * 3600 * 1000);
      await fs.utimes(file, longAgo, longAgo);
      // A new hand-over brings the same bytes; its transaction has not committed yet.
      await store.put(Readable.from([Buffer.from('同一份扫描件')]));
      const result = await store.gc(async () => false, { graceMs: 24 * 3600 * 1000 });
      expect(result.removed).toEqual([]);
      expect(await store.stat(sha256)).not.toBeNull();
    } finally {
      await fs.rm(root, { recursive: true, force: true });
    }
  });

  it('leaves no visible partial blob when the writing process is killed with SIGKILL, and gc sweeps its leftovers', async () => {
    const root = await fs.mkdtemp(path.join(os.tmpdir(), 'lantai-kill-'));
    try {
      // A child process streams an endless source into the store; we kill it mid-write.
      const script = `
        import { createFolderStore } from ${JSON.stringify(new URL('./folder-store.ts', import.meta.url).href)};
        const store = await createFolderStore({ name: 'primary', root: ${JSON.stringify(root)} });
        async function* endless() { const b = Buffer.alloc(1 << 20, 7); for (;;) { yield b; await new Promise((r) => setImmediate(r)); } }
        let told = false;
        await store.put(endless(), { onProgress: (n) => { if (!told && n > 8 * (1 << 20)) { told = true; process.stdout.write('writing\\n'); } } });
      `;
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (d: Buffer) => d.toString().includes('writing') && resolve());
        child.on('exit', (code) => reject(new Error(`writer exited early with ${code}`)));
      });
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
      const store = await createFolderStore({ name: 'primary', root });
      const visible: string[] = [];
      for await (const blob of store.iterate()) visible.push(blob.sha256);
      expect(visible).toEqual([]);
      expect((await listFiles(path.join(root, 'blobs'))).length).toBe(0);
      const leftovers = await listFiles(path.join(root, 'tmp'));
      expect(leftovers.length).toBe(1);
      await store.gc(async () => false, { graceMs: 0 });
      expect(await listFiles(path.join(root, 'tmp'))).toEqual([]);
    } finally {
      await fs.rm(root, { recursive: true, force: true });
    }
  });

  it('answers STORAGE_FULL on a full disk and leaves nothing half-written', async () => {
    const mountPoint = await fs.mkdtemp(path.join(os.tmpdir(), 'lantai-full-'));
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', mountPoint]);
    } catch (err) {
      await fs.rm(mountPoint, { recursive: true, force: true });
      throw new Error(`this test mounts a 2 MB tmpfs to fill a disk and must run as root (as scripts/setup.sh and CI do): ${(err as Error).message}`);
    }
    try {
      const store = await createFolderStore({ name: 'primary', root: mountPoint });
      const small = await store.put(Readable.from([Buffer.from('fits')]));
      await expect(store.put(Readable.from([randomBytes(3 * 1024 * 1024)]))).rejects.toMatchObject({ code: 'STORAGE_FULL', status: 507 });
      expect(await listFiles(path.join(mountPoint, 'tmp'))).toEqual([]);
      const blobs: string[] = [];
      for await (const b of store.iterate()) blobs.push(b.sha256);
      expect(blobs).toEqual([small.sha256]);
      // Once space is free again the store works.
      expect((await store.put(Readable.from([randomBytes(100_000)]))).size).toBe(100_000);
    } finally {
      execFileSync('umount', [mountPoint]);
      await fs.rm(mountPoint, { recursive: true, force: true });
    }
  });
});
