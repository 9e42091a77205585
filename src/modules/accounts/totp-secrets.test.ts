import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, MIGRATIONS } from '../../app.js';
import { loadConfig } from '../../config.js';
import { openDatabase } from '../../platform/db/database.js';
import { migrateToLatest } from '../../platform/db/migrations.js';
import { createEmptyDatabase, DIALECTS } from '../../platform/db/test-support/databases.js';
import { createTestApp, type TestApp } from '../../test-support/app.js';
import { hashPassword } from './password.js';
import { SESSION_COOKIE } from './routes.js';
import { setupInstallation } from './setup.js';
import { firstSignIn, totpCode } from './test-support/sign-in.js';
import { createTotpSecretBox } from './totp-secrets.js';
import { SEAL_TOTP_SECRETS } from './totp-secrets-migration.js';
import { newTotpSecret } from './totp.js';

describe('sealing TOTP secrets', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'lantai-totp-'));
  });
  afterAll(async () => fs.rm(dir, { recursive: true, force: true }));

  it('creates a 32-byte key file readable by its owner alone on first use, and opens what it sealed', async () => {
    const keyFile = path.join(dir, 'keys', 'totp.key');
    const box = createTotpSecretBox({ keyFile });
    const secret = newTotpSecret();
    const sealed = await box.seal('u-1', secret);
    expect(sealed).toMatch(/^v1:[\w-]+:[\w-]+:[\w-]+$/);
    expect(sealed).not.toContain(secret);
    expect(await box.seal('u-1', secret)).not.toBe(sealed);
    const stat = await fs.stat(keyFile);
    expect(stat.mode & 0o777).toBe(0o600);
    expect(stat.size).toBe(32);
    // A second process (a fresh box) reads the same key.
    expect(await createTotpSecretBox({ keyFile }).open('u-1', sealed)).toBe(secret);
  });

  it('refuses a secret sealed for another account, altered, or left in plaintext', async () => {
    const box = createTotpSecretBox({ keyFile: path.join(dir, 'other.key') });
    const secret = newTotpSecret();
    const sealed = await box.seal('u-1', secret);
    await expect(box.open('u-2', sealed)).rejects.toMatchObject({ code: 'TOTP_SECRET_UNREADABLE' });
    const [iv, ciphertext, tag] = sealed.slice(3).split(':');
    const flipped = Buffer.from(ciphertext ?? '', 'base64url');
    flipped[0] = (flipped[0] ?? 0) ^ 1;
    await expect(box.open('u-1', `v1:${iv}:${flipped.toString('base64url')}:${tag}`)).rejects.toMatchObject({ code: 'TOTP_SECRET_UNREADABLE' });
    await expect(box.open('u-1', secret)).rejects.toMatchObject({ code: 'TOTP_SECRET_UNREADABLE' });
  });

  it('says the key file is missing rather than making a new one when it only has to open', async () => {
    const keyFile = path.join(dir, 'lost.key');
    const sealed = await createTotpSecretBox({ keyFile }).seal('u-1', newTotpSecret());
    await fs.rm(keyFile);
    await expect(createTotpSecretBox({ keyFile }).open('u-1', sealed)).rejects.toMatchObject({ code: 'TOTP_KEY_MISSING' });
    await expect(fs.stat(keyFile)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe.each(DIALECTS)('TOTP secrets at rest on %s', (dialect) => {
  let opened: TestApp | undefined;
  afterEach(async () => {
    await opened?.close();
    opened = undefined;
  });

  const storedSecret = async (t: TestApp, username: string) => (await t.app.database.db.selectFrom('users').select('totp_secret').where('username', '=', username).executeTakeFirstOrThrow()).totp_secret;

  it('keeps the enrolled secret sealed in the database, and the second factor still passes', async () => {
    const t = await createTestApp(dialect);
    opened = t;
    const [admin] = await t.app.database.db.transaction().execute((tx) => setupInstallation(tx, t.app.services.accounts, { archiveName: '测试市档案馆', admins: { systemAdmin: 'sys', securityAdmin: 'sec', auditor: 'aud' } }));
    const secret = (await firstSignIn(t.app, 'sys', admin?.password ?? '', 'Operations#2026', true)) ?? '';
    const stored = (await storedSecret(t, 'sys')) ?? '';
    expect(stored.startsWith('v1:')).toBe(true);
    expect(stored).not.toContain(secret);
    expect(stored.toUpperCase()).not.toContain(secret.slice(0, 16));

    const login = await t.app.http.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'sys', password: 'Operations#2026' } });
    const headers = { cookie: `${SESSION_COOKIE}=${login.cookies.find((c) => c.name === SESSION_COOKIE)?.value ?? ''}`, 'x-csrf-token': login.json().csrfToken as string };
    expect((await t.app.http.inject({ method: 'POST', url: '/api/auth/totp/verify', headers, payload: { code: totpCode(secret) } })).statusCode).toBe(200);
    expect((await t.app.http.inject({ method: 'GET', url: '/api/auth/session', headers })).json().secondFactor).toBe('ok');
  });

  it('seals the plaintext secrets of an older installation when it migrates, after which they still verify', async () => {
    // An installation migrated before sealing existed (so none of the later migrations either), with one enrolled admin.
    const empty = await createEmptyDatabase(dialect);
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'lantai-totp-upgrade-'));
    const old = await openDatabase(empty.config);
    const secret = newTotpSecret();
    const at = new Date().toISOString();
    try {
      await migrateToLatest(old, MIGRATIONS.filter((m) => m.name < SEAL_TOTP_SECRETS));
      await old.db.insertInto('organisations').values({ id: 'o-archive', kind: 'archive', code: null, name: '档案馆', parent_id: null, disabled: 0, created_at: at }).execute();
      await old.db
        .insertInto('users')
        .values({ id: 'u-sys', username: 'sys', display_name: 'sys', organisation_id: 'o-archive', password_hash: await hashPassword('Operations#2026'), must_change_password: 0, password_changed_at: at, clearance: '非密', totp_secret: secret, totp_enabled: 1, disabled: 0, created_at: at, updated_at: at })
        .execute();
      await old.db.insertInto('user_roles').values({ user_id: 'u-sys', role: 'system_admin', granted_by: null, granted_at: at }).execute();
    } finally {
      await old.close();
    }

    const config = loadConfig({ LANTAI_DATABASE_URL: empty.config.url, LANTAI_STORES: `primary=${path.join(dir, 'blobs')}`, LANTAI_DATA_DIR: dir });
    const app = await buildApp(config, { log: pino({ level: 'silent' }), webRoot: path.join(dir, 'no-web') });
    const t: TestApp = {
      app,
      dir,
      async close() {
        await app.close();
        await empty.drop();
        await fs.rm(dir, { recursive: true, force: true });
      },
    };
    opened = t;
    const stored = (await storedSecret(t, 'sys')) ?? '';
    expect(stored.startsWith('v1:')).toBe(true);
    expect(stored).not.toContain(secret);
    expect((await fs.stat(config.totpKeyFile)).mode & 0o777).toBe(0o600);

    const login = await app.http.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'sys', password: 'Operations#2026' } });
    const headers = { cookie: `${SESSION_COOKIE}=${login.cookies.find((c) => c.name === SESSION_COOKIE)?.value ?? ''}`, 'x-csrf-token': login.json().csrfToken as string };
    expect((await app.http.inject({ method: 'POST', url: '/api/auth/totp/verify', headers, payload: { code: totpCode(secret) } })).statusCode).toBe(200);
  });
});
