/**
 * DOCX extraction on a document saved by LibreOffice, and on zips built to hurt: a bomb
 * whose directory admits its size, one whose directory lies, and files that are no DOCX.
 */
import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import yazl from 'yazl';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractText, type ExtractionError } from './extract.js';
import { convertWithLibreOffice, makeZipBombDocx, understateEntrySize } from './test-support/fixtures.js';

const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
let dir: string;
let saved: string;

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'lantai-extract-docx-'));
  const html = path.join(dir, '方案.html');
  await fs.writeFile(
    html,
    '<html><head><meta charset="utf-8"></head><body><p>数字档案馆建设方案</p><table><tr><td>档号</td><td>题名</td></tr></table>' +
      '<p style="page-break-before: always">三码分类监管制度</p><p>第二页：职责分工</p></body></html>',
  );
  saved = convertWithLibreOffice(html, 'docx:MS Word 2007 XML', dir, path.join(dir, 'lo-profile'));
});

afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

const docx = (file: string) => ({ path: file, name: path.basename(file), mime: DOCX });
const reasonOf = (promise: Promise<unknown>) => promise.then(() => 'resolved', (err: ExtractionError) => err.reason);

describe('extractText on DOCX', () => {
  it('reads paragraphs and table cells, starting a new page at a page break', async () => {
    const result = await extractText(docx(saved));
    expect(result.pages.map((p) => p.page)).toEqual([1, 2]);
    expect(result.pages[0]?.text).toContain('数字档案馆建设方案');
    expect(result.pages[0]?.text).toMatch(/档号\s+题名/);
    expect(result.pages[1]?.text).toBe('三码分类监管制度\n第二页：职责分工');
    expect(result).toMatchObject({ tool: 'lantai-docx', ocrPages: 0, truncated: false });
    expect(result.pages.every((p) => p.method === 'markup')).toBe(true);
  });

  it('finds a DOCX by its extension when identification gave only a zip', async () => {
    const result = await extractText({ path: saved, name: '方案.docx', mime: 'application/zip' });
    expect(result.pages[1]?.text).toContain('三码分类监管制度');
  });

  it('refuses a zip bomb as too-large from its directory, without inflating it', async () => {
    const bomb = await makeZipBombDocx(path.join(dir, 'bomb.docx'), 300 * 1024 * 1024);
    expect((await fs.stat(bomb)).size).toBeLessThan(2 * 1024 * 1024);
    const before = process.memoryUsage().rss;
    const started = Date.now();
    expect(await reasonOf(extractText(docx(bomb)))).toBe('too-large');
    expect(Date.now() - started).toBeLessThan(1000);
    expect(process.memoryUsage().rss - before).toBeLessThan(50 * 1024 * 1024);
  });

  it('stops a zip whose directory understates an entry as soon as it inflates past it', async () => {
    const liar = await makeZipBombDocx(path.join(dir, 'liar.docx'), 50 * 1024 * 1024);
    await understateEntrySize(liar, 'word/document.xml', 4096);
    const before = process.memoryUsage().rss;
    expect(await reasonOf(extractText(docx(liar)))).toBe('too-large');
    expect(process.memoryUsage().rss - before).toBeLessThan(50 * 1024 * 1024);
  });

  it('calls a file that is not a zip, and a zip without a document part, damaged', async () => {
    const text = path.join(dir, '假的.docx');
    await fs.writeFile(text, '这不是 Word 文档');
    expect(await reasonOf(extractText({ path: text, name: '假的.docx', mime: null }))).toBe('damaged');
    const empty = path.join(dir, 'empty.docx');
    const zip = new yazl.ZipFile();
    zip.addBuffer(Buffer.from('<?xml version="1.0"?><Types/>'), '[Content_Types].xml');
    zip.end();
    await pipeline(zip.outputStream, createWriteStream(empty));
    expect(await reasonOf(extractText(docx(empty)))).toBe('damaged');
  });
});
