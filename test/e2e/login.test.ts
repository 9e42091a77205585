/**
 * Signing in to Lantai in a real Chromium against `lantai serve --demo`: the
 * forced password change at first sign-in, the server's Chinese error message,
 * and no way into the workbench for the public.
 * Run: npm run build && npx vitest run test/e2e  (screenshots land in test-results/e2e/).
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { demoPassword, signIn } from './api.js';
import { useLantai } from './harness.js';

const lantai = useLantai();

const groups = ['接收', '整理', '保存', '利用', '鉴定与处置', '统计', '系统管理'];

/** What Chromium logs for a request answered with an error status; expected where the test provokes one. */
const failedResource = (status: number) => `console error: Failed to load resource: the server responded with a status of ${status}`;

async function fillLogin(page: Page, username: string, password: string): Promise<void> {
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
}

function menuGroups(page: Page) {
  return page.getByTestId('admin-menu').locator(':scope > li.ant-menu-submenu > .ant-menu-submenu-title');
}

describe('signing in', { timeout: 45_000 }, () => {
  it('an archivist signs in in Chinese, changes the password at first sign-in and sees the workbench', async () => {
    // Set-up through the API, as the two administrators would do it (三员分立).
    const archivist = await signIn(lantai.url('/'), 'archivist', demoPassword);
    const organisationId = archivist.session.user.organisationId;
    expect(organisationId).toBeTruthy();
    const sysadmin = await signIn(lantai.url('/'), 'sysadmin', demoPassword);
    const { id } = await sysadmin.request<{ id: string }>('POST', '/api/accounts/users', {
      username: 'zhao.liu',
      displayName: '赵六',
      organisationId,
      password: 'Temp#Pass01',
    });
    const secadmin = await signIn(lantai.url('/'), 'secadmin', demoPassword);
    await secadmin.request('PUT', `/api/accounts/users/${id}/roles`, { roles: ['archivist'] });

    const { page, problems } = await lantai.openPage();
    await page.goto(lantai.url('/admin/system/status'));
    await page.waitForURL('**/login?next=*');
    expect(new URL(page.url()).searchParams.get('next')).toBe('/admin/system/status');
    await page.getByTestId('login-form').waitFor();
    expect(await page.getByTestId('page-title').textContent()).toBe('登录兰台');
    expect(await page.getByTestId('login-submit').textContent()).toMatch(/登\s*录/);
    expect(await page.title()).toBe('登录 · 兰台数字档案馆');
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('zh-CN');
    await page.getByTestId('language-switch').waitFor();
    await lantai.screenshot(page, 'login-zh');

    await fillLogin(page, 'zhao.liu', 'Temp#Pass01');
    await page.waitForURL('**/account/password?next=*');
    await page.getByTestId('password-forced').waitFor();
    expect(await page.getByTestId('password-policy').textContent()).toContain('至少 8 位');
    await lantai.screenshot(page, 'login-forced-password');

    await page.getByTestId('password-current').fill('Temp#Pass01');
    await page.getByTestId('password-next').fill('Better#Pass02');
    await page.getByTestId('password-confirm').fill('Better#Pass02');
    await page.getByTestId('password-submit').click();

    await page.waitForURL('**/admin/system/status');
    await expect.poll(() => menuGroups(page).allTextContents()).toEqual(groups);
    expect(await page.getByTestId('user-name').textContent()).toBe('赵六');
    await page.getByTestId('database-status').waitFor();
    await lantai.screenshot(page, 'login-workbench');

    // The dropdown offers the account actions; 退出登录 leads back to the sign-in page.
    await page.getByTestId('user-menu').click();
    const dropdown = page.locator('.ant-dropdown:visible');
    await expect.poll(() => dropdown.getByRole('menuitem').allTextContents()).toEqual(['修改密码', '退出登录', '退出所有设备']);
    await dropdown.getByRole('menuitem', { name: '退出登录' }).click();
    // The guard may already have sent the page to /login?next=… as the session ended.
    await page.waitForURL(/\/login(\?.*)?$/);
    await page.goto(lantai.url('/admin'));
    await page.waitForURL('**/login?next=*');

    // The new password is the one that works now.
    const again = await signIn(lantai.url('/'), 'zhao.liu', 'Better#Pass02');
    expect(again.session.mustChangePassword).toBe(false);

    expect(problems).toEqual([]);
  });

  it("a wrong password shows the server's Chinese message", async () => {
    const { page, problems } = await lantai.openPage();
    await page.goto(lantai.url('/login'));
    await fillLogin(page, 'archivist', 'not-the-password');
    const error = page.getByTestId('login-error');
    await error.waitFor();
    expect(await error.textContent()).toContain('用户名或密码不正确');
    expect(new URL(page.url()).pathname).toBe('/login');
    await lantai.screenshot(page, 'login-wrong-password');

    expect(problems.filter((problem) => !problem.startsWith(failedResource(401)))).toEqual([]);
  });

  it('a public visitor sees no admin menu', async () => {
    const { page, problems } = await lantai.openPage();
    await page.goto(lantai.url('/'));
    await page.getByTestId('portal-login').waitFor();
    expect(await page.locator('a[href^="/admin"]').count()).toBe(0);
    expect(await page.getByTestId('portal-header').textContent()).not.toContain('工作台');

    await page.getByTestId('portal-login').click();
    // The guard may already have sent the page to /login?next=… as the session ended.
    await page.waitForURL(/\/login(\?.*)?$/);
    await fillLogin(page, 'citizen', demoPassword);
    await page.waitForURL(lantai.url('/'));
    await page.getByTestId('portal-logout').waitFor();
    expect(await page.locator('a[href^="/admin"]').count()).toBe(0);
    expect(await page.getByTestId('portal-header').textContent()).not.toContain('工作台');

    await page.goto(lantai.url('/admin'));
    const forbidden = page.getByTestId('forbidden');
    await forbidden.waitFor();
    expect(await forbidden.textContent()).toContain('您没有访问档案工作台的权限');
    expect(await page.getByTestId('admin-menu').count()).toBe(0);
    expect(new URL(page.url()).pathname).toBe('/admin');
    await lantai.screenshot(page, 'login-public-forbidden');

    expect(problems).toEqual([]);
  });
});
