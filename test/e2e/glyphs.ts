/**
 * Proof that Chinese text really renders, not as tofu (□). A screenshot of a
 * heading looks fine to a test either way, so instead each character is drawn
 * alone, in the font the page uses for that heading, and the images compared:
 * with a CJK font every character has its own glyph, so the images all differ;
 * without one, every character falls back to the same missing-glyph box (or to
 * nothing), so the images are identical, and identical to the drawing of
 * U+10FFFD, a private-use code point that no font covers.
 */
import type { Locator, Page } from 'playwright-core';

/** A code point no font has a glyph for: what "missing" looks like in this browser. */
export const missingGlyph = '\u{10FFFD}';

/**
 * Draws each text alone in a fixed 56 px cell, in the font family of `reference`,
 * and returns one PNG per text.
 */
export async function renderGlyphs(page: Page, reference: Locator, texts: readonly string[]): Promise<Buffer[]> {
  const fontFamily = await reference.evaluate((element) => getComputedStyle(element).fontFamily);
  await page.evaluate(async ({ texts, fontFamily }) => {
    await document.fonts.ready;
    const box = document.createElement('div');
    box.id = 'e2e-glyphs';
    Object.assign(box.style, { position: 'fixed', left: '0', top: '0', zIndex: '2147483647', display: 'flex', gap: '8px', padding: '8px', background: '#fff' });
    texts.forEach((text, index) => {
      const cell = document.createElement('span');
      cell.dataset.glyph = String(index);
      cell.textContent = text;
      Object.assign(cell.style, {
        display: 'inline-block',
        width: '56px',
        height: '56px',
        lineHeight: '56px',
        textAlign: 'center',
        fontFamily,
        fontSize: '40px',
        color: '#000',
        background: '#fff',
      });
      box.append(cell);
    });
    document.body.append(box);
  }, { texts, fontFamily });
  const images: Buffer[] = [];
  for (const index of texts.keys()) {
    images.push(await page.locator(`#e2e-glyphs [data-glyph="${index}"]`).screenshot());
  }
  await page.evaluate(() => document.getElementById('e2e-glyphs')?.remove());
  return images;
}

/** Pairs of texts whose images are byte-for-byte the same, e.g. ["兰 = 台"]. */
export function identicalPairs(texts: readonly string[], images: readonly Buffer[]): string[] {
  const pairs: string[] = [];
  images.forEach((image, i) => {
    images.forEach((other, j) => {
      if (i < j && image.equals(other)) pairs.push(`${texts[i]} = ${texts[j]}`);
    });
  });
  return pairs;
}
