/**
 * Hand-over (移交) in a real Chromium against `lantai serve --demo`: the agency's
 * clerk opens a hand-over, uploads a folder of real files (a PDF made by
 * LibreOffice, an XML, a text file) by the resumable chunked protocol, describes
 * three items of which one has the impossible date 20240230, self-checks and
 * submits; the report fails exactly that item. In the accept dialog the archivist
 * cannot tick it, must give a reason for leaving it out, and the preview (which
 * writes nothing) says 2 accepted, 1 returned; the archivist returns the whole
 * hand-over with reasons instead; the clerk opens a new version, corrects the date
 * and submits again; the archivist sees a clean report (合格率 100%) and accepts it
 * (接收进馆) through the dialog, re-coded with the archive's rules: preview with the
 * new codes, then confirm. In the catalog the accepted item's preservation timeline
 * runs from 接收 to 进馆, and the PDF gets a thumbnail and a page preview from the
 * access-copy job.
 * Run: npm run build && npx vitest run test/e2e/transfer.test.ts
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { demoPassword } from './api.js';
import { useLantai } from './harness.js';

const lantai = useLantai();
const folders: string[] = [];

afterAll(async () => {
  await Promise.all(folders.map((folder) => rm(folder, { recursive: true, force: true })));
});

const agency = '演示市人民政府办公室';
const title = '2024年度文书档案移交（e2e）';
/** expect.poll gives up after 1 s by default; requests, animations and the check job (polled about once a second) need longer. */
const patience = { timeout: 20_000 };
const checkPatience = { timeout: 60_000, interval: 250 };

/** The agency's folder as it would hand it over: one file per item, in a folder per item. */
async function handOverFolder(): Promise<string> {
  const work = await mkdtemp(path.join(os.tmpdir(), 'lantai-e2e-transfer-'));
  folders.push(work);
  const folder = path.join(work, '2024年度文书');
  for (const item of ['0001', '0002', '0003']) await mkdir(path.join(folder, item), { recursive: true });
  const text = path.join(work, '通知.txt');
  await writeFile(text, '关于做好2024年档案工作的通知\n\n各单位：请按要求做好档案归档和移交工作。\n');
  execFileSync('soffice', ['--headless', `-env:UserInstallation=file://${path.join(work, 'lo-profile')}`, '--convert-to', 'pdf', '--outdir', path.join(folder, '0001'), text], { stdio: 'ignore', timeout: 120_000 });
  await writeFile(path.join(folder, '0002', '移交说明.xml'), '<?xml version="1.0" encoding="UTF-8"?>\n<说明><题名>关于报送2024年度工作总结的报告</题名></说明>\n');
  await writeFile(path.join(folder, '0003', '会议纪要.txt'), '2024年第一次办公会议纪要\n\n会议研究了档案移交工作。\n');
  // Larger than one chunk (8 MiB), so it goes in two, each with its own digest.
  await writeFile(path.join(folder, '0003', '会议记录（全文）.txt'), '会议记录。'.repeat(650_000));
  return folder;
}

async function signIn(page: Page, pathname: string, username: string): Promise<void> {
  await page.goto(lantai.url(pathname));
  await page.waitForURL('**/login?next=*');
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(demoPassword);
  await page.getByTestId('login-submit').click();
  await page.waitForURL(`**${pathname}`);
}

/** Picks an option of an antd Select by its visible text, and waits for the list to close. */
async function choose(page: Page, testId: string, option: string): Promise<void> {
  await page.getByTestId(testId).click();
  await page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: option }).first().click();
  await expect.poll(() => page.locator('.ant-select-dropdown:visible').count(), patience).toBe(0);
}

interface ItemEntry {
  title: string;
  date: string;
  files: string[];
}

/** Fills the item form (题名, 责任者, 日期 — 年度 follows — and one file) and saves it. */
async function describeItem(page: Page, item: ItemEntry, responsible: string | null, beforeSave?: () => Promise<void>): Promise<void> {
  const form = page.getByTestId('item-form');
  await form.waitFor();
  await page.getByTestId('item-title').fill(item.title);
  if (responsible !== null) await page.getByTestId('item-responsible').fill(responsible);
  await page.getByTestId('item-date').fill(item.date);
  const chosen = (await page.getByTestId('item-files').textContent()) ?? '';
  const missing = item.files.filter((file) => !chosen.includes(file));
  if (missing.length > 0) {
    await page.getByTestId('item-files').click();
    for (const file of missing) await page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: file }).first().click();
    await page.getByTestId('item-title').click();
    await expect.poll(() => page.locator('.ant-select-dropdown:visible').count(), patience).toBe(0);
  }
  expect(await page.getByTestId('item-year').inputValue()).toBe(item.date.slice(0, 4));
  await beforeSave?.();
  await page.getByTestId('item-save').click();
  await form.waitFor({ state: 'detached' });
}

/** Opens the hand-over of this title and version from the list. */
async function openFromList(page: Page, version: number): Promise<void> {
  const row = page.locator(`[data-testid^="transfer-row-"][data-version="${version}"]`, { hasText: title });
  await row.waitFor();
  await row.getByTestId('transfer-open').click();
  await expect.poll(() => page.getByTestId('transfer-detail').getAttribute('data-version'), patience).toBe(String(version));
}

const failingRows = (page: Page) => page.locator('[data-testid^="report-item-"][data-result="不通过"]');

describe('hand-over', { timeout: 240_000 }, () => {
  it('uploads a folder, checks it, is returned for an impossible date, and passes as a corrected new version', async () => {
    const folder = await handOverFolder();
    const items: ItemEntry[] = [
      { title: '关于做好2024年档案工作的通知', date: '20240315', files: ['0001/通知.pdf'] },
      { title: '关于报送2024年度工作总结的报告', date: '20240230', files: ['0002/移交说明.xml'] },
      { title: '2024年第一次办公会议纪要', date: '20240408', files: ['0003/会议纪要.txt', '0003/会议记录（全文）.txt'] },
    ];

    // The clerk opens a hand-over for the agency's fonds J001 (the only one offered).
    const clerk = await lantai.openPage();
    await signIn(clerk.page, '/admin/receive/transfers', 'clerk');
    await clerk.page.getByTestId('transfer-table').waitFor();
    expect(await clerk.page.title()).toBe('移交管理 · 兰台档案工作台');
    await clerk.page.getByTestId('transfer-create').click();
    await expect.poll(() => clerk.page.getByTestId('transfer-create-form').textContent(), patience).toContain('J001');
    await choose(clerk.page, 'transfer-create-category', '文书');
    await clerk.page.getByTestId('transfer-create-title').fill(title);
    await clerk.page.getByTestId('transfer-create-year-from').fill('2024');
    await clerk.page.getByTestId('transfer-create-year-to').fill('2024');
    await clerk.page.getByTestId('transfer-create-declared').fill('3');
    await clerk.page.getByTestId('transfer-create-submit').click();
    const detail = clerk.page.getByTestId('transfer-detail');
    await detail.waitFor();
    expect(await detail.getAttribute('data-status')).toBe('draft');
    expect(await clerk.page.getByTestId('transfer-facts').textContent()).toContain(agency);

    // The whole folder, chunk by chunk, each file to 100 %; every chunk carries its SHA-256.
    const chunks: Array<string | undefined> = [];
    clerk.page.on('request', (request) => {
      if (request.method() === 'PUT' && /\/uploads\/[^/?]+\?offset=\d+$/.test(request.url())) chunks.push(request.headers()['x-chunk-sha256']);
    });
    await clerk.page.getByTestId('upload-folder').locator('input[type=file]').setInputFiles(folder);
    const overall = clerk.page.getByTestId('upload-overall');
    await expect.poll(() => overall.getAttribute('data-finished'), patience).toBe('4');
    expect(await overall.getAttribute('data-percent')).toBe('100');
    expect(chunks).toHaveLength(5);
    for (const digest of chunks) expect(digest).toMatch(/^[0-9a-f]{64}$/);
    expect(await clerk.page.getByTestId('upload-table').textContent()).toContain('2024年度文书/0001/通知.pdf');
    await lantai.screenshot(clerk.page, 'transfer-uploaded');

    // Three items, the second dated 30 February: the form warns but lets the checks judge.
    for (const item of items) {
      await clerk.page.getByTestId('item-add').click();
      await describeItem(clerk.page, item, agency, async () => {
        if (item.date !== '20240230') return;
        await expect.poll(() => clerk.page.getByTestId('item-form').textContent(), patience).toContain('这不是一个真实的日期');
        await lantai.screenshot(clerk.page, 'transfer-item-warning');
      });
    }
    await expect.poll(() => clerk.page.getByTestId('items-table').locator('tbody tr.ant-table-row').count(), patience).toBe(3);
    await expect.poll(() => clerk.page.getByTestId('transfer-facts').textContent(), patience).toContain('3 / 3');

    // 自检 first: the report (for the agency only) fails exactly the item with the impossible date.
    await clerk.page.getByTestId('self-check').click();
    const report = clerk.page.getByTestId('report');
    await expect.poll(() => report.count(), checkPatience).toBe(1);
    expect(await clerk.page.getByTestId('report-failed-items').textContent()).toContain('1');
    await expect.poll(() => failingRows(clerk.page).count(), patience).toBe(1);
    expect(await failingRows(clerk.page).textContent()).toContain(items[1]?.title);
    await clerk.page.getByTestId('report-item-2').locator('.ant-table-row-expand-icon').click();
    expect(await clerk.page.getByTestId('report-findings-2').textContent()).toContain('20240230');
    expect(await clerk.page.getByTestId('report-print').getAttribute('href')).toMatch(/\/report\?format=html$/);

    // 提交: the archive's check runs inside the server; the page follows it.
    await clerk.page.getByTestId('submit').click();
    await clerk.page.getByTestId('submit-confirm').click();
    await expect.poll(() => detail.getAttribute('data-status'), checkPatience).toBe('checked');
    await expect.poll(() => failingRows(clerk.page).count(), patience).toBe(1);
    expect(await clerk.page.getByTestId('report-pass-rate').textContent()).toContain('66.7');
    await lantai.screenshot(clerk.page, 'transfer-checked');

    // The archivist finds it in the checks queue and returns it with a reason.
    const archivist = await lantai.openPage();
    await signIn(archivist.page, '/admin/receive/checks', 'archivist');
    await openFromList(archivist.page, 1);

    // The accept dialog offers the items that passed; the failed one cannot be ticked, and leaving it out needs a reason.
    await archivist.page.getByTestId('accept-open').click();
    const acceptDialog = archivist.page.getByTestId('accept-dialog');
    await acceptDialog.waitFor();
    expect(await acceptDialog.getByTestId('accept-counts').locator('[data-result="不通过"]').first().textContent()).toContain('1');
    expect(await archivist.page.getByTestId('accept-item-2').isDisabled()).toBe(true);
    expect(await archivist.page.getByTestId('accept-item-2').isChecked()).toBe(false);
    expect(await archivist.page.getByTestId('accept-item-1').isChecked()).toBe(true);
    expect(await archivist.page.getByTestId('accept-item-3').isChecked()).toBe(true);
    expect(await archivist.page.getByTestId('accept-confirm').isDisabled()).toBe(true);
    await archivist.page.getByTestId('accept-preview').click();
    await expect.poll(() => acceptDialog.textContent(), patience).toContain('请写明退回理由');
    await archivist.page.getByTestId('accept-reason').fill('第 2 件日期有误，请核对原件后重新移交。');
    const [partialAnswer] = await Promise.all([archivist.page.waitForResponse((r) => r.url().endsWith('/accept/preview')), archivist.page.getByTestId('accept-preview').click()]);
    expect(partialAnswer.status(), await partialAnswer.text()).toBe(200);
    const partialPlan = archivist.page.getByTestId('accept-plan');
    await partialPlan.waitFor();
    expect(await partialPlan.getAttribute('data-records')).toBe('2');
    expect(await partialPlan.getAttribute('data-returned')).toBe('1');
    expect(await partialPlan.textContent()).toContain('1 件退回');
    await lantai.screenshot(archivist.page, 'transfer-accept-partial-preview');
    // The preview wrote nothing; the archivist returns the whole hand-over instead.
    await archivist.page.getByTestId('accept-cancel').click();
    await acceptDialog.waitFor({ state: 'detached' });
    expect(await archivist.page.getByTestId('transfer-detail').getAttribute('data-status')).toBe('checked');
    await archivist.page.getByTestId('return').click();
    await archivist.page.getByTestId('return-form').waitFor();
    expect(await archivist.page.getByTestId('return-item-2').inputValue()).toContain('20240230');
    await archivist.page.getByTestId('return-reason').fill('第 2 件日期有误，请核对原件后重新移交。');
    await lantai.screenshot(archivist.page, 'transfer-return');
    await archivist.page.getByTestId('return-submit').click();
    await archivist.page.getByTestId('return-form').waitFor({ state: 'detached' });
    await expect.poll(() => archivist.page.getByTestId('transfer-detail').getAttribute('data-status'), patience).toBe('returned');

    // The clerk reads the reasons, opens version 2 and corrects the date.
    await clerk.page.getByTestId('transfer-back').click();
    await openFromList(clerk.page, 1);
    const notice = clerk.page.getByTestId('returned-notice');
    await notice.waitFor();
    expect(await notice.textContent()).toContain('第 2 件日期有误');
    expect(await clerk.page.getByTestId('return-item-reasons').textContent()).toContain(items[1]?.title);
    await lantai.screenshot(clerk.page, 'transfer-returned');
    await clerk.page.getByTestId('new-version').click();
    await expect.poll(() => detail.getAttribute('data-version'), patience).toBe('2');
    expect(await detail.getAttribute('data-status')).toBe('draft');
    await clerk.page.getByTestId('correction-notice').waitFor();
    await expect.poll(() => clerk.page.getByTestId('items-table').locator('tbody tr.ant-table-row').count(), patience).toBe(3);
    await clerk.page.getByTestId('item-edit-2').click();
    await clerk.page.getByTestId('item-problems').waitFor();
    expect(await clerk.page.getByTestId('item-title').inputValue()).toBe(items[1]?.title);
    await lantai.screenshot(clerk.page, 'transfer-correct-item');
    await describeItem(clerk.page, { ...(items[1] as ItemEntry), date: '20240228' }, agency);
    await clerk.page.getByTestId('submit').click();
    await clerk.page.getByTestId('submit-confirm').click();
    await expect.poll(() => detail.getAttribute('data-status'), checkPatience).toBe('checked');
    await expect.poll(() => clerk.page.getByTestId('report-pass-rate').textContent(), patience).toContain('100');

    // The archivist sees the new version pass: 合格率 100 %, no failing item.
    await archivist.page.getByTestId('transfer-back').click();
    await openFromList(archivist.page, 2);
    await expect.poll(() => archivist.page.getByTestId('report-pass-rate').textContent(), patience).toContain('100');
    expect(await archivist.page.getByTestId('report-failed-items').textContent()).toContain('0');
    expect(await failingRows(archivist.page).count()).toBe(0);
    await lantai.screenshot(archivist.page, 'transfer-clean-report');

    // 接收进馆 through the dialog: all three ticked, no reason asked; re-coded, the preview shows each new code.
    await archivist.page.getByTestId('accept-open').click();
    await acceptDialog.waitFor();
    expect(await acceptDialog.textContent()).toContain('合格率 100%');
    for (const position of [1, 2, 3]) expect(await archivist.page.getByTestId(`accept-item-${position}`).isChecked()).toBe(true);
    expect(await archivist.page.getByTestId('accept-reason').count()).toBe(0);
    await archivist.page.getByTestId('accept-recode').click();
    const [previewAnswer] = await Promise.all([archivist.page.waitForResponse((r) => r.url().endsWith('/accept/preview')), archivist.page.getByTestId('accept-preview').click()]);
    expect(previewAnswer.status(), await previewAnswer.text()).toBe(200);
    const plan = archivist.page.getByTestId('accept-plan');
    await plan.waitFor();
    expect(await plan.getAttribute('data-records')).toBe('3');
    expect(await plan.getAttribute('data-returned')).toBe('0');
    const newCodes = archivist.page.getByTestId('accept-codes').locator('tbody tr.ant-table-row');
    expect(await newCodes.count()).toBe(3);
    for (const row of await newCodes.all()) expect(await row.textContent()).toMatch(/—J001-WS·2024-(Y|D30|D10)-\d{4}$/);
    await lantai.screenshot(archivist.page, 'transfer-accept-preview');
    // The accept's own answer first, so a refusal shows its reason rather than a status that never changes.
    const [acceptAnswer] = await Promise.all([
      archivist.page.waitForResponse((r) => r.url().endsWith('/accept') && r.request().method() === 'POST', { timeout: 60_000 }),
      archivist.page.getByTestId('accept-confirm').click(),
    ]);
    expect(acceptAnswer.status(), await acceptAnswer.text()).toBe(200);
    const result = archivist.page.getByTestId('accept-result');
    await result.waitFor();
    expect(await result.getAttribute('data-records')).toBe('3');
    expect(await result.getAttribute('data-returned')).toBe('0');
    expect(await result.getAttribute('data-recoded')).toBe('3');
    expect(await result.textContent()).toContain('已接收进馆：3 件档案、4 个文件');
    const archivistDetail = archivist.page.getByTestId('transfer-detail');
    await expect.poll(() => archivistDetail.getAttribute('data-status'), checkPatience).toBe('accepted');
    expect(await archivistDetail.getByTestId('transfer-status').textContent()).toBe('已接收');
    expect(await archivist.page.getByTestId('accept-open').count()).toBe(0);
    await lantai.screenshot(archivist.page, 'transfer-accepted');
    await archivist.page.getByTestId('accept-close').click();
    await result.waitFor({ state: 'detached' });

    // The accepted item in the catalog: its two files to read, and its preservation timeline from 接收 to 进馆.
    await archivist.page.goto(lantai.url('/admin/arrange/catalog'));
    await archivist.page.getByTestId('catalog-table').waitFor();
    await archivist.page.getByTestId('catalog-search').locator('input').fill(items[2]?.title ?? '');
    await archivist.page.getByTestId('catalog-search').locator('input').press('Enter');
    const accepted = archivist.page.getByTestId('catalog-table').getByRole('button', { name: items[2]?.title });
    await expect.poll(() => accepted.count(), patience).toBe(1);
    await accepted.click();
    await archivist.page.getByTestId('item-detail').waitFor();
    const opens = archivist.page.locator('[data-testid^="file-open-"]');
    const downloads = archivist.page.locator('[data-testid^="file-download-"]');
    expect(await opens.count()).toBe(2);
    expect(await downloads.count()).toBe(2);
    expect(await opens.first().getAttribute('href')).toMatch(/^\/api\/catalog\/items\/[^/]+\/files\/[^/?]+$/);
    expect(await downloads.first().getAttribute('href')).toMatch(/\/files\/[^/?]+\?download=1$/);
    await expect.poll(() => archivist.page.getByTestId('preservation-files').locator('tbody tr.ant-table-row').count(), patience).toBe(2);
    const timeline = archivist.page.getByTestId('preservation-timeline');
    await expect.poll(() => timeline.textContent(), patience).toContain('进馆');
    expect(await timeline.textContent()).toContain('接收');
    expect(await archivist.page.getByTestId('premis-download').getAttribute('href')).toMatch(/\/premis\.xml$/);
    await lantai.screenshot(archivist.page.getByTestId('preservation'), 'transfer-accepted-preservation');
    // Plain text gets no access copies: a neutral box, and 预览 is not offered.
    const previewButtons = archivist.page.locator('[data-testid^="file-preview-"]');
    await expect.poll(() => previewButtons.count(), patience).toBe(2);
    for (const button of await previewButtons.all()) expect(await button.isDisabled()).toBe(true);
    expect(await archivist.page.locator('[data-testid^="file-thumb-"][data-thumbnail="false"]').count()).toBe(2);

    // The PDF's access copies, made by the job after accession: a thumbnail, then page 1 in the viewer.
    await archivist.page.locator('.ant-drawer-close').click();
    await archivist.page.getByTestId('item-detail').waitFor({ state: 'detached' });
    await archivist.page.getByTestId('catalog-search').locator('input').fill(items[0]?.title ?? '');
    await archivist.page.getByTestId('catalog-search').locator('input').press('Enter');
    const pdfItem = archivist.page.getByTestId('catalog-table').getByRole('button', { name: items[0]?.title });
    await expect.poll(() => pdfItem.count(), patience).toBe(1);
    await pdfItem.click();
    await archivist.page.getByTestId('item-detail').waitFor();
    const thumbnail = archivist.page.locator('[data-testid^="file-thumb-"][data-thumbnail="true"] img');
    await expect.poll(() => thumbnail.count(), { timeout: 30_000, interval: 500 }).toBe(1);
    await expect.poll(() => thumbnail.evaluate((image) => (image as HTMLImageElement).naturalWidth), patience).toBeGreaterThan(0);
    await archivist.page.locator('[data-testid^="file-preview-"]').click();
    const pageImage = archivist.page.getByTestId('preview-page-image');
    await pageImage.waitFor();
    expect(await pageImage.getAttribute('data-page')).toBe('1');
    await expect.poll(() => pageImage.evaluate((image) => (image as HTMLImageElement).naturalWidth), patience).toBeGreaterThan(0);
    expect(await archivist.page.getByTestId('preview-page-number').textContent()).toBe('第 1 / 1 页');
    expect(await archivist.page.getByTestId('preview-next').isDisabled()).toBe(true);
    await lantai.screenshot(archivist.page, 'transfer-accepted-page-preview');

    expect(clerk.problems).toEqual([]);
    expect(archivist.problems).toEqual([]);
  });

  it('lets an archivist register an offline hand-over on a carrier, in English', async () => {
    const { page, problems } = await lantai.openPage();
    await page.addInitScript(() => localStorage.setItem('lantai.language', 'en'));
    await signIn(page, '/admin/receive/transfers', 'archivist');
    await page.getByTestId('transfer-table').waitFor();
    expect(await page.title()).toBe('Hand-overs · Lantai Archive Workbench');
    await page.getByTestId('transfer-create-offline').click();
    await choose(page, 'transfer-create-agency', agency);
    await expect.poll(() => page.getByTestId('transfer-create-form').textContent(), patience).toContain('J001');
    await choose(page, 'transfer-create-category', 'WS');
    await page.getByTestId('transfer-create-title').fill('2023年度照片档案（光盘）');
    await page.getByTestId('transfer-create-year-from').fill('2023');
    await page.getByTestId('transfer-create-year-to').fill('2023');
    await choose(page, 'transfer-create-carrier-type', 'Optical disc');
    await page.getByTestId('transfer-create-carrier-label').fill('2023年度照片档案 第1盘');
    await page.getByTestId('transfer-create-carrier-number').fill('GP-2023-001');
    await page.getByTestId('transfer-create-submit').click();
    const detail = page.getByTestId('transfer-detail');
    await detail.waitFor();
    expect(await detail.getAttribute('data-status')).toBe('draft');
    const facts = page.getByTestId('transfer-facts');
    expect(await facts.textContent()).toContain('Offline');
    expect(await facts.textContent()).toContain('GP-2023-001');
    expect(await page.getByTestId('upload-card').textContent()).toContain('Choose a folder');
    await lantai.screenshot(page, 'transfer-offline-en');
    expect(problems).toEqual([]);
  });
});
