/**
 * Organisation scopes and the access policy over HTTP, on both databases: only
 * the security admin sets them, every change and every refusal is audited, and
 * the next request's session follows (the Viewer, the password check, the idle
 * timeout). What the Viewer then shows of records is tested in viewer.test.ts and,
 * through the catalog, in catalog/access-policy.http.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../platform/db/test-support/databases.js';
import { createTestApp, type TestApp } from '../../test-support/app.js';
import { createAccessPolicy } from './access-policy.js';
import { SESSION_COOKIE } from './routes.js';
import { SYSTEM_ACTOR } from './service.js';
import { DEMO_PASSWORD, seedDemoAccounts } from './setup.js';

interface Session {
  token: string;
  cookie: string;
  csrf: string;
}

describe.each(DIALECTS)('organisation scopes and the access policy on %s', (dialect) => {
  let t: TestApp;
  const sessions: Record<string, Session> = {};
  const ids: Record<string, string> = {};

  async function signIn(username: string, password = DEMO_PASSWORD): Promise<Session> {
    const res = await t.app.http.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password } });
    expect(res.statusCode, res.body).toBe(200);
    const token = res.cookies.find((c) => c.name === SESSION_COOKIE)?.value ?? '';
    return { token, cookie: `${SESSION_COOKIE}=${token}`, csrf: res.json().csrfToken };
  }
  const call = (s: Session, method: 'GET' | 'PUT' | 'POST', url: string, payload?: object) =>
    t.app.http.inject({ method, url, payload, headers: { cookie: s.cookie, 'x-csrf-token': s.csrf } });
  const audited = (action: string) =>
    t.app.database.db.selectFrom('audit_entries').select(['result', 'actor_username', 'target_id', 'reason', 'details']).where('action', '=', action).orderBy('seq').execute();
  const viewerOf = async (s: Session) => (await t.app.services.auth.session(s.token, null)).viewer;

  beforeAll(async () => {
    t = await createTestApp(dialect, { LANTAI_DEMO: '1' });
    const { db } = t.app.database;
    await db.transaction().execute((tx) => seedDemoAccounts(tx, t.app.services.accounts));
    ids.agencyB = await db.transaction().execute((tx) => t.app.services.accounts.createOrganisation(tx, SYSTEM_ACTOR, { kind: 'agency', code: 'J002', name: '演示市教育局', parentId: null }));
    for (const o of await db.selectFrom('organisations').select(['id', 'code']).execute()) ids[o.code ?? ''] = o.id;
    for (const u of await db.selectFrom('users').select(['id', 'username']).execute()) ids[u.username] = u.id;
    for (const who of ['secadmin', 'sysadmin', 'auditor', 'archivist', 'gov', 'citizen']) sessions[who] = await signIn(who);
  });
  afterAll(async () => t?.close());

  it('lets the security admin scope an archivist to agencies, audited, and the archivist’s next request follows', async () => {
    const sec = sessions.secadmin as Session;
    expect((await viewerOf(sessions.archivist as Session)).scopes).toBeNull();
    const set = await call(sec, 'PUT', `/api/accounts/users/${ids.archivist}/scopes`, { agencyIds: [ids.agencyB, ids.J001, ids.agencyB] });
    expect(set.statusCode, set.body).toBe(200);
    const listed = await call(sec, 'GET', `/api/accounts/scopes?userId=${ids.archivist}`);
    expect(listed.json()).toEqual([{ userId: ids.archivist, agencyIds: [ids.J001, ids.agencyB].sort() }]);
    expect((await call(sec, 'GET', '/api/accounts/scopes')).json()).toEqual([{ userId: ids.archivist, agencyIds: [ids.J001, ids.agencyB].sort() }]);
    expect([...((await viewerOf(sessions.archivist as Session)).scopes ?? [])].sort()).toEqual([ids.J001, ids.agencyB].sort());
    expect(await audited('accounts.user.scopes')).toContainEqual(expect.objectContaining({ result: 'ok', actor_username: 'secadmin', target_id: ids.archivist }));

    // An empty scope lifts the restriction: every agency again.
    expect((await call(sec, 'PUT', `/api/accounts/users/${ids.archivist}/scopes`, { agencyIds: [] })).statusCode).toBe(200);
    expect((await call(sec, 'GET', `/api/accounts/scopes?userId=${ids.archivist}`)).json()).toEqual([{ userId: ids.archivist, agencyIds: [] }]);
    expect((await viewerOf(sessions.archivist as Session)).scopes).toBeNull();
  });

  it('refuses and audits scopes set or read by anyone but the security admin', async () => {
    const bySys = await call(sessions.sysadmin as Session, 'PUT', `/api/accounts/users/${ids.archivist}/scopes`, { agencyIds: [ids.J001] });
    expect(bySys.statusCode).toBe(403);
    expect(bySys.json()).toMatchObject({ code: 'FORBIDDEN_ROLE', message: expect.stringContaining('系统管理员') });
    expect((await call(sessions.archivist as Session, 'GET', '/api/accounts/scopes')).statusCode).toBe(403);
    expect((await audited('accounts.user.scopes')).filter((e) => e.result === 'refused').map((e) => e.actor_username)).toEqual(['sysadmin']);
    expect(await audited('accounts.scope.list')).toContainEqual(expect.objectContaining({ result: 'refused', actor_username: 'archivist', reason: 'FORBIDDEN_ROLE' }));
    expect(await t.app.database.db.selectFrom('user_agency_scopes').selectAll().execute()).toEqual([]);
  });

  it('scopes archive staff only, to filing agencies only, and never the security admin’s own account', async () => {
    const sec = sessions.secadmin as Session;
    const clerk = await call(sec, 'PUT', `/api/accounts/users/${ids.clerk}/scopes`, { agencyIds: [ids.J001] });
    expect(clerk.statusCode).toBe(422);
    expect(clerk.json().code).toBe('SCOPE_STAFF_ONLY');
    const government = await call(sec, 'PUT', `/api/accounts/users/${ids.archivist}/scopes`, { agencyIds: [ids.G001] });
    expect(government.json()).toMatchObject({ code: 'SCOPE_AGENCY_ONLY', message: expect.stringContaining(ids.G001 ?? '') });
    expect((await call(sec, 'PUT', `/api/accounts/users/${ids.secadmin}/scopes`, { agencyIds: [] })).json().code).toBe('SELF_GRANT');
    expect(await audited('accounts.user.scopes')).toContainEqual(expect.objectContaining({ result: 'refused', actor_username: 'secadmin', reason: 'SELF_GRANT' }));
  });

  it('lets the security admin alone read and set the access policy, audited with the values before and after', async () => {
    const sec = sessions.secadmin as Session;
    const initial = await call(sec, 'GET', '/api/accounts/access-policy');
    expect(initial.statusCode, initial.body).toBe(200);
    expect(initial.json()).toEqual({ controlledCatalogForGovernment: false, controlledCatalogForPublic: false, passwordMinLength: 8, sessionIdleMinutes: null, configuredSessionIdleMinutes: 30, updatedAt: null, updatedBy: null });
    const set = await call(sec, 'PUT', '/api/accounts/access-policy', { controlledCatalogForGovernment: true, passwordMinLength: 8 });
    expect(set.statusCode, set.body).toBe(200);
    expect(set.json()).toMatchObject({ controlledCatalogForGovernment: true, controlledCatalogForPublic: false });
    expect((await call(sec, 'GET', '/api/accounts/access-policy')).json()).toMatchObject({ controlledCatalogForGovernment: true, updatedBy: 'secadmin', updatedAt: expect.any(String) });
    const entries = await audited('accounts.policy.update');
    expect(entries.at(-1)).toMatchObject({ result: 'ok', actor_username: 'secadmin' });
    expect(JSON.parse(String(entries.at(-1)?.details))).toEqual({ before: { controlledCatalogForGovernment: false }, after: { controlledCatalogForGovernment: true } });
    expect((await viewerOf(sessions.gov as Session)).policy).toEqual({ controlledCatalogForGovernment: true, controlledCatalogForPublic: false });

    for (const who of ['sysadmin', 'auditor', 'gov']) {
      expect((await call(sessions[who] as Session, 'PUT', '/api/accounts/access-policy', { controlledCatalogForPublic: true })).statusCode, who).toBe(403);
    }
    expect((await call(sessions.auditor as Session, 'GET', '/api/accounts/access-policy')).statusCode).toBe(403);
    expect((await audited('accounts.policy.update')).filter((e) => e.result === 'refused').map((e) => e.actor_username)).toEqual(['sysadmin', 'auditor', 'gov']);
    expect(await audited('accounts.policy.view')).toContainEqual(expect.objectContaining({ result: 'refused', actor_username: 'auditor' }));
    for (const bad of [{ passwordMinLength: 7 }, { sessionIdleMinutes: 2 }, { sessionIdleMinutes: 481 }, {}]) {
      expect((await call(sec, 'PUT', '/api/accounts/access-policy', bad)).statusCode, JSON.stringify(bad)).toBe(400);
    }
    expect((await call(sec, 'PUT', '/api/accounts/access-policy', { controlledCatalogForGovernment: false })).statusCode).toBe(200);
  });

  it('applies the policy’s minimum password length to every new password', async () => {
    const sec = sessions.secadmin as Session;
    expect((await call(sec, 'PUT', '/api/accounts/access-policy', { passwordMinLength: 12 })).statusCode).toBe(200);
    const short = await call(sessions.citizen as Session, 'POST', '/api/auth/password', { current: DEMO_PASSWORD, next: 'Short#Pass1' });
    expect(short.statusCode).toBe(422);
    expect(short.json()).toMatchObject({ code: 'PASSWORD_POLICY', message: expect.stringContaining('至少 12 位') });
    const created = await call(sessions.sysadmin as Session, 'POST', '/api/accounts/users', { username: 'wang.wu', displayName: '王五', organisationId: ids.J001, password: 'Temp#Pass01' });
    expect(created.json().code).toBe('PASSWORD_POLICY');
    expect((await call(sessions.citizen as Session, 'POST', '/api/auth/password', { current: DEMO_PASSWORD, next: 'Longer#Pass12' })).statusCode).toBe(200);
    expect((await call(sec, 'PUT', '/api/accounts/access-policy', { passwordMinLength: 8 })).statusCode).toBe(200);
  });

  it('ends sessions idle for longer than the policy’s timeout, which overrides the configured one', async () => {
    const sec = sessions.secadmin as Session;
    const archivist = await signIn('archivist');
    const idleFor = (minutes: number) =>
      t.app.database.db.updateTable('sessions').set({ last_seen_at: new Date(Date.now() - minutes * 60_000).toISOString() }).where('user_id', '=', ids.archivist ?? '').execute();
    await idleFor(11);
    expect((await call(archivist, 'GET', '/api/auth/session')).statusCode).toBe(200); // 30 minutes configured
    expect((await call(sec, 'PUT', '/api/accounts/access-policy', { sessionIdleMinutes: 10 })).statusCode).toBe(200);
    await idleFor(11);
    const expired = await call(archivist, 'GET', '/api/auth/session');
    expect(expired.statusCode).toBe(401);
    expect(expired.json().code).toBe('AUTH_SESSION_EXPIRED');
    expect((await call(sec, 'PUT', '/api/accounts/access-policy', { sessionIdleMinutes: null })).statusCode).toBe(200);
    sessions.archivist = await signIn('archivist');
  });

  it('keeps a node’s copy of the policy for at most 30 s, dropping it at once when a change commits on that node', async () => {
    let now = 1_000_000;
    const { db } = t.app.database;
    const otherNode = createAccessPolicy({ audit: t.app.services.audit, configuredSessionIdleMinutes: 30, clock: () => now });
    const thisNode = createAccessPolicy({ audit: t.app.services.audit, configuredSessionIdleMinutes: 30, clock: () => now });
    expect((await otherNode.current(db)).controlledCatalogForPublic).toBe(false);
    expect((await thisNode.current(db)).controlledCatalogForPublic).toBe(false);
    const secActor = { userId: ids.secadmin ?? null, username: 'secadmin', roles: ['security_admin' as const], organisationId: ids.DEMO ?? null, address: null };
    await db.transaction().execute((tx) => thisNode.update(tx, secActor, { controlledCatalogForPublic: true }));
    thisNode.invalidate();
    expect((await thisNode.current(db)).controlledCatalogForPublic).toBe(true);
    now += 29_000;
    expect((await otherNode.current(db)).controlledCatalogForPublic).toBe(false);
    now += 1_000;
    expect((await otherNode.current(db)).controlledCatalogForPublic).toBe(true);
    await db.transaction().execute((tx) => thisNode.update(tx, secActor, { controlledCatalogForPublic: false }));
    t.app.services.accessPolicy.invalidate();
  });
});
