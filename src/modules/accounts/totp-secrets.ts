/**
 * TOTP secrets sealed at rest: AES-256-GCM (node:crypto) under a key kept in a
 * file outside the database (LANTAI_TOTP_KEY_FILE, created 0600 on first use), so
 * a copy of the database alone does not yield anyone's second factor (GB/T 22239
 * level 3: confidentiality of authentication data in storage).
 *
 * Stored form: `v1:<iv>:<ciphertext>:<tag>`, base64url, a fresh 96-bit IV each
 * time. The user's id is the additional authenticated data, so a sealed secret
 * copied onto another account does not open there.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { createKeyFile, readKeyFile } from '../../platform/keys/key-file.js';
import { accountsErrors } from './errors.js';

const KEY_BYTES = 32;
const IV_BYTES = 12;
const PREFIX = 'v1:';

export interface TotpSecretBox {
  /** Seals a base32 secret for this user; creates the key file if there is none. */
  seal(userId: string, secret: string): Promise<string>;
  /** Opens what `seal` wrote for this user; TOTP_SECRET_UNREADABLE if it was not sealed for them under this key. */
  open(userId: string, sealed: string): Promise<string>;
}

/** Whether a stored value is sealed (rather than a legacy plaintext base32 secret). */
export function isSealed(stored: string): boolean {
  return stored.startsWith(PREFIX);
}

const aad = (userId: string) => Buffer.from(`lantai.totp:${userId}`, 'utf8');

export function createTotpSecretBox(options: { keyFile: string }): TotpSecretBox {
  const { keyFile } = options;
  let cached: Buffer | null = null;

  function checked(key: Buffer): Buffer {
    if (key.length !== KEY_BYTES) throw accountsErrors.TOTP_KEY_INVALID({ file: keyFile, size: key.length });
    return key;
  }

  async function keyForSealing(): Promise<Buffer> {
    cached ??= checked(await createKeyFile(keyFile, KEY_BYTES));
    return cached;
  }

  async function keyForOpening(): Promise<Buffer> {
    if (cached) return cached;
    const key = await readKeyFile(keyFile);
    if (!key) throw accountsErrors.TOTP_KEY_MISSING({ file: keyFile });
    cached = checked(key);
    return cached;
  }

  return {
    async seal(userId, secret) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', await keyForSealing(), iv);
      cipher.setAAD(aad(userId));
      const ciphertext = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
      return `${PREFIX}${[iv, ciphertext, cipher.getAuthTag()].map((b) => b.toString('base64url')).join(':')}`;
    },

    async open(userId, sealed) {
      const parts = isSealed(sealed) ? sealed.slice(PREFIX.length).split(':') : [];
      if (parts.length !== 3) throw accountsErrors.TOTP_SECRET_UNREADABLE();
      const [iv, ciphertext, tag] = parts.map((p) => Buffer.from(p, 'base64url'));
      if (!iv || !ciphertext || !tag || iv.length !== IV_BYTES || tag.length !== 16) throw accountsErrors.TOTP_SECRET_UNREADABLE();
      const key = await keyForOpening();
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, iv);
        decipher.setAAD(aad(userId));
        decipher.setAuthTag(tag);
        return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
      } catch {
        throw accountsErrors.TOTP_SECRET_UNREADABLE();
      }
    },
  };
}
