/**
 * OCR of scanned images: Chinese text rendered by sharp at 300 dpi as PNG, as a multi-page
 * TIFF, as a JPEG stored sideways with an EXIF orientation, and as JPEG 2000 made by
 * OpenJPEG's opj_compress.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractText, type ExtractionError } from './extract.js';
import { characterRecall, renderTextPage } from './test-support/fixtures.js';

let dir: string;
let first: Buffer;
let second: Buffer;
const FIRST = ['数字档案馆建设方案', '三码分类监管制度'];
const SECOND = ['关于做好档案移交工作的通知', '请各单位按时归档。'];
// Half an A4 page: the tests stay quick, the text is as large as on a full page.
const HALF_PAGE = { width: 2480, height: 1200, fontSize: 60 };

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'lantai-extract-images-'));
  first = await renderTextPage(FIRST, HALF_PAGE);
  second = await renderTextPage(SECOND, HALF_PAGE);
});

afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

async function save(name: string, bytes: Buffer): Promise<string> {
  const file = path.join(dir, name);
  await fs.writeFile(file, bytes);
  return file;
}

describe('extractText on images', () => {
  it('reads Chinese text from a PNG by OCR', async () => {
    const result = await extractText({ path: await save('page.png', first), name: 'page.png', mime: 'image/png' });
    expect(result.pages).toEqual([{ page: 1, text: expect.stringContaining('数字档案馆建设方案') as string, method: 'ocr' }]);
    expect(result.pages[0]?.text).toContain('三码分类监管制度');
    expect(characterRecall(result.pages[0]?.text ?? '', FIRST)).toBeGreaterThan(0.8);
    expect(result).toMatchObject({ tool: 'tesseract', ocrPages: 1, truncated: false });
    expect(result.toolVersion).toMatch(/^tesseract \d/);
  });

  it('gives one page per page of a multi-page TIFF, a blank page as empty text', async () => {
    const blank = await sharp({ create: { width: 2480, height: 1200, channels: 3, background: '#ffffff' } }).png().toBuffer();
    const tiff = await sharp([first, blank, second], { join: { animated: true } }).tiff({ compression: 'lzw' }).toBuffer();
    const result = await extractText({ path: await save('scan.tif', tiff), name: 'scan.tif', mime: 'image/tiff' });
    expect(result.pages.map((p) => p.page)).toEqual([1, 2, 3]);
    expect(result.pages[0]?.text).toContain('数字档案馆建设方案');
    expect(result.pages[1]?.text).toBe('');
    expect(result.pages[2]?.text).toContain('档案移交工作的通知');
    expect(characterRecall(result.pages[2]?.text ?? '', SECOND)).toBeGreaterThan(0.8);
    expect(result.ocrPages).toBe(3);
    const firstTwo = await extractText({ path: path.join(dir, 'scan.tif'), name: 'scan.tif', mime: 'image/tiff' }, { maxPages: 2 });
    expect(firstTwo.pages).toHaveLength(2);
    expect(firstTwo.truncated).toBe(true);
  });

  it('turns a JPEG upright by its EXIF orientation before reading it', async () => {
    // Stored turned a quarter to the left; orientation 6 says "turn right to view".
    const sideways = await sharp(first).rotate(-90).jpeg({ quality: 90 }).withMetadata({ orientation: 6, density: 300 }).toBuffer();
    const result = await extractText({ path: await save('phone.jpg', sideways), name: 'phone.jpg', mime: 'image/jpeg' });
    expect(result.pages[0]?.text).toContain('数字档案馆建设方案');
  });

  it('decodes JPEG 2000 with opj_decompress, then reads it', async () => {
    const png = await save('for-jp2.png', second);
    const jp2 = path.join(dir, 'scan.jp2');
    execFileSync('opj_compress', ['-i', png, '-o', jp2], { stdio: 'ignore' });
    // A stored blob has no extension: the reader must not depend on one.
    const blob = path.join(dir, 'blob-0001');
    await fs.copyFile(jp2, blob);
    const result = await extractText({ path: blob, name: '扫描件.jp2', mime: 'image/jp2' });
    expect(result.pages[0]?.text).toContain('档案移交工作的通知');
    expect(characterRecall(result.pages[0]?.text ?? '', SECOND)).toBeGreaterThan(0.8);
    expect(result.tool).toBe('opj_decompress+tesseract');
    expect(result.toolVersion).toMatch(/^opj_decompress [\d.]+; tesseract [\d.]+/);
  });

  it('calls an image that does not decode damaged', async () => {
    const png = await save('cut.png', first.subarray(0, 200));
    const failure = await extractText({ path: png, name: 'cut.png', mime: 'image/png' }).catch((err: ExtractionError) => err);
    expect(failure).toMatchObject({ name: 'ExtractionError', reason: 'damaged' });
    const jp2 = await save('cut.jp2', Buffer.from('not a JPEG 2000 codestream'));
    expect(await extractText({ path: jp2, name: 'cut.jp2', mime: 'image/jp2' }).catch((err: ExtractionError) => err.reason)).toBe('damaged');
  });

  it('says tool-missing, naming the package, when the OCR language is not installed', async () => {
    const failure = await extractText({ path: await save('lang.png', first), name: 'lang.png', mime: 'image/png' }, { ocrLanguages: 'xyz' }).catch((err: ExtractionError) => err);
    expect(failure).toMatchObject({ reason: 'tool-missing', message: expect.stringContaining('tesseract-ocr-xyz') as string });
  });
});
