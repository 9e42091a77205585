/**
 * A throw-away S3 server for tests: s3rver 3.7 on 127.0.0.1 (random port) over a
 * temporary directory, with one bucket.
 *
 * s3rver lacks three calls the S3 blob store makes: ListMultipartUploads (answers
 * NotImplemented), AbortMultipartUpload (MethodNotAllowed) and UploadPartCopy
 * (NotImplemented); and its ListObjectsV2 fails with a 500 as soon as a listing has
 * more than one page, because it encrypts continuation tokens with DES, which the
 * OpenSSL 3 of Node ≥ 17 refuses. This file answers those four itself, in front of
 * s3rver and over s3rver's own store (its on-disk layout
 * `<bucket>/._S3rver_uploads/<uploadId>/{key,1,2,…}`, and its listObjects for key
 * order, prefix and start-after), so the real SDK still serialises the requests and
 * parses the replies, but their semantics are ours, not an independent server's, and
 * these requests are not signature-checked. Every other call is s3rver's.
 */
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import S3rver from 's3rver';
import type { S3Config } from '../../../config.js';
import type { S3Credentials } from '../s3-client.js';

export interface TestS3Server {
  endpoint: string;
  bucket: string;
  /** Endpoint, region and path-style addressing, as config.ts would give them. */
  s3: S3Config;
  /** s3rver's fixed test credentials. */
  credentials: S3Credentials;
  stop(): Promise<void>;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

const xmlEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function reply(res: ServerResponse, status: number, xml?: string): void {
  res.statusCode = status;
  if (xml === undefined) {
    res.end();
    return;
  }
  res.setHeader('Content-Type', 'application/xml');
  res.end(`<?xml version="1.0" encoding="UTF-8"?>\n${xml}`);
}

function s3Error(res: ServerResponse, status: number, code: string, message: string): void {
  reply(res, status, `<Error><Code>${code}</Code><Message>${xmlEscape(message)}</Message></Error>`);
}

async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}

/** The calls s3rver lacks or fails, answered over its own store. */
function compatibilityLayer(s3rver: S3rver): (req: IncomingMessage) => Handler | undefined {
  const uploadsDir = (bucket: string) => s3rver.store.getResourcePath(bucket, undefined, 'uploads');

  const listMultipartUploads = (bucket: string, query: URLSearchParams): Handler => async (_req, res) => {
    const prefix = query.get('prefix') ?? '';
    const keyMarker = query.get('key-marker') ?? '';
    const uploads: Array<{ key: string; uploadId: string; initiated: Date }> = [];
    for (const uploadId of await fs.readdir(uploadsDir(bucket)).catch(() => [])) {
      const keyFile = path.join(uploadsDir(bucket), uploadId, 'key');
      const key = await fs.readFile(keyFile, 'utf8').catch(() => null);
      if (key === null || !key.startsWith(prefix) || key <= keyMarker) continue;
      uploads.push({ key, uploadId, initiated: (await fs.stat(keyFile)).mtime });
    }
    uploads.sort((a, b) => (a.key === b.key ? a.uploadId.localeCompare(b.uploadId) : a.key < b.key ? -1 : 1));
    const items = uploads
      .map((u) => `<Upload><Key>${xmlEscape(u.key)}</Key><UploadId>${u.uploadId}</UploadId><Initiated>${u.initiated.toISOString()}</Initiated><StorageClass>STANDARD</StorageClass></Upload>`)
      .join('');
    reply(
      res,
      200,
      `<ListMultipartUploadsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Bucket>${bucket}</Bucket><Prefix>${xmlEscape(prefix)}</Prefix>` +
        `<MaxUploads>1000</MaxUploads><IsTruncated>false</IsTruncated>${items}</ListMultipartUploadsResult>`,
    );
  };

  const abortMultipartUpload = (bucket: string, uploadId: string): Handler => async (_req, res) => {
    const dir = path.join(uploadsDir(bucket), path.basename(uploadId));
    if (!(await exists(dir))) return s3Error(res, 404, 'NoSuchUpload', 'The specified upload does not exist.');
    await fs.rm(dir, { recursive: true, force: true });
    reply(res, 204);
  };

  const uploadPartCopy = (bucket: string, uploadId: string, partNumber: number): Handler => async (req, res) => {
    req.resume();
    const source = decodeURIComponent(String(req.headers['x-amz-copy-source'])).replace(/^\//, '').split('?')[0] ?? '';
    const [sourceBucket = '', ...keyParts] = source.split('/');
    const sourceFile = s3rver.store.getResourcePath(sourceBucket, keyParts.join('/'), 'object');
    if (!(await exists(sourceFile))) return s3Error(res, 404, 'NoSuchKey', 'The specified key does not exist.');
    if (!(await exists(path.join(uploadsDir(bucket), path.basename(uploadId))))) {
      return s3Error(res, 404, 'NoSuchUpload', 'The specified upload does not exist.');
    }
    const range = /^bytes=(\d+)-(\d+)$/.exec(String(req.headers['x-amz-copy-source-range'] ?? ''));
    const size = (await fs.stat(sourceFile)).size;
    const [start, end] = range ? [Number(range[1]), Number(range[2])] : [0, size - 1];
    if (end >= size || start > end) return s3Error(res, 416, 'InvalidRange', 'The requested range is not satisfiable');
    const { md5 } = await s3rver.store.putPart(bucket, uploadId, partNumber, createReadStream(sourceFile, { start, end }));
    reply(res, 200, `<CopyPartResult><LastModified>${new Date().toISOString()}</LastModified><ETag>"${md5}"</ETag></CopyPartResult>`);
  };

  const listObjectsV2 = (bucket: string, query: URLSearchParams): Handler => async (_req, res) => {
    if (!(await s3rver.store.getBucket(bucket))) return s3Error(res, 404, 'NoSuchBucket', 'The specified bucket does not exist');
    const prefix = query.get('prefix') ?? '';
    const token = query.get('continuation-token');
    const startAfter = token ? Buffer.from(token, 'base64url').toString('utf8') : (query.get('start-after') ?? '');
    const maxKeys = Math.min(1000, Number(query.get('max-keys') ?? 1000));
    const page = await s3rver.store.listObjects(bucket, { prefix, startAfter, maxKeys });
    const last = page.objects.at(-1)?.key;
    const contents = page.objects
      .map(
        (o) =>
          `<Contents><Key>${xmlEscape(o.key)}</Key><LastModified>${o.lastModifiedDate.toISOString()}</LastModified>` +
          `<ETag>${xmlEscape(o.metadata.etag ?? '')}</ETag><Size>${o.size}</Size><StorageClass>STANDARD</StorageClass></Contents>`,
      )
      .join('');
    const next = page.isTruncated && last ? `<NextContinuationToken>${Buffer.from(last).toString('base64url')}</NextContinuationToken>` : '';
    reply(
      res,
      200,
      `<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${bucket}</Name><Prefix>${xmlEscape(prefix)}</Prefix>` +
        `<KeyCount>${page.objects.length}</KeyCount><MaxKeys>${maxKeys}</MaxKeys><IsTruncated>${page.isTruncated}</IsTruncated>${next}${contents}</ListBucketResult>`,
    );
  };

  return (req) => {
    const url = new URL(req.url ?? '/', 'http://s3rver');
    const [bucket = '', ...segments] = url.pathname.slice(1).split('/').map(decodeURIComponent);
    const key = segments.join('/');
    const uploadId = url.searchParams.get('uploadId');
    if (req.method === 'GET' && key === '' && url.searchParams.has('uploads')) return listMultipartUploads(bucket, url.searchParams);
    if (req.method === 'GET' && key === '' && url.searchParams.get('list-type') === '2' && !url.searchParams.has('delimiter')) {
      return listObjectsV2(bucket, url.searchParams);
    }
    if (req.method === 'DELETE' && key !== '' && uploadId) return abortMultipartUpload(bucket, uploadId);
    if (req.method === 'PUT' && uploadId && req.headers['x-amz-copy-source']) {
      return uploadPartCopy(bucket, uploadId, Number(url.searchParams.get('partNumber')));
    }
    return undefined;
  };
}

/**
 * Starts s3rver with one empty bucket.
 * @example
 * const server = await startS3Server();
 * const client = createS3Client(server.s3, server.credentials);
 */
export async function startS3Server(): Promise<TestS3Server> {
  const directory = await fs.mkdtemp(path.join(os.tmpdir(), 'lantai-s3rver-'));
  const bucket = 'lantai-test';
  const s3rver = new S3rver({ silent: true, directory, configureBuckets: [{ name: bucket }] });
  await s3rver.configureBuckets();
  const s3rverHandler = s3rver.callback();
  const extension = compatibilityLayer(s3rver);
  const server = http.createServer((req, res) => {
    const handler = extension(req);
    if (!handler) return s3rverHandler(req, res);
    handler(req, res).catch((err: unknown) => s3Error(res, 500, 'InternalError', String(err)));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    bucket,
    s3: { endpoint, region: 'us-east-1', forcePathStyle: true },
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      s3rver.logger.close();
      await fs.rm(directory, { recursive: true, force: true });
    },
  };
}
