import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../platform/db/test-support/databases.js';
import { createTestApp, type TestApp } from '../../test-support/app.js';
import { grantListQuery } from './grants-repo.js';
import { SESSION_COOKIE } from './routes.js';
import { setupInstallation } from './setup.js';

const STRONG = 'Archive#2026x';
/** An admin's own password: meets the policy and does not contain the username. */
const pw = (username: string) => `${STRONG}-${username.length}${username.charCodeAt(0)}`;

interface Session {
  cookie: string;
  csrf: string;
}

describe.each(DIALECTS)('accounts over HTTP on %s', (dialect) => {
  let t: TestApp;
  const passwords: Record<string, string> = {};
  const sessions: Record<string, Session> = {};
  const totpSecrets: Record<string, string> = {};
  const code = (username: string) => new TOTP({ secret: Secret.fromBase32(totpSecrets[username] ?? ''), digits: 6, period: 30 }).generate();

  /** Signs an admin in and passes the second factor. */
  async function signInAdmin(username: string, password: string): Promise<Session> {
    const s = await signIn(username, password);
    const res = await call(s, 'POST', '/api/auth/totp/verify', { code: code(username) });
    expect(res.statusCode, res.body).toBe(200);
    return s;
  }
  let archiveId = '';

  async function login(username: string, password: string, address = '10.0.0.1') {
    return t.app.http.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password }, remoteAddress: address });
  }

  async function signIn(username: string, password: string): Promise<Session> {
    const res = await login(username, password);
    expect(res.statusCode, res.body).toBe(200);
    const cookie = res.cookies.find((c) => c.name === SESSION_COOKIE);
    expect(cookie?.httpOnly).toBe(true);
    expect(cookie?.sameSite).toBe('Strict');
    return { cookie: `${SESSION_COOKIE}=${cookie?.value ?? ''}`, csrf: res.json().csrfToken };
  }

  function call(s: Session, method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: object) {
    return t.app.http.inject({ method, url, payload, headers: { cookie: s.cookie, 'x-csrf-token': s.csrf } });
  }

  async function auditEntries(action: string) {
    return t.app.database.db.selectFrom('audit_entries').select(['action', 'result', 'actor_username', 'target_id', 'reason']).where('action', '=', action).orderBy('seq').execute();
  }

  beforeAll(async () => {
    t = await createTestApp(dialect);
    const created = await t.app.database.db.transaction().execute((tx) =>
      setupInstallation(tx, t.app.services.accounts, { archiveName: '测试市档案馆', admins: { systemAdmin: 'sys', securityAdmin: 'sec', auditor: 'aud' } }),
    );
    for (const c of created) passwords[c.username] = c.password;
    archiveId = (await t.app.database.db.selectFrom('organisations').select('id').where('kind', '=', 'archive').executeTakeFirstOrThrow()).id;
    for (const admin of ['sys', 'sec', 'aud']) {
      const first = await signIn(admin, passwords[admin] ?? '');
      expect((await call(first, 'GET', '/api/auth/session')).json().secondFactor).toBe('enrol');
      expect((await call(first, 'POST', '/api/auth/password', { current: passwords[admin], next: pw(admin) })).json().code).toBe('TOTP_ENROL_REQUIRED');
      const enrolRes = await call(first, 'POST', '/api/auth/totp/enrol');
      expect(enrolRes.statusCode, enrolRes.body).toBe(200);
      const enrol = enrolRes.json();
      expect(enrol.qrDataUrl).toMatch(/^data:image\/png;base64,/);
      totpSecrets[admin] = new URL(enrol.uri).searchParams.get('secret') ?? '';
      expect((await call(first, 'POST', '/api/auth/totp/verify', { code: '000000' === code(admin) ? '111111' : '000000' })).json().code).toBe('TOTP_INVALID');
      expect((await call(first, 'POST', '/api/auth/totp/verify', { code: code(admin) })).statusCode).toBe(200);
      const changed = await call(first, 'POST', '/api/auth/password', { current: passwords[admin], next: pw(admin) });
      expect(changed.statusCode, changed.body).toBe(200);
      const again = await signIn(admin, pw(admin));
      expect((await call(again, 'POST', '/api/accounts/users', {})).json().code).toBe('TOTP_REQUIRED');
      sessions[admin] = await signInAdmin(admin, pw(admin));
    }
  });
  afterAll(async () => t?.close());

  it('lets the system admin create an account whose owner must change the password at first sign-in', async () => {
    const res = await call(sessions.sys as Session, 'POST', '/api/accounts/users', { username: 'zhang.san', displayName: '张三', organisationId: archiveId, password: 'Temp#Pass01' });
    expect(res.statusCode, res.body).toBe(201);
    const first = await signIn('zhang.san', 'Temp#Pass01');
    expect((await call(first, 'GET', '/api/auth/session')).json()).toMatchObject({ mustChangePassword: true, user: { username: 'zhang.san', displayName: '张三' } });
    const blocked = await call(first, 'PUT', `/api/accounts/users/${res.json().id}/clearance`, { clearance: '秘密' });
    expect(blocked.json().code).toBe('AUTH_PASSWORD_CHANGE_REQUIRED');
    const weak = await call(first, 'POST', '/api/auth/password', { current: 'Temp#Pass01', next: 'zhang.san123' });
    expect(weak.json().code).toBe('PASSWORD_POLICY');
    expect((await call(first, 'POST', '/api/auth/password', { current: 'Temp#Pass01', next: 'Better#Pass02' })).statusCode).toBe(200);
    expect((await call(first, 'GET', '/api/auth/session')).json().mustChangePassword).toBe(false);
    expect(await auditEntries('accounts.user.create')).toContainEqual(expect.objectContaining({ result: 'ok', actor_username: 'sys' }));
  });

  it('refuses and audits the security admin creating an account', async () => {
    const res = await call(sessions.sec as Session, 'POST', '/api/accounts/users', { username: 'li.si', displayName: '李四', organisationId: archiveId, password: 'Temp#Pass01' });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ code: 'FORBIDDEN_ROLE', message: expect.stringContaining('安全保密管理员') });
    expect(await auditEntries('accounts.user.create')).toContainEqual(expect.objectContaining({ result: 'refused', actor_username: 'sec', reason: 'FORBIDDEN_ROLE' }));
    expect(await t.app.database.db.selectFrom('users').select('id').where('username', '=', 'li.si').execute()).toEqual([]);
  });

  it('refuses and audits the system admin granting a role, and any admin granting to itself', async () => {
    const user = (await t.app.database.db.selectFrom('users').select('id').where('username', '=', 'zhang.san').executeTakeFirstOrThrow()).id;
    const bySys = await call(sessions.sys as Session, 'PUT', `/api/accounts/users/${user}/roles`, { roles: ['archivist'] });
    expect(bySys.statusCode).toBe(403);
    const secId = (await t.app.database.db.selectFrom('users').select('id').where('username', '=', 'sec').executeTakeFirstOrThrow()).id;
    const selfGrant = await call(sessions.sec as Session, 'PUT', `/api/accounts/users/${secId}/roles`, { roles: ['security_admin', 'archivist'] });
    expect(selfGrant.json().code).toBe('SELF_GRANT');
    const refusals = (await auditEntries('accounts.user.roles')).filter((e) => e.result === 'refused');
    expect(refusals.map((e) => e.actor_username).sort()).toEqual(['sec', 'sys']);
  });

  it('keeps the three admin roles exclusive of each other and of business roles', async () => {
    const user = (await t.app.database.db.selectFrom('users').select('id').where('username', '=', 'zhang.san').executeTakeFirstOrThrow()).id;
    const res = await call(sessions.sec as Session, 'PUT', `/api/accounts/users/${user}/roles`, { roles: ['archivist', 'auditor'] });
    expect(res.statusCode).toBe(422);
    expect(res.json().code).toBe('ROLE_CONFLICT');
    expect((await call(sessions.sec as Session, 'PUT', `/api/accounts/users/${user}/roles`, { roles: ['archivist', 'approver'] })).statusCode).toBe(200);
  });

  it('refuses a state-changing request without the anti-forgery token', async () => {
    const s = sessions.sys as Session;
    const res = await t.app.http.inject({ method: 'POST', url: '/api/accounts/users', headers: { cookie: s.cookie }, payload: { username: 'x.y', displayName: 'x', organisationId: archiveId, password: 'Temp#Pass01' } });
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('AUTH_CSRF');
  });

  it('locks an account after five failed sign-ins in ten minutes, even for the right password, and audits it', async () => {
    for (let i = 0; i < 5; i++) expect((await login('aud', 'wrong-password', `10.1.0.${i}`)).json().code).toBe('AUTH_INVALID_CREDENTIALS');
    const locked = await login('aud', pw('aud'), '10.1.0.99');
    expect(locked.statusCode).toBe(423);
    expect(locked.json().code).toBe('AUTH_LOCKED');
    expect((await auditEntries('accounts.login')).filter((e) => e.result === 'refused' && e.reason === 'locked')).toHaveLength(1);
  });

  it('locks an address after five failures whatever usernames it tries', async () => {
    for (let i = 0; i < 5; i++) await login(`nobody${i}`, 'x', '10.9.9.9');
    expect((await login('sys', pw('sys'), '10.9.9.9')).json().code).toBe('AUTH_LOCKED');
    expect((await login('sys', pw('sys'), '10.9.9.10')).statusCode).toBe(200);
  });

  it('ends a session idle for longer than the timeout', async () => {
    const s = await signIn('sys', pw('sys'));
    const sysId = (await t.app.database.db.selectFrom('users').select('id').where('username', '=', 'sys').executeTakeFirstOrThrow()).id;
    await t.app.database.db.updateTable('sessions').set({ last_seen_at: new Date(Date.now() - 31 * 60_000).toISOString() }).where('user_id', '=', sysId).execute();
    const res = await call(s, 'GET', '/api/auth/session');
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe('AUTH_SESSION_EXPIRED');
    sessions.sys = await signInAdmin('sys', pw('sys'));
  });

  it('signs out everywhere', async () => {
    const a = await signIn('sec', pw('sec'));
    const b = await signIn('sec', pw('sec'));
    expect((await call(a, 'POST', '/api/auth/logout', { everywhere: true })).statusCode).toBe(200);
    expect((await call(b, 'GET', '/api/auth/session')).statusCode).toBe(401);
    sessions.sec = await signInAdmin('sec', pw('sec'));
  });

  it('shows the auditor only the admins’ entries and the security admin only ordinary users’, as CSV on request', async () => {
    const byAuditor = await call(sessions.aud as Session, 'GET', '/api/audit/entries?limit=500');
    expect(byAuditor.statusCode, byAuditor.body).toBe(200);
    expect(byAuditor.json()).toContainEqual(expect.objectContaining({ actorUsername: 'sys', action: 'accounts.user.create', result: 'ok' }));
    const classes = new Set((byAuditor.json() as Array<{ actorClass: string }>).map((e) => e.actorClass));
    expect([...classes].every((c) => c === 'system_admin' || c === 'security_admin')).toBe(true);
    const bySecurity = await call(sessions.sec as Session, 'GET', '/api/audit/entries?limit=500&format=csv');
    expect(bySecurity.headers['content-type']).toContain('text/csv');
    // The class column (the eighth) holds ordinary users and anonymous visitors only; details may mention admin roles.
    const csvClasses = bySecurity.body.trim().split('\r\n').slice(1).map((line) => line.split('","')[7]);
    expect(new Set(csvClasses)).toEqual(new Set(['user', 'anonymous']));
    const byClerk = await call(await signIn('zhang.san', 'Better#Pass02'), 'GET', '/api/audit/entries');
    expect(byClerk.statusCode).toBe(403);
    expect(await auditEntries('audit.review')).toContainEqual(expect.objectContaining({ result: 'refused', actor_username: 'zhang.san' }));
  });

  it('issues an agency a filing-API key shown once, stored hashed, limited to the filing API, and revocable', async () => {
    const agency = (await call(sessions.sys as Session, 'POST', '/api/accounts/organisations', { kind: 'agency', code: 'J009', name: '市交通运输局' })).json().id as string;
    expect((await call(sessions.sys as Session, 'POST', '/api/accounts/api-keys', { organisationId: archiveId, name: 'OA' })).json().code).toBe('API_KEY_AGENCY_ONLY');
    expect((await call(sessions.sec as Session, 'POST', '/api/accounts/api-keys', { organisationId: agency, name: 'OA' })).statusCode).toBe(403);
    const issued = await call(sessions.sys as Session, 'POST', '/api/accounts/api-keys', { organisationId: agency, name: '协同办公系统', days: 30 });
    expect(issued.statusCode, issued.body).toBe(201);
    const { id, key } = issued.json() as { id: string; key: string };
    const stored = await t.app.database.db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    // The secret is everything after `lt_<id>_` (base64url, so it may itself contain '_').
    const secret = key.slice(`lt_${id}_`.length);
    expect(secret).toHaveLength(43);
    expect(JSON.stringify(stored)).not.toContain(secret);
    const principal = await t.app.services.apiKeys.authenticate(t.app.database.db, key);
    expect(principal.organisationId).toBe(agency);
    // Outside the filing API the key opens nothing.
    const elsewhere = await t.app.http.inject({ method: 'GET', url: '/api/audit/entries', headers: { authorization: `Bearer ${key}` } });
    expect(elsewhere.statusCode).toBe(403);
    expect(elsewhere.json().code).toBe('API_KEY_SCOPE');
    await expect(t.app.services.apiKeys.authenticate(t.app.database.db, `${key.slice(0, -1)}${key.endsWith('A') ? 'B' : 'A'}`)).rejects.toMatchObject({ code: 'API_KEY_INVALID' });
    expect((await call(sessions.sys as Session, 'DELETE', `/api/accounts/api-keys/${id}`)).statusCode).toBe(200);
    await expect(t.app.services.apiKeys.authenticate(t.app.database.db, key)).rejects.toMatchObject({ code: 'API_KEY_INVALID' });
    expect(await auditEntries('accounts.api-key.issue')).toContainEqual(expect.objectContaining({ result: 'ok', actor_username: 'sys' }));
  });

  it('lists grants, active, expired and revoked, with grantee and granter, to the security admin alone, filtered by grantee', async () => {
    const sec = sessions.sec as Session;
    const user = (await t.app.database.db.selectFrom('users').select('id').where('username', '=', 'zhang.san').executeTakeFirstOrThrow()).id;
    const toUser = (await call(sec, 'POST', '/api/accounts/grants', { userId: user, subjectType: 'record', subjectId: 'rec-1', level: 'content' })).json().id as string;
    const toArchive = (await call(sec, 'POST', '/api/accounts/grants', { organisationId: archiveId, subjectType: 'fonds', subjectId: 'fonds-1', level: 'catalog', expiresAt: '2020-01-01T00:00:00.000Z' })).json().id as string;
    const revoked = (await call(sec, 'POST', '/api/accounts/grants', { userId: user, subjectType: 'volume', subjectId: 'vol-1', level: 'catalog' })).json().id as string;
    expect((await call(sec, 'DELETE', `/api/accounts/grants/${revoked}`)).statusCode).toBe(200);

    const all = await call(sec, 'GET', '/api/accounts/grants');
    expect(all.statusCode, all.body).toBe(200);
    const byId = new Map((all.json() as Array<{ id: string }>).map((g) => [g.id, g]));
    expect(byId.get(toUser)).toMatchObject({ grantee: { kind: 'user', id: user, name: '张三', username: 'zhang.san' }, subjectType: 'record', subjectId: 'rec-1', level: 'content', expiresAt: null, grantedBy: { username: 'sec' }, revokedAt: null, status: 'active' });
    expect(byId.get(toArchive)).toMatchObject({ grantee: { kind: 'organisation', id: archiveId, name: '测试市档案馆', username: null }, status: 'expired' });
    expect(byId.get(revoked)).toMatchObject({ status: 'revoked', revokedBy: { username: 'sec' }, revokedAt: expect.any(String) });

    const mine = (await call(sec, 'GET', `/api/accounts/grants?granteeUserId=${user}`)).json() as Array<{ id: string }>;
    expect(mine.map((g) => g.id).sort()).toEqual([toUser, revoked].sort());
    const refused = await call(sessions.sys as Session, 'GET', '/api/accounts/grants');
    expect(refused.statusCode).toBe(403);
    expect(await auditEntries('accounts.grant.list')).toContainEqual(expect.objectContaining({ result: 'refused', actor_username: 'sys', reason: 'FORBIDDEN_ROLE' }));
    expect(grantListQuery(t.app.database.db, { granteeUserId: 'u', limit: 500 }).compile().sql).toMatchSnapshot();
  });

  it('lists filing-API keys, revoked ones too, with their use but never their secret, to the system admin alone', async () => {
    const res = await call(sessions.sys as Session, 'GET', '/api/accounts/api-keys');
    expect(res.statusCode, res.body).toBe(200);
    const keys = res.json() as Array<Record<string, unknown>>;
    expect(keys).toContainEqual(expect.objectContaining({ name: '协同办公系统', organisationName: '市交通运输局', createdBy: expect.objectContaining({ username: 'sys' }), status: 'revoked', lastUsedAt: expect.any(String), revokedAt: expect.any(String) }));
    const stored = await t.app.database.db.selectFrom('api_keys').select('secret_hash').execute();
    for (const { secret_hash } of stored) expect(res.body).not.toContain(secret_hash);
    expect(Object.keys(keys[0] ?? {})).not.toContain('secretHash');
    const refused = await call(sessions.sec as Session, 'GET', '/api/accounts/api-keys');
    expect(refused.statusCode).toBe(403);
    expect(await auditEntries('accounts.api-key.list')).toContainEqual(expect.objectContaining({ result: 'refused', actor_username: 'sec' }));
  });

  it('lists accounts with roles for the two admins who need them, and to nobody else', async () => {
    const list = await call(sessions.sec as Session, 'GET', '/api/accounts/users');
    expect(list.statusCode).toBe(200);
    expect(list.json()).toContainEqual(expect.objectContaining({ username: 'zhang.san', roles: ['approver', 'archivist'], clearance: '非密' }));
    expect(JSON.stringify(list.json())).not.toContain('argon2');
    expect((await call(sessions.aud as Session, 'GET', '/api/accounts/users')).statusCode).toBe(403);
    expect((await call(sessions.aud as Session, 'GET', '/api/audit/verify')).json()).toMatchObject({ ok: true });
    expect((await call(sessions.sys as Session, 'GET', '/api/audit/verify')).statusCode).toBe(403);
  });
});
