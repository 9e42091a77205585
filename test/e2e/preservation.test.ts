/**
 * 保存 in a real Chromium against `lantai serve --demo`: holdings are handed over by
 * the agency's clerk and accepted by the archivist through the API (text and XML
 * files), and what audits would leave behind — a file at risk, a failed audit, an
 * offline volume — is written into the server's SQLite database directly. The
 * archivist opens 保存 › 存储概览 and sees the dashboard with its three ECharts charts
 * drawn on canvases, the red at-risk card naming the record, the audit and volume
 * tables; goes to 格式风险, marks plain text (x-fmt/111) 高风险 with a note, and sees
 * the records kept in it listed below. The dashboard also fits a phone's width
 * (375 px) without scrolling sideways.
 * Run: npm run build && npx vitest run test/e2e/preservation.test.ts
 */
import { createHash, randomUUID } from 'node:crypto';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { demoPassword, signIn as apiSignIn } from './api.js';
import { useLantai } from './harness.js';

const lantai = useLantai();
const patience = { timeout: 20_000 };
const checkPatience = { timeout: 60_000, interval: 250 };
const TXT = 'x-fmt/111';

const files = [
  { name: '关于印发档案工作要点的通知.txt', title: '关于印发档案工作要点的通知', bytes: Buffer.from(`关于印发档案工作要点的通知\n\n${'各单位：请认真贯彻执行。\n'.repeat(40)}`) },
  { name: '档案工作会议纪要.txt', title: '档案工作会议纪要', bytes: Buffer.from(`档案工作会议纪要\n\n${'会议研究了档案保存工作。\n'.repeat(25)}`) },
  { name: '移交说明.xml', title: '关于报送移交说明的报告', bytes: Buffer.from('<?xml version="1.0" encoding="UTF-8"?>\n<说明><题名>关于报送移交说明的报告</题名></说明>\n') },
];

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Signs in through the API keeping the cookie and token, for the one request api.ts does not send: raw bytes. */
async function session(username: string): Promise<{ cookie: string; csrf: string }> {
  const response = await fetch(lantai.url('/api/auth/login'), { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username, password: demoPassword }) });
  if (!response.ok) throw new Error(`login as ${username}: ${response.status}`);
  const cookie = response.headers.getSetCookie().map((line) => line.split(';')[0] ?? '').find((pair) => pair.startsWith('lantai_session=')) ?? '';
  return { cookie, csrf: ((await response.json()) as { csrfToken: string }).csrfToken };
}

/** A hand-over of the files by the demo clerk into J001 文书, checked and accepted by the demo archivist. */
async function acceptedHoldings(): Promise<void> {
  const clerk = await apiSignIn(lantai.url('/'), 'clerk', demoPassword);
  const archivist = await apiSignIn(lantai.url('/'), 'archivist', demoPassword);
  const fonds = await archivist.request<Array<{ id: string; code: string }>>('GET', '/api/catalog/fonds');
  const categories = await archivist.request<Array<{ id: string; code: string }>>('GET', '/api/catalog/categories');
  const fondsId = fonds.find((f) => f.code === 'J001')?.id;
  const categoryId = categories.find((c) => c.code === 'WS')?.id;
  const transfer = await clerk.request<{ id: string }>('POST', '/api/transfers', { fondsId, categoryId, title: '保存概览（e2e）', yearFrom: 2024, yearTo: 2024, declaredItems: files.length });
  const raw = await session('clerk');
  for (const file of files) {
    const started = await clerk.request<{ id: string }>('POST', `/api/transfers/${transfer.id}/uploads`, { path: `e2e/${file.name}`, size: file.bytes.length, sha256: sha256(file.bytes) });
    const put = await fetch(lantai.url(`/api/transfers/${transfer.id}/uploads/${started.id}?offset=0`), {
      method: 'PUT',
      headers: { Cookie: raw.cookie, 'X-CSRF-Token': raw.csrf, 'Content-Type': 'application/octet-stream', 'X-Chunk-SHA256': sha256(file.bytes) },
      body: file.bytes,
    });
    expect(put.status, await put.text()).toBe(200);
  }
  const items = files.map((file) => ({ metadata: { title: file.title, responsible: '演示市人民政府办公室', date: '20240305', year: 2024, retention: 'Y', classification: '非密', openness: '控制' }, files: [{ path: `e2e/${file.name}`, role: '正本' }] }));
  await clerk.request('POST', `/api/transfers/${transfer.id}/items`, { items });
  await clerk.request('POST', `/api/transfers/${transfer.id}/submit`);
  await vi.waitFor(async () => expect((await clerk.request<{ status: string }>('GET', `/api/transfers/${transfer.id}`)).status).toBe('checked'), checkPatience);
  await archivist.request('POST', `/api/transfers/${transfer.id}/accept`);

  // The server's folder, from the primary store's health detail (`<data dir>/blobs (… GB free)`), which staff may read.
  const health = await archivist.request<{ stores: Array<{ name: string; detail: string }> }>('GET', '/api/health');
  const blobs = health.stores.find((s) => s.name === 'primary')?.detail.replace(/ \(.*\)$/, '') ?? '';
  const db = new Database(path.join(path.dirname(blobs), 'lantai.db'));
  try {
    const at = (minutesAgo: number) => new Date(Date.now() - minutesAgo * 60_000).toISOString();
    const kept = db.prepare('select sha256 from preservation_files where original_name = ?').get(files[1]?.name) as { sha256: string };
    const userId = (db.prepare("select id from users where username = 'archivist'").get() as { id: string }).id;
    db.prepare("insert into fixity_runs (id, store, status, sample_percent, algorithms, cursor, blobs, bytes, ok, missing, damaged, repaired, at_risk, detail, started_by, started_at, heartbeat_at, finished_at) values (?, 'primary', 'completed', 100, 'sha256,sm3', '', 3, 2600, 2, 0, 1, 0, 1, null, 'schedule', ?, ?, ?)").run(randomUUID(), at(60), at(59), at(59));
    db.prepare("insert into preservation_alerts (id, kind, store, sha256, message, created_at, resolved_at) values (?, 'at-risk', 'primary', ?, '文件处于风险中：存储库 primary 的副本损坏，且没有可用于修复的完好副本（涉及 1 件档案）', ?, null)").run(randomUUID(), kept.sha256, at(59));
    db.prepare("insert into media_volumes (id, label, set_label, position, capacity, bytes, files, records, status, planned_at, planned_by, written_at, written_by, location, iso_sha256, last_verified_at, last_verify_result, last_verify_details) values (?, 'LANTAI-2024-001', 'LANTAI-2024-S01', 1, 25000000000, 2600, 3, 3, 'written', ?, ?, ?, ?, '档案库房 3 号柜', null, ?, 'ok', '{}')").run(randomUUID(), at(50), userId, at(45), userId, at(40));
  } finally {
    db.close();
  }
}

async function signInAs(page: Page, pathname: string, username: string): Promise<void> {
  await page.goto(lantai.url(pathname));
  await page.waitForURL('**/login?next=*');
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(demoPassword);
  await page.getByTestId('login-submit').click();
  await page.waitForURL(`**${pathname}`);
}

/** Whether the chart's container holds a canvas ECharts has drawn on (sized, not blank). */
async function drawnCanvas(page: Page, testId: string): Promise<boolean> {
  return page.getByTestId(testId).evaluate((element) => {
    const canvas = element.querySelector('canvas');
    if (!canvas || canvas.width === 0 || canvas.height === 0) return false;
    const pixels = canvas.getContext('2d')?.getImageData(0, 0, canvas.width, canvas.height).data;
    return pixels !== undefined && pixels.some((value, i) => i % 4 === 3 && value > 0);
  });
}

describe('保存: the storage dashboard and the format risk registry', { timeout: 120_000 }, () => {
  beforeAll(acceptedHoldings, 90_000);

  it('shows an archivist the dashboard with its charts, and lists the holdings of a format once it is marked 高风险', async () => {
    const { page, problems } = await lantai.openPage();
    await signInAs(page, '/admin/preserve', 'archivist');
    await page.getByRole('link', { name: '存储概览' }).first().click();
    await page.waitForURL('**/admin/preserve/overview');
    await page.getByTestId('storage-dashboard').waitFor();
    expect(await page.title()).toBe('存储概览 · 兰台档案工作台');

    // The three charts are drawn by ECharts on canvases, the totals and the store are there.
    for (const chart of ['chart-growth-canvas', 'chart-formats-canvas', 'chart-years-canvas']) {
      await expect.poll(() => drawnCanvas(page, chart), patience).toBe(true);
    }
    expect(await page.getByTestId('total-files').textContent()).toContain('3');
    expect(await page.getByTestId('store-primary').locator('[data-ok]').getAttribute('data-ok')).toBe('true');
    // The file at risk: a red card, and the record it belongs to by name.
    expect(await page.getByTestId('card-at-risk').getAttribute('data-at-risk')).toBe('true');
    expect(await page.getByTestId('at-risk-alert').textContent()).toContain('档案工作会议纪要');
    expect(await page.getByTestId('audits').locator('tbody tr.ant-table-row').first().getAttribute('data-troubled')).toBe('true');
    expect(await page.getByTestId('volumes').textContent()).toContain('LANTAI-2024-001');
    await lantai.screenshot(page, 'preservation-dashboard');

    // 格式风险: plain text is held (2 files), and nothing is marked yet.
    await page.getByTestId('admin-menu').getByRole('menuitem', { name: '格式风险' }).click();
    await page.waitForURL('**/admin/preserve/formats');
    const row = page.getByTestId(`format-row-${TXT}`);
    await row.waitFor();
    expect(await row.getAttribute('data-status')).toBe('ok');
    expect(await page.getByTestId('format-holdings').textContent()).toContain('还没有标记');

    await page.getByTestId(`format-set-${TXT}`).click();
    const form = page.getByTestId('risk-form');
    await form.waitFor();
    await form.getByText('高风险', { exact: true }).click();
    await page.getByTestId('risk-note').fill('纯文本缺少版式信息，计划转换为 OFD');
    await page.getByTestId('risk-submit').click();
    await form.waitFor({ state: 'detached' });
    await expect.poll(() => row.getAttribute('data-status'), patience).toBe('at-risk');
    expect(await row.textContent()).toContain('纯文本缺少版式信息');

    // Its holdings: the two records with text files, not the XML one.
    const holdings = page.getByTestId('holdings-table');
    await expect.poll(() => holdings.locator('tbody tr.ant-table-row').count(), patience).toBe(2);
    const text = (await holdings.textContent()) ?? '';
    expect(text).toContain('关于印发档案工作要点的通知');
    expect(text).toContain('档案工作会议纪要');
    expect(text).not.toContain('关于报送移交说明的报告');
    await lantai.screenshot(page, 'preservation-format-risks');
    expect(problems).toEqual([]);
  });

  it('fits the dashboard to a phone’s width', async () => {
    const { page, problems } = await lantai.openPage({ viewport: { width: 375, height: 812 }, mobile: true });
    await signInAs(page, '/admin/preserve/overview', 'archivist');
    await page.getByTestId('storage-dashboard').waitFor();
    await expect.poll(() => drawnCanvas(page, 'chart-formats-canvas'), patience).toBe(true);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(1);
    await lantai.screenshot(page, 'preservation-dashboard-phone');
    expect(problems).toEqual([]);
  });
});
