/**
 * The public portal in a real Chromium against `lantai serve --demo`.
 * Run: npm run build && npx vitest run test/e2e  (screenshots land in test-results/e2e/).
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { identicalPairs, missingGlyph, renderGlyphs } from './glyphs.js';
import { useLantai } from './harness.js';

const lantai = useLantai();

const chineseNav = ['首页', '档案检索', '专题数据库', '网上展览', '预约查档', '咨询'];
const englishNav = ['Home', 'Search', 'Thematic databases', 'Online exhibitions', 'Appointments', 'Inquiries'];

async function navTexts(page: Page, testId: string): Promise<string[]> {
  return page.getByTestId(testId).getByRole('menuitem').allTextContents();
}

async function chooseLanguage(page: Page, label: '中文' | 'English'): Promise<void> {
  await page.getByTestId('language-switch').click();
  await page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: label }).click();
  await page.locator('.ant-select-dropdown').waitFor({ state: 'hidden' });
}

async function scrollWidth(page: Page): Promise<number> {
  return page.evaluate(() => document.scrollingElement?.scrollWidth ?? Number.NaN);
}

describe('the public portal', { timeout: 30_000 }, () => {
  it('renders in Chinese with the demo banner, and the Chinese glyphs really render', async () => {
    const { page, problems } = await lantai.openPage();
    await page.goto(lantai.url('/'));

    const banner = page.getByTestId('demo-banner');
    await banner.waitFor();
    expect(await banner.textContent()).toContain('演示环境');
    expect(await banner.textContent()).toContain('请勿录入真实档案');
    // The banner sits above everything else.
    expect((await banner.boundingBox())?.y).toBe(0);

    await expect.poll(() => navTexts(page, 'portal-nav')).toEqual(chineseNav);
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('zh-CN');
    expect(await page.title()).toBe('首页 · 兰台数字档案馆');

    const siteName = page.getByTestId('site-name');
    const heading = (await siteName.textContent()) ?? '';
    expect(heading).toBe('兰台数字档案馆');
    await lantai.screenshot(siteName, 'portal-site-name');
    await lantai.screenshot(page, 'portal-home-zh');

    const characters = [...heading];
    const images = await renderGlyphs(page, siteName, [...characters, missingGlyph]);
    const tofu = images.pop();
    expect(identicalPairs(characters, images), 'distinct Chinese characters drew the same image: is a CJK font installed? (fonts-wqy-microhei)').toEqual([]);
    const drawnAsTofu = characters.filter((_, index) => tofu !== undefined && images[index]?.equals(tofu));
    expect(drawnAsTofu, 'these characters drew as the missing-glyph box: install fonts-wqy-microhei').toEqual([]);

    expect(problems).toEqual([]);
  });

  it('switches to English and back, and keeps the choice over a reload', async () => {
    const { page, problems } = await lantai.openPage();
    await page.goto(lantai.url('/'));
    await expect.poll(() => navTexts(page, 'portal-nav')).toEqual(chineseNav);

    await chooseLanguage(page, 'English');
    await expect.poll(() => navTexts(page, 'portal-nav')).toEqual(englishNav);
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');
    expect(await page.title()).toBe('Home · Lantai Digital Archives');
    expect(await page.getByTestId('demo-banner').textContent()).toContain('Demo environment');
    await lantai.screenshot(page, 'portal-home-en');

    await page.reload();
    await expect.poll(() => navTexts(page, 'portal-nav')).toEqual(englishNav);
    // A deep link loads straight into the portal (the server falls back to the app) and stays in English.
    await page.goto(lantai.url('/search?q=%E6%A1%A3%E6%A1%88'));
    await expect.poll(() => page.getByTestId('page-title').textContent()).toBe('Search');
    expect(await page.getByTestId('search-query').textContent()).toBe('Your search terms: 档案');

    await chooseLanguage(page, '中文');
    await expect.poll(() => navTexts(page, 'portal-nav')).toEqual(chineseNav);
    expect(await page.getByTestId('page-title').textContent()).toBe('档案检索');
    await page.reload();
    await expect.poll(() => navTexts(page, 'portal-nav')).toEqual(chineseNav);
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('zh-CN');
    expect(await page.title()).toBe('档案检索 · 兰台数字档案馆');

    expect(problems).toEqual([]);
  });

  it('is usable at phone width: the menu opens from the hamburger and nothing scrolls sideways', async () => {
    const { page, problems } = await lantai.openPage({ viewport: { width: 375, height: 740 }, mobile: true });
    await page.goto(lantai.url('/'));
    await page.getByTestId('demo-banner').waitFor();
    await page.getByTestId('site-name').waitFor();
    expect(await page.getByTestId('portal-nav').count(), 'the wide menu is not shown on a phone').toBe(0);
    expect(await scrollWidth(page)).toBeLessThanOrEqual(375);
    await lantai.screenshot(page, 'portal-phone-home');

    await page.getByTestId('portal-menu-button').click();
    await expect.poll(() => navTexts(page, 'portal-drawer-nav')).toEqual(chineseNav);
    // Let the drawer finish sliding in before the picture is taken.
    await expect.poll(async () => (await page.getByRole('dialog').boundingBox())?.x).toBe(0);
    await lantai.screenshot(page, 'portal-phone-menu');
    await page.getByTestId('portal-drawer-nav').getByRole('menuitem', { name: '预约查档' }).click();
    await page.waitForURL('**/appointments');
    await expect.poll(() => page.getByTestId('page-title').textContent()).toBe('预约查档');
    await page.getByTestId('portal-drawer-nav').waitFor({ state: 'hidden' });
    expect(await scrollWidth(page)).toBeLessThanOrEqual(375);

    // The home page's search box leads to the search page with the query.
    await page.goto(lantai.url('/'));
    const search = page.getByTestId('home-search').getByRole('searchbox');
    await search.fill('婚姻登记');
    await search.press('Enter');
    await page.waitForURL('**/search?q=*');
    await expect.poll(() => page.getByTestId('search-query').textContent()).toBe('您输入的检索词：婚姻登记');
    expect(await scrollWidth(page)).toBeLessThanOrEqual(375);
    await lantai.screenshot(page, 'portal-phone-search');

    expect(problems).toEqual([]);
  });
});
