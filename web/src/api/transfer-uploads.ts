/**
 * Resumable chunked upload of one file into a draft hand-over
 * (/api/transfers/:id/uploads): the server says how much it has (`received`) and
 * how big a chunk may be; each chunk goes at that offset with its own SHA-256 in
 * X-Chunk-SHA256, so a damaged chunk is refused and sent again. Starting again
 * with the same path and size resumes an unfinished upload, after a lost
 * connection or a reload. Small files also declare their whole SHA-256, so the
 * server checks the file end to end.
 *
 * crypto.subtle exists only in secure contexts (https, localhost); on a plain-http
 * LAN address the chunks go without digests and the server's own hashing is all.
 */
import * as z from 'zod/mini';
import { ApiError, apiGet, apiSend, apiSendBytes } from './client.js';

export const uploadStateSchema = z.object({
  id: z.string(),
  /** The path as the server normalised it (NFC, "/"): name items' files by this. */
  path: z.string(),
  size: z.number(),
  received: z.number(),
  complete: z.boolean(),
  chunkSize: z.number(),
  fileId: z.nullable(z.string()),
});
export type UploadState = z.infer<typeof uploadStateSchema>;

/** Files up to this size are hashed whole before sending (Web Crypto digests a buffer, not a stream). */
const WHOLE_FILE_DIGEST_LIMIT = 32 * 1024 * 1024;
const CHUNK_RETRIES = 3;
const NETWORK_RETRIES = 5;

async function sha256Hex(data: Blob): Promise<string | undefined> {
  const subtle = globalThis.isSecureContext ? globalThis.crypto?.subtle : undefined;
  if (!subtle) return undefined;
  const digest = new Uint8Array(await subtle.digest('SHA-256', await data.arrayBuffer()));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

function receivedIn(details: unknown): number | undefined {
  if (typeof details === 'object' && details !== null && 'received' in details && typeof details.received === 'number') return details.received;
  return undefined;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface UploadOptions {
  /** Bytes the server has acknowledged so far. */
  onProgress?: (received: number, size: number) => void;
}

/**
 * Uploads (or resumes) one file and resolves with the server's final state.
 * @example
 * const done = await uploadTransferFile(transferId, file, file.webkitRelativePath || file.name, { onProgress });
 */
export async function uploadTransferFile(transferId: string, file: Blob, path: string, options: UploadOptions = {}): Promise<UploadState> {
  const uploads = `/api/transfers/${encodeURIComponent(transferId)}/uploads`;
  const sha256 = file.size <= WHOLE_FILE_DIGEST_LIMIT ? await sha256Hex(file) : undefined;
  const start = () => apiSend('POST', uploads, uploadStateSchema, { path, size: file.size, ...(sha256 ? { sha256 } : {}) });
  const status = (id: string) => apiGet(`${uploads}/${encodeURIComponent(id)}`, uploadStateSchema);

  let state = await start();
  options.onProgress?.(state.received, file.size);
  let chunkRetries = 0;
  let networkRetries = 0;
  let restarted = false;
  while (!state.complete) {
    const chunk = file.slice(state.received, Math.min(file.size, state.received + state.chunkSize));
    const digest = await sha256Hex(chunk);
    try {
      state = await apiSendBytes('PUT', `${uploads}/${encodeURIComponent(state.id)}?offset=${state.received}`, uploadStateSchema, chunk, digest ? { 'X-Chunk-SHA256': digest } : {});
      chunkRetries = 0;
      networkRetries = 0;
      options.onProgress?.(state.received, file.size);
    } catch (error) {
      if (error instanceof ApiError) {
        // The server has a different amount (another tab, a chunk acknowledged but its reply lost): go on from there.
        if (error.code === 'TRANSFER_UPLOAD_OFFSET') {
          state = { ...state, received: receivedIn(error.details) ?? (await status(state.id)).received };
          continue;
        }
        if (error.code === 'TRANSFER_CHUNK_DIGEST' && chunkRetries < CHUNK_RETRIES) {
          chunkRetries += 1;
          continue;
        }
        // The whole file differed from its digest and was discarded: send it once more from the start.
        if (error.code === 'TRANSFER_DIGEST_MISMATCH' && !restarted) {
          restarted = true;
          state = await start();
          options.onProgress?.(state.received, file.size);
          continue;
        }
        throw error;
      }
      // No answer at all: wait, ask the server what it has, and resume.
      if (networkRetries >= NETWORK_RETRIES) throw error;
      networkRetries += 1;
      await pause(1000 * networkRetries);
      state = await status(state.id).catch(() => state);
    }
  }
  return state;
}
