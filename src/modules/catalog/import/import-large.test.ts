/**
 * A year's catalog of a large agency: 100,000 rows checked, staged and applied in
 * one piece on SQLite (the embedded default). Speed is measured by the bench
 * (bench/catalog.bench.ts), not here; this proves it works and loses nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCatalogFixture, type CatalogFixture } from '../test-support/fixture.js';
import { largeCatalogCsv } from '../test-support/large-catalog.js';

describe('a 100,000-row catalog import on sqlite', () => {
  let f: CatalogFixture;
  beforeAll(async () => {
    f = await createCatalogFixture('sqlite');
  });
  afterAll(async () => f?.close());

  it('checks every row, reports the one bad row, and applies all 100,000 once it is fixed', { timeout: 240_000 }, async () => {
    // Item numbers go past 9999: widen the item segment of 文书 to 6 digits for this agency's year.
    const categories = (await f.call(f.sessions.archivist, 'GET', '/api/catalog/categories')).json();
    const ws = categories.find((c: { code: string }) => c.code === 'WS');
    const pattern = ws.pattern.map((s: { segment: string }) => (s.segment === 'item' ? { ...s, width: 6 } : s));
    expect((await f.call(f.sessions.archivist, 'PUT', `/api/catalog/categories/${ws.id}`, { ...ws, pattern })).statusCode).toBe(200);
    const bytes = largeCatalogCsv(100_000, 'J001', 2021, 77_777);
    const res = await f.call(f.sessions.archivist, 'POST', `/api/catalog/imports?fondsId=${f.fondsId}&categoryId=${ws.id}&fileName=big.csv`, bytes, { 'content-type': 'text/csv' });
    expect(res.statusCode, res.body.slice(0, 500)).toBe(200);
    const report = res.json();
    expect(report).toMatchObject({ totalRows: 100_000, errorRows: 1 });
    expect(report.problems).toEqual([expect.objectContaining({ row: 77_778, column: '日期', problem: '日期不存在' })]);
    const fixed = await f.call(f.sessions.archivist, 'PATCH', `/api/catalog/imports/${report.id}/rows/77778`, { values: { date: '20210228' } });
    expect(fixed.json().errorRows).toBe(0);
    const applied = await f.call(f.sessions.archivist, 'POST', `/api/catalog/imports/${report.id}/apply`);
    expect(applied.json()).toEqual({ imported: 100_000 });
    const page = (await f.call(f.sessions.archivist, 'GET', `/api/catalog/items?fondsId=${f.fondsId}&year=2021&sort=archivalCode&order=desc&limit=2`)).json();
    expect(page.total).toBe(100_000);
    expect(page.items.map((i: { archivalCode: string }) => i.archivalCode)).toEqual(['J001-WS·2021-Y-100000', 'J001-WS·2021-Y-099999']);
    const continuity = (await f.call(f.sessions.archivist, 'GET', `/api/catalog/codes/continuity?fondsId=${f.fondsId}&year=2021`)).json();
    expect(continuity).toEqual([{ classKey: 'J001-WS·2021-Y', count: 100_000, first: 1, last: 100_000, gaps: [], duplicates: [] }]);
  });
});
