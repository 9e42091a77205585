/**
 * A demo-mode Lantai on a real database with the demo accounts, a second filing
 * agency with its own clerk, and one fonds per agency: the ground the catalog's
 * HTTP tests stand on.
 */
import type { Response as LightMyRequestResponse } from 'light-my-request';
import { expect } from 'vitest';
import type { Dialect } from '../../../platform/db/test-support/databases.js';
import { createTestApp, type TestApp } from '../../../test-support/app.js';
import { SESSION_COOKIE } from '../../accounts/routes.js';
import { SYSTEM_ACTOR } from '../../accounts/service.js';
import { DEMO_PASSWORD, seedDemoAccounts } from '../../accounts/setup.js';

export interface Session {
  cookie: string;
  csrf: string;
}

export interface CatalogFixture {
  t: TestApp;
  sessions: Record<'archivist' | 'clerk' | 'otherClerk' | 'gov' | 'citizen' | 'sysadmin' | 'reader', Session>;
  anonymous: Session;
  agencyId: string;
  otherAgencyId: string;
  fondsId: string;
  otherFondsId: string;
  categories: Record<string, string>;
  call(s: Session, method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, payload?: object | Buffer, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

export async function createCatalogFixture(dialect: Dialect, env: Record<string, string> = {}): Promise<CatalogFixture> {
  const t = await createTestApp(dialect, { LANTAI_DEMO: '1', ...env });
  const { db } = t.app.database;
  const accounts = t.app.services.accounts;
  await db.transaction().execute((tx) => seedDemoAccounts(tx, accounts));
  const agencyId = (await db.selectFrom('organisations').select('id').where('code', '=', 'J001').executeTakeFirstOrThrow()).id;
  const otherAgencyId = await db.transaction().execute(async (tx) => {
    const org = await accounts.createOrganisation(tx, SYSTEM_ACTOR, { kind: 'agency', code: 'J002', name: '演示市教育局', parentId: null });
    const user = await accounts.createUser(tx, SYSTEM_ACTOR, { username: 'clerk2', displayName: '教育局档案员', organisationId: org, password: DEMO_PASSWORD });
    await accounts.setRoles(tx, SYSTEM_ACTOR, user, ['agency_clerk'], true);
    await tx.updateTable('users').set({ must_change_password: 0 }).where('id', '=', user).execute();
    return org;
  });

  const call: CatalogFixture['call'] = (s, method, url, payload, headers = {}) =>
    t.app.http.inject({
      method,
      url,
      payload: payload as never,
      headers: { ...(s.cookie ? { cookie: s.cookie, 'x-csrf-token': s.csrf } : {}), ...headers },
    });

  async function signIn(username: string): Promise<Session> {
    const res = await t.app.http.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password: DEMO_PASSWORD } });
    expect(res.statusCode, res.body).toBe(200);
    const cookie = res.cookies.find((c) => c.name === SESSION_COOKIE);
    return { cookie: `${SESSION_COOKIE}=${cookie?.value ?? ''}`, csrf: res.json().csrfToken };
  }

  const sessions = {
    archivist: await signIn('archivist'),
    clerk: await signIn('clerk'),
    otherClerk: await signIn('clerk2'),
    gov: await signIn('gov'),
    citizen: await signIn('citizen'),
    sysadmin: await signIn('sysadmin'),
    reader: await signIn('reader'),
  };
  const categories = Object.fromEntries((await call(sessions.archivist, 'GET', '/api/catalog/categories')).json().map((c: { code: string; id: string }) => [c.code, c.id]));
  const fonds = await call(sessions.archivist, 'POST', '/api/catalog/fonds', { code: 'J001', name: '演示市人民政府办公室', agencyId });
  expect(fonds.statusCode, fonds.body).toBe(201);
  const other = await call(sessions.archivist, 'POST', '/api/catalog/fonds', { code: 'J002', name: '演示市教育局', agencyId: otherAgencyId });
  expect(other.statusCode, other.body).toBe(201);
  return {
    t,
    sessions,
    anonymous: { cookie: '', csrf: '' },
    agencyId,
    otherAgencyId,
    fondsId: fonds.json().id,
    otherFondsId: other.json().id,
    categories,
    call,
    close: () => t.close(),
  };
}

/** A valid 文书 item for `fondsId`, with overrides. */
export function item(fondsId: string, categoryId: string, overrides: Record<string, unknown> = {}) {
  return { fondsId, categoryId, title: '关于做好2023年档案工作的通知', responsible: '演示市人民政府办公室', date: '20230215', year: 2023, retention: 'Y', openness: '控制', ...overrides };
}
