/**
 * The archive workbench (/admin) in a real Chromium against `lantai serve --demo`.
 * Run: npm run build && npx vitest run test/e2e  (screenshots land in test-results/e2e/).
 */
import { describe, expect, it } from 'vitest';
import { useLantai } from './harness.js';

const lantai = useLantai();

const groups = ['接收', '整理', '保存', '利用', '鉴定与处置', '统计', '系统管理'];

describe('the archive workbench', { timeout: 30_000 }, () => {
  it('shows the seven function groups in Chinese, and 系统状态 shows the database as OK', async () => {
    const { page, problems } = await lantai.openPage();
    // The workbench asks for a staff account first.
    await page.goto(lantai.url('/admin'));
    await page.waitForURL('**/login?next=*');
    await page.getByTestId('login-username').fill('archivist');
    await page.getByTestId('login-password').fill('Demo@2026');
    await page.getByTestId('login-submit').click();
    await page.waitForURL(lantai.url('/admin'));
    await page.getByTestId('demo-banner').waitFor();

    const menu = page.getByTestId('admin-menu');
    const groupTitles = menu.locator(':scope > li.ant-menu-submenu > .ant-menu-submenu-title');
    await expect.poll(() => groupTitles.allTextContents()).toEqual(groups);
    expect(await page.title()).toBe('工作台 · 兰台档案工作台');
    await lantai.screenshot(page, 'admin-dashboard');

    await groupTitles.filter({ hasText: '系统管理' }).click();
    await menu.getByRole('menuitem', { name: '系统状态' }).click();
    await page.waitForURL('**/admin/system/status');

    const database = page.getByTestId('database-status');
    await database.waitFor();
    expect(await database.textContent()).toBe('正常');
    expect(await database.getAttribute('data-ok')).toBe('true');
    expect(await page.getByTestId('store-status-primary').getAttribute('data-ok')).toBe('true');
    expect(await page.title()).toBe('系统状态 · 兰台档案工作台');
    await lantai.screenshot(page, 'admin-system-status');

    expect(problems).toEqual([]);
  });
});
