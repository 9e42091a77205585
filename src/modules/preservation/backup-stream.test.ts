/**
 * The chunked AES-256-GCM of backup parts, with small chunks so that a few bytes
 * make many records: every length comes back whole, and every way of damaging
 * the stream — a flipped byte, records swapped, a cut between records or inside
 * one, bytes added, another key, bytes that were never encrypted — is refused at
 * the record where it shows.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { BackupStreamError, decryptStream, encryptStream } from './backup-stream.js';

const CHUNK = 64;
const RECORD = CHUNK + 16;
const HEADER = 24;
const key = randomBytes(32);

async function collect(source: AsyncIterable<Buffer>): Promise<Buffer> {
  const pieces: Buffer[] = [];
  for await (const piece of source) pieces.push(piece);
  return Buffer.concat(pieces);
}

/** Feeds bytes in uneven pieces, as files and pipes do. */
async function* pieces(bytes: Buffer, size = 37): AsyncGenerator<Buffer> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

const flip = (b: Buffer, at: number) => b.writeUInt8(b.readUInt8(at) ^ 0x01, at);

const encrypt = async (plain: Buffer) => collect(encryptStream(pieces(plain), key, CHUNK));
const decrypt = async (sealed: Buffer, withKey = key) => collect(decryptStream(pieces(sealed, 53), withKey));

async function refusal(sealed: Buffer, withKey = key): Promise<{ kind: string; chunk: number }> {
  const err = await decrypt(sealed, withKey).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(BackupStreamError);
  const { kind, chunk } = err as BackupStreamError;
  return { kind, chunk };
}

describe('backup part encryption', () => {
  it.each([0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK, 3 * CHUNK + 5])('gives back %i bytes exactly, in records of the chunk size and one final record', async (length) => {
    const plain = randomBytes(length);
    const sealed = await encrypt(plain);
    const records = Math.max(1, Math.ceil(length / CHUNK));
    expect(sealed.length).toBe(HEADER + length + 16 * records);
    expect(await decrypt(sealed)).toEqual(plain);
  });

  it('never writes the plain bytes, and encrypts the same bytes differently each time', async () => {
    const plain = Buffer.from('关于第1项工作的通知 SQLite format 3\0'.repeat(10));
    const a = await encrypt(plain);
    const b = await encrypt(plain);
    expect(a.includes(Buffer.from('SQLite format 3'))).toBe(false);
    expect(a.subarray(HEADER).equals(b.subarray(HEADER))).toBe(false);
  });

  it('refuses a flipped byte at the record that holds it', async () => {
    const sealed = await encrypt(randomBytes(4 * CHUNK));
    flip(sealed, HEADER + 2 * RECORD + 10);
    expect(await refusal(sealed)).toEqual({ kind: 'tampered', chunk: 2 });
  });

  it('refuses a flipped byte in the header (the nonce and chunk size are bound to every record)', async () => {
    const sealed = await encrypt(randomBytes(2 * CHUNK));
    flip(sealed, HEADER - 1);
    expect(await refusal(sealed)).toEqual({ kind: 'tampered', chunk: 0 });
  });

  it('refuses records in another order', async () => {
    const sealed = await encrypt(randomBytes(4 * CHUNK));
    const first = Buffer.from(sealed.subarray(HEADER, HEADER + RECORD));
    sealed.copy(sealed, HEADER, HEADER + RECORD, HEADER + 2 * RECORD);
    first.copy(sealed, HEADER + RECORD);
    expect(await refusal(sealed)).toEqual({ kind: 'tampered', chunk: 0 });
  });

  it('calls a stream cut exactly between records truncated, since no final record came', async () => {
    const sealed = await encrypt(randomBytes(4 * CHUNK + 10));
    expect(await refusal(sealed.subarray(0, HEADER + 2 * RECORD))).toEqual({ kind: 'truncated', chunk: 1 });
    expect(await refusal(sealed.subarray(0, HEADER))).toEqual({ kind: 'truncated', chunk: 0 });
    expect(await refusal(sealed.subarray(0, 10))).toEqual({ kind: 'truncated', chunk: 0 });
  });

  it('refuses a stream cut inside a record, or with a record dropped from the middle', async () => {
    const sealed = await encrypt(randomBytes(4 * CHUNK + 10));
    expect((await refusal(sealed.subarray(0, HEADER + 2 * RECORD + 30))).kind).toBe('tampered');
    const dropped = Buffer.concat([sealed.subarray(0, HEADER + RECORD), sealed.subarray(HEADER + 2 * RECORD)]);
    expect(await refusal(dropped)).toEqual({ kind: 'tampered', chunk: 1 });
  });

  it('refuses bytes added after the final record', async () => {
    const sealed = await encrypt(randomBytes(2 * CHUNK));
    expect((await refusal(Buffer.concat([sealed, Buffer.from('x')]))).kind).toBe('tampered');
  });

  it('refuses another key at the first record, and bytes that were never encrypted as foreign', async () => {
    const sealed = await encrypt(randomBytes(CHUNK));
    expect(await refusal(sealed, randomBytes(32))).toEqual({ kind: 'tampered', chunk: 0 });
    expect(await refusal(Buffer.from('PGDMP\u0001\u000e\u0000 a plain dump'))).toEqual({ kind: 'foreign', chunk: 0 });
  });
});
