/**
 * The BlobStore contract suite: every implementation (folder, S3) runs these same
 * specifications, so a module can rely on the contract whatever store it gets.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BlobStore } from './blob-store.js';

export interface ContractStore {
  store: BlobStore;
  /** Overwrites the stored bytes of a blob behind the store's back (bit rot). */
  corrupt(sha256: string): Promise<void>;
  cleanup(): Promise<void>;
}

const sha256Of = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const sm3Of = (b: Uint8Array) => createHash('sm3').update(b).digest('hex');

async function* chunks(data: Buffer, size = 64 * 1024): AsyncGenerator<Buffer> {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
}

async function* failingAfter(data: Buffer, bytes: number): AsyncGenerator<Buffer> {
  yield data.subarray(0, bytes);
  throw new Error('connection reset by peer');
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

export function describeBlobStoreContract(label: string, makeStore: () => Promise<ContractStore>): void {
  describe(`BlobStore contract: ${label}`, () => {
    let ctx: ContractStore;
    let store: BlobStore;
    beforeEach(async () => {
      ctx = await makeStore();
      store = ctx.store;
    });
    afterEach(async () => {
      await ctx.cleanup();
    });

    it('stores bytes under their SHA-256 and returns SHA-256, SM3 and size computed in one pass', async () => {
      const data = Buffer.from('abc');
      const d = await store.put(Readable.from([data]));
      // GB/T 32905-2016 test vector for SM3("abc").
      expect(d).toEqual({ sha256: sha256Of(data), sm3: '66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0', size: 3 });
      expect(await buffer(await store.get(d.sha256))).toEqual(data);
    });

    it('hashes a stream larger than the inline limit correctly through the digest workers', async () => {
      const data = randomBytes(9 * 1024 * 1024 + 17);
      const d = await store.put(chunks(data, 300_000));
      expect(d).toEqual({ sha256: sha256Of(data), sm3: sm3Of(data), size: data.length });
      expect(sha256Of(await buffer(await store.get(d.sha256)))).toBe(d.sha256);
    });

    it('stores an empty file', async () => {
      const d = await store.put(Readable.from([]));
      expect(d.size).toBe(0);
      expect(d.sha256).toBe(sha256Of(Buffer.alloc(0)));
      expect((await buffer(await store.get(d.sha256))).length).toBe(0);
    });

    it('keeps identical bytes once, whether put one after another or concurrently', async () => {
      const data = randomBytes(5 * 1024 * 1024);
      const results = await Promise.all(Array.from({ length: 4 }, () => store.put(chunks(data))));
      results.push(await store.put(chunks(data)));
      expect(new Set(results.map((r) => r.sha256)).size).toBe(1);
      const all = await collect(store.iterate());
      expect(all.map((b) => b.sha256)).toEqual([sha256Of(data)]);
      expect(sha256Of(await buffer(await store.get(sha256Of(data))))).toBe(sha256Of(data));
    });

    it('serves byte ranges with inclusive ends and refuses ranges past the end', async () => {
      const data = Buffer.from('0123456789');
      const { sha256 } = await store.put(Readable.from([data]));
      expect((await buffer(await store.get(sha256, { start: 2, end: 5 }))).toString()).toBe('2345');
      expect((await buffer(await store.get(sha256, { start: 7 }))).toString()).toBe('789');
      await expect(store.get(sha256, { start: 5, end: 10 })).rejects.toMatchObject({ code: 'BLOB_RANGE_INVALID' });
      await expect(store.get(sha256, { start: 11 })).rejects.toMatchObject({ code: 'BLOB_RANGE_INVALID' });
    });

    it('answers BLOB_NOT_FOUND for a blob it does not hold and null from stat', async () => {
      const missing = sha256Of(Buffer.from('never stored'));
      await expect(store.get(missing)).rejects.toMatchObject({ code: 'BLOB_NOT_FOUND' });
      expect(await store.stat(missing)).toBeNull();
      expect(await store.stat('../../etc/passwd')).toBeNull();
      await expect(store.get('../../etc/passwd')).rejects.toMatchObject({ code: 'BLOB_NOT_FOUND' });
    });

    it('refuses bytes whose digest or size differs from the expected one and keeps nothing', async () => {
      const data = Buffer.from('统一社会信用代码');
      await expect(store.put(Readable.from([data]), { expect: { sha256: sha256Of(Buffer.from('other')) } })).rejects.toMatchObject({
        code: 'BLOB_DIGEST_MISMATCH',
      });
      await expect(store.put(Readable.from([data]), { expect: { sm3: '0'.repeat(64) } })).rejects.toMatchObject({ code: 'BLOB_DIGEST_MISMATCH' });
      await expect(store.put(Readable.from([data]), { expect: { size: 1 } })).rejects.toMatchObject({ code: 'BLOB_SIZE_MISMATCH' });
      expect(await collect(store.iterate())).toEqual([]);
      expect(await store.put(Readable.from([data]), { expect: { sha256: sha256Of(data), sm3: sm3Of(data), size: data.length } })).toMatchObject({
        sha256: sha256Of(data),
      });
    });

    it('leaves nothing behind when the source stream fails halfway', async () => {
      const data = randomBytes(6 * 1024 * 1024);
      await expect(store.put(failingAfter(data, 5 * 1024 * 1024))).rejects.toThrow('connection reset by peer');
      expect(await collect(store.iterate())).toEqual([]);
      expect(await store.stat(sha256Of(data.subarray(0, 5 * 1024 * 1024)))).toBeNull();
    });

    it('leaves nothing behind when the put is aborted', async () => {
      const controller = new AbortController();
      const data = randomBytes(2 * 1024 * 1024);
      async function* slow(): AsyncGenerator<Buffer> {
        yield data.subarray(0, 1024 * 1024);
        controller.abort();
        yield data.subarray(1024 * 1024);
      }
      await expect(store.put(slow(), { signal: controller.signal })).rejects.toThrow();
      expect(await collect(store.iterate())).toEqual([]);
    });

    it('lists blobs in SHA-256 order and resumes a listing after a given digest', async () => {
      const digests: string[] = [];
      for (let i = 0; i < 12; i++) digests.push((await store.put(Readable.from([Buffer.from(`档案 ${i}`)]))).sha256);
      digests.sort();
      const all = await collect(store.iterate());
      expect(all.map((b) => b.sha256)).toEqual(digests);
      expect(all.every((b) => b.size > 0 && b.modifiedAt instanceof Date)).toBe(true);
      const rest = await collect(store.iterate({ after: digests[4] }));
      expect(rest.map((b) => b.sha256)).toEqual(digests.slice(5));
      expect((await store.stat(digests[0] ?? ''))?.size).toBeGreaterThan(0);
    });

    it('adopts a local file with verified digests and refuses one whose digests are wrong', async () => {
      const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'lantai-adopt-'));
      try {
        const data = randomBytes(100_000);
        const file = path.join(dir, 'staged.bin');
        await fs.writeFile(file, data);
        const digests = { sha256: sha256Of(data), sm3: sm3Of(data), size: data.length };
        await expect(store.adopt(file, { ...digests, sm3: '1'.repeat(64) })).rejects.toMatchObject({ code: 'BLOB_DIGEST_MISMATCH' });
        await expect(store.adopt(file, { ...digests, size: 5 })).rejects.toMatchObject({ code: 'BLOB_SIZE_MISMATCH' });
        expect(await store.stat(digests.sha256)).toBeNull();
        expect(await store.adopt(file, digests)).toEqual(digests);
        expect(sha256Of(await buffer(await store.get(digests.sha256)))).toBe(digests.sha256);
        // Adopting the same bytes again is a no-op.
        expect(await store.adopt(file, digests)).toEqual(digests);
      } finally {
        await fs.rm(dir, { recursive: true, force: true });
      }
    });

    it('repairs a damaged blob with replace and never installs bytes of another digest', async () => {
      const data = randomBytes(300_000);
      const { sha256 } = await store.put(Readable.from([data]));
      await ctx.corrupt(sha256);
      expect(sha256Of(await buffer(await store.get(sha256)))).not.toBe(sha256);
      await expect(store.replace(sha256, Readable.from([randomBytes(300_000)]))).rejects.toMatchObject({ code: 'BLOB_DIGEST_MISMATCH' });
      const repaired = await store.replace(sha256, chunks(data));
      expect(repaired).toEqual({ sha256, sm3: sm3Of(data), size: data.length });
      expect(sha256Of(await buffer(await store.get(sha256)))).toBe(sha256);
      expect((await collect(store.iterate())).map((b) => b.sha256)).toEqual([sha256]);
    });

    it('collects only old blobs that nobody references', async () => {
      const keep = (await store.put(Readable.from([Buffer.from('全宗 J001')]))).sha256;
      const drop = (await store.put(Readable.from([Buffer.from('orphan of an interrupted accept')]))).sha256;
      const fresh = await store.gc(async () => false);
      expect(fresh.removed).toEqual([]);
      const asked: string[] = [];
      const result = await store.gc(
        async (sha256) => {
          asked.push(sha256);
          return sha256 === keep;
        },
        { graceMs: 0 },
      );
      expect(result.removed).toEqual([drop]);
      expect(asked.sort()).toEqual([keep, drop].sort());
      expect(await store.stat(keep)).not.toBeNull();
      expect(await store.stat(drop)).toBeNull();
    });

    it('reports its health', async () => {
      expect(await store.health()).toMatchObject({ ok: true });
    });
  });
}
