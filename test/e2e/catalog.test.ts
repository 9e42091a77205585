/**
 * The arrangement workbench (著录编目) in a real Chromium against `lantai serve --demo`:
 * the archivist creates a fonds, imports an agency's catalog spreadsheet with one
 * impossible date, corrects it in the report, applies the import and generates the
 * archival codes.
 * Run: npm run build && npx vitest run test/e2e/catalog.test.ts
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import type { Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { demoPassword } from './api.js';
import { useLantai } from './harness.js';

const lantai = useLantai();
const folders: string[] = [];

afterAll(async () => {
  await Promise.all(folders.map((folder) => rm(folder, { recursive: true, force: true })));
});

const fondsCode = 'E2E1';
const agency = '演示市人民政府办公室';
/** expect.poll gives up after 1 s by default; a busy machine needs longer for a request and an animation. */
const patience = { timeout: 20_000 };
const codePattern = /^[A-Z0-9]{4}-WS·\d{4}-(Y|D30|D10)-\d{4}$/;

/** An agency's 归档文件目录 as Excel writes it; the second data row (file row 3) has 30 February. */
async function catalogWorkbook(): Promise<string> {
  const folder = await mkdtemp(path.join(os.tmpdir(), 'lantai-e2e-catalog-'));
  folders.push(folder);
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('归档文件目录');
  sheet.addRow(['题名', '责任者', '日期', '保管期限', '页数']);
  sheet.addRow(['关于开展档案工作检查的通知', agency, '20230115', '永久', 3]);
  sheet.addRow(['关于春节期间值班安排的通知', agency, '20230230', '定期30年', 2]);
  sheet.addRow(['关于印发年度工作要点的通知', agency, '20230310', '定期10年', 5]);
  const file = path.join(folder, '归档文件目录.xlsx');
  await workbook.xlsx.writeFile(file);
  return file;
}

/** Picks an option of an antd Select by its visible text, and waits for the list to close (it fades out over the next field). */
async function choose(page: Page, testId: string, option: string): Promise<void> {
  await page.getByTestId(testId).click();
  await page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: option }).first().click();
  await expect.poll(() => page.locator('.ant-select-dropdown:visible').count(), patience).toBe(0);
}

describe('the arrangement workbench', { timeout: 90_000 }, () => {
  it('imports a catalog, corrects an impossible date in the report, applies it and generates archival codes', async () => {
    const file = await catalogWorkbook();
    const { page, problems } = await lantai.openPage();
    await page.goto(lantai.url('/admin/arrange/fonds'));
    await page.waitForURL('**/login?next=*');
    await page.getByTestId('login-username').fill('archivist');
    await page.getByTestId('login-password').fill(demoPassword);
    await page.getByTestId('login-submit').click();
    await page.waitForURL('**/admin/arrange/fonds');

    // A new fonds for the agency.
    await page.getByTestId('fonds-row-J001').waitFor();
    await page.getByTestId('fonds-create').click();
    await page.getByTestId('fonds-code').fill(fondsCode);
    await page.getByTestId('fonds-name').fill('演示市人民政府办公室（第二全宗）');
    await choose(page, 'fonds-agency', agency);
    await page.getByTestId('fonds-create-submit').click();
    await page.getByTestId(`fonds-row-${fondsCode}`).waitFor();

    // The import wizard: fonds and category, then the file.
    await page.goto(lantai.url('/admin/arrange/catalog'));
    await page.getByTestId('catalog-table').waitFor();
    expect(await page.title()).toBe('著录编目 · 兰台档案工作台');
    await page.getByTestId('catalog-import').click();
    await choose(page, 'import-fonds', fondsCode);
    await choose(page, 'import-category', '文书');
    expect(await page.getByTestId('import-template').getAttribute('href')).toMatch(/^\/api\/catalog\/import\/template\?categoryId=/);
    await page.getByTestId('import-next').click();
    await page.getByTestId('import-wizard').locator('input[type=file]').setInputFiles(file);

    // The dry run reports the impossible date in row 3 and nothing else.
    const summary = page.getByTestId('import-summary');
    await summary.waitFor();
    expect(await summary.getAttribute('data-error-rows')).toBe('1');
    expect(await summary.textContent()).toContain('共 3 行，其中 1 行有错误');
    const problem = page.getByTestId('import-problem-3-date');
    expect(await problem.textContent()).toContain('日期不存在');
    const value = page.getByTestId('import-value-3-date');
    expect(await value.inputValue()).toBe('20230230');
    expect(await page.getByTestId('import-apply').isDisabled()).toBe(true);
    await lantai.screenshot(page, 'catalog-import-report');

    // Corrected in place and checked again by the server.
    await value.fill('20230228');
    await page.getByTestId('import-recheck-3').click();
    await expect.poll(() => summary.getAttribute('data-error-rows'), patience).toBe('0');
    expect(await page.getByTestId('import-problems').count()).toBe(0);
    await page.getByTestId('import-apply').click();
    await page.getByTestId('import-wizard').waitFor({ state: 'detached' });

    // The table now shows the new fonds' 文书 items, not yet coded.
    const table = page.getByTestId('catalog-table');
    const rows = table.locator('tbody tr.ant-table-row');
    await expect.poll(() => rows.count(), patience).toBe(3);
    expect(await table.getByText('关于春节期间值班安排的通知').count()).toBe(1);
    expect(await table.getByTestId('item-code').count()).toBe(0);

    // 生成档号: preview, then apply.
    await page.getByTestId('catalog-generate-codes').click();
    const changes = page.getByTestId('codes-changes');
    await changes.waitFor();
    await expect.poll(() => changes.locator('tbody tr.ant-table-row').count(), patience).toBe(3);
    await page.getByTestId('codes-apply').click();
    await page.getByTestId('codes-modal').waitFor({ state: 'detached' });

    const codes = table.getByTestId('item-code');
    await expect.poll(() => codes.count(), patience).toBe(3);
    const generated = await codes.allTextContents();
    for (const code of generated) expect(code).toMatch(codePattern);
    expect(new Set(generated)).toEqual(new Set([`${fondsCode}-WS·2023-Y-0001`, `${fondsCode}-WS·2023-D30-0001`, `${fondsCode}-WS·2023-D10-0001`]));
    await lantai.screenshot(page, 'catalog-coded');

    // The item's drawer shows its code history.
    await table.getByRole('button', { name: '关于春节期间值班安排的通知' }).click();
    const history = page.getByTestId('code-history');
    await history.waitFor();
    expect(await history.textContent()).toContain(`${fondsCode}-WS·2023-D30-0001`);
    expect(await page.getByTestId('item-detail').textContent()).toContain('20230228');

    expect(problems).toEqual([]);
  });
});
