/**
 * What gc sweeps besides unreferenced blobs: the leftovers of writers that died
 * (a killed process, a lost connection) before they could clean up after themselves.
 * Both live outside `blobs/`, so no reader ever sees them; sweeping only reclaims space.
 */
import { DeleteObjectCommand, ListMultipartUploadsCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { isMissing } from './s3-client.js';
import { abortUpload, type S3Target } from './s3-multipart.js';

/** Deletes the temporary objects under `tmpPrefix` last written at or before `cutoff` (ms since the epoch). */
export async function sweepTemporaryObjects(target: S3Target, tmpPrefix: string, cutoff: number): Promise<void> {
  const { client, bucket, call } = target;
  let token: string | undefined;
  do {
    const page = await call(() => client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: tmpPrefix, ContinuationToken: token })));
    for (const object of page.Contents ?? []) {
      const key = object.Key;
      if (key && (object.LastModified?.getTime() ?? 0) <= cutoff) {
        await call(() => client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key })));
      }
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
}

/**
 * Aborts the multipart uploads under each prefix begun at or before `cutoff`: uploads
 * to tmp/ of a stream whose writer died, and part-by-part copies to blobs/ that
 * never completed. Parts of an unfinished upload are invisible but billed and kept
 * by the server until aborted.
 */
export async function abortStaleUploads(target: S3Target, prefixes: readonly string[], cutoff: number): Promise<void> {
  const { client, bucket, call } = target;
  for (const prefix of prefixes) {
    let keyMarker: string | undefined;
    let uploadIdMarker: string | undefined;
    do {
      const page = await call(() =>
        client.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: prefix, KeyMarker: keyMarker, UploadIdMarker: uploadIdMarker })),
      );
      for (const upload of page.Uploads ?? []) {
        if (upload.Key && upload.UploadId && (upload.Initiated?.getTime() ?? 0) <= cutoff) {
          // Another gc, or the writer itself, may have aborted it meanwhile.
          await abortUpload(target, upload.Key, upload.UploadId).catch((err: unknown) => {
            if (!isMissing(err)) throw err;
          });
        }
      }
      keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
      uploadIdMarker = page.IsTruncated ? page.NextUploadIdMarker : undefined;
    } while (keyMarker);
  }
}
