/**
 * Secret keys kept in files outside the database (the audit checkpoint key, the
 * key sealing TOTP secrets): random bytes, mode 0600, in a 0700 folder. Created
 * on first use only by whoever needs to *write* with the key; readers never
 * create one, so a lost key shows as an error rather than as a fresh key that
 * silently fails everything sealed or signed before.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fsyncDir } from '../files/fsync-dir.js';

/** The file's bytes, or null when it does not exist. */
export async function readKeyFile(file: string): Promise<Buffer | null> {
  try {
    return await fs.readFile(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/**
 * Makes a key file of `bytes` random bytes unless one exists, and returns the
 * file's bytes (which the caller checks). The key is written whole under a
 * temporary name, then linked into place: two processes starting at once end up
 * with one key, and a crash never leaves a short one.
 */
export async function createKeyFile(file: string, bytes: number): Promise<Buffer> {
  const existing = await readKeyFile(file);
  if (existing) return existing;
  const dir = path.dirname(file);
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const handle = await fs.open(temporary, 'wx', 0o600);
  try {
    await handle.write(randomBytes(bytes));
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await fs.link(temporary, file);
    await fsyncDir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    await fs.rm(temporary, { force: true });
  }
  const key = await readKeyFile(file);
  if (!key) throw new Error(`key file ${file} vanished after it was created`);
  return key;
}
