/**
 * PDF to page text with Poppler, OCR for the scanned pages.
 *
 * pdfinfo first: the page count (pdftotext ends each page with a form feed, but a count
 * from the text alone would lose trailing blank pages), each page's size, and whether the
 * file opens at all — a user password makes it 'encrypted'; an owner password alone only
 * restricts and Poppler reads the text anyway. Then one pdftotext for the whole document.
 * A page whose text layer has fewer than 10 non-space characters is a scan: pdftoppm
 * renders it to grey at 300 dpi (less for pages larger than A3, to stay under
 * MAX_OCR_PIXELS) and Tesseract reads it.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { ExtractedPage } from './extract.js';
import { ExtractionError } from './extraction-error.js';
import { eachPage, MAX_OCR_PIXELS, pgmIsBlank, recognise, tesseractVersion } from './ocr.js';
import type { ReaderContext, ReaderResult } from './reader.js';
import { firstLine, runTool, toolVersion } from './run-tool.js';

/** A text layer thinner than this (non-space characters) is taken for a scanned page. */
export const SCANNED_PAGE_CHARS = 10;
const OCR_DPI = 300;
const POPPLER = 'poppler-utils';

interface PdfFacts {
  pages: number;
  /** Page sizes in points, by page number, for the pages asked about. */
  sizes: Map<number, { width: number; height: number }>;
}

async function pdfFacts(file: string, lastPage: number, context: ReaderContext): Promise<PdfFacts> {
  const run = await runTool('pdfinfo', ['-f', '1', '-l', String(lastPage), file], { timeoutMs: context.timeoutMs, signal: context.signal, debianPackage: POPPLER });
  if (run.code !== 0) {
    if (/incorrect password/i.test(run.stderr)) throw new ExtractionError('encrypted', 'the PDF needs a password to open');
    throw new ExtractionError('damaged', `the PDF cannot be opened: ${firstLine(run.stderr) || `pdfinfo exited with ${run.code}`}`);
  }
  const info = run.stdout.toString('utf8');
  const pages = Number(/^Pages:\s+(\d+)/m.exec(info)?.[1] ?? NaN);
  if (!Number.isInteger(pages)) throw new ExtractionError('damaged', 'the PDF has no page count');
  const sizes = new Map<number, { width: number; height: number }>();
  for (const m of info.matchAll(/^Page\s+(\d+) size:\s+([\d.]+) x ([\d.]+) pts/gm)) {
    sizes.set(Number(m[1]), { width: Number(m[2]), height: Number(m[3]) });
  }
  return { pages, sizes };
}

/** 300 dpi, or less where the page is so large that 300 dpi would pass MAX_OCR_PIXELS. */
function renderDpi(size: { width: number; height: number } | undefined): number {
  if (!size || size.width <= 0 || size.height <= 0) return OCR_DPI;
  const squareInches = (size.width / 72) * (size.height / 72);
  return Math.max(50, Math.min(OCR_DPI, Math.floor(Math.sqrt(MAX_OCR_PIXELS / squareInches))));
}

async function ocrPage(file: string, page: number, dpi: number, context: ReaderContext, signal: AbortSignal): Promise<string> {
  const root = path.join(await context.scratch.path(), `page-${page}`);
  const pgm = `${root}.pgm`;
  try {
    const run = await runTool('pdftoppm', ['-r', String(dpi), '-f', String(page), '-l', String(page), '-gray', '-singlefile', file, root], { timeoutMs: context.timeoutMs, signal, debianPackage: POPPLER });
    if (run.code !== 0) throw new ExtractionError('damaged', `page ${page} of the PDF cannot be rendered: ${firstLine(run.stderr)}`);
    if (await pgmIsBlank(pgm)) return '';
    return await recognise(pgm, dpi, context, signal);
  } finally {
    await fs.rm(pgm, { force: true });
  }
}

export async function readPdf(file: string, context: ReaderContext): Promise<ReaderResult> {
  const facts = await pdfFacts(file, Math.max(1, context.maxPages), context);
  const lastPage = Math.min(facts.pages, context.maxPages);
  if (lastPage === 0) return { pages: [], tool: 'pdftotext', toolVersion: await toolVersion('pdftotext', ['-v']), ocrPages: 0, truncated: false };
  const run = await runTool('pdftotext', ['-enc', 'UTF-8', '-f', '1', '-l', String(lastPage), file, '-'], {
    // One limit for the whole document: the usual per-call limit plus a second a page.
    timeoutMs: context.timeoutMs + lastPage * 1000,
    signal: context.signal,
    // UTF-8 takes at most 4 bytes a character; the text past maxChars would be cut anyway.
    maxStdoutBytes: context.maxChars * 4 + lastPage,
    debianPackage: POPPLER,
  });
  if (run.code === 3) throw new ExtractionError('encrypted', 'the PDF does not permit copying its text');
  if (run.code !== 0 && !run.truncated) throw new ExtractionError('damaged', `the PDF's text cannot be read: ${firstLine(run.stderr) || `pdftotext exited with ${run.code}`}`);
  const layers = run.stdout.toString('utf8').split('\f');
  // Cut short at maxChars, the text ends inside page `known`: the pages after it are not read.
  const known = run.truncated ? Math.min(layers.length, lastPage) : lastPage;
  const pages: ExtractedPage[] = Array.from({ length: known }, (_, i) => ({ page: i + 1, text: layers[i] ?? '', method: 'text-layer' }));
  const whole = run.truncated ? pages.slice(0, -1) : pages;
  const scanned = whole.filter((p) => p.text.replace(/\s+/g, '').length < SCANNED_PAGE_CHARS).map((p) => p.page);
  const recognised = await eachPage(scanned, (page, signal) => ocrPage(file, page, renderDpi(facts.sizes.get(page)), context, signal), context.signal);
  scanned.forEach((pageNumber, i) => {
    const page = pages[pageNumber - 1];
    const text = recognised[i] ?? '';
    // A scan with a page number in its text layer: the OCR has the number too, and the rest.
    if (page && (text.trim() !== '' || page.text.trim() === '')) pages[pageNumber - 1] = { page: pageNumber, text, method: 'ocr' };
  });
  const ocrPages = pages.filter((p) => p.method === 'ocr').length;
  const pdftotext = await toolVersion('pdftotext', ['-v']);
  return {
    pages,
    tool: ocrPages > 0 ? 'pdftotext+tesseract' : 'pdftotext',
    toolVersion: ocrPages > 0 ? `${pdftotext}; ${await tesseractVersion()}` : pdftotext,
    ocrPages,
    truncated: run.truncated || facts.pages > lastPage,
  };
}
