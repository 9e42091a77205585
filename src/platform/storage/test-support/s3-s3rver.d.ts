/**
 * The parts of s3rver 3.7 (a fake S3 server, CommonJS, no published types) that the
 * test server uses, with the methods of its filesystem store that the
 * compatibility layer in s3-server.ts builds on.
 */
declare module 's3rver' {
  import type { IncomingMessage, ServerResponse } from 'node:http';
  import type { Readable } from 'node:stream';

  interface S3rverOptions {
    address?: string;
    port?: number;
    silent?: boolean;
    directory?: string;
    resetOnClose?: boolean;
    allowMismatchedSignatures?: boolean;
    vhostBuckets?: boolean;
    configureBuckets?: Array<{ name: string }>;
  }

  interface FilesystemStore {
    /** `<directory>/<bucket>/<key dirs>/<last segment>._S3rver_<resource>`; with no key, the bucket's own resources. */
    getResourcePath(bucket: string, key: string | undefined, resource: string): string;
    putPart(bucket: string, uploadId: string, partNumber: number, content: Readable): Promise<{ size: number; md5: string }>;
    getBucket(bucket: string): Promise<object | null>;
    listObjects(
      bucket: string,
      options: { prefix?: string; startAfter?: string; maxKeys?: number; delimiter?: string },
    ): Promise<{
      objects: Array<{ key: string; size: number; lastModifiedDate: Date; metadata: { etag?: string } }>;
      commonPrefixes: string[];
      isTruncated: boolean;
    }>;
  }

  class S3rver {
    constructor(options?: S3rverOptions);
    readonly store: FilesystemStore;
    readonly logger: { close(): void };
    configureBuckets(): Promise<unknown>;
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
  }

  export = S3rver;
}
