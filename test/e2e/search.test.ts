/**
 * 档案检索 in a real Chromium against `lantai serve --demo`: a visitor searches the
 * demo fonds from the home page's box, sees the word highlighted, opens the record,
 * narrows the result by a facet, uses the page at phone width, and meets an empty
 * result with its suggestions and tips; an archivist searches the workbench by 档号 prefix.
 * Run: npm run build && npx vitest run test/e2e/search.test.ts
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { demoPassword } from './api.js';
import { useLantai } from './harness.js';

const lantai = useLantai();

/** expect.poll gives up after 1 s by default; the first search waits for the demo's index to be built. */
const patience = { timeout: 30_000, interval: 250 };
/** In the demo's titles every year (关于做好1994年防汛抗旱工作的通知…), and several of them are open. */
const word = '防汛';
const codePrefix = 'J001-WS·2011';

async function scrollWidth(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth);
}

/** Waits for the search page to show hits, and returns how many. */
async function waitForHits(page: Page): Promise<number> {
  const hits = page.getByTestId('search-hit');
  await expect.poll(() => hits.count(), patience).toBeGreaterThan(0);
  return hits.count();
}

describe('档案检索', { timeout: 120_000 }, () => {
  it('finds open records from the home page box, highlights the word, opens a record and narrows by a facet', async () => {
    const { page, problems } = await lantai.openPage();
    await page.goto(lantai.url('/'));
    const box = page.getByTestId('home-search').getByRole('searchbox');
    await box.fill(word);
    await box.press('Enter');
    await page.waitForURL('**/search?q=*');
    expect(new URL(page.url()).searchParams.get('q')).toBe(word);
    await waitForHits(page);

    // The count line, the highlighted word, and nothing but open records for a visitor.
    expect(await page.getByTestId('search-total').textContent()).toMatch(/^共 [\d,]+ 条（用时 [\d.]+ 毫秒）$/);
    const firstTitle = page.getByTestId('hit-title').first();
    expect(await firstTitle.locator('mark').first().textContent()).toBe(word);
    const openness = await page.getByTestId('search-hits').getByTestId('openness-tag').evaluateAll((tags) => tags.map((tag) => tag.getAttribute('data-openness')));
    expect(new Set(openness)).toEqual(new Set(['开放']));
    await lantai.screenshot(page, 'search-results');

    // A year facet narrows the hits to that year, and the choice is in the URL. Not the newest year
    // (listed first): the demo leaves its last year's items without codes, for the visitor to arrange.
    const yearOption = page.getByTestId('facet-year').getByTestId('facet-option').last();
    const year = (await yearOption.getAttribute('data-value')) ?? '';
    expect(year).toMatch(/^\d{4}$/);
    await yearOption.click();
    await expect.poll(() => new URL(page.url()).searchParams.get('year'), patience).toBe(year);
    await expect.poll(async () => (await page.getByTestId('hit-code').allTextContents()).every((code) => code.includes(`·${year}-`)), patience).toBe(true);
    await waitForHits(page);
    await lantai.screenshot(page, 'search-facet-year');

    // The record page: the same title, its description, and no files to read (the demo items have none).
    const title = (await firstTitle.textContent()) ?? '';
    await page.getByTestId('hit-title').first().click();
    await page.waitForURL('**/records/*');
    await expect.poll(() => page.getByTestId('record-title').textContent(), patience).toContain(word);
    expect(await page.getByTestId('record-metadata').textContent()).toContain('责任者');
    expect(await page.getByTestId('record-code').textContent()).toContain(`·${year}-`);
    await page.getByTestId('record-no-files').waitFor();
    expect(title).toContain(word);
    await lantai.screenshot(page, 'search-record');

    // Back returns to the narrowed results.
    await page.getByTestId('record-back').click();
    await page.waitForURL('**/search?*');
    expect(new URL(page.url()).searchParams.get('year')).toBe(year);
    await waitForHits(page);

    // A record that does not exist reads as not found.
    await page.goto(lantai.url('/records/01890000-0000-7000-8000-000000000000'));
    await page.getByTestId('record-not-found').waitFor();

    // The only console error allowed is Chromium's line for that 404.
    expect(problems.filter((problem) => !problem.includes('404'))).toEqual([]);
  });

  it('fits a phone: the facets open from 筛选 and nothing scrolls sideways', async () => {
    const { page, problems } = await lantai.openPage({ viewport: { width: 375, height: 800 }, mobile: true });
    await page.goto(lantai.url(`/search?q=${encodeURIComponent(word)}`));
    await waitForHits(page);
    expect(await page.getByTestId('facet-panel').count(), 'the facets are not beside the results on a phone').toBe(0);
    expect(await scrollWidth(page)).toBeLessThanOrEqual(375);
    await lantai.screenshot(page, 'search-phone');

    await page.getByTestId('search-filters-button').click();
    const option = page.getByTestId('facet-retention').getByTestId('facet-option').first();
    await option.waitFor();
    const retention = (await option.getAttribute('data-value')) ?? '';
    await option.click();
    await expect.poll(() => new URL(page.url()).searchParams.get('retention'), patience).toBe(retention);
    await lantai.screenshot(page, 'search-phone-filters');
    await page.getByTestId('search-filters-done').click();
    await page.getByTestId('facet-panel').waitFor({ state: 'hidden' });
    await waitForHits(page);
    expect(await scrollWidth(page)).toBeLessThanOrEqual(375);

    expect(problems).toEqual([]);
  });

  it('says when nothing is found, with suggestions that find something and tips', async () => {
    const { page, problems } = await lantai.openPage();
    await page.goto(lantai.url(`/search?q=${encodeURIComponent(`${word} 无此词语甲乙丙`)}`));
    const empty = page.getByTestId('search-empty');
    await empty.waitFor({ timeout: patience.timeout });
    expect(await empty.textContent()).toContain('没有找到符合条件的档案');
    expect(await page.getByTestId('search-tips').textContent()).toContain('档号');
    const suggestion = page.getByTestId('search-suggestion').filter({ hasText: word });
    await suggestion.first().waitFor();
    await lantai.screenshot(page, 'search-empty');

    await suggestion.first().click();
    await expect.poll(() => new URL(page.url()).searchParams.get('q'), patience).toBe(word);
    await waitForHits(page);

    expect(problems).toEqual([]);
  });

  it('lets an archivist search the workbench by the beginning of an archival code', async () => {
    const { page, problems } = await lantai.openPage();
    await page.goto(lantai.url('/admin/use/search'));
    await page.waitForURL('**/login?next=*');
    await page.getByTestId('login-username').fill('archivist');
    await page.getByTestId('login-password').fill(demoPassword);
    await page.getByTestId('login-submit').click();
    await page.waitForURL('**/admin/use/search');
    await expect.poll(() => page.title(), patience).toBe('档案检索 · 兰台档案工作台');

    await page.getByTestId('criteria-code').fill(codePrefix);
    await page.getByTestId('criteria-submit').click();
    const codes = page.getByTestId('search-table').getByTestId('result-code');
    await expect.poll(() => codes.count(), patience).toBeGreaterThan(0);
    const found = await codes.allTextContents();
    for (const code of found) expect(code.startsWith(`${codePrefix}-`)).toBe(true);
    // One page holds them all (a year of the demo's 文书 has at most 13 items).
    const total = Number(await page.getByTestId('search-total').getAttribute('data-total'));
    expect(total).toBe(found.length);
    await lantai.screenshot(page, 'search-workbench');

    // A row opens the catalog's item drawer.
    await codes.first().click();
    await expect.poll(() => page.getByTestId('detail-code').textContent(), patience).toBe(found[0]);

    expect(problems).toEqual([]);
  });
});
