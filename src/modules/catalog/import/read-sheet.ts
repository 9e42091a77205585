/**
 * Reading a catalog spreadsheet (归档文件目录) as agencies really send it: xlsx from
 * Excel or WPS, or CSV in UTF-8 (with or without BOM) or GBK/GB18030.
 *
 * The xlsx is read with exceljs (whole workbook: merged ranges are only known at
 * the end of a sheet's XML, so a streaming reader cannot report them). CSV with
 * csv-parse; its encoding is UTF-8 if it decodes strictly, otherwise GB18030 (a
 * superset of GBK) through the TextDecoder of Node's ICU.
 *
 * Leading blank or title rows are skipped: the header is the first row, within the
 * first 20, in which at least two cells name known columns. A workbook whose first
 * sheet is not the catalog (a cover sheet, say) is searched sheet by sheet.
 */
import type ExcelJS from 'exceljs';
import { parse as parseCsv } from 'csv-parse/sync';
import { inspectZip } from '../../../platform/files/zip-guard.js';
import { catalogErrors } from '../errors.js';

export const MAX_IMPORT_ROWS = 200_000;
const HEADER_SEARCH_ROWS = 20;

export interface SheetNotice {
  row: number;
  column: string;
  severity: 'error' | 'warning';
  zh: string;
  en: string;
  suggestion: string;
}

export interface ReadSheet {
  sheet: string | null;
  /** 1-based row number of the header in the file. */
  headerRow: number;
  headers: string[];
  /** Data rows: the file's row number and the cells as text, aligned with `headers`. */
  rows: Array<{ row: number; cells: string[] }>;
  notices: SheetNotice[];
  encoding: 'xlsx' | 'utf-8' | 'gb18030';
}

/** Decides whether a row looks like the header: `isHeader(cell)` says if a cell names a known column. */
export type HeaderTest = (cell: string) => boolean;

function columnLetter(index: number): string {
  let n = index + 1;
  let s = '';
  while (n > 0) {
    const m = (n - 1) % 26;
    s = String.fromCharCode(65 + m) + s;
    n = Math.floor((n - 1) / 26);
  }
  return s;
}

const OLE2 = Buffer.from([0xd0, 0xcf, 0x11, 0xe0]);

function isXlsx(bytes: Buffer): boolean {
  return bytes.length > 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
}

/** Text of a CSV file: UTF-8 when it is valid UTF-8, else GB18030 (covers GBK). */
export function decodeCsv(bytes: Buffer): { text: string; encoding: 'utf-8' | 'gb18030' } {
  try {
    const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
    return { text, encoding: 'utf-8' };
  } catch {
    return { text: new TextDecoder('gb18030').decode(bytes), encoding: 'gb18030' };
  }
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** A cell as the text a person sees; formulas give their cached result (with a notice). */
function cellText(value: ExcelJS.CellValue, at: { row: number; column: string }, notices: SheetNotice[]): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : String(value);
  if (typeof value === 'boolean') return value ? '是' : '否';
  if (value instanceof Date) return `${value.getUTCFullYear()}${pad(value.getUTCMonth() + 1)}${pad(value.getUTCDate())}`;
  if ('richText' in value) return value.richText.map((r) => r.text).join('');
  if ('formula' in value || 'sharedFormula' in value) {
    const result = (value as { result?: ExcelJS.CellValue }).result;
    if (result === undefined || result === null || (typeof result === 'object' && 'error' in result)) {
      notices.push({ ...at, severity: 'error', zh: '公式没有可用的计算结果', en: 'the formula has no computed result', suggestion: '在 Excel 中“选择性粘贴→数值”后重新导入' });
      return '';
    }
    notices.push({ ...at, severity: 'warning', zh: '单元格是公式，已取其计算结果', en: 'formula cell: its computed result was used', suggestion: '核对结果是否正确' });
    return cellText(result, at, notices);
  }
  if ('text' in value && typeof value.text === 'string') return value.text;
  if ('error' in value) {
    notices.push({ ...at, severity: 'error', zh: `单元格错误值 ${String(value.error)}`, en: `cell error ${String(value.error)}`, suggestion: '修正该单元格' });
    return '';
  }
  return String(value);
}

function findHeader(rows: string[][], isHeader: HeaderTest): number {
  for (let i = 0; i < Math.min(rows.length, HEADER_SEARCH_ROWS); i++) {
    const known = (rows[i] ?? []).filter((c) => c.trim() !== '' && isHeader(c)).length;
    if (known >= 2) return i;
  }
  return -1;
}

function trimTrailingBlankRows(rows: Array<{ row: number; cells: string[] }>) {
  return rows.filter((r) => r.cells.some((c) => c.trim() !== ''));
}

/** An xlsx of 200,000 rows inflates to well under this; anything bigger is refused before it is opened. */
const XLSX_LIMITS = { maxEntries: 2000, maxUncompressedBytes: 1024 * 1024 * 1024, maxRatio: 200 };

async function readXlsx(bytes: Buffer, isHeader: HeaderTest): Promise<ReadSheet> {
  const verdict = await inspectZip(bytes, XLSX_LIMITS);
  if (!verdict.ok) {
    const why = { 'not-a-zip': ['不是有效的 xlsx 文件', 'not a valid xlsx file'], 'too-many-entries': ['xlsx 内部文件过多', 'too many parts'], 'too-large': ['解压后过大（疑似压缩炸弹）', 'too large when inflated (a zip bomb?)'], ratio: ['压缩比异常（疑似压缩炸弹）', 'suspicious compression ratio (a zip bomb?)'], 'unsafe-name': ['含有越出目录的文件名', 'holds a name that leaves its folder'] }[verdict.reason];
    throw catalogErrors.CATALOG_IMPORT_FORMAT({ reason: `${why[0]}（${verdict.detail}）`, reasonEn: `${why[1]} (${verdict.detail})` });
  }
  // Loaded on first use: ExcelJS costs the server ~27 MB resident.
  const Excel = (await import('exceljs')).default;
  const workbook = new Excel.Workbook();
  try {
    await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
  } catch (err) {
    throw catalogErrors.CATALOG_IMPORT_FORMAT({ reason: `不是有效的 xlsx 文件（${(err as Error).message}）`, reasonEn: `not a valid xlsx file (${(err as Error).message})` });
  }
  const names: string[] = [];
  for (const ws of workbook.worksheets) {
    names.push(ws.name);
    if (ws.rowCount > MAX_IMPORT_ROWS + HEADER_SEARCH_ROWS) throw catalogErrors.CATALOG_IMPORT_TOO_LARGE({ max: MAX_IMPORT_ROWS });
    const notices: SheetNotice[] = [];
    const grid: Array<{ row: number; cells: string[] }> = [];
    const width = ws.columnCount;
    ws.eachRow({ includeEmpty: true }, (row, rowNumber) => {
      const cells: string[] = [];
      for (let c = 1; c <= width; c++) cells.push(cellText(row.getCell(c).value, { row: rowNumber, column: columnLetter(c - 1) }, notices).trim());
      grid.push({ row: rowNumber, cells });
    });
    const h = findHeader(grid.map((g) => g.cells), isHeader);
    if (h < 0) continue;
    const header = grid[h] as { row: number; cells: string[] };
    // Merged ranges: exceljs gives every cell of a range its master's value, which is what
    // a person reading the sheet means; say so, since a merge across items is unusual.
    const merges = (ws.model as { merges?: string[] }).merges ?? [];
    for (const range of merges) {
      const match = /^([A-Z]+)(\d+):([A-Z]+)(\d+)$/.exec(range);
      if (!match || Number(match[4]) <= header.row) continue;
      notices.push({ row: Number(match[2]), column: match[1] ?? '', severity: 'warning', zh: `合并单元格 ${range}：已把首格的值用于范围内每一行`, en: `merged cells ${range}: the first cell's value was used for every row`, suggestion: '取消合并并逐行填写，以免误读' });
    }
    return {
      sheet: ws.name,
      headerRow: header.row,
      headers: header.cells,
      rows: trimTrailingBlankRows(grid.slice(h + 1)),
      notices: notices.filter((n) => n.row > header.row),
      encoding: 'xlsx',
    };
  }
  throw catalogErrors.CATALOG_IMPORT_NO_HEADER({ sheets: names.join('、') || '（无）' });
}

function readCsv(bytes: Buffer, isHeader: HeaderTest): ReadSheet {
  const { text, encoding } = decodeCsv(bytes);
  let records: string[][];
  try {
    records = parseCsv(text, { bom: true, relax_column_count: true, skip_empty_lines: false, trim: false }) as string[][];
  } catch (err) {
    throw catalogErrors.CATALOG_IMPORT_FORMAT({ reason: `CSV 格式错误（${(err as Error).message}）`, reasonEn: `malformed CSV (${(err as Error).message})` });
  }
  if (records.length > MAX_IMPORT_ROWS + HEADER_SEARCH_ROWS) throw catalogErrors.CATALOG_IMPORT_TOO_LARGE({ max: MAX_IMPORT_ROWS });
  const h = findHeader(records, isHeader);
  if (h < 0) throw catalogErrors.CATALOG_IMPORT_NO_HEADER({ sheets: 'CSV' });
  const headers = (records[h] ?? []).map((c) => c.trim());
  const rows = records.slice(h + 1).map((cells, i) => ({ row: h + 2 + i, cells: cells.map((c) => c.trim()) }));
  return { sheet: null, headerRow: h + 1, headers, rows: trimTrailingBlankRows(rows), notices: [], encoding };
}

/** Reads an xlsx or CSV catalog; throws CATALOG_IMPORT_* errors for files that cannot be read at all. */
export async function readSheet(bytes: Buffer, isHeader: HeaderTest): Promise<ReadSheet> {
  if (bytes.length === 0) throw catalogErrors.CATALOG_IMPORT_FORMAT({ reason: '文件为空', reasonEn: 'the file is empty' });
  if (bytes.subarray(0, 4).equals(OLE2)) throw catalogErrors.CATALOG_IMPORT_FORMAT({ reason: '这是旧版 Excel（.xls）文件，请另存为 .xlsx 或 CSV 后导入', reasonEn: 'this is a legacy .xls file; save it as .xlsx or CSV' });
  const sheet = isXlsx(bytes) ? await readXlsx(bytes, isHeader) : readCsv(bytes, isHeader);
  if (sheet.rows.length > MAX_IMPORT_ROWS) throw catalogErrors.CATALOG_IMPORT_TOO_LARGE({ max: MAX_IMPORT_ROWS });
  return sheet;
}
