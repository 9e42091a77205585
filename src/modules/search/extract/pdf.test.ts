/**
 * PDF extraction on real PDFs: a two-page Chinese document and a scan made by LibreOffice,
 * copies encrypted by qpdf, and broken files.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractText, type ExtractionError } from './extract.js';
import { characterRecall, convertWithLibreOffice, makeScannedPdf, NOTICE_LINES, renderTextPage } from './test-support/fixtures.js';

let dir: string;
let twoPages: string;
let scanned: string;
const pdf = (file: string) => ({ path: file, name: path.basename(file), mime: 'application/pdf' });

async function reason(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    return (err as ExtractionError).reason ?? String(err);
  }
  return 'resolved';
}

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'lantai-extract-pdf-'));
  const profile = path.join(dir, 'lo-profile');
  const html = path.join(dir, '方案.html');
  await fs.writeFile(
    html,
    '<html><head><meta charset="utf-8"></head><body><p>数字档案馆建设方案</p><p>第一页：总体要求</p>' +
      '<p style="page-break-before: always">三码分类监管制度</p><p>第二页：职责分工</p></body></html>',
  );
  twoPages = convertWithLibreOffice(html, 'pdf', dir, profile);
  scanned = await makeScannedPdf(dir, 'scan', [await renderTextPage(NOTICE_LINES)], profile);
});

afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe('extractText on PDF', () => {
  it('reads the text layer page by page, the right Chinese on the right page', async () => {
    const result = await extractText(pdf(twoPages));
    expect(result.pages.map((p) => p.page)).toEqual([1, 2]);
    expect(result.pages[0]?.text).toContain('数字档案馆建设方案');
    expect(result.pages[0]?.text).not.toContain('三码分类监管制度');
    expect(result.pages[1]?.text).toContain('三码分类监管制度');
    expect(result.pages[1]?.text).toContain('第二页：职责分工');
    expect(result.pages.every((p) => p.method === 'text-layer')).toBe(true);
    expect(result).toMatchObject({ tool: 'pdftotext', ocrPages: 0, truncated: false });
    expect(result.toolVersion).toMatch(/^pdftotext \d+\.\d+/);
  });

  it('reads a scanned page by OCR, finding the phrases and most characters of the page', async () => {
    const result = await extractText(pdf(scanned));
    expect(result.pages).toHaveLength(1);
    const page = result.pages[0];
    expect(page?.method).toBe('ocr');
    expect(page?.text).toContain('数字档案馆建设方案');
    expect(page?.text).toContain('三码分类监管制度');
    expect(characterRecall(page?.text ?? '', NOTICE_LINES)).toBeGreaterThan(0.9);
    expect(result).toMatchObject({ tool: 'pdftotext+tesseract', ocrPages: 1 });
    expect(result.toolVersion).toMatch(/^pdftotext [\d.]+; tesseract [\d.]+/);
  });

  it('keeps only the first maxPages pages and says so', async () => {
    const result = await extractText(pdf(twoPages), { maxPages: 1 });
    expect(result.pages.map((p) => p.page)).toEqual([1]);
    expect(result.truncated).toBe(true);
  });

  it('refuses a PDF that needs a user password as encrypted', async () => {
    const locked = path.join(dir, 'locked.pdf');
    execFileSync('qpdf', ['--encrypt', 'user-pw', 'owner-pw', '256', '--', twoPages, locked]);
    expect(await reason(extractText(pdf(locked)))).toBe('encrypted');
  });

  it('reads a PDF with only an owner password, which restricts but does not lock', async () => {
    const restricted = path.join(dir, 'restricted.pdf');
    execFileSync('qpdf', ['--encrypt', '', 'owner-pw', '256', '--extract=n', '--', twoPages, restricted]);
    const result = await extractText(pdf(restricted));
    expect(result.pages[1]?.text).toContain('三码分类监管制度');
  });

  it('calls a truncated PDF and a file named .pdf that is not one damaged', async () => {
    const truncated = path.join(dir, 'truncated.pdf');
    await fs.writeFile(truncated, (await fs.readFile(twoPages)).subarray(0, 2000));
    expect(await reason(extractText(pdf(truncated)))).toBe('damaged');
    const notPdf = path.join(dir, '通知.pdf');
    await fs.writeFile(notPdf, '这不是 PDF，只是改了扩展名的文本。');
    expect(await reason(extractText({ path: notPdf, name: '通知.pdf', mime: null }))).toBe('damaged');
  });

  it('stops promptly when the signal aborts during OCR and leaves no temporary folder', async () => {
    const tmpDir = await fs.mkdtemp(path.join(dir, 'tmp-'));
    const controller = new AbortController();
    const started = Date.now();
    const running = extractText(pdf(scanned), { signal: controller.signal, tmpDir });
    // Abort once the page image is being made, i.e. when the scratch folder has appeared.
    while ((await fs.readdir(tmpDir)).length === 0) await new Promise((r) => setImmediate(r));
    controller.abort(new Error('cancelled by the job'));
    await expect(running).rejects.toThrow('cancelled by the job');
    expect(Date.now() - started).toBeLessThan(5000);
    expect(await fs.readdir(tmpDir)).toEqual([]);
  });

  it('fails with timeout when OCR of a page runs past the time limit, and cleans up', async () => {
    const tmpDir = await fs.mkdtemp(path.join(dir, 'tmp-'));
    expect(await reason(extractText(pdf(scanned), { timeoutMs: 200, tmpDir }))).toBe('timeout');
    expect(await fs.readdir(tmpDir)).toEqual([]);
  });
});
