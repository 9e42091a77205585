/**
 * XLSX extraction on a workbook written by exceljs: shared strings, rich text, numbers,
 * booleans, formulas with their results, one page per sheet in the workbook's order.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractText } from './extract.js';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
let dir: string;
let book: string;

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'lantai-extract-xlsx-'));
  const workbook = new ExcelJS.Workbook();
  const catalogue = workbook.addWorksheet('案卷目录');
  catalogue.addRow(['档号', '题名', '页数', '开放']);
  catalogue.addRow(['X001-WS-2024-Y-0001', '关于做好档案工作的通知', 12, true]);
  catalogue.addRow(['X001-WS-2024-Y-0002', { richText: [{ text: '数字档案馆' }, { text: '建设方案', font: { bold: true } }] }, 3.5, false]);
  catalogue.addRow(['合计', '', { formula: 'SUM(C2:C3)', result: 15.5 }]);
  const notes = workbook.addWorksheet('说明');
  notes.getCell('B2').value = '三码分类监管制度';
  book = path.join(dir, '目录.xlsx');
  await workbook.xlsx.writeFile(book);
});

afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe('extractText on XLSX', () => {
  it('gives one page per sheet: its name, then a line per row with tab-separated values', async () => {
    const result = await extractText({ path: book, name: '目录.xlsx', mime: XLSX });
    expect(result.pages).toEqual([
      {
        page: 1,
        text: ['案卷目录', '档号 题名 页数 开放', 'X001-WS-2024-Y-0001 关于做好档案工作的通知 12 TRUE', 'X001-WS-2024-Y-0002 数字档案馆建设方案 3.5 FALSE', '合计 15.5'].join('\n'),
        method: 'markup',
      },
      { page: 2, text: '说明\n三码分类监管制度', method: 'markup' },
    ]);
    expect(result).toMatchObject({ tool: 'lantai-xlsx', ocrPages: 0, truncated: false });
  });

  it('keeps the first maxPages sheets', async () => {
    const result = await extractText({ path: book, name: '目录.xlsx', mime: XLSX }, { maxPages: 1 });
    expect(result.pages.map((p) => p.page)).toEqual([1]);
    expect(result.truncated).toBe(true);
  });
});
