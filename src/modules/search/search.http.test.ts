/**
 * Searching through GET /api/search on both databases: Chinese substrings and words,
 * 档号 prefixes, operators, filters, facets, sorting, snippets with their page, and —
 * above all — that nobody finds, counts or reads what they may not.
 */
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../platform/db/test-support/databases.js';
import { sql } from 'kysely';
import { createJobQueue } from '../../platform/jobs/queue.js';
import { canExtract } from './extract/extract.js';
import { createIndexer } from './indexer.js';
import { searchMigrations } from './migrations.js';
import { SYSTEM_ACTOR } from '../accounts/service.js';
import { createCatalogFixture, item, type CatalogFixture, type Session } from '../catalog/test-support/fixture.js';

interface Hit {
  id: string;
  title: Array<{ text: string; hit: boolean }>;
  archivalCode: string | null;
  visibility: string;
  snippets: Array<{ fileId: string; page: number; text: Array<{ text: string; hit: boolean }> }>;
  thumbnail: string | null;
  fileCount: number;
}
interface Result {
  total: number;
  approximate: boolean;
  hits: Hit[];
  facets: Record<string, Array<{ value: string; label: string; count: number }>>;
  suggestions: Array<{ q: string; count: number }>;
  understood: string[];
  truncated: boolean;
}

describe.each(DIALECTS)('search on %s', (dialect) => {
  let f: CatalogFixture;
  const ids: Record<string, string> = {};
  const titleOf = (h: Hit) => h.title.map((s) => s.text).join('');
  const keysOf = (r: Result) => r.hits.map((h) => Object.entries(ids).find(([, id]) => id === h.id)?.[0] ?? titleOf(h));

  async function search(s: Session, params: Record<string, string>): Promise<Result> {
    const res = await f.call(s, 'GET', `/api/search?${new URLSearchParams(params).toString()}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as Result;
  }

  /** Gives a record a file whose extracted text is `pages` (as the extraction job leaves it). */
  async function attachText(recordId: string, name: string, pages: string[]): Promise<string> {
    const { app } = f.t;
    const blob = await app.stores.primary.put(Readable.from([Buffer.from(pages.join('\f'))]));
    return app.database.db.transaction().execute(async (tx) => {
      const [fileId] = await app.services.catalog.attachFiles(tx, { ...SYSTEM_ACTOR, roles: ['archivist'] }, [{ recordId, sha256: blob.sha256, sm3: blob.sm3, size: blob.size, name, role: '正本', position: 1, pageCount: pages.length, mime: 'application/pdf' }]);
      const id = fileId as string;
      await tx.insertInto('search_file_pages').values(pages.map((text, i) => ({ file_id: id, page: i + 1, method: 'text-layer', text }))).execute();
      await tx.insertInto('search_extractions').values({ file_id: id, record_id: recordId, status: 'done', tool: 'pdftotext', tool_version: 'test', pages: pages.length, ocr_pages: 0, attempts: 1, error: null, updated_at: new Date().toISOString() }).execute();
      return id;
    });
  }

  beforeAll(async () => {
    f = await createCatalogFixture(dialect);
    const WS = f.categories.WS as string;
    const make = async (key: string, fondsId: string, overrides: Record<string, unknown>) => {
      const res = await f.call(f.sessions.archivist, 'POST', '/api/catalog/items', item(fondsId, WS, overrides));
      expect(res.statusCode, res.body).toBe(201);
      ids[key] = res.json().id;
    };
    await make('sanma', f.fondsId, { title: '关于落实三码分类监管制度的通知', openness: '开放', date: '20230301', year: 2023 });
    await make('guanli', f.fondsId, { title: '档案管理办法（修订）', openness: '开放', date: '20210610', year: 2021 });
    await make('zhuguan', f.fondsId, { title: '主管理事会会议纪要', openness: '开放', date: '20220910', year: 2022 });
    await make('guan', f.fondsId, { title: '數字檔案館建設方案', responsible: '演示市档案馆', openness: '开放', date: '20190105', year: 2019, retention: 'D30' });
    await make('fullwidth', f.fondsId, { title: 'ＡＢＣ２０２３年度工作总结', openness: '开放', date: '20231230', year: 2023 });
    await make('controlled', f.fondsId, { title: '干部任免通知', abstract: '涉及人事任免', openness: '控制', date: '20200101', year: 2020 });
    await make('catalogOnly', f.otherFondsId, { title: '教育经费预算报告', openness: '控制', date: '20220101', year: 2022, responsible: '演示市教育局' });
    await make('otherControlled', f.otherFondsId, { title: '学校安全检查通报', openness: '控制', date: '20220301', year: 2022, responsible: '演示市教育局' });
    const codes = await f.call(f.sessions.archivist, 'POST', '/api/catalog/codes/apply', { mode: 'generate', itemIds: Object.values(ids) });
    expect(codes.statusCode, codes.body).toBe(200);
    // A catalog-level grant on one controlled item of agency B to the government user.
    const gov = await f.t.app.database.db.selectFrom('users').select('id').where('username', '=', 'gov').executeTakeFirstOrThrow();
    await f.t.app.database.db.transaction().execute((tx) =>
      f.t.app.services.accounts.grantAccess(tx, { ...SYSTEM_ACTOR, roles: ['security_admin'], userId: 'test' }, { userId: gov.id, subjectType: 'record', subjectId: ids.catalogOnly as string, level: 'catalog', expiresAt: null }),
    );
    await attachText(ids.sanma as string, '通知.pdf', ['第一页：总体要求。', '第二页：建立危险化学品三码分类监管台账，按月报送。']);
    await attachText(ids.controlled as string, '任免.pdf', ['拟任命张三同志为办公室主任。']);
    await attachText(ids.catalogOnly as string, '预算.pdf', ['秘密预算明细：校舍维修资金。']);
    await f.t.app.services.indexer.drain();
  }, 120_000);
  afterAll(async () => f?.close());

  it('finds any substring of two or more Chinese characters of a title', async () => {
    expect(keysOf(await search(f.anonymous, { q: '分类监管' }))).toContain('sanma');
    expect(keysOf(await search(f.anonymous, { q: '类监' }))).toContain('sanma');
    expect(keysOf(await search(f.anonymous, { q: '档案' }))).toEqual(expect.arrayContaining(['guanli', 'guan']));
  });

  it('ranks a whole-word match above a match of bigrams only', async () => {
    const r = await search(f.anonymous, { q: '管理' });
    const keys = keysOf(r);
    expect(keys).toEqual(expect.arrayContaining(['guanli', 'zhuguan']));
    expect(keys.indexOf('guanli')).toBeLessThan(keys.indexOf('zhuguan'));
  });

  it('folds traditional and full-width forms in text and query alike', async () => {
    expect(keysOf(await search(f.anonymous, { q: '数字档案馆' }))).toContain('guan');
    expect(keysOf(await search(f.anonymous, { q: '檔案館' }))).toContain('guan');
    expect(keysOf(await search(f.anonymous, { q: 'abc2023' }))).toContain('fullwidth');
    expect(keysOf(await search(f.anonymous, { q: 'ＡＢＣ' }))).toContain('fullwidth');
  });

  it('finds a record by its 档号 and by a prefix of it, first', async () => {
    const detail = (await f.call(f.sessions.archivist, 'GET', `/api/catalog/items/${ids.guanli}`)).json() as { archivalCode: string };
    expect(detail.archivalCode).toMatch(/^J001-WS·2021/);
    const exact = await search(f.anonymous, { q: detail.archivalCode });
    expect(keysOf(exact)[0]).toBe('guanli');
    const prefix = await search(f.anonymous, { q: 'J001-WS·2021' });
    expect(keysOf(prefix)[0]).toBe('guanli');
    const lower = await search(f.anonymous, { q: 'j001-ws・2021' });
    expect(keysOf(lower)[0]).toBe('guanli');
  });

  it('understands AND, OR, NOT and quoted phrases', async () => {
    expect(keysOf(await search(f.sessions.archivist, { q: '通知 NOT 任免' })).sort()).toEqual(['sanma']);
    expect(keysOf(await search(f.sessions.archivist, { q: '任免 OR 会议纪要' })).sort()).toEqual(['controlled', 'zhuguan']);
    expect(keysOf(await search(f.sessions.archivist, { q: '"三码分类" 通知' }))).toEqual(['sanma']);
    expect(keysOf(await search(f.sessions.archivist, { q: '-通知 管理' })).sort()).toEqual(['guanli', 'zhuguan']);
  });

  it('searches file text and shows a highlighted snippet with the page it is on', async () => {
    const r = await search(f.anonymous, { q: '危险化学品' });
    expect(keysOf(r)).toEqual(['sanma']);
    const hit = r.hits[0] as Hit;
    expect(hit.snippets[0]?.page).toBe(2);
    expect(hit.snippets[0]?.text.filter((s) => s.hit).map((s) => s.text)).toEqual(['危险化学品']);
    expect(hit.thumbnail).toMatch(/\/thumbnail$/);
  });

  it('limits to one field in the advanced form', async () => {
    const adv = (clauses: object[]) => ({ adv: JSON.stringify(clauses) });
    expect(keysOf(await search(f.anonymous, adv([{ field: 'fulltext', text: '三码分类' }])))).toEqual(['sanma']);
    expect(keysOf(await search(f.anonymous, adv([{ field: 'title', text: '危险化学品' }])))).toEqual([]);
    expect(keysOf(await search(f.anonymous, adv([{ field: 'responsible', text: '档案馆' }])))).toEqual(['guan']);
    expect(keysOf(await search(f.anonymous, adv([{ field: 'title', text: '通知' }, { field: 'fulltext', text: '台账', op: 'not' }])))).toEqual([]);
  });

  it('filters by facet and date range, counts facets, sorts by date and code', async () => {
    const all = await search(f.anonymous, { q: '' });
    expect(all.total).toBe(5);
    expect(all.facets.year?.find((b) => b.value === '2023')?.count).toBe(2);
    expect(all.facets.retention?.find((b) => b.value === 'D30')).toMatchObject({ label: '定期30年', count: 1 });
    expect(all.facets.format?.find((b) => b.value === 'pdf')?.count).toBe(1);
    const ranged = await search(f.anonymous, { q: '', dateFrom: '2021', dateTo: '202212' });
    expect(keysOf(ranged).sort()).toEqual(['guanli', 'zhuguan']);
    expect(keysOf(await search(f.anonymous, { q: '', year: '2023', sort: 'date-asc' }))).toEqual(['sanma', 'fullwidth']);
    const byCode = await search(f.anonymous, { q: '', sort: 'code' });
    const codes = byCode.hits.map((h) => h.archivalCode ?? '');
    expect(codes).toEqual([...codes].sort());
    expect(keysOf(await search(f.anonymous, { q: '', format: 'pdf' }))).toEqual(['sanma']);
    const paged = await search(f.anonymous, { q: '', sort: 'date-desc', pageSize: '2', page: '2' });
    expect(paged.total).toBe(5);
    expect(keysOf(paged)).toEqual(['zhuguan', 'guanli']);
  });

  it('shows each viewer only what they may see, in hits, totals and facet counts', async () => {
    const expected: Record<string, string[]> = {
      anonymous: ['fullwidth', 'guan', 'guanli', 'sanma', 'zhuguan'],
      citizen: ['fullwidth', 'guan', 'guanli', 'sanma', 'zhuguan'],
      otherClerk: ['catalogOnly', 'fullwidth', 'guan', 'guanli', 'otherControlled', 'sanma', 'zhuguan'],
      gov: ['catalogOnly', 'fullwidth', 'guan', 'guanli', 'sanma', 'zhuguan'],
      archivist: Object.keys(ids).sort(),
      sysadmin: [],
    };
    for (const [who, keys] of Object.entries(expected)) {
      const s = who === 'anonymous' ? f.anonymous : f.sessions[who as keyof CatalogFixture['sessions']];
      const r = await search(s, { q: '', pageSize: '100' });
      expect(keysOf(r).sort(), who).toEqual(keys);
      expect(r.total, who).toBe(keys.length);
      const facetTotal = (r.facets.openness ?? []).reduce((n, b) => n + b.count, 0);
      expect(facetTotal, who).toBe(keys.length);
    }
  });

  it('never finds an item by words of text the viewer may not read, nor shows its snippet or files', async () => {
    // The government user sees the catalog of this item (a grant) but not its text.
    const byText = await search(f.sessions.gov, { q: '校舍维修' });
    expect(byText.total).toBe(0);
    expect(Object.values(byText.facets).flat()).toEqual([]);
    const byTitle = await search(f.sessions.gov, { q: '经费预算' });
    expect(keysOf(byTitle)).toEqual(['catalogOnly']);
    const hit = byTitle.hits[0] as Hit;
    expect(hit.visibility).toBe('catalog');
    expect(hit.snippets).toEqual([]);
    expect(hit.thumbnail).toBeNull();
    expect(hit.fileCount).toBe(0);
    // The own agency reads it all.
    const own = await search(f.sessions.otherClerk, { q: '校舍维修' });
    expect(keysOf(own)).toEqual(['catalogOnly']);
    expect(own.hits[0]?.snippets[0]?.page).toBe(1);
    // Nobody outside finds the controlled item by title or by text, and counts do not move.
    for (const s of [f.anonymous, f.sessions.citizen, f.sessions.otherClerk, f.sessions.gov]) {
      expect((await search(s, { q: '任免' })).total).toBe(0);
      expect((await search(s, { q: '张三' })).total).toBe(0);
    }
    // Suggestions count only what the viewer may see: not the controlled 干部任免通知.
    const none = await search(f.anonymous, { q: '干部任免通知' });
    expect(none.total).toBe(0);
    expect(none.suggestions.map((s) => s.q)).toEqual(['通知']);
    expect(none.suggestions[0]?.count).toBe((await search(f.anonymous, { q: '通知' })).total);
  });

  it('follows openness changes once the index job has run', async () => {
    const review = await f.call(f.sessions.archivist, 'POST', '/api/catalog/batch/apply', { itemIds: [ids.otherControlled], change: { kind: 'openness', value: '开放' }, reason: '开放审核通过' });
    expect(review.statusCode, review.body).toBe(200);
    expect((await search(f.anonymous, { q: '安全检查' })).total).toBe(0);
    await f.t.app.services.indexer.drain();
    expect(keysOf(await search(f.anonymous, { q: '安全检查' }))).toEqual(['otherControlled']);
  });

  it('suggests the words of a query that found nothing', async () => {
    const r = await search(f.anonymous, { q: '档案管理制度' });
    expect(r.total).toBe(0);
    expect(r.suggestions.map((s) => s.q)).toContain('档案管理');
    for (const s of r.suggestions) expect((await search(f.anonymous, { q: s.q })).total).toBe(s.count);
  });

  it.each([
    ['a 10,000-character query', '档'.repeat(10_000)],
    ['only punctuation', '，。！？、；：（）【】'],
    ['FTS syntax', '" * ( ) NEAR : - ^ {title} AND OR NOT'],
    ['SQL', "'; drop table search_docs; -- 档案"],
    ['a lone surrogate', '档\ud800案'],
    ['unbalanced quotes and parentheses', '"档案 (管理 OR'],
  ])('answers %s with a result, never an error', async (_what, q) => {
    const r = await search(f.anonymous, { q });
    expect(Array.isArray(r.hits)).toBe(true);
  });

  it('cuts an over-long query and says so', async () => {
    const r = await search(f.anonymous, { q: `${'档案 '.repeat(300)}` });
    expect(r.truncated).toBe(true);
  });

  it('answers invalid UTF-8 in the query string with a clear 4xx or a result, never a 500', async () => {
    const res = await f.call(f.anonymous, 'GET', '/api/search?q=%FF%FE%E6%A1');
    expect(res.statusCode).toBeLessThan(500);
  });

  it('refuses malformed advanced clauses with a clear error', async () => {
    const res = await f.call(f.anonymous, 'GET', `/api/search?adv=${encodeURIComponent('{not json')}`);
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('VALIDATION_FAILED');
  });

  // Last: it empties the index and rebuilds it.
  it('rebuilds the index after a migration that changes it: emptied, every record queued, the index job restores every answer', async () => {
    const before = keysOf(await search(f.anonymous, { q: '分类监管' }));
    expect(before).toContain('sanma');
    // The latest that rebuild on this database (SQLite: the document-level FTS5 table; PostgreSQL: the runs on the item's row, then the terms index's codes).
    const names = dialect === 'sqlite' ? ['2026-12-13-06-search-doc-fts'] : ['2026-12-20-09-search-doc-runs', '2026-12-29-11-search-term-codes'];
    for (const name of names) {
      const rekey = searchMigrations.find((m) => m.name === name);
      expect(rekey, name).toBeDefined();
      await rekey?.up(f.t.app.database.db as unknown as Parameters<NonNullable<typeof rekey>['up']>[0], f.t.app.database.caps);
    }
    expect((await search(f.anonymous, { q: "分类监管" })).total).toBe(0);
    const queued = await f.t.app.database.db.selectFrom('search_dirty').select('record_id').execute();
    expect(queued.map((q) => q.record_id).sort()).toEqual(Object.values(ids).sort());
    // PostgreSQL: drained as a large rebuild would be (thresholds lowered), which learns a
    // vocabulary from the queued records first, so rare bigrams are found through their buckets.
    const indexer = dialect === 'sqlite' ? f.t.app.services.indexer : createIndexer({ database: f.t.app.database, jobs: createJobQueue(), feed: f.t.app.services.catalog, canExtract, thresholds: { bulkFrom: 1, vocabularyFrom: 1 } });
    await indexer.drain();
    expect(keysOf(await search(f.anonymous, { q: '分类监管' }))).toEqual(before);
    // The page text was kept, not extracted again.
    expect(keysOf(await search(f.anonymous, { q: '台账' }))).toContain('sanma');
    if (dialect === 'postgres') {
      const vocabulary = (await sql<{ generation: number; sampled: number }>`select generation, sampled from search_vocabulary`.execute(f.t.app.database.db)).rows[0];
      expect(vocabulary?.generation).not.toBe(0);
      expect(vocabulary?.sampled).toBe(queued.length);
      const buckets = (await sql<{ n: string }>`select count(*) as n from search_docs, unnest(terms_a) as code where code >= ${0x40000000}`.execute(f.t.app.database.db)).rows[0]?.n;
      expect(Number(buckets)).toBeGreaterThan(0);
    }
  });
});

describe('the search API under an anonymous flood', () => {
  let f: CatalogFixture;
  beforeAll(async () => {
    f = await createCatalogFixture('sqlite', { LANTAI_SEARCH_RATE_LIMIT: '3' });
  }, 60_000);
  afterAll(async () => f?.close());

  it('answers an anonymous caller over the limit with 429 and a clear message, and never limits signed-in users', async () => {
    for (let i = 0; i < 3; i++) expect((await f.call(f.anonymous, 'GET', '/api/search?q=档案')).statusCode).toBe(200);
    const refused = await f.call(f.anonymous, 'GET', '/api/search?q=档案', undefined, { 'accept-language': 'zh-CN' });
    expect(refused.statusCode).toBe(429);
    expect(refused.json()).toMatchObject({ code: 'RATE_LIMITED', message: '请求过于频繁，请稍后再试。' });
    for (let i = 0; i < 5; i++) expect((await f.call(f.sessions.citizen, 'GET', '/api/search?q=档案')).statusCode).toBe(200);
  });
});
