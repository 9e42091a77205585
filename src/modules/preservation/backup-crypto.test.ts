/**
 * The backup key pair: the data key wrapped for the security admin's public key
 * opens only with the matching private key, and for this backup only; the public
 * key file is refused as a restore key with the reason; an altered wrapping is
 * told apart from another key pair.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LantaiError } from '../../platform/http/errors.js';
import { createBackupKeyPair, keyIdOf, manifestSeal, partKey, readBackupPrivateKey, readBackupPublicKey, unwrapDataKey, wrapDataKey } from './backup-crypto.js';

async function code(fn: () => unknown): Promise<string> {
  try {
    await fn();
  } catch (err) {
    expect(err).toBeInstanceOf(LantaiError);
    return (err as LantaiError).code;
  }
  throw new Error('expected a refusal');
}

describe('backup keys', () => {
  let dir = '';
  const pair = createBackupKeyPair();
  const other = createBackupKeyPair();
  const file = (name: string) => path.join(dir, name);

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'lantai-backup-keys-'));
    await fs.writeFile(file('backup.key'), pair.privatePem);
    await fs.writeFile(file('backup.key.pub'), pair.publicPem);
    await fs.writeFile(file('other.key'), other.privatePem);
    await fs.writeFile(file('garbage'), 'not a key');
  });
  afterAll(() => fs.rm(dir, { recursive: true, force: true }));

  it('unwraps the data key with the private key the backup was made for', async () => {
    const dataKey = randomBytes(32);
    const wrapped = wrapDataKey(dataKey, await readBackupPublicKey(file('backup.key.pub')), 'backup-1');
    expect(wrapped.keyId).toBe(pair.keyId);
    expect(keyIdOf(await readBackupPrivateKey(file('backup.key')))).toBe(pair.keyId);
    expect(unwrapDataKey(wrapped, await readBackupPrivateKey(file('backup.key')), 'backup-1')).toEqual(dataKey);
    expect(JSON.stringify(wrapped)).not.toContain(dataKey.toString('base64'));
  });

  it('refuses the public key as a restore key: it can make backups but not open them', async () => {
    expect(await code(() => readBackupPrivateKey(file('backup.key.pub')))).toBe('BACKUP_KEY_NOT_PRIVATE');
    expect(await code(() => readBackupPrivateKey(file('garbage')))).toBe('BACKUP_KEY_INVALID');
    expect(await code(() => readBackupPublicKey(file('missing.pub')))).toBe('BACKUP_PUBLIC_KEY_MISSING');
  });

  it('tells another key pair (wrong key) from an altered wrapping or another backup (tampered)', async () => {
    const wrapped = wrapDataKey(randomBytes(32), await readBackupPublicKey(file('backup.key.pub')), 'backup-1');
    const key = await readBackupPrivateKey(file('backup.key'));
    const otherKey = await readBackupPrivateKey(file('other.key'));
    expect(await code(() => unwrapDataKey(wrapped, otherKey, 'backup-1'))).toBe('BACKUP_WRONG_KEY');
    expect(await code(() => unwrapDataKey(wrapped, key, 'backup-2'))).toBe('BACKUP_TAMPERED');
    const sealed = Buffer.from(wrapped.sealed, 'base64');
    sealed.writeUInt8(sealed.readUInt8(3) ^ 1, 3);
    expect(await code(() => unwrapDataKey({ ...wrapped, sealed: sealed.toString('base64') }, key, 'backup-1'))).toBe('BACKUP_TAMPERED');
  });

  it('derives a different key for each part and each backup, and seals the manifest bytes', () => {
    const dataKey = randomBytes(32);
    expect(partKey(dataKey, 'a', 'database').equals(partKey(dataKey, 'a', 'inventory'))).toBe(false);
    expect(partKey(dataKey, 'a', 'database').equals(partKey(dataKey, 'b', 'database'))).toBe(false);
    expect(manifestSeal(dataKey, 'a', Buffer.from('{"x":1}'))).not.toBe(manifestSeal(dataKey, 'a', Buffer.from('{"x":2}')));
  });
});
