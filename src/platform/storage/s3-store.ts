/**
 * A BlobStore in an S3-compatible bucket (MinIO, Ceph RGW, cloud object storage).
 *
 * Layout under the store's prefix: `blobs/ab/cd/<sha256>` (fan-out by the first two
 * byte pairs, like the folder store; because every key has its slashes at the same
 * places, the bucket's lexicographic key order is SHA-256 order, which `iterate`
 * relies on) and `tmp/<uuid>` for writes in progress. Bytes are hashed (SHA-256 and
 * SM3) while they stream to a temporary key; only verified bytes are copied, server
 * side, to their final key, so a blob appears whole or not at all. SM3 and the size
 * ride along as object metadata (`x-amz-meta-sm3`, `x-amz-meta-size`).
 * Whatever a killed writer leaves behind (temporary objects, unfinished multipart
 * uploads) lies outside `blobs/` and is swept by `gc` once past the grace period.
 */
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { S3Config } from '../../config.js';
import { platformErrors } from '../http/errors.js';
import type { BlobStat, BlobStore, BytesSource, Digests, GcOptions, GcResult, PutOptions } from './blob-store.js';
import { SHA256_HEX, checkDigests } from './blob-store.js';
import { createDualDigest } from './digest.js';
import { digestFile } from './file-digest.js';
import { createS3Client, isInvalidRange, isMissing, toStorageError } from './s3-client.js';
import { MAX_SINGLE_COPY, MIN_PART_SIZE, copyObject, uploadStream, type S3Target } from './s3-multipart.js';
import { sliceStream } from './s3-range.js';
import { abortStaleUploads, sweepTemporaryObjects } from './s3-sweep.js';

const DAY_MS = 24 * 60 * 60 * 1000;
/** The part of a blob's key after `blobs/`: `ab/cd/<sha256>`. */
const BLOB_KEY = /^([0-9a-f]{2})\/([0-9a-f]{2})\/([0-9a-f]{64})$/;
const ignore = (): void => undefined;

export interface S3StoreOptions {
  name: string;
  bucket: string;
  /** Key prefix inside the bucket ('' for the whole bucket). */
  prefix: string;
  s3: S3Config;
  /** A client to use instead of one built from `s3`; its owner closes it. */
  client?: S3Client;
  /** Bytes per uploaded part (default 16 MiB; at least 5 MiB, the S3 minimum). Memory use is about three parts per write. */
  partSize?: number;
  /** Largest object copied with one CopyObject (default 5 GiB, the S3 limit); larger ones are copied part by part. */
  maxSingleCopy?: number;
  /** Bytes per UploadPartCopy when copying part by part (default 512 MiB). */
  copyPartSize?: number;
  /** Milliseconds since the epoch; lets tests look at the store from a later day. */
  now?: () => number;
}

/**
 * Creates a blob store over an S3 bucket.
 * @example
 * const store = createS3Store({ name: 'replica1', bucket: 'lantai', prefix: 'blobs-a', s3: config.s3 });
 * const { sha256 } = await store.put(fs.createReadStream('scan.pdf'));
 */
export function createS3Store(options: S3StoreOptions): BlobStore {
  const { name, bucket } = options;
  const client = options.client ?? createS3Client(options.s3);
  const ownsClient = options.client === undefined;
  const partSize = Math.max(options.partSize ?? 16 * 1024 * 1024, MIN_PART_SIZE);
  const maxSingleCopy = options.maxSingleCopy ?? MAX_SINGLE_COPY;
  const copyPartSize = Math.max(options.copyPartSize ?? 512 * 1024 * 1024, MIN_PART_SIZE);
  const now = options.now ?? Date.now;

  const base = options.prefix.replace(/^\/+|\/+$/g, '');
  const root = base === '' ? '' : `${base}/`;
  const blobsPrefix = `${root}blobs/`;
  const tmpPrefix = `${root}tmp/`;
  const blobKey = (sha256: string) => `${blobsPrefix}${sha256.slice(0, 2)}/${sha256.slice(2, 4)}/${sha256}`;

  const target: S3Target = {
    client,
    bucket,
    async call(operation) {
      try {
        return await operation();
      } catch (err) {
        throw toStorageError(name, err);
      }
    },
  };
  const { call } = target;

  function shaOfKey(key: string | undefined): string | null {
    const m = key?.startsWith(blobsPrefix) ? BLOB_KEY.exec(key.slice(blobsPrefix.length)) : null;
    if (!m?.[3] || m[3].slice(0, 2) !== m[1] || m[3].slice(2, 4) !== m[2]) return null;
    return m[3];
  }

  function checkKey(sha256: string): void {
    if (!SHA256_HEX.test(sha256)) throw platformErrors.BLOB_NOT_FOUND({ store: name, sha256 });
  }

  async function head(key: string) {
    try {
      return await call(() => client.send(new HeadObjectCommand({ Bucket: bucket, Key: key })));
    } catch (err) {
      if (isMissing(err)) return null;
      throw err;
    }
  }

  /** Best effort: a leftover that cannot be removed now is swept by gc later. */
  async function removeQuietly(key: string): Promise<void> {
    await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key })).catch(ignore);
  }

  /**
   * Streams the source to a new temporary object. With `trusted` digests the bytes are
   * only counted (adopt without verify); otherwise they are hashed on the way and checked
   * against `expect`. On any failure the temporary object is gone before the error is thrown.
   */
  async function writeTemp(source: BytesSource, options: PutOptions & { trusted?: Digests } = {}): Promise<{ tempKey: string; digests: Digests }> {
    const { signal, onProgress, trusted } = options;
    const tempKey = `${tmpPrefix}${randomUUID()}`;
    const digest = trusted ? null : createDualDigest();
    let consumed = 0;
    async function* hashed(): AsyncGenerator<Uint8Array> {
      for await (const chunk of source as AsyncIterable<Uint8Array | string>) {
        signal?.throwIfAborted();
        const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
        await digest?.update(bytes);
        consumed += bytes.byteLength;
        onProgress?.(consumed);
        yield bytes;
      }
      signal?.throwIfAborted();
    }
    try {
      signal?.throwIfAborted();
      await uploadStream(target, tempKey, hashed(), { partSize, signal });
      const digests = digest ? await digest.digest() : { sha256: '', sm3: '', size: consumed };
      checkDigests(digests, trusted ? { size: trusted.size } : options.expect);
      return { tempKey, digests: trusted ?? digests };
    } catch (err) {
      digest?.abort();
      await removeQuietly(tempKey);
      throw err;
    }
  }

  /**
   * Copies a verified temporary object to its final key, then drops it. Without
   * `overwrite`, an object of the same size already there is kept (bit rot in it is
   * for the fixity audit and `replace` to find and repair).
   */
  async function commit(tempKey: string, digests: Digests, overwrite: boolean): Promise<void> {
    const finalKey = blobKey(digests.sha256);
    try {
      if (!overwrite && (await head(finalKey))?.ContentLength === digests.size) return;
      await copyObject(target, tempKey, finalKey, {
        size: digests.size,
        metadata: { sm3: digests.sm3, size: String(digests.size) },
        maxSingleCopy,
        copyPartSize,
      });
    } finally {
      await removeQuietly(tempKey);
    }
  }

  async function* listBlobs(after?: string): AsyncGenerator<BlobStat> {
    const a = after?.toLowerCase() ?? '';
    // Any key of a full digest sorts exactly where the digest does; a partial one is filtered below.
    const startAfter = SHA256_HEX.test(a) ? blobKey(a) : undefined;
    let token: string | undefined;
    do {
      const page = await call(() =>
        client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: blobsPrefix, ...(token ? { ContinuationToken: token } : { StartAfter: startAfter }) })),
      );
      for (const object of page.Contents ?? []) {
        const sha256 = shaOfKey(object.Key);
        if (!sha256 || sha256 <= a) continue;
        yield { sha256, size: object.Size ?? 0, modifiedAt: object.LastModified ?? new Date(0) };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  const store: BlobStore = {
    name,
    kind: 's3',

    async put(source, options = {}) {
      const { tempKey, digests } = await writeTemp(source, options);
      await commit(tempKey, digests, false);
      return digests;
    },

    /** An object is durable once the server acknowledged it: nothing is ever deferred. */
    async sync() {},

    async adopt(localPath, digests, options = {}) {
      if (!SHA256_HEX.test(digests.sha256)) {
        throw platformErrors.BLOB_DIGEST_MISMATCH({ expected: `sha256:${digests.sha256}`, actual: 'sha256:(not a lower-case SHA-256)' });
      }
      const verify = options.verify ?? true;
      const { size } = await fs.stat(localPath);
      if (size !== digests.size) throw platformErrors.BLOB_SIZE_MISMATCH({ expected: digests.size, actual: size });
      const read = () => createReadStream(localPath, { highWaterMark: 1 << 20 });
      if ((await head(blobKey(digests.sha256)))?.ContentLength === digests.size) {
        if (verify) checkDigests(await digestFile(localPath, size), digests);
        return digests;
      }
      const { tempKey } = await writeTemp(read(), verify ? { expect: digests } : { trusted: digests });
      await commit(tempKey, digests, false);
      return digests;
    },

    async replace(sha256, source) {
      checkKey(sha256);
      const { tempKey, digests } = await writeTemp(source, { expect: { sha256 } });
      await commit(tempKey, digests, true);
      return digests;
    },

    async get(sha256, range) {
      checkKey(sha256);
      if (range) {
        const { start, end } = range;
        if (!Number.isSafeInteger(start) || start < 0 || (end !== undefined && (!Number.isSafeInteger(end) || end < start))) {
          throw platformErrors.BLOB_RANGE_INVALID();
        }
      }
      let out;
      try {
        out = await call(() =>
          client.send(new GetObjectCommand({ Bucket: bucket, Key: blobKey(sha256), Range: range ? `bytes=${range.start}-${range.end ?? ''}` : undefined })),
        );
      } catch (err) {
        if (isMissing(err)) throw platformErrors.BLOB_NOT_FOUND({ store: name, sha256 });
        if (isInvalidRange(err)) throw platformErrors.BLOB_RANGE_INVALID();
        throw err;
      }
      const body = out.Body;
      if (!(body instanceof Readable)) throw new Error(`S3 returned no readable body for ${sha256}`);
      if (!range) return body;
      // A server may answer a Range with more than was asked (HTTP allows a 200 with the
      // whole object; s3rver widens `bytes=0-0`), and S3 clamps an end past the object
      // while the contract refuses it: read the served range and the total from the reply.
      const served = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(out.ContentRange ?? '');
      const first = served ? Number(served[1]) : 0;
      const total = served ? Number(served[3]) : (out.ContentLength ?? 0);
      const last = range.end ?? total - 1;
      if (range.start >= total || last >= total) {
        body.destroy();
        throw platformErrors.BLOB_RANGE_INVALID();
      }
      const length = last - range.start + 1;
      if (first > range.start) {
        body.destroy();
        throw platformErrors.STORAGE_UNAVAILABLE({ store: name, reason: `asked for bytes from ${range.start}, served ${out.ContentRange ?? ''}` });
      }
      if (first === range.start && out.ContentLength === length) return body;
      return sliceStream(body, range.start - first, length);
    },

    async stat(sha256) {
      if (!SHA256_HEX.test(sha256)) return null;
      const found = await head(blobKey(sha256));
      return found ? { sha256, size: found.ContentLength ?? 0, modifiedAt: found.LastModified ?? new Date(0) } : null;
    },

    iterate(options = {}) {
      return listBlobs(options.after);
    },

    async gc(isReferenced, options: GcOptions = {}): Promise<GcResult> {
      const cutoff = now() - (options.graceMs ?? DAY_MS);
      const removed: string[] = [];
      let examined = 0;
      for await (const blob of listBlobs()) {
        examined += 1;
        if (blob.modifiedAt.getTime() > cutoff) continue;
        if (await isReferenced(blob.sha256)) continue;
        await call(() => client.send(new DeleteObjectCommand({ Bucket: bucket, Key: blobKey(blob.sha256) })));
        removed.push(blob.sha256);
      }
      await sweepTemporaryObjects(target, tmpPrefix, cutoff);
      await abortStaleUploads(target, [tmpPrefix, blobsPrefix], cutoff);
      return { examined, removed };
    },

    async health() {
      const where = `s3://${bucket}/${base}${options.s3.endpoint ? ` at ${options.s3.endpoint}` : ''}`;
      try {
        await call(() => client.send(new HeadBucketCommand({ Bucket: bucket })));
        return { ok: true, detail: where };
      } catch (err) {
        return { ok: false, detail: `${where}: ${isMissing(err) ? 'the bucket does not exist' : (err as Error).message}` };
      }
    },

    async close() {
      if (ownsClient) client.destroy();
    },
  };
  return store;
}
