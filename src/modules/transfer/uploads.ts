/**
 * Resumable chunked uploads into a hand-over's staging area (our own small chunk
 * API rather than tus: one PUT per chunk at the offset the server reports, each
 * chunk with its own SHA-256 so a damaged chunk is refused and sent again).
 *
 * Bytes are hashed (SHA-256 and SM3) once, as they arrive, by a digest kept per
 * upload in memory; after a restart (or on another node) the digest is rebuilt by
 * reading back what was already received. A finished upload whose digest differs
 * from the one declared is discarded and must be sent again. Chunks are fsync'd
 * before the server acknowledges them, so an acknowledged byte survives a crash.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import type { Db, Tx } from '../../platform/db/database.js';
import { createDualDigest, type DualDigest } from '../../platform/storage/digest.js';
import type { Actor, AuditSink } from '../accounts/service.js';
import { transferErrors } from './errors.js';
import { packagePath } from './paths.js';
import type { TransferService } from './service.js';

export const CHUNK_SIZE = 8 * 1024 * 1024;
const WRITE_BLOCK = 1024 * 1024;
const CHECKPOINT = 256 * 1024 * 1024;

export interface UploadState {
  id: string;
  path: string;
  size: number;
  received: number;
  complete: boolean;
  chunkSize: number;
  fileId: string | null;
}

interface Running {
  digest: DualDigest;
  upTo: number;
}

export function createUploads(deps: { db: Db; audit: AuditSink; transfers: TransferService; stagingDir: string }) {
  const { db, transfers } = deps;
  const running = new Map<string, Running>();
  const busy = new Set<string>();

  const stagedPathOf = (transferId: string, uploadId: string) => path.join(deps.stagingDir, 'transfers', transferId, uploadId);

  async function openUpload(actor: Actor, transferId: string, uploadId: string) {
    const transfer = await transfers.load(db, actor, transferId);
    const upload = await db.selectFrom('transfer_uploads').selectAll().where('id', '=', uploadId).where('transfer_id', '=', transferId).executeTakeFirst();
    if (!upload) throw transferErrors.TRANSFER_UPLOAD_NOT_FOUND({ id: uploadId });
    return { transfer, upload };
  }

  /** The digest of the bytes received so far, rebuilt from disk when this process did not see them arrive. */
  async function digestUpTo(uploadId: string, file: string, offset: number): Promise<DualDigest> {
    const known = running.get(uploadId);
    if (known && known.upTo === offset) return known.digest;
    known?.digest.abort();
    const digest = createDualDigest();
    if (offset > 0) for await (const chunk of createReadStream(file, { start: 0, end: offset - 1 })) await digest.update(chunk as Buffer);
    running.set(uploadId, { digest, upTo: offset });
    return digest;
  }

  const state = (u: { id: string; path: string; size: number; received: number; status: string }, fileId: string | null = null): UploadState => ({
    id: u.id, path: u.path, size: Number(u.size), received: Number(u.received), complete: u.status === 'complete', chunkSize: CHUNK_SIZE, fileId,
  });

  return {
    /** Starts (or, for the same path and size, resumes) an upload into a draft. */
    async start(tx: Tx, actor: Actor, transferId: string, input: { path: string; size: number; sha256?: string }): Promise<UploadState> {
      const transfer = await transfers.load(tx, actor, transferId);
      if (transfer.status !== 'draft') throw transferErrors.TRANSFER_STATE({ state: transfer.status, stateEn: transfer.status, action: '上传文件', actionEn: 'given files' });
      const filePath = packagePath(input.path);
      const open = await tx.selectFrom('transfer_uploads').selectAll().where('transfer_id', '=', transferId).where('path', '=', filePath).where('status', '=', 'open').executeTakeFirst();
      // Resume only the same file: same size and the same declared digest.
      if (open && Number(open.size) === input.size && open.declared_sha256 === (input.sha256?.toLowerCase() ?? null)) return state(open);
      if (open) await fs.rm(open.staged_path, { force: true });
      const done = await tx.selectFrom('transfer_files').select('id').where('transfer_id', '=', transferId).where('path', '=', filePath).executeTakeFirst();
      if (done) throw transferErrors.TRANSFER_PATH_TAKEN({ path: filePath });
      const id = uuidv7();
      const staged = stagedPathOf(transferId, id);
      await fs.mkdir(path.dirname(staged), { recursive: true });
      await (await fs.open(staged, 'wx')).close();
      const at = new Date().toISOString();
      if (open) await tx.deleteFrom('transfer_uploads').where('id', '=', open.id).execute();
      await tx.insertInto('transfer_uploads').values({ id, transfer_id: transferId, path: filePath, size: input.size, declared_sha256: input.sha256?.toLowerCase() ?? null, received: 0, status: 'open', staged_path: staged, created_at: at, updated_at: at }).execute();
      return state({ id, path: filePath, size: input.size, received: 0, status: 'open' });
    },

    async status(actor: Actor, transferId: string, uploadId: string): Promise<UploadState> {
      const { upload } = await openUpload(actor, transferId, uploadId);
      // A finished upload names the file it became (a client whose last answer was lost finds it here).
      const file = upload.status === 'complete' ? await db.selectFrom('transfer_files').select('id').where('transfer_id', '=', transferId).where('staged_path', '=', upload.staged_path).executeTakeFirst() : undefined;
      return state(upload, file?.id ?? null);
    },

    /** Writes one chunk at `offset` (which must be what the server has), verifying its SHA-256 when given. */
    async writeChunk(actor: Actor, transferId: string, uploadId: string, offset: number, body: AsyncIterable<Uint8Array>, chunkSha256: string | null): Promise<UploadState> {
      const { transfer, upload } = await openUpload(actor, transferId, uploadId);
      if (transfer.status !== 'draft') throw transferErrors.TRANSFER_STATE({ state: transfer.status, stateEn: transfer.status, action: '上传文件', actionEn: 'given files' });
      if (upload.status === 'complete' || offset !== Number(upload.received) || busy.has(uploadId)) throw transferErrors.TRANSFER_UPLOAD_OFFSET({ received: Number(upload.received) });
      busy.add(uploadId);
      const handle = await fs.open(upload.staged_path, 'r+');
      let written = 0;
      try {
        const digest = await digestUpTo(uploadId, upload.staged_path, offset);
        const chunkHash = chunkSha256 ? createHash('sha256') : null;
        const size = Number(upload.size);
        // HTTP hands us pieces of ~64 KiB; gather them so the hashers and the disk see large blocks.
        let pending: Buffer[] = [];
        let pendingBytes = 0;
        let checkpoint = 0;
        const flush = async () => {
          if (pendingBytes === 0) return;
          const block = pending.length === 1 ? (pending[0] as Buffer) : Buffer.concat(pending, pendingBytes);
          // Hash and write the block at once: the digests run in worker threads, the write in libuv's pool.
          await Promise.all([digest.update(block), handle.write(block, 0, block.length, offset + written - pendingBytes)]);
          pending = [];
          pendingBytes = 0;
        };
        try {
          for await (const chunk of body) {
            const piece = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
            if (offset + written + piece.length > size) throw transferErrors.TRANSFER_UPLOAD_OVERFLOW({ size });
            chunkHash?.update(piece);
            pending.push(piece);
            pendingBytes += piece.length;
            written += piece.length;
            if (pendingBytes >= WRITE_BLOCK) await flush();
            // A long PUT (the CLI sends a whole file in one) is made durable and recorded every
            // CHECKPOINT bytes, so an interruption resumes from the last checkpoint, not from the start.
            if (!chunkSha256 && written - checkpoint >= CHECKPOINT) {
              await flush();
              await handle.sync();
              checkpoint = written;
              await db.updateTable('transfer_uploads').set({ received: offset + written, updated_at: new Date().toISOString() }).where('id', '=', uploadId).execute();
            }
          }
          await flush();
          if (chunkSha256 && chunkHash?.digest('hex') !== chunkSha256.toLowerCase()) throw transferErrors.TRANSFER_CHUNK_DIGEST();
          await handle.sync();
        } catch (err) {
          // What came after the last checkpoint is not acknowledged: cut it off and forget the digest that saw it.
          await handle.truncate(offset + checkpoint);
          running.get(uploadId)?.digest.abort();
          running.delete(uploadId);
          throw err;
        }
        const received = offset + written;
        running.set(uploadId, { digest, upTo: received });
        const at = new Date().toISOString();
        if (received < size) {
          await db.updateTable('transfer_uploads').set({ received, updated_at: at }).where('id', '=', uploadId).execute();
          return state({ ...upload, received });
        }
        running.delete(uploadId);
        const digests = await digest.digest();
        if (upload.declared_sha256 && digests.sha256 !== upload.declared_sha256) {
          await handle.truncate(0);
          await db.updateTable('transfer_uploads').set({ received: 0, updated_at: at }).where('id', '=', uploadId).execute();
          throw transferErrors.TRANSFER_DIGEST_MISMATCH({ path: upload.path, expected: upload.declared_sha256, actual: digests.sha256 });
        }
        const fileId = uuidv7();
        await db.transaction().execute(async (tx) => {
          const position = await tx.selectFrom('transfer_files').select((eb) => eb.fn.countAll<number>().as('n')).where('transfer_id', '=', transferId).executeTakeFirstOrThrow();
          await tx
            .insertInto('transfer_files')
            .values({ id: fileId, transfer_id: transferId, item_id: null, path: upload.path, staged_path: upload.staged_path, size, sha256: digests.sha256, sm3: digests.sm3, declared_size: size, declared_sha256: upload.declared_sha256, declared_sm3: null, role: '正本', position: Number(position.n) + 1, mime: null, received_at: at })
            .execute();
          await tx.updateTable('transfer_uploads').set({ received, status: 'complete', updated_at: at }).where('id', '=', uploadId).execute();
          await deps.audit.append(tx, { actor: { ...actor, roles: [...actor.roles] }, action: 'transfer.file.receive', target: { type: 'transfer', id: transferId, label: upload.path.slice(0, 80) }, result: 'ok', details: { size, sha256: digests.sha256, sm3: digests.sm3 } });
        });
        return state({ ...upload, received, status: 'complete' }, fileId);
      } finally {
        busy.delete(uploadId);
        await handle.close();
      }
    },
  };
}

export type Uploads = ReturnType<typeof createUploads>;
