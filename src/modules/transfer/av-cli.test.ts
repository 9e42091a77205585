/**
 * `lantai av import-signatures` as the system admin, on both databases, against a
 * private clamd: installed, reloaded and audited under the admin's name; a refused
 * import is audited too and changes nothing; another role is refused.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../platform/db/test-support/databases.js';
import { startTestClamd, type TestClamd } from '../../platform/scan/test-support/clamd.js';
import { createTestApp, type TestApp } from '../../test-support/app.js';
import { runLantai } from '../../test-support/cli.js';
import { setupInstallation } from '../accounts/setup.js';
import { firstSignIn, totpCode } from '../accounts/test-support/sign-in.js';

const PASSWORDS = { sys: 'Operations#2026', aud: 'Review#2026!x' } as const;

describe.each(DIALECTS)('lantai av import-signatures on %s', (dialect) => {
  let t: TestApp;
  let clamd: TestClamd;
  let env: Record<string, string>;
  const secrets: Record<string, string> = {};

  const as = (username: keyof typeof PASSWORDS, args: string[]) => runLantai([...args, '--as', username], env, { input: `${PASSWORDS[username]}\n${totpCode(secrets[username] ?? '')}\n` });
  const entries = () => t.app.database.db.selectFrom('audit_entries').select(['result', 'reason', 'actor_username', 'details']).where('action', '=', 'av.signatures.import').orderBy('seq').execute();

  beforeAll(async () => {
    t = await createTestApp(dialect);
    clamd = await startTestClamd(path.join(t.dir, 'clamd'));
    env = { LANTAI_DATABASE_URL: t.app.config.database.url, LANTAI_STORES: `primary=${path.join(t.dir, 'blobs')}`, LANTAI_DATA_DIR: t.dir, LANTAI_CLAMD_SOCKET: clamd.socket, LANTAI_CLAMAV_DB_DIR: path.join(t.dir, 'clamd', 'db') };
    const created = await t.app.database.db.transaction().execute((tx) => setupInstallation(tx, t.app.services.accounts, { archiveName: '测试市档案馆', admins: { systemAdmin: 'sys', securityAdmin: 'sec', auditor: 'aud' } }));
    const oneTime = Object.fromEntries(created.map((c) => [c.username, c.password]));
    for (const admin of ['sys', 'aud'] as const) secrets[admin] = (await firstSignIn(t.app, admin, oneTime[admin] ?? '', PASSWORDS[admin], true)) ?? '';
  }, 90_000);
  afterAll(async () => {
    await clamd?.stop();
    await t?.close();
  });

  it('installs the signatures, tells clamd to reload and audits the import under the system admin', { timeout: 60_000 }, async () => {
    const incoming = path.join(t.dir, 'disc');
    await fs.mkdir(incoming, { recursive: true });
    const threat = '需要检出的新样本 lantai sample';
    await fs.writeFile(path.join(incoming, 'agency.hdb'), `${createHash('md5').update(threat).digest('hex')}:${Buffer.byteLength(threat)}:Lantai.Test.Agency\n`);
    const res = await as('sys', ['av', 'import-signatures', incoming]);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout + res.stderr).toContain('已导入 agency.hdb（自定义特征）');
    expect(res.stdout + res.stderr).toContain('clamd 已开始重新加载特征库');
    expect(await fs.readdir(env.LANTAI_CLAMAV_DB_DIR as string)).toContain('agency.hdb');
    const [entry] = await entries();
    expect(entry).toMatchObject({ result: 'ok', actor_username: 'sys' });
    expect(String(entry?.details)).toContain('agency.hdb');
  });

  it('audits a refused import with ClamAV’s reason and installs nothing', { timeout: 60_000 }, async () => {
    const before = (await fs.readdir(env.LANTAI_CLAMAV_DB_DIR as string)).sort();
    const incoming = path.join(t.dir, 'bad-disc');
    await fs.mkdir(incoming, { recursive: true });
    await fs.writeFile(path.join(incoming, 'broken.ldb'), 'no;such;logical;signature\n');
    const res = await as('sys', ['av', 'import-signatures', incoming]);
    expect(res.code).not.toBe(0);
    expect(res.stderr).toMatch(/特征库未导入：ClamAV 无法加载导入后的特征库，未做任何更改/);
    expect((await fs.readdir(env.LANTAI_CLAMAV_DB_DIR as string)).sort()).toEqual(before);
    expect((await entries()).at(-1)).toMatchObject({ result: 'failed', actor_username: 'sys' });
  });

  it('refuses the auditor', { timeout: 60_000 }, async () => {
    const res = await as('aud', ['av', 'import-signatures', path.join(t.dir, 'disc')]);
    expect(res.code).not.toBe(0);
    expect((await entries()).at(-1)).toMatchObject({ result: 'refused', actor_username: 'aud' });
  });
});
