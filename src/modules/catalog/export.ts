/**
 * Catalog out: the agency's import template per category, the catalog as xlsx,
 * and a print-ready 归档文件目录 with its 备考表 (DA/T 22-2015 §8 and appendix:
 * 序号, 档号, 文号, 责任者, 题名, 日期, 密级, 页数, 备注; 盒内文件情况说明, 整理人,
 * 检查人, 日期), laid out for A4.
 *
 * Every export goes through the Viewer: a row the viewer may not see is not in it,
 * and counts are of what is in it. Exports are audited.
 */
import { PassThrough, type Readable } from 'node:stream';
import type ExcelJS from 'exceljs';

// ExcelJS costs the server ~27 MB resident when loaded; it is loaded when a spreadsheet is first made.
const loadExcel = async (): Promise<typeof ExcelJS> => (await import('exceljs')).default;
import type { Executor } from '../../platform/db/database.js';
import type { Viewer } from '../accounts/viewer.js';
import { templateHeaders } from './import/mapping.js';
import { RETENTION_LABELS, type Category, type ItemQuery, type ItemSummary } from './model.js';
import * as repo from './repo.js';

export const MAX_EXPORT_ROWS = 200_000;
const PAGE = 2000;

/** The xlsx template an agency fills in (目录模板), with drop-down lists and a notes sheet. */
export async function catalogTemplate(category: Category): Promise<Buffer> {
  const Excel = await loadExcel();
  const workbook = new Excel.Workbook();
  workbook.creator = 'Lantai 兰台';
  const sheet = workbook.addWorksheet('归档文件目录');
  const headers = templateHeaders(category);
  sheet.columns = headers.map((h) => ({ header: h.required ? `${h.header}*` : h.header, key: h.field, width: h.field === 'title' ? 48 : 14 }));
  sheet.getRow(1).font = { bold: true };
  sheet.views = [{ state: 'frozen', ySplit: 1 }];
  const lists: Record<string, string> = { retention: '"永久,定期30年,定期10年,长期,短期"', classification: '"非密"', control: '"内部,限制"' };
  headers.forEach((h, i) => {
    const list = lists[h.field];
    if (!list) return;
    const letter = sheet.getColumn(i + 1).letter;
    for (let r = 2; r <= 2000; r++) sheet.getCell(`${letter}${r}`).dataValidation = { type: 'list', allowBlank: !h.required, formulae: [list] };
  });
  const notes = workbook.addWorksheet('填写说明');
  notes.columns = [{ header: '列', key: 'h', width: 16 }, { header: '必填', key: 'r', width: 8 }, { header: '说明', key: 'n', width: 70 }];
  notes.getRow(1).font = { bold: true };
  for (const h of headers) notes.addRow({ h: h.header, r: h.required ? '是' : '', n: h.note });
  notes.addRow({});
  notes.addRow({ h: '门类', n: `${category.name}（${category.code}）；带 * 的列必填；日期写 8 位数字；一行一件。` });
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** Pages through what the viewer may see, in 档号 order. */
async function* visibleItems(db: Executor, viewer: Viewer, filters: Omit<ItemQuery, 'offset' | 'limit'>): AsyncGenerator<ItemSummary> {
  let offset = 0;
  for (;;) {
    const { items } = await repo.listItems(repo.scopedItems(db, viewer), { ...filters, offset, limit: PAGE });
    for (const item of items) yield item;
    if (items.length < PAGE || offset + PAGE >= MAX_EXPORT_ROWS) return;
    offset += PAGE;
  }
}

/** The catalog as a streamed xlsx (DA/T 22 columns plus retention and openness). */
export function exportXlsx(db: Executor, viewer: Viewer, filters: Omit<ItemQuery, 'offset' | 'limit'>, onDone: (rows: number) => Promise<void>): Readable {
  const out = new PassThrough();
  void (async () => {
    const Excel = await loadExcel().catch((err: unknown) => {
      out.destroy(err as Error);
      return null;
    });
    if (!Excel) return;
    const workbook = new Excel.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true });
    const sheet = workbook.addWorksheet('归档文件目录');
    sheet.columns = [
      { header: '序号', key: 'n', width: 8 },
      { header: '档号', key: 'code', width: 26 },
      { header: '文号', key: 'docNumber', width: 20 },
      { header: '责任者', key: 'responsible', width: 20 },
      { header: '题名', key: 'title', width: 50 },
      { header: '日期', key: 'date', width: 11 },
      { header: '密级', key: 'classification', width: 8 },
      { header: '页数', key: 'pages', width: 6 },
      { header: '保管期限', key: 'retention', width: 10 },
      { header: '开放状态', key: 'openness', width: 9 },
      { header: '控制标识', key: 'control', width: 9 },
      { header: '备注', key: 'remarks', width: 16 },
    ];
    let n = 0;
    try {
      for await (const item of visibleItems(db, viewer, filters)) {
        n += 1;
        sheet
          .addRow({ n, code: item.archivalCode ?? '', docNumber: item.docNumber ?? '', responsible: item.responsible, title: item.title, date: item.date, classification: item.classification, pages: item.pageCount ?? '', retention: RETENTION_LABELS[item.retention].zh, openness: item.openness, control: item.control ?? '', remarks: '' })
          .commit();
      }
      sheet.commit();
      await workbook.commit();
      await onDone(n);
    } catch (err) {
      out.destroy(err as Error);
    }
  })();
  return out;
}

function escapeHtml(value: string | number | null | undefined): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/** A4 print view of 归档文件目录 and 备考表; every value escaped. */
export async function printCatalog(db: Executor, viewer: Viewer, filters: Omit<ItemQuery, 'offset' | 'limit'>, heading: { fonds: string; category: string; year: string }): Promise<{ html: string; rows: number }> {
  const rows: string[] = [];
  let n = 0;
  let pages = 0;
  for await (const item of visibleItems(db, viewer, filters)) {
    n += 1;
    pages += item.pageCount ?? 0;
    const date = item.date;
    rows.push(
      `<tr><td class="c">${n}</td><td>${escapeHtml(item.archivalCode)}</td><td>${escapeHtml(item.docNumber)}</td><td>${escapeHtml(item.responsible)}</td><td>${escapeHtml(item.title)}</td><td class="c">${escapeHtml(date)}</td><td class="c">${escapeHtml(item.classification === '非密' ? '' : `${item.classification}${item.secrecyTerm ? `★${item.secrecyTerm}` : ''}`)}</td><td class="c">${escapeHtml(item.pageCount)}</td><td>${escapeHtml(item.control)}</td></tr>`,
    );
  }
  const html = `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>归档文件目录 ${escapeHtml(heading.fonds)}</title>
<style>
@page { size: A4 portrait; margin: 20mm 15mm 20mm 20mm; }
body { font-family: "SimSun", "Songti SC", "WenQuanYi Micro Hei", serif; font-size: 10.5pt; color: #000; }
h1 { text-align: center; font-size: 18pt; letter-spacing: 0.5em; margin: 0 0 6mm; }
.meta { display: flex; justify-content: space-between; margin-bottom: 3mm; }
table { width: 100%; border-collapse: collapse; table-layout: fixed; }
thead { display: table-header-group; }
tr { page-break-inside: avoid; }
th, td { border: 0.5pt solid #000; padding: 1.5mm 1mm; vertical-align: top; word-break: break-all; }
th { font-weight: bold; text-align: center; }
td.c { text-align: center; }
.box { page-break-before: always; }
.box td { height: 12mm; }
.box .long { height: 90mm; }
@media screen { body { max-width: 210mm; margin: 10mm auto; } .noprint { margin-bottom: 5mm; } }
@media print { .noprint { display: none; } }
</style></head><body>
<p class="noprint">按 Ctrl+P 打印（A4 纵向）/ Press Ctrl+P to print (A4 portrait)</p>
<h1>归档文件目录</h1>
<div class="meta"><span>全宗：${escapeHtml(heading.fonds)}</span><span>门类：${escapeHtml(heading.category)}</span><span>年度：${escapeHtml(heading.year)}</span></div>
<table>
<colgroup><col style="width:7%"><col style="width:19%"><col style="width:12%"><col style="width:12%"><col style="width:26%"><col style="width:9%"><col style="width:6%"><col style="width:4%"><col style="width:5%"></colgroup>
<thead><tr><th>序号</th><th>档号</th><th>文号</th><th>责任者</th><th>题名</th><th>日期</th><th>密级</th><th>页数</th><th>备注</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody></table>
<section class="box"><h1>备考表</h1>
<table>
<tr><th style="width:25%">盒内文件情况说明</th><td class="long">本目录共 ${n} 件${pages > 0 ? `，${pages} 页` : ''}。</td></tr>
<tr><th>整理人</th><td></td></tr>
<tr><th>检查人</th><td></td></tr>
<tr><th>日期</th><td></td></tr>
</table></section>
</body></html>`;
  return { html, rows: n };
}
