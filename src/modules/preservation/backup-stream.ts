/**
 * Streaming authenticated encryption of one part of a backup (a database dump of
 * many gigabytes never sits in memory: one chunk at a time).
 *
 * The STREAM construction (Hoang, Reyhanitabar, Rogaway, Vizár 2015; as in age and
 * Tink's streaming AEAD) over AES-256-GCM:
 *
 *     header  = "LTBKAES1" | chunk size (u32 BE) | base nonce (12 random bytes)
 *     record i = AES-256-GCM(key, nonce_i, chunk i, AAD_i) | tag (16 bytes)
 *     nonce_i = base nonce XOR i (96-bit big-endian)
 *     AAD_i   = header | i (u64 BE) | final (1 byte: 1 on the last record only)
 *
 * Every chunk but the last holds exactly `chunk size` bytes; the last is shorter or
 * empty and is the only one sealed as final. So a flipped byte fails its record's
 * tag, reordered records fail (the index is in the nonce and the AAD), and a stream
 * cut short, even exactly between records, ends without a final record.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export const CHUNK_BYTES = 1024 * 1024;
const MAGIC = Buffer.from('LTBKAES1', 'latin1');
const HEADER_BYTES = MAGIC.length + 4 + 12;
const TAG_BYTES = 16;
const MIN_CHUNK = 16;
const MAX_CHUNK = 64 * 1024 * 1024;

/** Why a part did not decrypt, and at which record (0-based). */
export class BackupStreamError extends Error {
  constructor(
    readonly kind: 'tampered' | 'truncated' | 'foreign',
    readonly chunk: number,
  ) {
    super(`${kind} at chunk ${chunk}`);
    this.name = 'BackupStreamError';
  }
}

/** Bytes arriving in pieces, taken out in the sizes the records need. */
class ByteQueue {
  #pieces: Buffer[] = [];
  length = 0;

  push(piece: Uint8Array): void {
    if (piece.length === 0) return;
    this.#pieces.push(Buffer.from(piece.buffer, piece.byteOffset, piece.length));
    this.length += piece.length;
  }

  take(n: number): Buffer {
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const head = this.#pieces[0] as Buffer;
      const used = Math.min(head.length, n - filled);
      head.copy(out, filled, 0, used);
      filled += used;
      if (used === head.length) this.#pieces.shift();
      else this.#pieces[0] = head.subarray(used);
    }
    this.length -= n;
    return out;
  }
}

function nonceAt(base: Buffer, index: number): Buffer {
  const nonce = Buffer.from(base);
  const counter = BigInt(index);
  nonce.writeBigUInt64BE(nonce.readBigUInt64BE(4) ^ counter, 4);
  return nonce;
}

function aadAt(header: Buffer, index: number, final: boolean): Buffer {
  const tail = Buffer.alloc(9);
  tail.writeBigUInt64BE(BigInt(index), 0);
  tail[8] = final ? 1 : 0;
  return Buffer.concat([header, tail]);
}

function seal(key: Buffer, header: Buffer, base: Buffer, index: number, final: boolean, chunk: Buffer): Buffer {
  const cipher = createCipheriv('aes-256-gcm', key, nonceAt(base, index));
  cipher.setAAD(aadAt(header, index, final));
  return Buffer.concat([cipher.update(chunk), cipher.final(), cipher.getAuthTag()]);
}

function open(key: Buffer, header: Buffer, base: Buffer, index: number, final: boolean, record: Buffer): Buffer | null {
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, nonceAt(base, index));
    decipher.setAAD(aadAt(header, index, final));
    decipher.setAuthTag(record.subarray(record.length - TAG_BYTES));
    return Buffer.concat([decipher.update(record.subarray(0, record.length - TAG_BYTES)), decipher.final()]);
  } catch {
    return null;
  }
}

/** Encrypts a stream of bytes with a 256-bit key; yields the header, then one record per chunk. */
export async function* encryptStream(source: AsyncIterable<Uint8Array>, key: Buffer, chunkBytes = CHUNK_BYTES): AsyncGenerator<Buffer> {
  if (chunkBytes < MIN_CHUNK || chunkBytes > MAX_CHUNK) throw new RangeError(`chunk size ${chunkBytes} out of range`);
  const base = randomBytes(12);
  const header = Buffer.alloc(HEADER_BYTES);
  MAGIC.copy(header, 0);
  header.writeUInt32BE(chunkBytes, MAGIC.length);
  base.copy(header, MAGIC.length + 4);
  yield header;
  const queue = new ByteQueue();
  let index = 0;
  for await (const piece of source) {
    queue.push(piece);
    // A chunk is sealed only once a byte after it is known to exist: the last one must be marked final.
    while (queue.length > chunkBytes) yield seal(key, header, base, index++, false, queue.take(chunkBytes));
  }
  yield seal(key, header, base, index, true, queue.take(queue.length));
}

/** Decrypts what encryptStream wrote, chunk by chunk; throws BackupStreamError at the first record that does not open. */
export async function* decryptStream(source: AsyncIterable<Uint8Array>, key: Buffer): AsyncGenerator<Buffer> {
  const queue = new ByteQueue();
  const iterator = source[Symbol.asyncIterator]();
  const fill = async (n: number): Promise<boolean> => {
    while (queue.length < n) {
      const next = await iterator.next();
      if (next.done) return false;
      queue.push(next.value);
    }
    return true;
  };
  const whole = await fill(HEADER_BYTES);
  const header = queue.take(Math.min(queue.length, HEADER_BYTES));
  const magic = header.subarray(0, MAGIC.length);
  if (!magic.equals(MAGIC.subarray(0, magic.length))) throw new BackupStreamError('foreign', 0);
  if (!whole) throw new BackupStreamError('truncated', 0);
  const chunkBytes = header.readUInt32BE(MAGIC.length);
  if (chunkBytes < MIN_CHUNK || chunkBytes > MAX_CHUNK) throw new BackupStreamError('tampered', 0);
  const base = header.subarray(MAGIC.length + 4);
  const recordBytes = chunkBytes + TAG_BYTES;
  let index = 0;
  // A full record followed by at least one more byte is not the last one.
  while (await fill(recordBytes + 1)) {
    const plain = open(key, header, base, index, false, queue.take(recordBytes));
    if (!plain) throw new BackupStreamError('tampered', index);
    yield plain;
    index += 1;
  }
  if (queue.length < TAG_BYTES) throw new BackupStreamError('truncated', index);
  const last = queue.take(queue.length);
  const plain = open(key, header, base, index, true, last);
  if (plain) {
    yield plain;
    return;
  }
  // A record that opens as a middle one was the last to survive a cut between records.
  throw new BackupStreamError(last.length === recordBytes && open(key, header, base, index, false, last) ? 'truncated' : 'tampered', index);
}
