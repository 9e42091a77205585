import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { closeDigestWorkers } from './digest.js';
import { closeFileDigestPool, digestFile, SMALL_FILE_LIMIT } from './file-digest.js';

afterAll(async () => {
  await closeFileDigestPool();
  await closeDigestWorkers();
});

const expected = (data: Buffer) => ({ sha256: createHash('sha256').update(data).digest('hex'), sm3: createHash('sm3').update(data).digest('hex'), size: data.length });

describe('digestFile', () => {
  it('gives SHA-256, SM3 and size of many small files at once, of an empty file, and of one above the small-file limit', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'lantai-file-digest-'));
    try {
      const sizes = [0, 1, 4095, 1 << 20, (1 << 20) + 3, SMALL_FILE_LIMIT, SMALL_FILE_LIMIT + 1, 9 * 1024 * 1024];
      const files = await Promise.all(
        [...sizes, ...Array.from({ length: 40 }, (_, i) => 10_000 + i * 997)].map(async (size, i) => {
          const data = randomBytes(size);
          const file = path.join(dir, `${i}.bin`);
          await fs.writeFile(file, data);
          return { file, data };
        }),
      );
      const found = await Promise.all(files.map(({ file }, i) => (i % 2 ? digestFile(file) : digestFile(file, files[i]?.data.length))));
      expect(found).toEqual(files.map(({ data }) => expected(data)));
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it('hashes a large file in one thread when asked (a caller with a file per core), and only the digests asked for', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'lantai-file-digest-'));
    try {
      const data = randomBytes(SMALL_FILE_LIMIT * 2 + 5);
      const file = path.join(dir, 'big.bin');
      await fs.writeFile(file, data);
      expect(await digestFile(file, data.length, undefined, { oneThreadPerFile: true })).toEqual(expected(data));
      expect(await digestFile(file, data.length, ['sm3'], { oneThreadPerFile: true })).toEqual({ ...expected(data), sha256: '' });
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it('reads past the page cache for a fixity audit (direct) with the same digests, of any size, and falls back where O_DIRECT is refused', async () => {
    // os.tmpdir() is on the disk here; /dev/shm is tmpfs, which refuses O_DIRECT.
    const roots = [os.tmpdir(), ...(await fs.stat('/dev/shm').then(() => ['/dev/shm'], () => []))];
    for (const root of roots) {
      const dir = await fs.mkdtemp(path.join(root, 'lantai-file-digest-'));
      try {
        // Up to past a whole turn of a thread's read-ahead ring (chunks of 2 MiB), ending on a chunk boundary and off it.
        const sizes = [0, 1, 511, 4095, 4097, 1 << 20, (1 << 20) + 3, 3 * (1 << 20) + 17, 8 << 20, (14 << 20) + 5];
        const files = await Promise.all(
          sizes.map(async (size, i) => {
            const data = randomBytes(size);
            const file = path.join(dir, `${i}.bin`);
            await fs.writeFile(file, data);
            return { file, data };
          }),
        );
        const found = await Promise.all(files.map(({ file, data }) => digestFile(file, data.length, undefined, { direct: true })));
        expect(found, root).toEqual(files.map(({ data }) => expected(data)));
        await expect(digestFile(path.join(dir, 'gone.bin'), 10, undefined, { direct: true })).rejects.toMatchObject({ code: 'ENOENT' });
      } finally {
        await fs.rm(dir, { recursive: true, force: true });
      }
    }
  });

  it('rejects with the file system error for a missing file, and keeps working after it', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'lantai-file-digest-'));
    try {
      await expect(digestFile(path.join(dir, 'gone.bin'), 10)).rejects.toMatchObject({ code: 'ENOENT' });
      const data = randomBytes(1234);
      await fs.writeFile(path.join(dir, 'here.bin'), data);
      expect(await digestFile(path.join(dir, 'here.bin'))).toEqual(expected(data));
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
