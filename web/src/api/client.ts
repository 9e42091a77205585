/**
 * The typed fetch client of the web app. The server answers errors with
 * `{ code, message, details, requestId }`, the message already in the language
 * asked for by Accept-Language; ApiError carries it so the page can show it.
 * Every reply is parsed with the zod schema of its shape, so a page never works
 * on data of a shape it does not expect.
 */
import { safeParse } from 'zod/mini';
import type { $ZodType, output } from 'zod/v4/core';
import { currentLanguage } from '../i18n/i18n.js';

/** The server's error reply (src/platform/http/errors.ts). */
export interface ErrorBody {
  code: string;
  message: string;
  details: unknown;
  requestId: string;
}

/** A failed API call; `message` is the server's text, ready to show. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: unknown = {},
    readonly requestId: string | undefined = undefined,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface GetOptions {
  signal?: AbortSignal;
  /** Statuses besides 2xx whose body is a normal answer (the health check answers 503 when degraded). */
  acceptStatus?: readonly number[];
}

function isErrorBody(value: unknown): value is ErrorBody {
  return (
    typeof value === 'object' &&
    value !== null &&
    'code' in value &&
    typeof value.code === 'string' &&
    'message' in value &&
    typeof value.message === 'string'
  );
}

async function readJson(response: Response): Promise<unknown> {
  const type = response.headers.get('content-type') ?? '';
  if (!type.includes('json')) return undefined;
  try {
    return await response.json();
  } catch {
    return undefined;
  }
}

/**
 * GETs a JSON resource of the Lantai API and checks it against its schema.
 * @example
 * const meta = await apiGet('/api/meta', metaSchema);
 */
export async function apiGet<S extends $ZodType>(path: string, schema: S, options: GetOptions = {}): Promise<output<S>> {
  const response = await fetch(path, {
    headers: { Accept: 'application/json', 'Accept-Language': currentLanguage() },
    credentials: 'same-origin',
    signal: options.signal,
  });
  const body = await readJson(response);
  if (response.ok || options.acceptStatus?.includes(response.status)) {
    const parsed = safeParse(schema, body);
    if (!parsed.success) {
      throw new ApiError(response.status, 'WEB_UNEXPECTED_REPLY', `${path}: ${parsed.error.message}`, parsed.error.issues);
    }
    return parsed.data;
  }
  if (isErrorBody(body)) {
    throw new ApiError(response.status, body.code, body.message, body.details, body.requestId);
  }
  throw new ApiError(response.status, `HTTP_${response.status}`, `${path}: ${response.status} ${response.statusText}`);
}

/** The session's anti-forgery token, sent as X-CSRF-Token on every POST/PUT/PATCH/DELETE (set from /api/auth/session). */
let csrfToken: string | undefined;

/** Remembers (or forgets, with undefined) the session's anti-forgery token. */
export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

export type SendMethod = 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * Sends a JSON body to the Lantai API with the anti-forgery header and checks
 * the reply against its schema.
 * @example
 * await apiSend('POST', '/api/auth/logout', okSchema, { everywhere: false });
 */
export async function apiSend<S extends $ZodType>(method: SendMethod, path: string, schema: S, body?: unknown): Promise<output<S>> {
  return send(method, path, schema, body === undefined ? undefined : { type: 'application/json', data: JSON.stringify(body) });
}

/**
 * Sends raw bytes (a file the user chose) as the request body, with the
 * anti-forgery header, and checks the JSON reply against its schema.
 * `headers` adds request headers (a chunk's X-Chunk-SHA256).
 * @example
 * await apiSendBytes('POST', `/api/catalog/imports?fileName=${name}`, importSchema, file);
 */
export async function apiSendBytes<S extends $ZodType>(method: SendMethod, path: string, schema: S, body: Blob, headers: Record<string, string> = {}): Promise<output<S>> {
  return send(method, path, schema, { type: 'application/octet-stream', data: body }, headers);
}

async function send<S extends $ZodType>(
  method: SendMethod,
  path: string,
  schema: S,
  body: { type: string; data: string | Blob } | undefined,
  extraHeaders: Record<string, string> = {},
): Promise<output<S>> {
  const headers: Record<string, string> = { ...extraHeaders, Accept: 'application/json', 'Accept-Language': currentLanguage() };
  if (body !== undefined) headers['Content-Type'] = body.type;
  if (csrfToken !== undefined) headers['X-CSRF-Token'] = csrfToken;
  const response = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    body: body?.data,
  });
  const reply = await readJson(response);
  if (response.ok) {
    const parsed = safeParse(schema, reply);
    if (!parsed.success) {
      throw new ApiError(response.status, 'WEB_UNEXPECTED_REPLY', `${path}: ${parsed.error.message}`, parsed.error.issues);
    }
    return parsed.data;
  }
  if (isErrorBody(reply)) {
    throw new ApiError(response.status, reply.code, reply.message, reply.details, reply.requestId);
  }
  throw new ApiError(response.status, `HTTP_${response.status}`, `${path}: ${response.status} ${response.statusText}`);
}
