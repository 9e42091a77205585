/**
 * Writing and reading the encrypted parts of a backup: bytes streamed through
 * SHA-256 and the chunked AES-256-GCM of backup-stream.ts, one chunk in memory at a
 * time; what is read back is checked chunk by chunk, then against the manifest's
 * size and SHA-256.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { backupErrors } from './backup-errors.js';
import type { BackupPart } from './backup-manifest.js';
import { BackupStreamError, decryptStream, encryptStream } from './backup-stream.js';

export type PartDigests = Pick<BackupPart, 'bytes' | 'sha256' | 'encryptedBytes' | 'encryptedSha256'>;

async function writeAll(handle: fs.FileHandle, bytes: Buffer): Promise<void> {
  for (let offset = 0; offset < bytes.length; ) offset += (await handle.write(bytes, offset)).bytesWritten;
}

/** Encrypts `source` into a new file (never overwriting), fsync'd; its digests before and after encryption. */
export async function writePart(file: string, source: AsyncIterable<Uint8Array>, key: Buffer, chunkBytes?: number): Promise<PartDigests> {
  const plain = createHash('sha256');
  let bytes = 0;
  async function* hashed(): AsyncGenerator<Uint8Array> {
    for await (const piece of source) {
      plain.update(piece);
      bytes += piece.length;
      yield piece;
    }
  }
  const sealed = createHash('sha256');
  let encryptedBytes = 0;
  const handle = await fs.open(file, 'wx', 0o600);
  try {
    for await (const record of encryptStream(hashed(), key, chunkBytes)) {
      sealed.update(record);
      encryptedBytes += record.length;
      await writeAll(handle, record);
    }
    await handle.sync();
  } finally {
    await handle.close();
  }
  return { bytes, sha256: plain.digest('hex'), encryptedBytes, encryptedSha256: sealed.digest('hex') };
}

/**
 * The decrypted bytes of a part, checked on the way: a record that does not open
 * throws BACKUP_TAMPERED or BACKUP_TRUNCATED, and so does a whole that is not the
 * manifest's size and SHA-256 (thrown after the last chunk: a consumer that must not
 * keep a half, such as a restore, reads a part through once before using it).
 */
export async function* readPart(dir: string, part: BackupPart, key: Buffer, onRead?: (bytes: number) => void): AsyncGenerator<Buffer> {
  const file = path.join(dir, part.file);
  const size = await fs.stat(file).then(
    (s) => s.size,
    (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') throw backupErrors.BACKUP_TRUNCATED({ file, detail: '文件不存在', detailEn: 'the file is missing' });
      throw err;
    },
  );
  if (size < part.encryptedBytes) throw backupErrors.BACKUP_TRUNCATED({ file, detail: `应为 ${part.encryptedBytes} 字节，只有 ${size} 字节`, detailEn: `${size} of ${part.encryptedBytes} bytes` });
  if (size > part.encryptedBytes) throw backupErrors.BACKUP_TAMPERED({ what: `${part.file} 比清单所记多出 ${size - part.encryptedBytes} 字节`, whatEn: `${part.file} is ${size - part.encryptedBytes} bytes longer than the manifest says` });
  let read = 0;
  async function* counted(): AsyncGenerator<Uint8Array> {
    for await (const piece of createReadStream(file, { highWaterMark: 1024 * 1024 })) {
      read += (piece as Buffer).length;
      onRead?.(read);
      yield piece as Buffer;
    }
  }
  const hash = createHash('sha256');
  let bytes = 0;
  try {
    for await (const chunk of decryptStream(counted(), key)) {
      hash.update(chunk);
      bytes += chunk.length;
      yield chunk;
    }
  } catch (err) {
    if (!(err instanceof BackupStreamError)) throw err;
    if (err.kind === 'truncated') throw backupErrors.BACKUP_TRUNCATED({ file, detail: `第 ${err.chunk + 1} 块之后缺少末尾的数据块`, detailEn: `the final block after block ${err.chunk + 1} is missing` });
    if (err.kind === 'foreign') throw backupErrors.BACKUP_TAMPERED({ what: `${part.file} 不是兰台备份的加密文件`, whatEn: `${part.file} is not an encrypted part of a Lantai backup` });
    throw backupErrors.BACKUP_TAMPERED({ what: `${part.file} 的第 ${err.chunk + 1} 块未通过认证（内容被改动、调换或密钥不符）`, whatEn: `block ${err.chunk + 1} of ${part.file} fails authentication (altered, reordered, or another key)` });
  }
  const sha256 = hash.digest('hex');
  if (bytes !== part.bytes || sha256 !== part.sha256) {
    throw backupErrors.BACKUP_TAMPERED({ what: `${part.file} 解密后的大小或 SHA-256 与清单不符`, whatEn: `${part.file} decrypts to another size or SHA-256 than the manifest says` });
  }
}

/** Reads a part through without keeping it: every chunk authenticated, the whole against the manifest. */
export async function verifyPart(dir: string, part: BackupPart, key: Buffer, onRead?: (bytes: number) => void): Promise<void> {
  for await (const chunk of readPart(dir, part, key, onRead)) void chunk;
}
