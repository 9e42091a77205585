/**
 * The BlobStore contract (DESIGN.md "Interfaces every module relies on").
 *
 * Blobs are content-addressed by SHA-256 (lower-case hex); SM3 (GB/T 32905) is
 * computed in the same streaming pass because Chinese archives must record it.
 * There is no public delete: the only ways bytes leave a store are `gc`, which
 * asks the caller whether each old blob is still referenced, and `replace`,
 * which swaps a damaged copy for verified bytes.
 */
import type { Readable } from 'node:stream';
import { platformErrors } from '../http/errors.js';

export interface Digests {
  sha256: string;
  sm3: string;
  size: number;
}

export interface BlobStat {
  sha256: string;
  size: number;
  /** When the bytes were last written (put, adopt or replace). */
  modifiedAt: Date;
}

export interface ByteRange {
  /** First byte, inclusive. */
  start: number;
  /** Last byte, inclusive (HTTP Range semantics); defaults to the end of the blob. */
  end?: number;
}

export interface PutOptions {
  /** Refuse the bytes (and keep nothing) unless they have these digests/size. */
  expect?: Partial<Digests>;
  /** Aborts the write; nothing is left behind. */
  signal?: AbortSignal;
  /** Called with the number of bytes consumed so far (for progress bars). */
  onProgress?: (bytes: number) => void;
}

export interface AdoptOptions {
  /** Recompute SHA-256 and SM3 and compare them with the digests given (default true). */
  verify?: boolean;
  /** Leave durability to the next `sync()` (batch accession). */
  deferSync?: boolean;
}

export interface GcOptions {
  /** Only blobs older than this many milliseconds are considered (default 24 h), so a put whose transaction is still open is never collected. */
  graceMs?: number;
}

export interface GcResult {
  examined: number;
  removed: string[];
}

export interface StoreHealth {
  ok: boolean;
  detail: string;
}

export type BytesSource = Readable | AsyncIterable<Uint8Array>;

export interface BlobStore {
  readonly name: string;
  readonly kind: 'folder' | 's3';
  /**
   * Streams bytes in, hashing SHA-256 and SM3 on the way, and stores them under
   * their SHA-256. Storing bytes that are already there is a no-op that returns the
   * same digests. A failed or aborted put leaves nothing visible.
   */
  put(source: BytesSource, options?: PutOptions): Promise<Digests>;
  /**
   * Takes a local file whose digests the caller computed (e.g. a staged upload)
   * into the store: rename or hard link on the same filesystem, copy otherwise.
   * The size is always checked; with `verify` (default) the digests are recomputed.
   * With `deferSync` the blob is in place but may not survive a power cut until the
   * next `sync()`: many adopts then cost one flush instead of several fsyncs each.
   */
  adopt(localPath: string, digests: Digests, options?: AdoptOptions): Promise<Digests>;
  /** Makes every blob adopted with `deferSync` durable. Call it before recording references to them. */
  sync(): Promise<void>;
  /**
   * Repairs a blob: writes the new bytes aside, verifies that they hash to
   * `sha256`, then swaps them in. Works whether the old copy is damaged or missing.
   */
  replace(sha256: string, source: BytesSource): Promise<Digests>;
  /** Reads a blob, or a byte range of it. Throws BLOB_NOT_FOUND / BLOB_RANGE_INVALID. */
  get(sha256: string, range?: ByteRange): Promise<Readable>;
  /**
   * Where a folder store keeps a blob on local disk (whether or not it is there), so a
   * fixity audit can hash it in a worker thread without streaming it through the event
   * loop. Absent on stores without local files (S3).
   */
  localPath?(sha256: string): string;
  /** Size and time of a blob, or null when the store does not hold it. */
  stat(sha256: string): Promise<BlobStat | null>;
  /** Every blob in ascending SHA-256 order, starting after `after` (exclusive) so a long walk can resume. */
  iterate(options?: { after?: string }): AsyncIterable<BlobStat>;
  /** Removes blobs older than the grace period for which `isReferenced` answers false. */
  gc(isReferenced: (sha256: string) => Promise<boolean>, options?: GcOptions): Promise<GcResult>;
  health(): Promise<StoreHealth>;
  close(): Promise<void>;
}

export const SHA256_HEX = /^[0-9a-f]{64}$/;

/** Throws BLOB_SIZE_MISMATCH / BLOB_DIGEST_MISMATCH unless `actual` has what `expect` names. */
export function checkDigests(actual: Digests, expect: Partial<Digests> | undefined): void {
  if (!expect) return;
  if (expect.size !== undefined && expect.size !== actual.size) {
    throw platformErrors.BLOB_SIZE_MISMATCH({ expected: expect.size, actual: actual.size });
  }
  for (const algorithm of ['sha256', 'sm3'] as const) {
    const want = expect[algorithm];
    if (want !== undefined && want.toLowerCase() !== actual[algorithm]) {
      throw platformErrors.BLOB_DIGEST_MISMATCH({ expected: `${algorithm}:${want}`, actual: `${algorithm}:${actual[algorithm]}` });
    }
  }
}
