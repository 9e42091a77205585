import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../platform/db/test-support/databases.js';
import { LantaiError } from '../../platform/http/errors.js';
import { createHttpServer, type HttpServer } from '../../platform/http/server.js';
import type { AuditActor, ReviewerClass } from './model.js';
import { registerAuditRoutes } from './routes.js';
import { csvCell } from './review.js';
import { ACTORS, auditFixture, type AuditFixture } from './test-support/fixture.js';

const REVIEWERS: Record<string, { reviewer: ReviewerClass | null; actor: AuditActor }> = {
  sec: { reviewer: 'security_admin', actor: ACTORS.secadmin },
  aud: { reviewer: 'auditor', actor: ACTORS.auditor },
  sys: { reviewer: null, actor: ACTORS.sysadmin },
  clerk: { reviewer: null, actor: ACTORS.clerk },
};

describe.each(DIALECTS)('reviewing the audit log, split between the security admin and the auditor, on %s', (dialect) => {
  let f: AuditFixture;
  let http: HttpServer;

  beforeAll(async () => {
    f = await auditFixture(dialect);
    await f.appendMany(3, ACTORS.clerk);
    await f.appendMany(2, ACTORS.visitor);
    await f.appendMany(2, ACTORS.sysadmin);
    await f.appendMany(1, ACTORS.secadmin);
    await f.db.transaction().execute((tx) => f.audit.append(tx, { actor: ACTORS.clerk, action: 'catalog.record.download', target: { type: 'record', id: 'r-x', label: '=HYPERLINK("http://evil")' }, result: 'refused', reason: 'no grant' }));
    http = await createHttpServer({ log: pino({ level: 'silent' }), version: 'test' });
    // The stub stands in for the accounts module: the header names who is asking; without it, sign in first (as accounts' AUTH_REQUIRED).
    const who = (request: { headers: Record<string, unknown> }) => REVIEWERS[String(request.headers['x-test-user'])] ?? { reviewer: null, actor: ACTORS.visitor };
    registerAuditRoutes(
      http,
      { db: f.db, audit: f.audit },
      {
        currentReviewer: (r) => {
          if (r.headers['x-test-user'] === undefined) throw new LantaiError('AUTH_REQUIRED', 401, '请先登录。', 'Please sign in first.');
          return who(r).reviewer;
        },
        currentActor: (r) => who(r).actor,
      },
    );
    await http.ready();
  });
  afterAll(async () => {
    await http?.close();
    await f?.drop();
  });

  it('shows the security admin only ordinary users’ and anonymous entries, and the auditor only the two admins’', async () => {
    const bySecurity = await f.audit.query(f.db, 'security_admin', {}, { limit: 100 });
    expect(new Set(bySecurity.entries.map((e) => e.actorClass))).toEqual(new Set(['user', 'anonymous']));
    expect(bySecurity.entries).toHaveLength(6);
    const byAuditor = await f.audit.query(f.db, 'auditor', {}, { limit: 100 });
    expect(byAuditor.entries.map((e) => [e.actorUsername, e.actorClass])).toEqual([
      ['sec', 'security_admin'],
      ['sys', 'system_admin'],
      ['sys', 'system_admin'],
    ]);
    await expect(f.audit.query(f.db, 'system_admin' as ReviewerClass)).rejects.toMatchObject({ code: 'AUDIT_REVIEW_FORBIDDEN' });
  });

  it('filters and pages newest first', async () => {
    const refused = await f.audit.query(f.db, 'security_admin', { result: 'refused' });
    expect(refused.entries).toMatchObject([{ action: 'catalog.record.download', actorUsername: 'wang.wu', targetId: 'r-x', reason: 'no grant' }]);
    const first = await f.audit.query(f.db, 'security_admin', {}, { limit: 4 });
    const rest = await f.audit.query(f.db, 'security_admin', {}, { limit: 4, before: first.nextBefore ?? 0 });
    expect([...first.entries, ...rest.entries].map((e) => e.seq)).toEqual([9, 5, 4, 3, 2, 1]);
    expect(rest.nextBefore).toBeNull();
  });

  it('serves entries to a reviewer over HTTP and audits the review, which the other reviewer then sees', async () => {
    const res = await http.inject({ method: 'GET', url: '/api/audit/entries?limit=2', headers: { 'x-test-user': 'aud' } });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject([{ actorUsername: 'sec', actorClass: 'security_admin', actorRoles: ['security_admin'] }, { actorUsername: 'sys' }]);
    const bySecurity = await f.audit.query(f.db, 'security_admin', { action: 'audit.review' });
    expect(bySecurity.entries).toHaveLength(0);
    const review = (await f.db.selectFrom('audit_entries').selectAll().where('action', '=', 'audit.review').execute()).at(-1);
    expect(review).toMatchObject({ actor_username: 'aud', actor_class: 'auditor', result: 'ok' });
  });

  it('refuses anyone else with 401 or 403, and audits every refusal', async () => {
    const anonymous = await http.inject({ method: 'GET', url: '/api/audit/entries' });
    expect(anonymous.statusCode).toBe(401);
    for (const user of ['sys', 'clerk', 'nobody']) {
      const res = await http.inject({ method: 'GET', url: '/api/audit/entries', headers: { 'x-test-user': user, 'accept-language': 'en' } });
      expect(res.statusCode).toBe(403);
      expect(res.json()).toMatchObject({ code: 'AUDIT_REVIEW_FORBIDDEN', message: expect.stringContaining('Only the security admin') });
    }
    const refusals = await f.audit.query(f.db, 'auditor', { action: 'audit.review', result: 'refused' });
    expect(refusals.entries.map((e) => e.actorUsername)).toEqual(['sys']);
    const byUsers = (await f.audit.query(f.db, 'security_admin', { action: 'audit.review', result: 'refused' })).entries;
    expect(byUsers.map((e) => [e.actorUsername, e.reason])).toEqual([
      [null, 'AUDIT_REVIEW_FORBIDDEN'],
      ['wang.wu', 'AUDIT_REVIEW_FORBIDDEN'],
      [null, 'AUTH_REQUIRED'],
    ]);
  });

  it('rejects a malformed filter before reading anything', async () => {
    const res = await http.inject({ method: 'GET', url: '/api/audit/entries?from=yesterday', headers: { 'x-test-user': 'sec' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('VALIDATION_FAILED');
  });

  it('exports every matching entry as CSV with a byte-order mark, the same split, and spreadsheet formulas defused', async () => {
    const res = await http.inject({ method: 'GET', url: '/api/audit/entries?result=refused&format=csv&limit=1', headers: { 'x-test-user': 'sec' } });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    const lines = res.body.split('\r\n').filter(Boolean);
    expect(lines[0]?.startsWith('\uFEFF"序号 seq","编号 id","时间 at"')).toBe(true);
    expect(res.body).toContain(csvCell('=HYPERLINK("http://evil")'));
    expect(res.body).toContain(`"'=HYPERLINK(""http://evil"")"`);
    // limit does not cut an export short: every refused entry of ordinary users and visitors is there, oldest first.
    const all = await f.audit.query(f.db, 'security_admin', { result: 'refused' }, { limit: 1000 });
    expect(all.entries.length).toBeGreaterThan(1);
    expect(lines.slice(1).map((l) => Number(l.split('","')[0]?.slice(1)))).toEqual(all.entries.map((e) => e.seq).reverse());
    expect(new Set(lines.slice(1).map((l) => l.split('","')[7]))).toEqual(new Set(['user', 'anonymous']));
    // The security admin's export is the auditor's to review, not the security admin's.
    expect((await f.audit.query(f.db, 'security_admin', { action: 'audit.export' })).entries).toHaveLength(0);
    expect((await f.audit.query(f.db, 'auditor', { action: 'audit.export' })).entries).toMatchObject([{ actorUsername: 'sec', details: { reviewer: 'security_admin', filters: { result: 'refused' } } }]);
    expect((await f.audit.verify(f.db)).ok).toBe(true);
  });

  it('lets the auditor verify the chain over HTTP, and nobody else', async () => {
    const res = await http.inject({ method: 'GET', url: '/api/audit/verify', headers: { 'x-test-user': 'aud' } });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ ok: true, firstBroken: null, archivedThrough: 0 });
    const bySecurity = await http.inject({ method: 'GET', url: '/api/audit/verify', headers: { 'x-test-user': 'sec' } });
    expect(bySecurity.statusCode).toBe(403);
    const attempts = await f.db.selectFrom('audit_entries').select(['actor_username', 'result']).where('action', '=', 'audit.verify').orderBy('seq').execute();
    expect(attempts).toEqual([
      { actor_username: 'aud', result: 'ok' },
      { actor_username: 'sec', result: 'refused' },
    ]);
  });
});
