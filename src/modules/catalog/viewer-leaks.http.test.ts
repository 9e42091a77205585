/**
 * Nobody sees, counts or exports what they may not: lists, totals, the tree's
 * counts, details, code previews, batches, xlsx and print exports, all checked
 * for a clerk of each agency, a government user with and without a grant, a
 * public user, an anonymous visitor and the system admin.
 */
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../platform/db/test-support/databases.js';
import { SYSTEM_ACTOR } from '../accounts/service.js';
import { createCatalogFixture, item, type CatalogFixture, type Session } from './test-support/fixture.js';

describe.each(DIALECTS)('what each viewer sees of the catalog on %s', (dialect) => {
  let f: CatalogFixture;
  const ids: Record<string, string> = {};

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
    await make('A-open-internal', f.fondsId, { openness: '开放', control: '内部' });
    await make('A-pending', f.fondsId, { openness: '待定' });
    await make('B-open', f.otherFondsId, { openness: '开放', responsible: '演示市教育局' });
    await make('B-controlled', f.otherFondsId, { openness: '控制', responsible: '演示市教育局' });
    await make('B-granted', f.otherFondsId, { openness: '控制', responsible: '演示市教育局' });
    // A catalog-level grant on one controlled item of agency B to the government user.
    const gov = await f.t.app.database.db.selectFrom('users').select('id').where('username', '=', 'gov').executeTakeFirstOrThrow();
    await f.t.app.database.db.transaction().execute((tx) =>
      f.t.app.services.accounts.grantAccess(tx, { ...SYSTEM_ACTOR, roles: ['security_admin'], userId: 'test' }, { userId: gov.id, subjectType: 'record', subjectId: ids['B-granted'] as string, level: 'catalog', expiresAt: null }),
    );
    const codes = await f.call(f.sessions.archivist, 'POST', '/api/catalog/codes/apply', { mode: 'generate', itemIds: Object.values(ids) });
    expect(codes.statusCode, codes.body).toBe(200);
  });
  afterAll(async () => f?.close());

  const expected: Record<string, string[]> = {
    archivist: ['A-open', 'A-controlled', 'A-open-internal', 'A-pending', 'B-open', 'B-controlled', 'B-granted'],
    clerk: ['A-open', 'A-controlled', 'A-open-internal', 'A-pending', 'B-open'],
    otherClerk: ['A-open', 'B-open', 'B-controlled', 'B-granted'],
    gov: ['A-open', 'B-open', 'B-granted'],
    citizen: ['A-open', 'B-open'],
    anonymous: ['A-open', 'B-open'],
    sysadmin: [],
  };
  const sessionOf = (who: string): Session => (who === 'anonymous' ? f.anonymous : f.sessions[who as keyof CatalogFixture['sessions']]);
  const keysOf = (rows: Array<{ id: string }>) => Object.entries(ids).filter(([, id]) => rows.some((r) => r.id === id)).map(([k]) => k).sort();

  it.each(Object.keys(expected))('%s sees and counts exactly what the rule allows in lists and the tree', async (who) => {
    const s = sessionOf(who);
    const page = (await f.call(s, 'GET', '/api/catalog/items?limit=500')).json();
    expect(keysOf(page.items)).toEqual([...(expected[who] ?? [])].sort());
    expect(page.total).toBe(expected[who]?.length);
    const tree = (await f.call(s, 'GET', '/api/catalog/tree')).json() as Array<{ count: number }>;
    expect(tree.reduce((n, t) => n + t.count, 0)).toBe(expected[who]?.length);
    // A search for the hidden titles finds nothing either.
    const hidden = Object.keys(ids).filter((k) => !expected[who]?.includes(k));
    for (const k of hidden) {
      expect((await f.call(s, 'GET', `/api/catalog/items?q=${encodeURIComponent(k)}`)).json().total, `${who} finds ${k}`).toBe(0);
      const detail = await f.call(s, 'GET', `/api/catalog/items/${ids[k]}`);
      expect(detail.statusCode, `${who} opens ${k}`).toBe(404);
    }
  });

  it('shows a catalog-only grant as a description without abstract or files', async () => {
    const detail = await f.call(f.sessions.gov, 'GET', `/api/catalog/items/${ids['B-granted']}`);
    expect(detail.statusCode).toBe(200);
    expect(detail.json()).toMatchObject({ visibility: 'catalog', abstract: null, files: [] });
    const own = (await f.call(f.sessions.otherClerk, 'GET', `/api/catalog/items/${ids['B-granted']}`)).json();
    expect(own).toMatchObject({ visibility: 'content', abstract: 'B-granted 摘要' });
  });

  it('audits views of controlled items, not of open ones', async () => {
    await f.call(f.sessions.clerk, 'GET', `/api/catalog/items/${ids['A-controlled']}`);
    await f.call(f.sessions.clerk, 'GET', `/api/catalog/items/${ids['A-open']}`);
    const views = await f.t.app.database.db.selectFrom('audit_entries').select(['target_id', 'actor_username']).where('action', '=', 'catalog.item.view').where('actor_username', '=', 'clerk').execute();
    expect(views.map((v) => v.target_id)).toEqual([ids['A-controlled']]);
  });

  it.each(['clerk', 'otherClerk', 'gov', 'citizen'])('%s exports only what they may see, as xlsx and in print', async (who) => {
    const s = sessionOf(who);
    const xlsx = await f.call(s, 'GET', '/api/catalog/export.xlsx');
    expect(xlsx.statusCode, xlsx.body.slice(0, 200)).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    const titles: string[] = [];
    wb.getWorksheet('归档文件目录')?.eachRow((row, n) => {
      if (n > 1) titles.push(String(row.getCell(5).value));
    });
    expect(titles.map((t) => t.replace(' 标题', '')).sort()).toEqual([...(expected[who] ?? [])].sort());
    const print = await f.call(s, 'GET', '/api/catalog/print');
    for (const k of Object.keys(ids)) expect(print.body.includes(`${k} 标题`), `${who} prints ${k}`).toBe(expected[who]?.includes(k));
    expect(print.body).toContain(`本目录共 ${expected[who]?.length} 件`);
  });

  it('keeps the arrangement tools (code preview, continuity, batch preview) for archivists', async () => {
    for (const who of ['citizen', 'clerk', 'gov', 'sysadmin'] as const) {
      expect((await f.call(f.sessions[who], 'POST', '/api/catalog/codes/preview', { mode: 'generate', filter: { fondsId: f.fondsId } })).statusCode, who).toBe(403);
      expect((await f.call(f.sessions[who], 'GET', `/api/catalog/codes/continuity?fondsId=${f.fondsId}`)).statusCode, who).toBe(403);
      expect((await f.call(f.sessions[who], 'POST', '/api/catalog/batch/preview', { itemIds: [ids['A-open']], change: { kind: 'openness', value: '控制' }, reason: 'x' })).statusCode, who).toBe(403);
    }
  });

  it('previews no codes and batches nothing outside what the viewer may see', async () => {
    const preview = await f.call(f.sessions.archivist, 'POST', '/api/catalog/codes/preview', { mode: 'renumber', itemIds: [ids['A-open']] });
    expect(preview.statusCode).toBe(200);
    const hidden = await f.t.app.database.db.transaction().execute(async (tx) => {
      const viewer = { userId: 'x', roles: ['agency_clerk' as const], clearance: '非密' as const, organisationId: f.agencyId, zone: 'lan' as const, grants: [] };
      return f.t.app.services.catalog.listItems(tx, viewer, { q: 'B-controlled', sort: 'archivalCode', order: 'asc', offset: 0, limit: 50 });
    });
    expect(hidden.total).toBe(0);
    expect((await f.call(f.sessions.clerk, 'POST', '/api/catalog/batch/apply', { itemIds: [ids['A-controlled']], change: { kind: 'openness', value: '开放' }, reason: 'x' })).statusCode).toBe(403);
  });
});
