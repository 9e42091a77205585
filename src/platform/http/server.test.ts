import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../db/test-support/databases.js';
import { createTestApp, type TestApp } from '../../test-support/app.js';
import { DEMO_PASSWORD, seedDemoAccounts } from '../../modules/accounts/setup.js';

describe.each(DIALECTS)('HTTP platform on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect, { LANTAI_DEMO: '1', LANTAI_ZONE: 'gov' });
    t.app.jobs.define('noop', async () => 'done');
    await t.app.database.db.transaction().execute((tx) => seedDemoAccounts(tx, t.app.services.accounts));
  });

  async function signIn(username: string): Promise<Record<string, string>> {
    const res = await t.app.http.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password: DEMO_PASSWORD } });
    const cookie = res.cookies.find((c) => c.name === 'lantai_session');
    return { cookie: `lantai_session=${cookie?.value ?? ''}`, 'x-csrf-token': res.json().csrfToken };
  }
  afterAll(async () => t?.close());

  it('tells an anonymous caller only whether the installation is healthy: no paths, hosts, space or store names', async () => {
    const res = await t.app.http.inject({ method: 'GET', url: '/api/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
    expect(res.body).not.toContain(t.dir);
    expect(res.body).not.toContain('primary');
  });

  it('reports the database and every store to the archive’s staff and admins', async () => {
    for (const username of ['sysadmin', 'archivist', 'auditor']) {
      const res = await t.app.http.inject({ method: 'GET', url: '/api/health', headers: await signIn(username) });
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body.status).toBe('ok');
      expect(body.database.ok).toBe(true);
      expect(body.database.detail).toContain(dialect === 'sqlite' ? 'SQLite' : 'PostgreSQL');
      expect(body.stores).toEqual([expect.objectContaining({ name: 'primary', kind: 'folder', ok: true })]);
    }
  });

  it('keeps the health details from agencies’ clerks, government and public users', async () => {
    for (const username of ['clerk', 'gov', 'citizen']) {
      const res = await t.app.http.inject({ method: 'GET', url: '/api/health', headers: await signIn(username) });
      expect(res.json(), username).toEqual({ status: 'ok' });
    }
  });

  it('tells the web UI whether this is a demo and which network it serves', async () => {
    const res = await t.app.http.inject({ method: 'GET', url: '/api/meta' });
    expect(res.json()).toMatchObject({ name: '兰台 Lantai', demo: true, zone: 'gov', classified: false });
  });

  it('sends security headers and a request id with every reply', async () => {
    const res = await t.app.http.inject({ method: 'GET', url: '/api/meta' });
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  it('answers a malformed JSON body with one clear error in Chinese, or English on request', async () => {
    const bad = { method: 'POST' as const, url: '/api/auth/login', headers: { 'content-type': 'application/json' }, payload: '{"全宗": ' };
    const zh = await t.app.http.inject(bad);
    expect(zh.statusCode).toBe(400);
    expect(zh.json()).toMatchObject({ code: 'MALFORMED_BODY', message: expect.stringMatching(/JSON/), requestId: zh.headers['x-request-id'] });
    expect(zh.json().message).toMatch(/[\u4e00-\u9fff]/);
    const en = await t.app.http.inject({ ...bad, headers: { ...bad.headers, 'accept-language': 'en-US' } });
    expect(en.json().message).toBe('The request body could not be parsed; send valid JSON.');
  });

  it('refuses a body over the limit with BODY_TOO_LARGE', async () => {
    const res = await t.app.http.inject({ method: 'POST', url: '/api/auth/login', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ a: 'x'.repeat(3 * 1024 * 1024) }) });
    expect(res.statusCode).toBe(413);
    expect(res.json().code).toBe('BODY_TOO_LARGE');
  });

  it('validates parameters and names what is wrong', async () => {
    const res = await t.app.http.inject({ method: 'GET', url: `/api/jobs/${'x'.repeat(100)}`, headers: await signIn('archivist') });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED', details: { issues: [expect.objectContaining({ path: '/id' })] } });
  });

  it('answers unknown API routes with ROUTE_NOT_FOUND as JSON', async () => {
    const res = await t.app.http.inject({ method: 'GET', url: '/api/nothing-here?x=1' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: 'ROUTE_NOT_FOUND', details: { url: '/api/nothing-here' } });
  });

  it('shows a job and its progress to staff only, and lets an archivist cancel a pending one', async () => {
    const { id } = await t.app.database.db.transaction().execute((tx) => t.app.jobs.enqueue(tx, 'noop', { n: 1 }, { runAt: new Date(Date.now() + 3_600_000) }));
    expect((await t.app.http.inject({ method: 'GET', url: `/api/jobs/${id}` })).json().code).toBe('AUTH_REQUIRED');
    expect((await t.app.http.inject({ method: 'GET', url: `/api/jobs/${id}`, headers: await signIn('citizen') })).statusCode).toBe(403);
    expect((await t.app.http.inject({ method: 'POST', url: `/api/jobs/${id}/cancel`, headers: await signIn('auditor') })).statusCode).toBe(403);
    const staff = await signIn('archivist');
    const view = await t.app.http.inject({ method: 'GET', url: `/api/jobs/${id}`, headers: staff });
    expect(view.json()).toMatchObject({ id, type: 'noop', status: 'pending', attempts: 0 });
    const cancelled = await t.app.http.inject({ method: 'POST', url: `/api/jobs/${id}/cancel`, headers: staff });
    expect(cancelled.json()).toMatchObject({ id, status: 'cancelled' });
    const missing = await t.app.http.inject({ method: 'GET', url: '/api/jobs/0190f2b8-0000-7000-8000-000000000000', headers: staff });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().code).toBe('JOB_NOT_FOUND');
  });

  it('publishes the OpenAPI document and the Swagger UI at /api/docs', async () => {
    const json = await t.app.http.inject({ method: 'GET', url: '/api/docs/json' });
    const doc = json.json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/health', '/api/jobs/{id}']));
    const ui = await t.app.http.inject({ method: 'GET', url: '/api/docs/' });
    expect(ui.statusCode).toBe(200);
    expect(ui.body).toContain('swagger');
  });

  it('says the web UI is not built rather than failing obscurely when web/dist is missing', async () => {
    const res = await t.app.http.inject({ method: 'GET', url: '/admin' });
    expect(res.statusCode).toBe(503);
    expect(res.body).toContain('npm run build');
  });
});
