/**
 * 系统管理 in the workbench in a real Chromium against `lantai serve --demo`:
 * the system admin creates an account through the accounts page, the auditor
 * reviews the admins' audit entries with the chain verified, and the security
 * admin grants, sets roles, scopes an archivist and sets the access policy.
 * Run: npm run build && npx vitest run test/e2e  (screenshots land in test-results/e2e/).
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { demoPassword, signIn } from './api.js';
import { useLantai } from './harness.js';

const lantai = useLantai();

async function signInThroughUi(page: Page, pathname: string, username: string): Promise<void> {
  await page.goto(lantai.url(pathname));
  await page.waitForURL('**/login?next=*');
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(demoPassword);
  await page.getByTestId('login-submit').click();
  await page.waitForURL(lantai.url(pathname));
}

async function openSystemItem(page: Page, name: string): Promise<void> {
  const menu = page.getByTestId('admin-menu');
  await menu.locator(':scope > li.ant-menu-submenu > .ant-menu-submenu-title').filter({ hasText: '系统管理' }).click();
  await menu.getByRole('menuitem', { name }).click();
}

describe('系统管理', { timeout: 45_000 }, () => {
  it('the system admin creates an account in the accounts page', async () => {
    const { page, problems } = await lantai.openPage();
    await signInThroughUi(page, '/admin', 'sysadmin');
    await openSystemItem(page, '用户与权限');
    await page.waitForURL('**/admin/system/users');
    await expect.poll(() => page.title()).toBe('用户与权限 · 兰台档案工作台');
    await page.getByTestId('user-row-archivist').waitFor();

    await page.getByTestId('user-create').click();
    const form = page.getByTestId('user-create-form');
    await form.waitFor();
    await page.getByTestId('user-create-username').fill('qian.qi');
    await page.getByTestId('user-create-display-name').fill('钱七');
    await form.locator('.ant-select').click();
    await page.locator('.ant-select-dropdown:visible .ant-select-item-option').first().click();
    await page.getByTestId('user-create-password').fill('Temp#Pass01');
    await lantai.screenshot(page, 'admin-accounts-create');
    await page.getByTestId('user-create-submit').click();

    const row = page.getByTestId('user-row-qian.qi');
    await row.waitFor();
    expect(await row.textContent()).toContain('钱七');
    expect(await row.textContent()).toContain('待改密码');
    await expect.poll(() => form.isVisible()).toBe(false);
    await page.getByTestId('api-key-table').waitFor();
    await lantai.screenshot(page, 'admin-accounts');

    expect(problems).toEqual([]);
  });

  it("the auditor sees the audit log with the admins' entries and the chain verified", async () => {
    // Something the system admin did, for the auditor to see.
    await signIn(lantai.url('/'), 'sysadmin', demoPassword);

    const { page, problems } = await lantai.openPage();
    await signInThroughUi(page, '/admin', 'auditor');
    await openSystemItem(page, '审计日志');
    await page.waitForURL('**/admin/system/audit');

    const verified = page.getByTestId('audit-verified');
    await verified.waitFor();
    expect(await verified.getAttribute('data-ok')).toBe('true');
    expect(await verified.textContent()).toContain('审计链校验通过');

    const table = page.getByTestId('audit-table');
    await table.locator('[data-testid="audit-actor"]').first().waitFor();
    await expect.poll(() => table.getByTestId('audit-actor').allTextContents()).toContain('sysadmin');
    expect(await page.getByTestId('audit-csv').getAttribute('href')).toContain('format=csv');
    await lantai.screenshot(page, 'admin-audit-log');

    expect(problems).toEqual([]);
  });
  it("the security admin revokes a grant from the list and sets roles (and sees the server refuse a conflict); an archivist sees the server's refusal", async () => {
    const secadmin = await signIn(lantai.url('/'), 'secadmin', demoPassword);
    const archivist = (await secadmin.request<Array<{ id: string; username: string }>>('GET', '/api/accounts/users')).find((u) => u.username === 'archivist');
    const { id: grantId } = await secadmin.request<{ id: string }>('POST', '/api/accounts/grants', { userId: archivist?.id, subjectType: 'fonds', subjectId: 'J001', level: 'content' });

    const { page, problems } = await lantai.openPage();
    await signInThroughUi(page, '/admin/system/users', 'secadmin');
    await page.getByTestId('user-row-archivist').waitFor();
    expect(await page.getByTestId('user-create').count()).toBe(0);
    await page.getByTestId('grant-form').waitFor();

    const grantRow = page.getByTestId(`grant-row-${grantId}`);
    await grantRow.waitFor();
    expect(await grantRow.textContent()).toContain('有效');
    await page.getByTestId(`grant-revoke-${grantId}`).click();
    await page.locator('.ant-popconfirm:visible .ant-btn-primary').click();
    await expect.poll(() => grantRow.textContent()).toContain('已撤销');
    expect(await page.getByTestId(`grant-revoke-${grantId}`).count()).toBe(0);
    await lantai.screenshot(page, 'admin-accounts-grants');

    await page.getByTestId('set-roles-archivist').click();
    const dialog = page.locator('.ant-modal:visible');
    await dialog.locator('.ant-select').click();
    await page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: '系统管理员' }).click();
    await page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: '安全审计员' }).click();
    await dialog.locator('.ant-modal-title').click();
    await page.locator('.ant-select-dropdown').last().waitFor({ state: 'hidden' });
    await page.getByTestId('roles-submit').click();
    const refused = page.getByTestId('roles-error');
    await refused.waitFor();
    expect(await refused.textContent()).toContain('三员角色互斥');
    await lantai.screenshot(page, 'admin-accounts-role-conflict');

    const { page: other, problems: otherProblems } = await lantai.openPage();
    await signInThroughUi(other, '/admin/system/users', 'archivist');
    const result = other.getByTestId('page-refused');
    await result.waitFor();
    expect(await other.getByTestId('user-table').count()).toBe(0);
    await lantai.screenshot(other, 'admin-accounts-refused');

    const failed = (status: number) => `console error: Failed to load resource: the server responded with a status of ${status}`;
    expect(problems.filter((problem) => !problem.startsWith(failed(422)))).toEqual([]);
    expect(otherProblems.filter((problem) => !problem.startsWith(failed(403)))).toEqual([]);
  });

  it('the security admin scopes an archivist to one filing agency and lets government users see the catalog of controlled records', async () => {
    const { page, problems } = await lantai.openPage();
    await signInThroughUi(page, '/admin/system/users', 'secadmin');
    await page.getByTestId('set-scopes-archivist').click();
    const dialog = page.locator('.ant-modal:visible');
    await dialog.locator('.ant-select').click();
    await page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: '演示市人民政府办公室' }).click();
    await dialog.locator('.ant-modal-title').click();
    await page.locator('.ant-select-dropdown').last().waitFor({ state: 'hidden' });
    await page.getByTestId('scopes-submit').click();
    const scope = page.getByTestId('scopes-of-archivist');
    await scope.waitFor();
    expect(await scope.textContent()).toContain('演示市人民政府办公室');

    const card = page.getByTestId('access-policy-card');
    await page.getByTestId('policy-government-catalog').click();
    await page.getByTestId('access-policy-save').click();
    await expect.poll(() => page.getByTestId('access-policy-updated').textContent()).toContain('secadmin');
    await lantai.screenshot(card, 'admin-accounts-access-policy');
    const secadmin = await signIn(lantai.url('/'), 'secadmin', demoPassword);
    expect(await secadmin.request('GET', '/api/accounts/access-policy')).toMatchObject({ controlledCatalogForGovernment: true, controlledCatalogForPublic: false, passwordMinLength: 8 });
    const archivist = (await secadmin.request<Array<{ id: string; username: string }>>('GET', '/api/accounts/users')).find((u) => u.username === 'archivist');
    expect(await secadmin.request('GET', `/api/accounts/scopes?userId=${archivist?.id ?? ''}`)).toMatchObject([{ agencyIds: [expect.any(String)] }]);

    expect(problems).toEqual([]);
  });
});
