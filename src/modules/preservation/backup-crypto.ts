/**
 * The keys of Lantai's backups, so that whoever makes backups cannot read them
 * (三员分立: the system admin runs backups, the security admin holds the key).
 *
 * The security admin makes an X25519 key pair once (`lantai backup key create`):
 * the private key stays with them (a 0600 file, on their own media), the public
 * key goes to the system admin. Each backup draws a random 256-bit data key and
 * wraps it for the public key, ECIES-style: a fresh ephemeral X25519 pair, the
 * shared secret through HKDF-SHA256 (RFC 5869) into a key-encryption key, the
 * data key sealed with AES-256-GCM under it. Without the private key the data key
 * cannot be recovered, so the public key alone makes backups but never opens one.
 *
 * From the data key, HKDF derives one key per part (the database, the inventory)
 * and one that seals the manifest (HMAC-SHA256), so parts cannot be swapped and
 * an edited manifest shows. AES-256-GCM only: this Node's OpenSSL offers SM4 in
 * CBC/CTR/ECB modes but not SM4-GCM, and a hand-built SM4-CTR + HMAC-SM3 is left
 * for when a reviewed construction is asked for (GM/T 0002, GM/T 0004).
 */
import { createCipheriv, createDecipheriv, createHash, createHmac, createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync, hkdfSync, randomBytes, timingSafeEqual, type KeyObject } from 'node:crypto';
import fs from 'node:fs/promises';
import { backupErrors } from './backup-errors.js';

export const DATA_KEY_BYTES = 32;
const WRAP_INFO = 'lantai-backup/1 data key wrap';

export interface BackupKeyPair {
  /** PKCS#8 PEM: the security admin's. */
  privatePem: string;
  /** SPKI PEM: for the system admin's backups (LANTAI_BACKUP_PUBLIC_KEY_FILE / --public-key). */
  publicPem: string;
  keyId: string;
}

/** The data key as a backup's manifest carries it: only the private key's holder can unwrap it. */
export interface WrappedDataKey {
  /** keyIdOf the public key it was wrapped for. */
  keyId: string;
  /** The ephemeral X25519 public key, SPKI DER, base64. */
  ephemeralPublicKey: string;
  /** AES-256-GCM nonce, base64. */
  nonce: string;
  /** The sealed data key and its tag, base64. */
  sealed: string;
}

const spki = (key: KeyObject) => key.export({ type: 'spki', format: 'der' });
const b64 = (b: Buffer) => b.toString('base64');

/** A key's fingerprint: the SHA-256 of its public half (SPKI DER), hex, as printed for people and kept in manifests. */
export function keyIdOf(key: KeyObject): string {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  return createHash('sha256').update(spki(pub)).digest('hex');
}

/** `9f3a…` shortened for messages: the first 16 hex digits in groups of four. */
export function shortKeyId(keyId: string): string {
  return keyId.slice(0, 16).replace(/(.{4})(?=.)/g, '$1-');
}

export function createBackupKeyPair(): BackupKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('x25519');
  return {
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    keyId: keyIdOf(publicKey),
  };
}

async function readPem(file: string, missing: () => Error): Promise<string> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw missing();
    throw err;
  }
}

function requireX25519(key: KeyObject, file: string): KeyObject {
  if (key.asymmetricKeyType !== 'x25519') throw backupErrors.BACKUP_KEY_INVALID({ file, reason: `这是 ${key.asymmetricKeyType ?? '未知'} 密钥`, reasonEn: `it is a ${key.asymmetricKeyType ?? 'unknown'} key` });
  return key;
}

/** The public key a backup is made for; a private key file is accepted too (its public half is used). */
export async function readBackupPublicKey(file: string): Promise<KeyObject> {
  const pem = await readPem(file, () => backupErrors.BACKUP_PUBLIC_KEY_MISSING({ file }));
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch {
    throw backupErrors.BACKUP_KEY_INVALID({ file, reason: '无法读取 PEM', reasonEn: 'no readable PEM key' });
  }
  return requireX25519(key, file);
}

/** The security admin's private key; a public key file is refused with the reason (it cannot decrypt). */
export async function readBackupPrivateKey(file: string): Promise<KeyObject> {
  const pem = await readPem(file, () => backupErrors.BACKUP_KEY_INVALID({ file, reason: '文件不存在', reasonEn: 'no such file' }));
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch {
    let isPublic = false;
    try {
      isPublic = createPublicKey(pem).type === 'public';
    } catch {
      // Neither half: reported as not a key below.
    }
    if (isPublic) throw backupErrors.BACKUP_KEY_NOT_PRIVATE({ file });
    throw backupErrors.BACKUP_KEY_INVALID({ file, reason: '无法读取 PEM', reasonEn: 'no readable PEM key' });
  }
  return requireX25519(key, file);
}

function keyEncryptionKey(shared: Buffer, ephemeral: Buffer, recipient: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', shared, Buffer.concat([ephemeral, recipient]), WRAP_INFO, 32));
}

/**
 * Wraps a data key for `recipient`. `context` (the backup's id) is bound in as
 * associated data, so a wrapped key cannot be moved to another backup.
 */
export function wrapDataKey(dataKey: Buffer, recipient: KeyObject, context: string): WrappedDataKey {
  const ephemeral = generateKeyPairSync('x25519');
  const ephemeralDer = spki(ephemeral.publicKey);
  const kek = keyEncryptionKey(diffieHellman({ privateKey: ephemeral.privateKey, publicKey: recipient }), ephemeralDer, spki(recipient));
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', kek, nonce);
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const sealed = Buffer.concat([cipher.update(dataKey), cipher.final(), cipher.getAuthTag()]);
  return { keyId: keyIdOf(recipient), ephemeralPublicKey: b64(ephemeralDer), nonce: b64(nonce), sealed: b64(sealed) };
}

/** The data key, or BACKUP_WRONG_KEY (another key pair) / BACKUP_TAMPERED (the wrapping was altered). */
export function unwrapDataKey(wrapped: WrappedDataKey, privateKey: KeyObject, context: string): Buffer {
  const actual = keyIdOf(privateKey);
  if (actual !== wrapped.keyId) throw backupErrors.BACKUP_WRONG_KEY({ expected: shortKeyId(wrapped.keyId), actual: shortKeyId(actual) });
  const tampered = () => backupErrors.BACKUP_TAMPERED({ what: '清单中的加密数据密钥无法解开', whatEn: 'the wrapped data key in the manifest does not open' });
  try {
    const ephemeralDer = Buffer.from(wrapped.ephemeralPublicKey, 'base64');
    const ephemeral = createPublicKey({ key: ephemeralDer, format: 'der', type: 'spki' });
    const kek = keyEncryptionKey(diffieHellman({ privateKey, publicKey: ephemeral }), ephemeralDer, spki(createPublicKey(privateKey)));
    const sealed = Buffer.from(wrapped.sealed, 'base64');
    if (sealed.length !== DATA_KEY_BYTES + 16) throw tampered();
    const decipher = createDecipheriv('aes-256-gcm', kek, Buffer.from(wrapped.nonce, 'base64'));
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(sealed.subarray(DATA_KEY_BYTES));
    return Buffer.concat([decipher.update(sealed.subarray(0, DATA_KEY_BYTES)), decipher.final()]);
  } catch {
    throw tampered();
  }
}

/** The key of one part of a backup (its own key, so nonces never meet across parts and parts cannot be swapped). */
export function partKey(dataKey: Buffer, backupId: string, part: string): Buffer {
  return Buffer.from(hkdfSync('sha256', dataKey, Buffer.from(backupId, 'utf8'), `lantai-backup/1 part ${part}`, 32));
}

/** HMAC-SHA256 of the manifest's bytes under a key derived from the data key: an edited manifest no longer matches. */
export function manifestSeal(dataKey: Buffer, backupId: string, manifest: Buffer): string {
  const key = Buffer.from(hkdfSync('sha256', dataKey, Buffer.from(backupId, 'utf8'), 'lantai-backup/1 manifest seal', 32));
  return createHmac('sha256', key).update(manifest).digest('hex');
}

export function sealMatches(expected: string, given: string): boolean {
  const a = Buffer.from(expected, 'hex');
  const b = Buffer.from(given, 'hex');
  return a.length === b.length && a.length > 0 && timingSafeEqual(a, b);
}
