import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../platform/db/test-support/databases.js';
import { createTestApp, type TestApp } from '../../test-support/app.js';
import { runLantai } from '../../test-support/cli.js';
import { SYSTEM_ACTOR } from './service.js';
import { setupInstallation } from './setup.js';
import { firstSignIn, totpCode } from './test-support/sign-in.js';

const PASSWORDS = { sys: 'Operations#2026', aud: 'Review#2026!x', arch: 'Records#2026x' } as const;

describe.each(DIALECTS)('lantai user and audit-log commands as a signed-in admin on %s', (dialect) => {
  let t: TestApp;
  let env: Record<string, string>;
  const secrets: Record<string, string> = {};
  let oneTime: Record<string, string> = {};
  let archiveId = '';

  /** `lantai <args> --as <username>` with the password, and the one-time code when the account has one, on standard input. */
  function as(username: keyof typeof PASSWORDS, args: string[], overrides: { password?: string; code?: string } = {}) {
    const secret = secrets[username];
    const code = overrides.code ?? (secret ? totpCode(secret) : '');
    return runLantai([...args, '--as', username], env, { input: `${overrides.password ?? PASSWORDS[username]}\n${code}\n` });
  }

  const entries = (action: string) =>
    t.app.database.db.selectFrom('audit_entries').select(['action', 'result', 'reason', 'actor_username', 'actor_address', 'target_label', 'details']).where('action', '=', action).orderBy('seq').execute();
  const userRow = (username: string) => t.app.database.db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirstOrThrow();

  beforeAll(async () => {
    t = await createTestApp(dialect);
    env = { LANTAI_DATABASE_URL: t.app.config.database.url, LANTAI_STORES: `primary=${path.join(t.dir, 'blobs')}`, LANTAI_DATA_DIR: t.dir };
    const { accounts } = t.app.services;
    const created = await t.app.database.db.transaction().execute((tx) => setupInstallation(tx, accounts, { archiveName: '测试市档案馆', admins: { systemAdmin: 'sys', securityAdmin: 'sec', auditor: 'aud' } }));
    oneTime = Object.fromEntries(created.map((c) => [c.username, c.password]));
    for (const admin of ['sys', 'aud'] as const) secrets[admin] = (await firstSignIn(t.app, admin, oneTime[admin] ?? '', PASSWORDS[admin], true)) ?? '';
    archiveId = (await accounts.organisationByCode(t.app.database.db, null)).id;
    await t.app.database.db.transaction().execute(async (tx) => {
      const id = await accounts.createUser(tx, SYSTEM_ACTOR, { username: 'arch', displayName: '档案员', organisationId: archiveId, password: 'Temp#Pass01' });
      await accounts.setRoles(tx, SYSTEM_ACTOR, id, ['archivist'], true);
    });
    await firstSignIn(t.app, 'arch', 'Temp#Pass01', PASSWORDS.arch, false);
  }, 60_000);
  afterAll(async () => t?.close());

  it('creates an account as the system admin, with password and one-time code, and audits it under the admin’s name', async () => {
    const res = await as('sys', ['--json', 'user', 'create', 'li.si', '--display-name', '李四']);
    expect(res.code, res.stderr).toBe(0);
    const created = JSON.parse(res.stdout) as { id: string; username: string; organisation: string; password: string };
    expect(created).toMatchObject({ username: 'li.si', organisation: '测试市档案馆' });
    expect(created.password.length).toBeGreaterThanOrEqual(12);
    expect(await userRow('li.si')).toMatchObject({ id: created.id, display_name: '李四', organisation_id: archiveId, must_change_password: 1 });
    const [entry] = await entries('accounts.user.create').then((all) => all.filter((e) => e.target_label === 'li.si'));
    expect(entry).toMatchObject({ result: 'ok', actor_username: 'sys', actor_address: expect.stringMatching(/^cli:.+@.+/) });
    const logins = await entries('accounts.login');
    expect(logins.at(-1)).toMatchObject({ result: 'ok', actor_username: 'sys' });
    expect(String(logins.at(-1)?.details)).toContain('"channel":"cli"');
  });

  it('resets a password to a one-time one and disables an account, for the people at the terminal and for scripts', async () => {
    const reset = await as('sys', ['user', 'reset-password', 'li.si']);
    expect(reset.code, reset.stderr).toBe(0);
    const temporary = /li\.si\t(\S+)/.exec(reset.stdout)?.[1] ?? '';
    expect(reset.stdout).toContain('一次性密码');
    const login = await t.app.http.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'li.si', password: temporary }, remoteAddress: '10.0.0.7' });
    expect(login.json()).toMatchObject({ mustChangePassword: true });
    const disabled = await as('sys', ['--json', 'user', 'disable', 'li.si']);
    expect(disabled.code, disabled.stderr).toBe(0);
    expect(JSON.parse(disabled.stdout)).toMatchObject({ username: 'li.si', disabled: true });
    expect((await userRow('li.si')).disabled).toBe(1);
    expect((await entries('accounts.user.disable')).at(-1)).toMatchObject({ result: 'ok', actor_username: 'sys', target_label: 'li.si' });
    expect((await entries('accounts.user.reset-password')).at(-1)).toMatchObject({ result: 'ok', actor_username: 'sys' });
  });

  it('refuses and audits what the service forbids even the system admin, such as resetting the auditor’s password', async () => {
    const res = await as('sys', ['user', 'reset-password', 'aud']);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('FORBIDDEN_ROLE');
    expect((await entries('accounts.user.reset-password')).at(-1)).toMatchObject({ result: 'refused', actor_username: 'sys', reason: 'FORBIDDEN_ROLE' });
  });

  it('runs audit-log verify and checkpoint as the signed-in auditor', async () => {
    const verify = await as('aud', ['--json', 'audit-log', 'verify']);
    expect(verify.code, verify.stderr).toBe(0);
    expect(JSON.parse(verify.stdout)).toMatchObject({ ok: true, firstBroken: null });
    expect((await entries('audit.verify')).at(-1)).toMatchObject({ result: 'ok', actor_username: 'aud', actor_address: expect.stringMatching(/^cli:/) });
    const checkpoint = await as('aud', ['--json', 'audit-log', 'checkpoint']);
    expect(checkpoint.code, checkpoint.stderr).toBe(0);
    expect((await entries('audit.checkpoint')).at(-1)).toMatchObject({ result: 'ok', actor_username: 'aud' });
  });

  it('refuses and audits the wrong role: an archivist archiving the audit log, the system admin verifying it, the auditor creating an account', async () => {
    const byArchivist = await as('arch', ['audit-log', 'archive', '--before', '2020-01-01', '--out', path.join(t.dir, 'segments')]);
    expect(byArchivist.code).toBe(1);
    expect(byArchivist.stderr).toContain('FORBIDDEN_ROLE');
    expect(byArchivist.stderr).toContain('档案业务人员无权执行此操作：归档审计日志');
    expect((await entries('audit.archive')).at(-1)).toMatchObject({ result: 'refused', reason: 'FORBIDDEN_ROLE', actor_username: 'arch' });
    const bySys = await as('sys', ['audit-log', 'verify']);
    expect(bySys.stderr).toContain('FORBIDDEN_ROLE');
    expect((await entries('audit.verify')).at(-1)).toMatchObject({ result: 'refused', actor_username: 'sys' });
    const byAuditor = await as('aud', ['user', 'create', 'wang.wu']);
    expect(byAuditor.stderr).toContain('FORBIDDEN_ROLE');
    expect((await entries('accounts.user.create')).at(-1)).toMatchObject({ result: 'refused', actor_username: 'aud' });
    expect(await t.app.database.db.selectFrom('users').select('id').where('username', '=', 'wang.wu').execute()).toEqual([]);
  });

  it('asks for credentials it cannot prompt for, and refuses an admin who has not changed the one-time password', async () => {
    const none = await runLantai(['user', 'disable', 'arch'], env);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('CLI_CREDENTIALS_REQUIRED');
    expect(none.stderr).toContain('--as');
    const notChanged = await runLantai(['user', 'disable', 'arch', '--as', 'sec'], env, { input: `${oneTime.sec ?? ''}\n` });
    expect(notChanged.code).toBe(1);
    expect(notChanged.stderr).toContain('AUTH_PASSWORD_CHANGE_REQUIRED');
    expect((await entries('accounts.login')).at(-1)).toMatchObject({ result: 'refused', actor_username: 'sec', reason: 'AUTH_PASSWORD_CHANGE_REQUIRED' });
    expect((await userRow('arch')).disabled).toBe(0);
  });

  it('counts a wrong one-time code or password towards the lockout the web shares, and audits each', async () => {
    const wrongCode = await as('sys', ['user', 'disable', 'arch'], { code: totpCode(secrets.sys ?? '') === '000000' ? '111111' : '000000' });
    expect(wrongCode.stderr).toContain('TOTP_INVALID');
    const wrongPassword = await as('sys', ['user', 'disable', 'arch'], { password: 'Wrong#2026' });
    expect(wrongPassword.stderr).toContain('AUTH_INVALID_CREDENTIALS');
    const refusals = (await entries('accounts.login')).filter((e) => e.result === 'refused' && e.actor_username === 'sys');
    expect(refusals.map((e) => e.reason)).toEqual(['bad one-time code', 'bad credentials']);
    // Three more on the web make five for the account.
    for (let i = 0; i < 3; i++) await t.app.http.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'sys', password: 'Wrong#2026' }, remoteAddress: `10.2.0.${i}` });
    const locked = await as('sys', ['user', 'disable', 'arch']);
    expect(locked.code).toBe(1);
    expect(locked.stderr).toContain('AUTH_LOCKED');
    expect((await userRow('arch')).disabled).toBe(0);
  });
});
