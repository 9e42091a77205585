import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
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
