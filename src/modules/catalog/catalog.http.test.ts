import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../platform/db/test-support/databases.js';
import { createCatalogFixture, item, type CatalogFixture } from './test-support/fixture.js';

describe.each(DIALECTS)('catalog over HTTP on %s', (dialect) => {
  let f: CatalogFixture;
  let WS = '';
  const create = async (overrides: Record<string, unknown> = {}, fondsId = f.fondsId) => {
    const res = await f.call(f.sessions.archivist, 'POST', '/api/catalog/items', item(fondsId, WS, overrides));
    expect(res.statusCode, res.body).toBe(201);
    return res.json().id as string;
  };
  const audit = (action: string) => f.t.app.database.db.selectFrom('audit_entries').select(['action', 'result', 'actor_username', 'details', 'reason']).where('action', '=', action).orderBy('seq').execute();

  beforeAll(async () => {
    f = await createCatalogFixture(dialect);
    WS = f.categories.WS as string;
    const org = await f.call(f.sessions.archivist, 'POST', `/api/catalog/fonds/${f.fondsId}/org-codes`, { code: 'BGS', name: '办公室' });
    expect(org.statusCode, org.body).toBe(201);
  });
  afterAll(async () => f?.close());

  it('offers the conventional categories with the DA/T 22 code pattern', async () => {
    const categories = (await f.call(f.sessions.archivist, 'GET', '/api/catalog/categories')).json();
    expect(categories.map((c: { code: string }) => c.code)).toEqual(['WS', 'KJ', 'RS', 'KU', 'ZP', 'LY', 'LX', 'SJ', 'YJ', 'WY', 'SW']);
    const created = await f.call(f.sessions.archivist, 'POST', '/api/catalog/categories', { code: 'SW·JB', name: '实物·奖杯', arrangement: 'item', pattern: categories[0].pattern });
    expect(created.statusCode, created.body).toBe(201);
  });

  it('refuses a fonds code that breaks the archive’s width convention, and a duplicate one', async () => {
    const narrow = await f.call(f.sessions.archivist, 'POST', '/api/catalog/fonds', { code: 'J1', name: '某局', agencyId: f.agencyId });
    expect(narrow.json().code).toBe('CATALOG_FONDS_CODE_WIDTH');
    const taken = await f.call(f.sessions.archivist, 'POST', '/api/catalog/fonds', { code: 'J001', name: '某局', agencyId: f.agencyId });
    expect(taken.statusCode).toBe(409);
    expect(taken.json().message).toContain('J001');
  });

  it('generates DA/T 22 codes per lowest class, with and without the organisation segment, and records them', async () => {
    const a = await create({ title: '甲', date: '20230301', orgCode: 'BGS' });
    const b = await create({ title: '乙', date: '20230201', orgCode: 'BGS' });
    const c = await create({ title: '丙', date: '20230105' });
    const preview = await f.call(f.sessions.archivist, 'POST', '/api/catalog/codes/preview', { mode: 'generate', itemIds: [a, b, c] });
    expect(preview.statusCode, preview.body).toBe(200);
    const codes = Object.fromEntries(preview.json().changes.map((x: { id: string; newCode: string }) => [x.id, x.newCode]));
    // Date order within a class: 乙 (Feb) before 甲 (Mar).
    expect(codes).toEqual({ [b]: 'J001-WS·2023-Y-BGS-0001', [a]: 'J001-WS·2023-Y-BGS-0002', [c]: 'J001-WS·2023-Y-0001' });
    expect((await f.call(f.sessions.archivist, 'GET', `/api/catalog/items/${a}`)).json().archivalCode).toBeNull();
    const applied = await f.call(f.sessions.archivist, 'POST', '/api/catalog/codes/apply', { mode: 'generate', itemIds: [a, b, c] });
    expect(applied.json()).toMatchObject({ changed: 3 });
    const detail = (await f.call(f.sessions.archivist, 'GET', `/api/catalog/items/${a}`)).json();
    expect(detail.archivalCode).toBe('J001-WS·2023-Y-BGS-0002');
    expect(detail.codeHistory).toEqual([expect.objectContaining({ oldCode: null, newCode: 'J001-WS·2023-Y-BGS-0002', reason: '编制档号' })]);
    const d = await create({ title: '丁', date: '20231201', orgCode: 'BGS' });
    const next = await f.call(f.sessions.archivist, 'POST', '/api/catalog/codes/apply', { mode: 'generate', itemIds: [d] });
    expect(next.json().changed).toBe(1);
    expect((await f.call(f.sessions.archivist, 'GET', `/api/catalog/items/${d}`)).json().archivalCode).toBe('J001-WS·2023-Y-BGS-0003');
    expect((await audit('catalog.codes.generate')).length).toBe(2);
  });

  it('keeps a valid code given at description and refuses duplicates, mismatches and inconsistent codes', async () => {
    const kept = await create({ year: 2015, date: '20150601', archivalCode: 'J001-WS·2015-D30-0007', retention: 'D30' });
    expect((await f.call(f.sessions.archivist, 'GET', `/api/catalog/items/${kept}`)).json()).toMatchObject({ archivalCode: 'J001-WS·2015-D30-0007', itemNo: 7 });
    const dup = await f.call(f.sessions.archivist, 'POST', '/api/catalog/items', item(f.fondsId, WS, { year: 2015, date: '20150601', retention: 'D30', archivalCode: 'J001-WS•2015-D30-0007' }));
    expect(dup.statusCode).toBe(409);
    expect(dup.json().code).toBe('CATALOG_CODE_DUPLICATE');
    const pattern = await f.call(f.sessions.archivist, 'POST', '/api/catalog/items', item(f.fondsId, WS, { archivalCode: 'J001-WS-2023-Y-0009' }));
    expect(pattern.statusCode).toBe(422);
    expect(pattern.json().details.code).toBe('CATALOG_CODE_PATTERN');
    const inconsistent = await f.call(f.sessions.archivist, 'POST', '/api/catalog/items', item(f.fondsId, WS, { archivalCode: 'J001-WS·2022-Y-0009' }));
    expect(inconsistent.json().details.code).toBe('CATALOG_CODE_INCONSISTENT');
    expect(inconsistent.json().message).toContain('年度');
  });

  it('refuses impossible dates, text in numeric fields and values over their limits, and stores nothing', async () => {
    const before = (await f.call(f.sessions.archivist, 'GET', '/api/catalog/items?limit=1')).json().total;
    const bad = [
      { date: '20230230' },
      { year: '二〇二三' },
      { pageCount: '十二' },
      { title: '长'.repeat(501) },
      { retention: '永久保存' },
      { date: '20230215', year: 1980 },
      { orgCode: 'XXX' },
    ];
    for (const overrides of bad) {
      const res = await f.call(f.sessions.archivist, 'POST', '/api/catalog/items', item(f.fondsId, WS, overrides));
      expect([400, 422], `${JSON.stringify(overrides)} → ${res.body}`).toContain(res.statusCode);
      expect(res.json().message.length).toBeGreaterThan(0);
    }
    expect((await f.call(f.sessions.archivist, 'GET', '/api/catalog/items?limit=1')).json().total).toBe(before);
  });

  it('stores HTML and SQL-looking text as text', async () => {
    const nasty = `<script>alert(1)</script>'); drop table records; --`;
    const id = await create({ title: nasty, responsible: `"><img src=x onerror=alert(1)>`, remarks: "' or 1=1 --" });
    const detail = (await f.call(f.sessions.archivist, 'GET', `/api/catalog/items/${id}`)).json();
    expect(detail.title).toBe(nasty);
    expect(detail.remarks).toBe("' or 1=1 --");
    const print = await f.call(f.sessions.archivist, 'GET', `/api/catalog/print?fondsId=${f.fondsId}&q=${encodeURIComponent('<script>')}`);
    expect(print.statusCode).toBe(200);
    expect(print.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(print.body).not.toContain('<script>alert(1)');
  });

  it('refuses an item marked 秘密 in an unclassified installation', async () => {
    const res = await f.call(f.sessions.archivist, 'POST', '/api/catalog/items', item(f.fondsId, WS, { classification: '秘密', secrecyTerm: '10年' }));
    expect(res.statusCode).toBe(422);
    expect(res.json().code).toBe('CATALOG_CLASSIFIED_REFUSED');
  });

  it('lets only archivists describe, and audits the refusals', async () => {
    for (const who of ['clerk', 'gov', 'citizen', 'sysadmin', 'reader'] as const) {
      const res = await f.call(f.sessions[who], 'POST', '/api/catalog/items', item(f.fondsId, WS));
      expect(res.statusCode, who).toBe(403);
    }
    expect((await f.call(f.anonymous, 'POST', '/api/catalog/items', item(f.fondsId, WS))).statusCode).toBe(401);
    const refused = (await audit('catalog.item.create')).filter((e) => e.result === 'refused');
    expect(refused.map((e) => e.actor_username)).toEqual(expect.arrayContaining(['clerk', 'gov', 'citizen', 'sysadmin', 'reader']));
  });

  it('refuses a stale edit with the current version', async () => {
    const id = await create({ title: '版本测试' });
    const first = await f.call(f.sessions.archivist, 'PATCH', `/api/catalog/items/${id}`, { title: '版本测试（改）', version: 1 });
    expect(first.statusCode, first.body).toBe(200);
    const stale = await f.call(f.sessions.archivist, 'PATCH', `/api/catalog/items/${id}`, { title: '另一个人的修改', version: 1 });
    expect(stale.statusCode).toBe(409);
    expect(stale.json().message).toContain('版本 2');
    expect((await f.call(f.sessions.archivist, 'GET', `/api/catalog/items/${id}`)).json().title).toBe('版本测试（改）');
  });

  it('re-numbers a class to close gaps, keeping the old codes in the history, and the continuity check sees it', async () => {
    const heard: Array<{ oldCode: string | null; newCode: string | null }> = [];
    f.t.app.services.catalog.onCodesChanged(async (_tx, changes) => {
      heard.push(...changes.map((c) => ({ oldCode: c.oldCode, newCode: c.newCode })));
    });
    const ids: string[] = [];
    for (const n of [1, 2, 5, 6]) ids.push(await create({ year: 2019, date: `201903${String(n).padStart(2, '0')}`, archivalCode: `J001-WS·2019-Y-000${n}` }));
    const gaps = (await f.call(f.sessions.archivist, 'GET', `/api/catalog/codes/continuity?fondsId=${f.fondsId}&categoryId=${WS}&year=2019`)).json();
    expect(gaps).toEqual([{ classKey: 'J001-WS·2019-Y', count: 4, first: 1, last: 6, gaps: [[3, 4]], duplicates: [] }]);
    const applied = await f.call(f.sessions.archivist, 'POST', '/api/catalog/codes/apply', { mode: 'renumber', itemIds: [ids[2]], reason: '剔除两件后重编' });
    expect(applied.json().changed).toBe(2);
    const after = (await f.call(f.sessions.archivist, 'GET', `/api/catalog/codes/continuity?fondsId=${f.fondsId}&categoryId=${WS}&year=2019`)).json();
    expect(after[0]).toMatchObject({ count: 4, last: 4, gaps: [] });
    const moved = (await f.call(f.sessions.archivist, 'GET', `/api/catalog/items/${ids[3]}`)).json();
    expect(moved.archivalCode).toBe('J001-WS·2019-Y-0004');
    expect(moved.codeHistory.at(-1)).toMatchObject({ oldCode: 'J001-WS·2019-Y-0006', newCode: 'J001-WS·2019-Y-0004', reason: '剔除两件后重编' });
    const [entry] = await audit('catalog.codes.renumber');
    expect(entry?.result).toBe('ok');
    // Modules that keep codes (search, exports) hear of each change.
    expect(heard).toEqual(expect.arrayContaining([{ oldCode: 'J001-WS·2019-Y-0005', newCode: 'J001-WS·2019-Y-0003' }, { oldCode: 'J001-WS·2019-Y-0006', newCode: 'J001-WS·2019-Y-0004' }]));
  });

  it('arranges volume categories: the volume gets its 案卷号, its items their 卷内顺序号', async () => {
    const KJ = f.categories.KJ as string;
    const volume = await f.call(f.sessions.archivist, 'POST', '/api/catalog/volumes', { fondsId: f.fondsId, categoryId: KJ, title: '档案馆新馆建设项目文件', year: 2020, retention: 'Y' });
    expect(volume.statusCode, volume.body).toBe(201);
    const volumeId = volume.json().id;
    const inside = [];
    for (const d of ['20200110', '20200105']) {
      const res = await f.call(f.sessions.archivist, 'POST', '/api/catalog/items', item(f.fondsId, KJ, { volumeId, year: 2020, date: d, title: `图纸 ${d}` }));
      expect(res.statusCode, res.body).toBe(201);
      inside.push(res.json().id);
    }
    const applied = await f.call(f.sessions.archivist, 'POST', '/api/catalog/codes/apply', { mode: 'generate', itemIds: inside });
    expect(applied.json().changed).toBe(3);
    const codes = (await f.call(f.sessions.archivist, 'GET', `/api/catalog/items?volumeId=${volumeId}&sort=archivalCode`)).json().items.map((i: { archivalCode: string; date: string }) => [i.date, i.archivalCode]);
    expect(codes).toEqual([['20200105', 'J001-KJ·2020-Y-001-001'], ['20200110', 'J001-KJ·2020-Y-001-002']]);
    const volumes = (await f.call(f.sessions.archivist, 'GET', `/api/catalog/volumes?fondsId=${f.fondsId}&categoryId=${KJ}`)).json();
    expect(volumes[0]).toMatchObject({ archivalCode: 'J001-KJ·2020-Y-001', volumeNo: 1, itemCount: 2 });
  });

  it('changes openness in a previewed batch with one audit entry', async () => {
    const ids = [await create({ title: '批量一' }), await create({ title: '批量二' }), await create({ title: '批量三', openness: '开放' })];
    const body = { itemIds: ids, change: { kind: 'control', value: '内部' }, reason: '涉及内部事务' };
    const preview = (await f.call(f.sessions.archivist, 'POST', '/api/catalog/batch/preview', body)).json();
    expect(preview.affected).toHaveLength(3);
    const applied = await f.call(f.sessions.archivist, 'POST', '/api/catalog/batch/apply', body);
    expect(applied.json()).toMatchObject({ changed: 3 });
    const entries = await audit('catalog.batch.control');
    expect(entries).toHaveLength(1);
    expect(JSON.parse(entries[0]?.details ?? '{}')).toMatchObject({ changed: 3, reason: '涉及内部事务' });
    for (const id of ids) expect((await f.call(f.sessions.archivist, 'GET', `/api/catalog/items/${id}`)).json().control).toBe('内部');
  });

  it('lists items due for openness review 25 years on, and records the batch decision', async () => {
    const old = [await create({ year: 1995, date: '19950310', title: '1995年旧档一' }), await create({ year: 1996, date: '199606', title: '1996年旧档二' })];
    const recent = await create({ year: 2020, date: '20200101', title: '近年档案' });
    const due = (await f.call(f.sessions.archivist, 'GET', `/api/catalog/review/due?fondsId=${f.fondsId}&limit=500`)).json();
    const dueIds = due.items.map((i: { id: string }) => i.id);
    expect(dueIds).toEqual(expect.arrayContaining(old));
    expect(dueIds).not.toContain(recent);
    const notDue = await f.call(f.sessions.archivist, 'POST', '/api/catalog/review', { itemIds: [recent], decision: '开放', reason: '无敏感内容' });
    expect(notDue.json().code).toBe('CATALOG_REVIEW_NOT_DUE');
    const decided = await f.call(f.sessions.archivist, 'POST', '/api/catalog/review', { itemIds: old, decision: '开放', reason: '经审核无敏感内容，予以开放' });
    expect(decided.json()).toMatchObject({ reviewed: 2 });
    expect((await f.call(f.sessions.archivist, 'GET', `/api/catalog/items/${old[0]}`)).json().openness).toBe('开放');
    const history = (await f.call(f.sessions.archivist, 'GET', `/api/catalog/items/${old[1]}/reviews`)).json();
    expect(history).toEqual([expect.objectContaining({ previous: '控制', decision: '开放', reason: '经审核无敏感内容，予以开放' })]);
  });
});
