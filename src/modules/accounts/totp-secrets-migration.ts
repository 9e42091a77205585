/**
 * Seals the TOTP secrets stored in plaintext before totp-secrets.ts existed. A
 * migration of its own (the accounts migrations before it stay as they ran), and
 * one that needs a key from outside the database, so app.ts builds it from the
 * configuration. Values already sealed are left alone, so running it over a
 * half-sealed table (or twice) is harmless.
 */
import { sql } from 'kysely';
import type { Migration } from '../../platform/db/migrations.js';
import { isSealed, type TotpSecretBox } from './totp-secrets.js';

export const SEAL_TOTP_SECRETS = '2026-11-28-30-accounts-totp-sealed';

export function sealTotpSecretsMigration(box: TotpSecretBox): Migration {
  return {
    name: SEAL_TOTP_SECRETS,
    async up(db) {
      const { rows } = await sql<{ id: string; totp_secret: string }>`select id, totp_secret from users where totp_secret is not null`.execute(db);
      for (const row of rows) {
        if (isSealed(row.totp_secret)) continue;
        await sql`update users set totp_secret = ${await box.seal(row.id, row.totp_secret)} where id = ${row.id}`.execute(db);
      }
    },
  };
}
