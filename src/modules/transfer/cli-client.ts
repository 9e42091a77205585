/**
 * The filing API (/api/filing/transfers, routes.ts) as the agency's command line
 * calls it: `Authorization: Bearer <API key>`, JSON in and out, chunks as raw bytes.
 *
 * A refusal keeps the server's code and its Chinese message as they are; the
 * English line comes from this build's catalog when it knows the code. A server
 * that cannot be reached, a refused key, and an answer that is not Lantai's each
 * get a message of their own, saying what to check.
 */
import type { z } from 'zod';
import { errorCatalog, LantaiError } from '../../platform/http/errors.js';
import { transferCliErrors } from './cli-errors.js';
// The hand-over's own codes, registered so their English text is known here too.
import './errors.js';
import type { TransferSummary, transferInputSchema } from './model.js';
import type { UploadState } from './uploads.js';

export type { UploadState } from './uploads.js';

export interface FilingClientOptions {
  /** Lantai's address, e.g. `https://archive.example.gov.cn/`. */
  server: string;
  apiKey: string;
  /** Stops every request in flight. */
  signal?: AbortSignal;
  fetch?: typeof fetch;
}

const fill = (template: string, params: Record<string, unknown>) => template.replace(/\{(\w+)\}/g, (whole, key: string) => (key in params ? String(params[key]) : whole));

/** The server's refusal as a LantaiError: its code and Chinese message as sent, English from the catalog when known. */
function refusal(body: { code: string; message: string; details?: Record<string, unknown> }, status: number): LantaiError {
  const details = body.details ?? {};
  const known = errorCatalog().get(body.code);
  return new LantaiError(body.code, status, body.message, known ? fill(known.en, details) : body.message, details);
}

function isRefusal(body: unknown): body is { code: string; message: string; details?: Record<string, unknown> } {
  return typeof body === 'object' && body !== null && typeof (body as { code?: unknown }).code === 'string' && typeof (body as { message?: unknown }).message === 'string';
}

/** Why a request never got an answer, in the words of the operating system when it gave any (ECONNREFUSED, ENOTFOUND…). */
function networkReason(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (err instanceof Error ? err.message : String(err));
}

export function createFilingClient(options: FilingClientOptions) {
  const doFetch = options.fetch ?? fetch;
  const base = new URL(options.server.endsWith('/') ? options.server : `${options.server}/`);
  const server = base.origin + base.pathname.replace(/\/$/, '');

  /** One request; `body` is JSON, or a chunk's raw bytes. */
  async function call<T>(method: 'GET' | 'POST' | 'PUT', route: string, body?: { json: object } | { bytes: Buffer<ArrayBuffer> }, headers: Record<string, string> = {}): Promise<T> {
    const url = new URL(`api/filing/transfers${route}`, base);
    let response: Response;
    let text: string;
    try {
      response = await doFetch(url, {
        method,
        headers: {
          authorization: `Bearer ${options.apiKey}`,
          accept: 'application/json',
          'accept-language': 'zh-CN',
          ...(body === undefined ? {} : { 'content-type': 'bytes' in body ? 'application/octet-stream' : 'application/json' }),
          ...headers,
        },
        body: body === undefined ? undefined : 'bytes' in body ? body.bytes : JSON.stringify(body.json),
        signal: options.signal,
      });
      text = await response.text();
    } catch (err) {
      if (options.signal?.aborted) throw options.signal.reason;
      throw transferCliErrors.TRANSFER_CLI_UNREACHABLE({ server, reason: networkReason(err) });
    }
    let parsed: unknown = null;
    try {
      parsed = text === '' ? null : JSON.parse(text);
    } catch {
      // Not JSON: a proxy's page or another server; reported below.
    }
    if (response.ok && parsed !== null) return parsed as T;
    if (isRefusal(parsed)) {
      if (response.status === 401 || parsed.code === 'API_KEY_SCOPE') throw transferCliErrors.TRANSFER_CLI_KEY_REFUSED({ message: parsed.message }, { serverCode: parsed.code });
      throw refusal(parsed, response.status);
    }
    throw transferCliErrors.TRANSFER_CLI_NOT_LANTAI({ server, status: response.status });
  }

  return {
    server,
    /** The report of the four-property checks, printable, for the agency's clerk signed in on the web. */
    reportUrl: (id: string) => new URL(`api/transfers/${encodeURIComponent(id)}/report?format=html`, base).toString(),

    /** Creates the draft, or with a key already used finds the one it created (`created: false`). */
    createTransfer: (transfer: z.input<typeof transferInputSchema>, idempotencyKey: string) =>
      call<{ id: string; created: boolean }>('POST', '/package', { json: { transfer, items: [] } }, { 'idempotency-key': idempotencyKey }),
    get: (id: string) => call<TransferSummary>('GET', `/${encodeURIComponent(id)}`),
    /** Starts an upload, or resumes the open one of the same path and size. */
    startUpload: (id: string, file: { path: string; size: number; sha256: string }) => call<UploadState>('POST', `/${encodeURIComponent(id)}/uploads`, { json: file }),
    uploadStatus: (id: string, uploadId: string) => call<UploadState>('GET', `/${encodeURIComponent(id)}/uploads/${encodeURIComponent(uploadId)}`),
    putChunk: (id: string, uploadId: string, offset: number, chunk: Buffer<ArrayBuffer>, sha256: string) =>
      call<UploadState>('PUT', `/${encodeURIComponent(id)}/uploads/${encodeURIComponent(uploadId)}?offset=${offset}`, { bytes: chunk }, { 'x-chunk-sha256': sha256 }),
    /** Unpacks an uploaded package into the draft's files and items. */
    unpack: (id: string, fileId: string) => call<{ files: number; items: number; kind: 'bagit' | 'catalog' | 'files' }>('POST', `/${encodeURIComponent(id)}/package`, { json: { fileId } }),
    submit: (id: string) => call<{ jobId: string }>('POST', `/${encodeURIComponent(id)}/submit`, { json: {} }),
  };
}

export type FilingClient = ReturnType<typeof createFilingClient>;
