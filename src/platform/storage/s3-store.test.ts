import { createHash, randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import {
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BlobStore } from './blob-store.js';
import { describeBlobStoreContract } from './blob-store.contract.js';
import { closeDigestWorkers } from './digest.js';
import { createS3Client } from './s3-client.js';
import { MIN_PART_SIZE } from './s3-multipart.js';
import { createS3Store, type S3StoreOptions } from './s3-store.js';
import { startS3Server, type TestS3Server } from './test-support/s3-server.js';

const DAY_MS = 24 * 60 * 60 * 1000;

let server: TestS3Server;
let client: S3Client;

beforeAll(async () => {
  server = await startS3Server();
  client = createS3Client(server.s3, server.credentials);
});

afterAll(async () => {
  client.destroy();
  await server.stop();
  await closeDigestWorkers();
});

const sha256Of = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const sm3Of = (b: Uint8Array) => createHash('sm3').update(b).digest('hex');
const blobKey = (prefix: string, sha256: string) => `${prefix}/blobs/${sha256.slice(0, 2)}/${sha256.slice(2, 4)}/${sha256}`;

/** A store on a prefix of its own, with 5 MiB parts so a few MiB already take the multipart path. */
function makeStore(extra: Partial<S3StoreOptions> = {}): { store: BlobStore; prefix: string } {
  const prefix = extra.prefix ?? `store-${randomUUID()}`;
  const store = createS3Store({ name: 'replica1', bucket: server.bucket, prefix, s3: server.s3, client, partSize: MIN_PART_SIZE, ...extra });
  return { store, prefix };
}

async function keysUnder(prefix: string): Promise<string[]> {
  const page = await client.send(new ListObjectsV2Command({ Bucket: server.bucket, Prefix: `${prefix}/` }));
  return (page.Contents ?? []).map((o) => o.Key ?? '');
}

async function uploadsUnder(prefix: string): Promise<string[]> {
  const page = await client.send(new ListMultipartUploadsCommand({ Bucket: server.bucket, Prefix: `${prefix}/` }));
  return (page.Uploads ?? []).map((u) => u.Key ?? '');
}

async function* chunks(data: Buffer, size = 256 * 1024): AsyncGenerator<Buffer> {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
}

describeBlobStoreContract('s3 (s3rver)', async () => {
  const { store, prefix } = makeStore();
  return {
    store,
    async corrupt(sha256) {
      const key = blobKey(prefix, sha256);
      const object = await client.send(new GetObjectCommand({ Bucket: server.bucket, Key: key }));
      const bytes = Buffer.from((await object.Body?.transformToByteArray()) ?? []);
      bytes.write('bit rot', 10);
      await client.send(new PutObjectCommand({ Bucket: server.bucket, Key: key, Body: bytes }));
    },
    cleanup: () => store.close(),
  };
});

describe('S3 store', () => {
  it('keeps a blob at <prefix>/blobs/ab/cd/<sha256> with its SM3 and size in the object metadata, and nothing else', async () => {
    const { store, prefix } = makeStore();
    const data = randomBytes(7 * 1024 * 1024);
    const { sha256 } = await store.put(chunks(data));
    expect(await keysUnder(prefix)).toEqual([blobKey(prefix, sha256)]);
    const head = await client.send(new HeadObjectCommand({ Bucket: server.bucket, Key: blobKey(prefix, sha256) }));
    expect(head.Metadata).toEqual({ sm3: sm3Of(data), size: String(data.length) });
    expect(await uploadsUnder(prefix)).toEqual([]);
  });

  it('removes its temporary object and aborts its multipart upload when the source fails after some parts', async () => {
    const { store, prefix } = makeStore();
    const data = randomBytes(12 * 1024 * 1024);
    async function* failing(): AsyncGenerator<Buffer> {
      yield* chunks(data.subarray(0, 11 * 1024 * 1024));
      throw new Error('connection reset by peer');
    }
    await expect(store.put(failing())).rejects.toThrow('connection reset by peer');
    expect(await keysUnder(prefix)).toEqual([]);
    expect(await uploadsUnder(prefix)).toEqual([]);
  });

  it('removes its temporary object when the bytes do not match the expected digest', async () => {
    const { store, prefix } = makeStore();
    const data = randomBytes(6 * 1024 * 1024);
    await expect(store.put(chunks(data), { expect: { sm3: '0'.repeat(64) } })).rejects.toMatchObject({ code: 'BLOB_DIGEST_MISMATCH' });
    expect(await keysUnder(prefix)).toEqual([]);
    expect(await uploadsUnder(prefix)).toEqual([]);
  });

  it('aborts the multipart upload and keeps nothing when the caller aborts mid-stream', async () => {
    const { store, prefix } = makeStore();
    const controller = new AbortController();
    const data = randomBytes(16 * 1024 * 1024);
    async function* aborting(): AsyncGenerator<Buffer> {
      yield* chunks(data.subarray(0, 11 * 1024 * 1024));
      controller.abort();
      yield* chunks(data.subarray(11 * 1024 * 1024));
    }
    await expect(store.put(aborting(), { signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' });
    expect(await keysUnder(prefix)).toEqual([]);
    expect(await uploadsUnder(prefix)).toEqual([]);
  });

  it('copies a blob larger than the single-copy limit part by part, metadata included', async () => {
    const { store, prefix } = makeStore({ maxSingleCopy: 6 * 1024 * 1024, copyPartSize: MIN_PART_SIZE });
    const data = randomBytes(13 * 1024 * 1024 + 5);
    const digests = await store.put(chunks(data));
    expect(sha256Of(await buffer(await store.get(digests.sha256)))).toBe(digests.sha256);
    const head = await client.send(new HeadObjectCommand({ Bucket: server.bucket, Key: blobKey(prefix, digests.sha256) }));
    expect(head.Metadata?.sm3).toBe(digests.sm3);
    expect(await keysUnder(prefix)).toEqual([blobKey(prefix, digests.sha256)]);
    expect(await uploadsUnder(prefix)).toEqual([]);
  });

  it('sweeps temporary objects and multipart uploads left by dead writers once they are past the grace period', async () => {
    const { store, prefix } = makeStore();
    const kept = await store.put(Readable.from([Buffer.from('全宗 J001 目录')]));
    await client.send(new PutObjectCommand({ Bucket: server.bucket, Key: `${prefix}/tmp/${randomUUID()}`, Body: 'half a scan' }));
    const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: server.bucket, Key: `${prefix}/tmp/${randomUUID()}` }));
    await client.send(new UploadPartCommand({ Bucket: server.bucket, Key: `${prefix}/tmp/x`, UploadId, PartNumber: 1, Body: randomBytes(1024) }));
    const stranger = `elsewhere-${randomUUID()}`;
    await client.send(new CreateMultipartUploadCommand({ Bucket: server.bucket, Key: `${stranger}/tmp/upload` }));

    await store.gc(async () => false);
    expect(await keysUnder(prefix)).toHaveLength(2);
    expect(await uploadsUnder(prefix)).toHaveLength(1);

    const twoDaysLater = makeStore({ prefix, now: () => Date.now() + 2 * DAY_MS }).store;
    const result = await twoDaysLater.gc(async (sha256) => sha256 === kept.sha256);
    expect(result).toEqual({ examined: 1, removed: [] });
    expect(await keysUnder(prefix)).toEqual([blobKey(prefix, kept.sha256)]);
    expect(await uploadsUnder(prefix)).toEqual([]);
    expect(await uploadsUnder(stranger)).toEqual([`${stranger}/tmp/upload`]);
  });

  it('serves one-byte ranges exactly, even where the server widens them', async () => {
    const { store } = makeStore();
    const { sha256 } = await store.put(Readable.from([Buffer.from('0123456789')]));
    expect((await buffer(await store.get(sha256, { start: 0, end: 0 }))).toString()).toBe('0');
    expect((await buffer(await store.get(sha256, { start: 9, end: 9 }))).toString()).toBe('9');
    await expect(store.get(sha256, { start: 4, end: 3 })).rejects.toMatchObject({ code: 'BLOB_RANGE_INVALID' });
  });

  it('creates a missing blob with replace and leaves a damaged one untouched when the new bytes are wrong', async () => {
    const { store, prefix } = makeStore();
    const data = Buffer.from('案卷 Z109-WS·2011-Y-BGS-0001');
    const sha256 = sha256Of(data);
    await expect(store.replace(sha256, Readable.from([Buffer.from('other bytes')]))).rejects.toMatchObject({ code: 'BLOB_DIGEST_MISMATCH' });
    expect(await keysUnder(prefix)).toEqual([]);
    expect(await store.replace(sha256, Readable.from([data]))).toEqual({ sha256, sm3: sm3Of(data), size: data.length });
    expect(await buffer(await store.get(sha256))).toEqual(data);
  });

  it('adopts a staged file without re-hashing when told not to verify, still checking its size', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'lantai-s3-adopt-'));
    try {
      const { store, prefix } = makeStore();
      const data = randomBytes(200_000);
      const file = path.join(dir, 'staged.bin');
      await fs.writeFile(file, data);
      const digests = { sha256: sha256Of(data), sm3: sm3Of(data), size: data.length };
      await expect(store.adopt(file, { ...digests, size: 1 }, { verify: false })).rejects.toMatchObject({ code: 'BLOB_SIZE_MISMATCH' });
      expect(await store.adopt(file, digests, { verify: false })).toEqual(digests);
      const head = await client.send(new HeadObjectCommand({ Bucket: server.bucket, Key: blobKey(prefix, digests.sha256) }));
      expect(head.Metadata?.sm3).toBe(digests.sm3);
      expect(await keysUnder(prefix)).toEqual([blobKey(prefix, digests.sha256)]);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it('walks a listing past the first page of 1,000 keys, in SHA-256 order, and resumes after a digest', async () => {
    const { store, prefix } = makeStore();
    const digests = Array.from({ length: 1005 }, () => sha256Of(randomBytes(8))).sort();
    const queue = [...digests];
    const writer = async () => {
      for (let sha256 = queue.pop(); sha256; sha256 = queue.pop()) {
        await client.send(new PutObjectCommand({ Bucket: server.bucket, Key: blobKey(prefix, sha256), Body: sha256 }));
      }
    };
    await Promise.all(Array.from({ length: 16 }, writer));
    const listed: string[] = [];
    for await (const blob of store.iterate()) listed.push(blob.sha256);
    expect(listed).toEqual(digests);
    const rest: string[] = [];
    for await (const blob of store.iterate({ after: digests[999] })) rest.push(blob.sha256);
    expect(rest).toEqual(digests.slice(1000));
  });

  it('streams a blob many times its part size with memory that does not grow with the blob', async () => {
    const { store } = makeStore();
    const chunk = randomBytes(1024 * 1024);
    const size = 320 * 1024 * 1024;
    async function* generated(): AsyncGenerator<Buffer> {
      for (let sent = 0; sent < size; sent += chunk.length) yield chunk;
    }
    // Buffers live outside the JS heap: arrayBuffers counts them, shared ones included.
    const before = process.memoryUsage().arrayBuffers;
    let peak = before;
    const d = await store.put(generated(), { onProgress: () => (peak = Math.max(peak, process.memoryUsage().arrayBuffers)) });
    expect(d.size).toBe(size);
    // Parts of 5 MiB, one filling and one in flight, plus the hashers' batches: far below the 320 MiB streamed.
    expect((peak - before) / 2 ** 20).toBeLessThan(128);
  });

  it('answers STORAGE_UNAVAILABLE and reports ill health when the endpoint does not answer', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const s3 = { endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', forcePathStyle: true };
    const deadClient = createS3Client(s3, server.credentials);
    const store = createS3Store({ name: 'replica1', bucket: server.bucket, prefix: 'p', s3, client: deadClient });
    try {
      await expect(store.put(Readable.from([Buffer.from('x')]))).rejects.toMatchObject({ code: 'STORAGE_UNAVAILABLE' });
      await expect(store.stat(sha256Of(Buffer.from('x')))).rejects.toMatchObject({ code: 'STORAGE_UNAVAILABLE' });
      await expect(store.get(sha256Of(Buffer.from('x')))).rejects.toMatchObject({ code: 'STORAGE_UNAVAILABLE' });
      expect(await store.health()).toMatchObject({ ok: false });
    } finally {
      deadClient.destroy();
    }
  });

  it('reports ill health and refuses writes when the bucket does not exist', async () => {
    const store = createS3Store({ name: 'replica1', bucket: 'no-such-bucket', prefix: 'p', s3: server.s3, client });
    expect(await store.health()).toEqual({ ok: false, detail: expect.stringContaining('the bucket does not exist') });
    await expect(store.put(Readable.from([Buffer.from('x')]))).rejects.toMatchObject({ code: 'STORAGE_UNAVAILABLE' });
  });
});
