/**
 * The S3 client the S3 blob store talks through, and how its failures map onto
 * the platform's error catalog.
 *
 * S3-compatible servers (MinIO, Ceph RGW, most clouds other than AWS) reject or
 * mis-handle the flexible checksums that SDK releases since early 2025 add to every
 * request, so checksums are only sent and checked where the S3 API requires them.
 * Credentials are not handled here: the SDK reads the standard AWS_* variables itself.
 */
import { S3Client } from '@aws-sdk/client-s3';
import type { S3Config } from '../../config.js';
import { LantaiError, platformErrors } from '../http/errors.js';

export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/**
 * Builds a client for an S3-compatible endpoint.
 * @example
 * const client = createS3Client(config.s3);
 */
export function createS3Client(s3: S3Config, credentials?: S3Credentials): S3Client {
  return new S3Client({
    ...(s3.endpoint === undefined ? {} : { endpoint: s3.endpoint }),
    region: s3.region,
    forcePathStyle: s3.forcePathStyle,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    ...(credentials ? { credentials } : {}),
  });
}

interface S3ErrorShape {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

function shape(err: unknown): S3ErrorShape {
  return typeof err === 'object' && err !== null ? (err as S3ErrorShape) : {};
}

/** Answers the caller handles itself: a missing key or upload, a range past the end. */
const EXPECTED = new Set(['NotFound', 'NoSuchKey', 'NoSuchUpload', 'InvalidRange']);
/** Out-of-space answers of common S3-compatible servers (Ceph, MinIO, generic). */
const FULL = new Set(['QuotaExceeded', 'XMinioStorageFull', 'InsufficientStorage']);

/** True when an S3 call failed because the object (or upload) does not exist. */
export function isMissing(err: unknown): boolean {
  const { name } = shape(err);
  return name === 'NotFound' || name === 'NoSuchKey' || name === 'NoSuchUpload';
}

export function isInvalidRange(err: unknown): boolean {
  return shape(err).name === 'InvalidRange';
}

/**
 * Maps a failed S3 call onto the catalog: out of space → STORAGE_FULL; anything else
 * the server or the network said (refused connection, timeout, 5xx, bad credentials,
 * missing bucket) → STORAGE_UNAVAILABLE with the reason. Aborts and the answers in
 * EXPECTED pass through unchanged for the caller to handle.
 */
export function toStorageError(store: string, err: unknown): Error {
  if (err instanceof LantaiError) return err;
  const e = shape(err);
  if (e.name === 'AbortError' || EXPECTED.has(e.name ?? '')) return err instanceof Error ? err : new Error(String(err));
  if (FULL.has(e.name ?? '') || e.$metadata?.httpStatusCode === 507) return platformErrors.STORAGE_FULL({ store });
  const status = e.$metadata?.httpStatusCode;
  const what = [e.code ?? e.name, status ? `HTTP ${status}` : undefined, e.message].filter(Boolean).join(': ');
  return platformErrors.STORAGE_UNAVAILABLE({ store, reason: what || String(err) });
}
