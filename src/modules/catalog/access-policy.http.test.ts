/**
 * What the security admin's settings change in the catalog: the access policy's
 * catalog of controlled items for government and registered public users (the
 * description, never the abstract or files), and an archivist's organisation scope.
 * Each switched on and off again through HTTP, as the security admin would.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../platform/db/test-support/databases.js';
import { SESSION_COOKIE } from '../accounts/routes.js';
import { DEMO_PASSWORD } from '../accounts/setup.js';
import { createCatalogFixture, item, type CatalogFixture, type Session } from './test-support/fixture.js';

describe.each(DIALECTS)('the security admin’s settings in the catalog on %s', (dialect) => {
  let f: CatalogFixture;
  let sec: Session;
  const ids: Record<string, string> = {};

  const setPolicy = async (policy: object) => {
    const res = await f.call(sec, 'PUT', '/api/accounts/access-policy', policy);
    expect(res.statusCode, res.body).toBe(200);
  };
  const listed = async (s: Session) => {
    const page = (await f.call(s, 'GET', '/api/catalog/items?limit=500')).json() as { items: Array<{ id: string; visibility: string }> };
    return Object.fromEntries(Object.entries(ids).flatMap(([k, id]) => page.items.filter((r) => r.id === id).map((r) => [k, r.visibility])));
  };

  beforeAll(async () => {
    f = await createCatalogFixture(dialect);
    const WS = f.categories.WS as string;
    const make = async (key: string, fondsId: string, overrides: Record<string, unknown>) => {
      const res = await f.call(f.sessions.archivist, 'POST', '/api/catalog/items', item(fondsId, WS, { title: `${key} 标题`, abstract: `${key} 摘要`, ...overrides }));
      expect(res.statusCode, res.body).toBe(201);
      ids[key] = res.json().id;
    };
    await make('A-open', f.fondsId, { openness: '开放' });
    await make('A-controlled', f.fondsId, { openness: '控制' });
    await make('B-controlled', f.otherFondsId, { openness: '控制', responsible: '演示市教育局' });
    await make('B-pending', f.otherFondsId, { openness: '待定', responsible: '演示市教育局' });
    // The demo's security admin (no second factor in the demo).
    const login = await f.t.app.http.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'secadmin', password: DEMO_PASSWORD } });
    expect(login.statusCode, login.body).toBe(200);
    sec = { cookie: `${SESSION_COOKIE}=${login.cookies.find((c) => c.name === SESSION_COOKIE)?.value ?? ''}`, csrf: login.json().csrfToken };
  });
  afterAll(async () => f?.close());

  it('shows a government user nothing of another agency’s controlled item while the policy is off', async () => {
    expect(await listed(f.sessions.gov)).toEqual({ 'A-open': 'content' });
    expect((await f.call(f.sessions.gov, 'GET', `/api/catalog/items/${ids['B-controlled']}`)).statusCode).toBe(404);
  });

  it('shows a government user the catalog of another agency’s controlled item, without abstract or files, while the policy is on', async () => {
    await setPolicy({ controlledCatalogForGovernment: true });
    try {
      expect(await listed(f.sessions.gov)).toEqual({ 'A-open': 'content', 'A-controlled': 'catalog', 'B-controlled': 'catalog' });
      const detail = await f.call(f.sessions.gov, 'GET', `/api/catalog/items/${ids['B-controlled']}`);
      expect(detail.statusCode, detail.body).toBe(200);
      expect(detail.json()).toMatchObject({ title: 'B-controlled 标题', visibility: 'catalog', abstract: null, files: [] });
      expect(detail.body).not.toContain('B-controlled 摘要');
      // Pending review is not controlled: still hidden. The public is not covered by this setting.
      expect((await f.call(f.sessions.gov, 'GET', `/api/catalog/items/${ids['B-pending']}`)).statusCode).toBe(404);
      expect(await listed(f.sessions.citizen)).toEqual({ 'A-open': 'content' });
    } finally {
      await setPolicy({ controlledCatalogForGovernment: false });
    }
    expect((await f.call(f.sessions.gov, 'GET', `/api/catalog/items/${ids['B-controlled']}`)).statusCode).toBe(404);
  });

  it('shows registered public users the catalog of controlled items, never their content, while their policy is on', async () => {
    await setPolicy({ controlledCatalogForPublic: true });
    try {
      expect(await listed(f.sessions.citizen)).toEqual({ 'A-open': 'content', 'A-controlled': 'catalog', 'B-controlled': 'catalog' });
      expect((await f.call(f.sessions.citizen, 'GET', `/api/catalog/items/${ids['A-controlled']}`)).json()).toMatchObject({ visibility: 'catalog', abstract: null, files: [] });
      expect(await listed(f.anonymous)).toEqual({ 'A-open': 'content' });
    } finally {
      await setPolicy({ controlledCatalogForPublic: false });
    }
    expect(await listed(f.sessions.citizen)).toEqual({ 'A-open': 'content' });
  });

  it('confines a scoped archivist to its agencies’ controlled items, and lifts the scope again', async () => {
    const archivistId = (await f.t.app.database.db.selectFrom('users').select('id').where('username', '=', 'archivist').executeTakeFirstOrThrow()).id;
    const scope = (agencyIds: string[]) => f.call(sec, 'PUT', `/api/accounts/users/${archivistId}/scopes`, { agencyIds });
    expect((await scope([f.otherAgencyId])).statusCode).toBe(200);
    try {
      expect(await listed(f.sessions.archivist)).toEqual({ 'A-open': 'content', 'B-controlled': 'content', 'B-pending': 'content' });
      expect((await f.call(f.sessions.archivist, 'GET', `/api/catalog/items/${ids['A-controlled']}`)).statusCode).toBe(404);
    } finally {
      expect((await scope([])).statusCode).toBe(200);
    }
    expect(Object.keys(await listed(f.sessions.archivist)).sort()).toEqual(['A-controlled', 'A-open', 'B-controlled', 'B-pending']);
  });
});
