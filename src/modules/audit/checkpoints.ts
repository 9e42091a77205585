/**
 * Anchors for the hash chain, outside the database.
 *
 * A chain proves nothing to someone who can rewrite the whole table and recompute
 * every hash. So, now and then, the committed head (chain id, seq, hash, count, time) is
 * signed with HMAC-SM3 under a key kept in a file (not in the database) and
 * appended as one JSON line to a checkpoint file (not in the database). A rewritten
 * chain no longer matches the signed lines, and without the key nobody can sign new
 * ones. The key file is created (32 random bytes, mode 0600) the first time
 * something is signed; checking never creates it, so a lost key shows as an error
 * rather than as a fresh key that silently fails every old signature.
 *
 * Writing a checkpoint cannot be part of an append's transaction (a file is not
 * rolled back), so it always signs the *committed* head: see `checkpointNow` in
 * service.ts and the job that runs it.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { createKeyFile, readKeyFile } from '../../platform/keys/key-file.js';
import { auditErrors } from './errors.js';
import { canonicalJson } from './hash-chain.js';

const checkpointSchema = z.object({
  chain: z.string(),
  seq: z.number().int().min(1),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  count: z.number().int().min(0),
  at: z.string(),
  hmac: z.string().regex(/^[0-9a-f]{64}$/),
});
export type Checkpoint = z.infer<typeof checkpointSchema>;

/** One line of the checkpoint file as read back: a well-formed, correctly signed checkpoint, or what is wrong with it. */
export type CheckpointLine = { line: number; checkpoint: Checkpoint; problem: null } | { line: number; checkpoint: Checkpoint | null; problem: 'unreadable' | 'signature' };

export interface CheckpointSink {
  /** Signs the head and appends it as one line, fsynced. */
  write(head: { chain: string; seq: number; hash: string; count: number }): Promise<Checkpoint>;
  /** The last line of the file, or null if there is none (reads only the file's tail). */
  last(): Promise<Checkpoint | null>;
  /** Every line, each with its signature checked. */
  readAll(): Promise<CheckpointLine[]>;
  /** HMAC-SM3 of a value's canonical JSON; creates the key file if there is none yet. */
  sign(value: unknown): Promise<string>;
  /** Whether `hmac` signs the value; AUDIT_KEY_MISSING when there is no key file. */
  verifySignature(value: unknown, hmac: string): Promise<boolean>;
}

export interface CheckpointFiles {
  /** JSON lines of signed checkpoints (LANTAI_AUDIT_CHECKPOINT_FILE). */
  file: string;
  /** 32 random bytes (LANTAI_AUDIT_KEY_FILE); readable by the auditor's tooling, not writable by the database administrator. */
  keyFile: string;
  clock?: () => Date;
}

const KEY_BYTES = 32;
const TAIL_BYTES = 64 * 1024;

export function createCheckpointSink(options: CheckpointFiles): CheckpointSink {
  const { file, keyFile } = options;
  const clock = options.clock ?? (() => new Date());

  async function readKey(): Promise<Buffer | null> {
    return checked(await readKeyFile(keyFile));
  }

  function checked(key: Buffer | null): Buffer | null {
    if (key && key.length !== KEY_BYTES) throw auditErrors.AUDIT_KEY_INVALID({ file: keyFile, size: key.length });
    return key;
  }

  async function keyForSigning(): Promise<Buffer> {
    const key = checked(await createKeyFile(keyFile, KEY_BYTES));
    if (!key) throw auditErrors.AUDIT_KEY_MISSING({ file: keyFile });
    return key;
  }

  const hmac = (key: Buffer, value: unknown) => createHmac('sm3', key).update(canonicalJson(value), 'utf8').digest('hex');

  function matches(key: Buffer, value: unknown, signature: string): boolean {
    const expected = Buffer.from(hmac(key, value), 'hex');
    const given = Buffer.from(signature, 'hex');
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  async function requireKey(): Promise<Buffer> {
    const key = await readKey();
    if (!key) throw auditErrors.AUDIT_KEY_MISSING({ file: keyFile });
    return key;
  }

  return {
    async write(head) {
      const unsigned = { chain: head.chain, seq: head.seq, hash: head.hash, count: head.count, at: clock().toISOString() };
      const checkpoint: Checkpoint = { ...unsigned, hmac: hmac(await keyForSigning(), unsigned) };
      await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
      // One write of one line with O_APPEND: lines from several processes do not interleave.
      const handle = await fs.open(file, 'a', 0o600);
      try {
        await handle.write(`${JSON.stringify(checkpoint)}\n`);
        await handle.sync();
      } finally {
        await handle.close();
      }
      return checkpoint;
    },

    async last() {
      let handle: fs.FileHandle;
      try {
        handle = await fs.open(file, 'r');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw err;
      }
      try {
        const { size } = await handle.stat();
        const length = Math.min(size, TAIL_BYTES);
        const { buffer } = await handle.read(Buffer.alloc(length), 0, length, size - length);
        const line = buffer.toString('utf8').trimEnd().split('\n').at(-1);
        if (!line) return null;
        const result = checkpointSchema.safeParse(JSON.parse(line));
        return result.success ? result.data : null;
      } catch {
        return null;
      } finally {
        await handle.close();
      }
    },

    async readAll() {
      let text: string;
      try {
        text = await fs.readFile(file, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw err;
      }
      const lines = text.split('\n');
      if (lines.at(-1) === '') lines.pop();
      if (lines.length === 0) return [];
      const key = await requireKey();
      return lines.map((raw, index): CheckpointLine => {
        const line = index + 1;
        let value: unknown;
        try {
          value = JSON.parse(raw);
        } catch {
          return { line, checkpoint: null, problem: 'unreadable' };
        }
        const result = checkpointSchema.safeParse(value);
        if (!result.success) return { line, checkpoint: null, problem: 'unreadable' };
        const { hmac: signature, ...unsigned } = result.data;
        return matches(key, unsigned, signature) ? { line, checkpoint: result.data, problem: null } : { line, checkpoint: result.data, problem: 'signature' };
      });
    },

    async sign(value) {
      return hmac(await keyForSigning(), value);
    },

    async verifySignature(value, signature) {
      return matches(await requireKey(), value, signature);
    },
  };
}
