/**
 * Sending one package through the filing API's resumable uploads (uploads.ts): the
 * SHA-256 of the whole is declared first, then chunks go from the byte the server
 * already has, each with its own SHA-256. A chunk refused for its offset or digest,
 * a server error or a lost connection is retried from where the server says it is;
 * a run that stops for good is resumed by the next run with the same hand-over.
 */
import { createHash } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { LantaiError } from '../../platform/http/errors.js';
import type { FilingClient, UploadState } from './cli-client.js';
import { transferCliErrors } from './cli-errors.js';
import type { PackageSource } from './cli-package.js';
import type { TransferProgress } from './cli-progress.js';

export interface UploadHooks {
  progress: TransferProgress;
  signal?: AbortSignal;
  /** Bytes per chunk, at most what the server offers (its `chunkSize`). */
  chunkSize?: number;
  /** Waits before each retry of a failed chunk; as many retries as entries. */
  retryDelays?: readonly number[];
  /** Called after each chunk the server acknowledged. */
  onChunk?(state: UploadState): void;
}

export interface PackageDigest {
  size: number;
  sha256: string;
}

export interface SentPackage {
  fileId: string;
  /** Bytes the server already had when this run began. */
  resumedFrom: number;
  /** Bytes this run sent. */
  sent: number;
}

const DEFAULT_RETRY_DELAYS = [1_000, 5_000, 15_000];

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** Follows a folder's files on the progress bars. */
const fileProgress = (progress: TransferProgress) => (entry: { path: string; size: number }, done: number) => progress.file(entry.path, entry.size, done);

/** Reads the whole package once: its size and the SHA-256 the upload declares. */
export async function digestPackage(source: PackageSource, progress: TransferProgress, signal?: AbortSignal): Promise<PackageDigest> {
  const hash = createHash('sha256');
  let size = 0;
  progress.phase('校验 / hashing', source.estimatedSize);
  for await (const chunk of source.read(0, fileProgress(progress))) {
    signal?.throwIfAborted();
    hash.update(chunk);
    size += chunk.length;
    progress.overall(size);
  }
  return { size, sha256: hash.digest('hex') };
}

/** `pieces` regrouped into chunks of exactly `size` bytes (the last may be shorter). */
async function* rechunk(pieces: AsyncIterable<Buffer>, size: number): AsyncGenerator<Buffer<ArrayBuffer>> {
  let held: Buffer[] = [];
  let length = 0;
  for await (let piece of pieces) {
    while (length + piece.length >= size) {
      const take = size - length;
      held.push(piece.subarray(0, take));
      yield Buffer.concat(held, size);
      piece = piece.subarray(take);
      held = [];
      length = 0;
    }
    if (piece.length > 0) {
      held.push(piece);
      length += piece.length;
    }
  }
  if (length > 0) yield Buffer.concat(held, length);
}

/** Worth another try from where the server is: a lost connection, a server error, a chunk damaged or sent at a stale offset. */
function retryable(err: unknown): boolean {
  if (!(err instanceof LantaiError)) return false;
  return err.code === 'TRANSFER_CLI_UNREACHABLE' || err.code === 'TRANSFER_UPLOAD_OFFSET' || err.code === 'TRANSFER_CHUNK_DIGEST' || err.status >= 500;
}

/** Sends `source` into the draft `transferId`, resuming the open upload of the same name and size. */
export async function uploadPackage(client: FilingClient, transferId: string, source: PackageSource, digest: PackageDigest, hooks: UploadHooks): Promise<SentPackage> {
  const { progress, signal } = hooks;
  const delays = hooks.retryDelays ?? DEFAULT_RETRY_DELAYS;
  let state = await client.startUpload(transferId, { path: source.name, size: digest.size, sha256: digest.sha256 });
  const resumedFrom = state.received;
  let sent = 0;
  let failures = 0;
  progress.phase(resumedFrom > 0 ? '续传 / resuming' : '上传 / uploading', digest.size, resumedFrom);
  while (!state.complete) {
    const chunkSize = Math.max(1, Math.min(hooks.chunkSize ?? state.chunkSize, state.chunkSize));
    let exhausted = true;
    try {
      for await (const chunk of rechunk(source.read(state.received, fileProgress(progress)), chunkSize)) {
        const at = state.received;
        state = await client.putChunk(transferId, state.id, at, chunk, sha256(chunk));
        sent += chunk.length;
        failures = 0;
        progress.overall(state.received);
        hooks.onChunk?.(state);
        if (state.complete || state.received !== at + chunk.length) {
          exhausted = false;
          break;
        }
      }
    } catch (err) {
      if (signal?.aborted || !retryable(err) || failures >= delays.length) throw err;
      await delay(delays[failures] ?? 0, undefined, { signal });
      failures += 1;
      state = await client.uploadStatus(transferId, state.id);
      continue;
    }
    if (exhausted && !state.complete) {
      throw transferCliErrors.TRANSFER_CLI_SOURCE({ path: source.name, reason: '发送过程中文件被改动（比校验时短）', reasonEn: 'it changed while being sent (shorter than when it was hashed)' });
    }
  }
  // Complete but without a file id: the server finished an earlier run's last chunk and its answer was lost.
  if (!state.fileId) throw transferCliErrors.TRANSFER_CLI_PACKAGE_STUCK({ id: transferId, path: source.name });
  return { fileId: state.fileId, resumedFrom, sent };
}
