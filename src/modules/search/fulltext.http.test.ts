/**
 * Full text end to end on both databases, with real documents made by real tools: a
 * two-page Chinese PDF from LibreOffice and a scanned page (Chinese text rendered with a
 * CJK font, no text layer) are handed over and accepted; the extraction jobs read the PDF's
 * text layer and OCR the scan (tesseract chi_sim+eng), each recorded as a PREMIS event;
 * the index job makes both searchable, with snippets on the right page. Then
 * `lantai search reindex` rebuilds the index while it stays searchable.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DIALECTS } from '../../platform/db/test-support/databases.js';
import { runLantai } from '../../test-support/cli.js';
import { DEMO_PASSWORD } from '../accounts/setup.js';
import { createCatalogFixture, type CatalogFixture } from '../catalog/test-support/fixture.js';
import { acceptedHandOver, type KeptRecord } from '../preservation/test-support/hand-overs.js';
import { convertWithLibreOffice, NOTICE_LINES, renderTextPage } from './extract/test-support/fixtures.js';

interface Result {
  total: number;
  hits: Array<{ id: string; snippets: Array<{ page: number; fileName: string; text: Array<{ text: string; hit: boolean }> }> }>;
}

describe.each(DIALECTS)('full-text search of accepted documents on %s', (dialect) => {
  let f: CatalogFixture;
  let dir = '';
  let records: KeptRecord[] = [];
  const search = async (q: string): Promise<Result> => {
    const res = await f.call(f.sessions.archivist, 'GET', `/api/search?${new URLSearchParams({ q }).toString()}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as Result;
  };

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'lantai-fulltext-'));
    const html = path.join(dir, 'notice.html');
    await fs.writeFile(
      html,
      '<html><head><meta charset="utf-8"></head><body><p>关于加强档案安全工作的通知</p><p>各区县档案局：请做好汛期档案安全检查。</p>' +
        '<p style="page-break-before: always">附件：危险化学品三码分类监管台账（样表）</p></body></html>',
    );
    const pdf = await fs.readFile(convertWithLibreOffice(html, 'pdf', dir, path.join(dir, 'lo-profile')));
    const scan = await renderTextPage(NOTICE_LINES);
    f = await createCatalogFixture(dialect);
    f.t.app.startWorkers();
    const meta = (title: string) => ({ title, responsible: '演示市人民政府办公室', date: '20240305', year: 2024, retention: 'Y', classification: '非密' });
    ({ records } = await acceptedHandOver(f, {
      categoryId: f.categories.WS as string,
      title: '全文检索批次',
      items: [
        { metadata: meta('关于加强档案安全工作的通知'), file: { name: 'notice.pdf', bytes: pdf } },
        { metadata: meta('建设方案（扫描件）'), file: { name: 'scan.png', bytes: scan, role: '扫描件' } },
      ],
    }));
    const db = f.t.app.database.db;
    await vi.waitFor(
      async () => {
        const jobs = await db.selectFrom('jobs').select(['type', 'status']).where('type', 'in', ['search.extract', 'search.index']).execute();
        expect(jobs.filter((j) => j.type === 'search.extract').map((j) => j.status)).toEqual(['succeeded', 'succeeded']);
        expect(jobs.every((j) => j.status === 'succeeded')).toBe(true);
        expect(await db.selectFrom('search_dirty').select('record_id').execute()).toEqual([]);
      },
      { timeout: 180_000, interval: 500 },
    );
  }, 400_000);
  afterAll(async () => {
    await f?.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('finds words of a PDF text layer, with a snippet from the page they are on', async () => {
    const r = await search('危险化学品');
    expect(r.hits.map((h) => h.id)).toEqual([records[0]?.id]);
    const snippet = r.hits[0]?.snippets[0];
    expect(snippet).toMatchObject({ page: 2, fileName: 'notice.pdf' });
    expect(snippet?.text.filter((s) => s.hit).map((s) => s.text).join('')).toBe('危险化学品');
    // The scan says 三码分类监管 too (read by OCR): both, the PDF's page 2 and the scan's page 1.
    expect((await search('三码分类监管')).hits.map((h) => h.id).sort()).toEqual([records[0]?.id, records[1]?.id].sort());
    expect((await search('汛期档案安全')).hits[0]?.snippets[0]?.page).toBe(1);
  });

  it('finds words of a scanned page through OCR', async () => {
    const r = await search('档案法');
    expect(r.hits.map((h) => h.id)).toContain(records[1]?.id);
    expect(r.hits.find((h) => h.id === records[1]?.id)?.snippets[0]?.page).toBe(1);
  });

  it('records each extraction as a PREMIS event naming the tool', async () => {
    const res = await f.call(f.sessions.archivist, 'GET', `/api/catalog/items/${records[1]?.id}/preservation`);
    expect(res.statusCode, res.body).toBe(200);
    const timeline = (res.json() as { events: Array<{ type: string; detail: string; agents: Array<{ name: string }> }> }).events;
    const extraction = timeline.find((e) => e.type === 'creation' && e.detail.startsWith('提取全文'));
    expect(extraction?.detail).toMatch(/文字识别/);
    expect(extraction?.agents.map((a) => a.name).join(' ')).toMatch(/tesseract/);
  });

  it('rebuilds the index from the command line, audited, and stays searchable', async () => {
    const env = { LANTAI_DATABASE_URL: f.t.app.config.database.url, LANTAI_STORES: `primary=${path.join(f.t.dir, 'blobs')}`, LANTAI_DATA_DIR: f.t.dir, LANTAI_DEMO: '1' };
    const run = await runLantai(['search', 'reindex', '--json', '--as', 'sysadmin'], env, { input: `${DEMO_PASSWORD}\n` });
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ indexed: 2, removed: 0 });
    expect((await search('危险化学品')).total).toBe(1);
    const audit = await f.t.app.database.db.selectFrom('audit_entries').select(['action', 'result']).where('action', '=', 'search.reindex').execute();
    expect(audit).toEqual([{ action: 'search.reindex', result: 'ok' }]);
    const unknown = await runLantai(['search', 'reindex', '--fonds', 'X999', '--as', 'sysadmin'], env, { input: `${DEMO_PASSWORD}\n` });
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toMatch(/X999/);
    const wrongRole = await runLantai(['search', 'reindex', '--as', 'archivist'], env, { input: `${DEMO_PASSWORD}\n` });
    expect(wrongRole.code).not.toBe(0);
  }, 120_000);
});
