/**
 * XLSX (ECMA-376 SpreadsheetML) to text, one page per worksheet in the workbook's order:
 * the sheet's name on the first line, then a line per row with its cells' values
 * separated by tabs.
 *
 * Cell values as stored: shared strings (`t="s"`, looked up in sharedStrings.xml, phonetic
 * runs `rPh` left out), inline strings, formula results, booleans as TRUE/FALSE, numbers
 * as written — a date is its serial number, since turning it back into a date needs the
 * cell's number format; error values are left out. Chart sheets have no cells.
 */
import { ExtractionError } from './extraction-error.js';
import { mainPart, relationshipsOf, type Relationship } from './opc-parts.js';
import { PageCollector } from './page-text.js';
import { ownReader, type ReaderContext, type ReaderResult } from './reader.js';
import { attribute } from './xml-stream.js';
import { openZip, parsePart, type ZipReader } from './zip-reader.js';

const READER = ownReader('xlsx', 1);

interface Sheet {
  name: string;
  part: string;
}

async function sheetsOf(zip: ZipReader, workbook: string, rels: readonly Relationship[], signal: AbortSignal | undefined): Promise<Sheet[]> {
  const worksheets = new Map(rels.filter((r) => r.type.endsWith('/worksheet')).map((r) => [r.id, r.target]));
  const sheets: Sheet[] = [];
  await parsePart(
    zip,
    workbook,
    {
      open(local, attributes) {
        if (local !== 'sheet') return;
        const part = worksheets.get(attribute(attributes, 'id') ?? '');
        if (part && zip.has(part)) sheets.push({ name: attribute(attributes, 'name') ?? '', part });
      },
    },
    { signal },
  );
  return sheets;
}

/** The shared string table, each string's runs joined; reading stops once `budget` characters are held. */
async function sharedStrings(zip: ZipReader, rels: readonly Relationship[], budget: number, signal: AbortSignal | undefined): Promise<string[]> {
  const part = rels.find((r) => r.type.endsWith('/sharedStrings'))?.target ?? 'xl/sharedStrings.xml';
  if (!zip.has(part)) return [];
  const strings: string[] = [];
  let current: string[] = [];
  let inText = false;
  let phonetic = 0;
  let held = 0;
  await parsePart(
    zip,
    part,
    {
      open(local) {
        if (local === 'si') current = [];
        else if (local === 'rPh') phonetic += 1;
        else if (local === 't' && phonetic === 0) inText = true;
      },
      close(local) {
        if (local === 't') inText = false;
        else if (local === 'rPh') phonetic -= 1;
        else if (local === 'si') {
          const text = current.join('');
          held += text.length;
          strings.push(text);
        }
      },
      text(text) {
        if (inText) current.push(text);
      },
    },
    { signal, stop: () => held >= budget },
  );
  return strings;
}

async function readSheet(zip: ZipReader, sheet: Sheet, shared: readonly string[], pages: PageCollector, signal: AbortSignal | undefined): Promise<void> {
  pages.add(`${sheet.name}\n`);
  let type = '';
  let value: string[] = [];
  let capture: 'v' | 't' | null = null;
  let phonetic = 0;
  let cellsInRow = 0;
  await parsePart(
    zip,
    sheet.part,
    {
      open(local, attributes) {
        if (local === 'c') {
          type = attribute(attributes, 't') ?? 'n';
          value = [];
        } else if (local === 'v') capture = 'v';
        else if (local === 'rPh') phonetic += 1;
        else if (local === 't' && type === 'inlineStr' && phonetic === 0) capture = 't';
      },
      close(local) {
        if (local === 'v' || local === 't') capture = null;
        else if (local === 'rPh') phonetic -= 1;
        else if (local === 'c') {
          const raw = value.join('');
          let text = raw;
          if (type === 's') text = shared[Number(raw)] ?? '';
          else if (type === 'b') text = raw === '1' ? 'TRUE' : 'FALSE';
          else if (type === 'e') text = '';
          if (text !== '') {
            pages.add(cellsInRow > 0 ? `\t${text}` : text);
            cellsInRow += 1;
          }
        } else if (local === 'row') {
          if (cellsInRow > 0) pages.add('\n');
          cellsInRow = 0;
        }
      },
      text(text) {
        if (capture) value.push(text);
      },
    },
    { signal, stop: () => pages.full },
  );
}

export async function readXlsx(file: string, context: ReaderContext): Promise<ReaderResult> {
  const zip = await openZip(file, 'XLSX');
  try {
    const workbook = await mainPart(zip, 'xl/workbook.xml', context.signal);
    if (!zip.has(workbook)) throw new ExtractionError('damaged', 'the XLSX package has no workbook part');
    const rels = await relationshipsOf(zip, workbook, context.signal);
    const sheets = await sheetsOf(zip, workbook, rels, context.signal);
    const shared = await sharedStrings(zip, rels, context.maxChars, context.signal);
    const pages = new PageCollector(context.maxChars, context.maxPages);
    for (const [i, sheet] of sheets.entries()) {
      if (i > 0) pages.breakPage();
      if (pages.full) break;
      await readSheet(zip, sheet, shared, pages, context.signal);
    }
    return { pages: pages.pages().map((text, i) => ({ page: i + 1, text, method: 'markup' })), ...READER, ocrPages: 0, truncated: pages.full };
  } finally {
    zip.close();
  }
}
