/**
 * Streaming uploads and server-side copies for the S3 blob store.
 *
 * Uploads go part by part so memory stays bounded whatever the size of the file
 * (one part filling while the previous one is sent); copies use CopyObject up to
 * the 5 GiB S3 limit and UploadPartCopy above it. A failed or aborted multipart
 * upload is aborted here, so nothing appears at the target key; an upload that
 * could not even be aborted (the server went away) is left to `gc`, which aborts
 * stale uploads under the store's prefix.
 */
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  UploadPartCommand,
  UploadPartCopyCommand,
  type CompletedPart,
  type S3Client,
} from '@aws-sdk/client-s3';

/** S3 limits: parts per upload, smallest part but the last, largest single copy. */
export const MAX_PARTS = 10_000;
export const MIN_PART_SIZE = 5 * 1024 * 1024;
export const MAX_SINGLE_COPY = 5 * 1024 * 1024 * 1024;

export interface S3Target {
  client: S3Client;
  bucket: string;
  /** Runs one S3 call and maps its failure onto the error catalog. */
  call<T>(operation: () => Promise<T>): Promise<T>;
}

/**
 * Parts grow once half the part numbers are used, so a stream of unknown length can
 * reach ~700 GiB with 16 MiB parts while memory stays at a few parts.
 */
function partSizeFor(partNumber: number, base: number): number {
  return partNumber <= MAX_PARTS / 2 ? base : base * 8;
}

const ignore = (): void => undefined;

/** Copy sources are URL-encoded `bucket/key`; each key segment is encoded, the slashes kept. */
export function copySource(bucket: string, key: string): string {
  return `${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;
}

export async function abortUpload(target: S3Target, key: string, uploadId: string): Promise<void> {
  await target.call(() => target.client.send(new AbortMultipartUploadCommand({ Bucket: target.bucket, Key: key, UploadId: uploadId })));
}

/**
 * Streams bytes to `key`: a single PutObject when they fit in one part, a multipart
 * upload otherwise. On any failure (source, network, abort) the multipart upload is
 * aborted before the error is rethrown unchanged.
 */
export async function uploadStream(
  target: S3Target,
  key: string,
  source: AsyncIterable<Uint8Array>,
  options: { partSize: number; signal?: AbortSignal },
): Promise<void> {
  const { client, bucket, call } = target;
  const http = { abortSignal: options.signal };
  const parts: CompletedPart[] = [];
  let uploadId: string | undefined;
  let inFlight: Promise<void> | undefined;
  let partNumber = 0;
  let part = Buffer.allocUnsafe(partSizeFor(1, options.partSize));
  let filled = 0;

  const sendPart = async (id: string, number: number, body: Buffer): Promise<void> => {
    const { ETag } = await call(() =>
      client.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId: id, PartNumber: number, Body: body, ContentLength: body.byteLength }), http),
    );
    if (!ETag) throw new Error(`S3 returned no ETag for part ${number} of ${key}`);
    parts.push({ PartNumber: number, ETag });
  };

  // Sends the full part buffer; waits for the previous part first, so at most one is in flight.
  const flush = async (): Promise<void> => {
    await inFlight;
    uploadId ??= (await call(() => client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }), http))).UploadId;
    if (!uploadId) throw new Error(`S3 returned no upload id for ${key}`);
    partNumber += 1;
    if (partNumber >= MAX_PARTS) throw new Error(`${key} needs more than ${MAX_PARTS} parts`);
    inFlight = sendPart(uploadId, partNumber, part);
    inFlight.catch(ignore); // awaited later; this only keeps the rejection from being reported as unhandled meanwhile
    part = Buffer.allocUnsafe(partSizeFor(partNumber + 1, options.partSize));
    filled = 0;
  };

  try {
    for await (const chunk of source) {
      let offset = 0;
      while (offset < chunk.byteLength) {
        const n = Math.min(part.byteLength - filled, chunk.byteLength - offset);
        part.set(chunk.subarray(offset, offset + n), filled);
        filled += n;
        offset += n;
        if (filled === part.byteLength) await flush();
      }
    }
    if (uploadId === undefined) {
      const body = part.subarray(0, filled);
      await call(() => client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentLength: filled }), http));
      return;
    }
    await inFlight;
    if (filled > 0) await sendPart(uploadId, partNumber + 1, part.subarray(0, filled));
    const id = uploadId;
    parts.sort((a, b) => (a.PartNumber ?? 0) - (b.PartNumber ?? 0));
    await call(() =>
      client.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: id, MultipartUpload: { Parts: parts } }), http),
    );
  } catch (err) {
    await inFlight?.catch(ignore);
    if (uploadId !== undefined) await abortUpload(target, key, uploadId).catch(ignore);
    throw err;
  }
}

export interface CopyOptions {
  size: number;
  metadata: Record<string, string>;
  /** Largest object copied in one CopyObject call (S3: 5 GiB). */
  maxSingleCopy: number;
  /** Range per UploadPartCopy above that (grown when 10,000 parts would not do). */
  copyPartSize: number;
}

/**
 * Server-side copy of `from` to `to` with new metadata. The target key shows the new
 * object only once the copy is complete (S3 objects appear atomically).
 */
export async function copyObject(target: S3Target, from: string, to: string, options: CopyOptions): Promise<void> {
  const { client, bucket, call } = target;
  const common = { Bucket: bucket, Key: to, ContentType: 'application/octet-stream', Metadata: options.metadata };
  if (options.size <= options.maxSingleCopy) {
    await call(() => client.send(new CopyObjectCommand({ ...common, CopySource: copySource(bucket, from), MetadataDirective: 'REPLACE' })));
    return;
  }
  const { UploadId: uploadId } = await call(() => client.send(new CreateMultipartUploadCommand(common)));
  if (!uploadId) throw new Error(`S3 returned no upload id for ${to}`);
  try {
    const partSize = Math.max(options.copyPartSize, Math.ceil(options.size / MAX_PARTS));
    const ranges: Array<{ number: number; first: number; last: number }> = [];
    for (let first = 0; first < options.size; first += partSize) {
      ranges.push({ number: ranges.length + 1, first, last: Math.min(first + partSize, options.size) - 1 });
    }
    const parts: CompletedPart[] = [];
    const copyPart = async (range: { number: number; first: number; last: number }): Promise<void> => {
      const { CopyPartResult } = await call(() =>
        client.send(
          new UploadPartCopyCommand({
            Bucket: bucket,
            Key: to,
            UploadId: uploadId,
            PartNumber: range.number,
            CopySource: copySource(bucket, from),
            CopySourceRange: `bytes=${range.first}-${range.last}`,
          }),
        ),
      );
      if (!CopyPartResult?.ETag) throw new Error(`S3 returned no ETag for copied part ${range.number} of ${to}`);
      parts.push({ PartNumber: range.number, ETag: CopyPartResult.ETag });
    };
    // A few part copies at once (each is a server-side job of seconds); the first failure
    // stops the others from starting new ones, and all settle before the upload is aborted.
    let failure: { error: unknown } | undefined;
    const worker = async (): Promise<void> => {
      for (let range = ranges.shift(); range && !failure; range = ranges.shift()) {
        await copyPart(range).catch((error: unknown) => {
          failure ??= { error };
        });
      }
    };
    await Promise.all(Array.from({ length: Math.min(4, ranges.length) }, worker));
    if (failure) throw failure.error;
    parts.sort((a, b) => (a.PartNumber ?? 0) - (b.PartNumber ?? 0));
    await call(() => client.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: to, UploadId: uploadId, MultipartUpload: { Parts: parts } })));
  } catch (err) {
    await abortUpload(target, to, uploadId).catch(ignore);
    throw err;
  }
}
