/**
 * Text extraction for the full-text index (档案全文检索): one stored file in, its text page
 * by page out, with the tool that read it. The index job decides what to extract and when;
 * this library only reads.
 *
 * Formats, told by MIME type first (as format identification gives it) and by extension
 * when the MIME type is missing or too generic to say (`text/plain` and `application/xml`
 * are all identification can tell of text, so a `.html`, `.txt` or `.xml` name decides):
 *  - PDF: Poppler's text layer, OCR of scanned pages (pdf.ts);
 *  - PNG, JPEG, TIFF, JPEG 2000: OCR with Tesseract (images.ts);
 *  - DOCX, XLSX (docx.ts, xlsx.ts) and OFD (ofd.ts): their XML, streamed from the zip;
 *  - HTML, TXT and XML (html.ts, plain-text.ts, xml.ts).
 * Every page's text is then normalised alike (page-text.ts), pages longer than 8,000
 * characters are cut into parts, and the whole is capped at maxChars.
 *
 * Nothing is read whole into memory where it can be streamed; commands run without a
 * shell, with a time limit, and stop when the signal aborts; temporary files live in one
 * folder under tmpDir that is removed however the extraction ends.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { readDocx } from './docx.js';
import { ExtractionError } from './extraction-error.js';
import { readHtml } from './html.js';
import { readImage, readJpeg2000 } from './images.js';
import { readOfd } from './ofd.js';
import { capChars, chunkPages, normaliseText } from './page-text.js';
import { readPdf } from './pdf.js';
import { readPlainText } from './plain-text.js';
import type { Reader } from './reader.js';
import { createScratchDir } from './scratch-dir.js';
import { readXlsx } from './xlsx.js';
import { readXml } from './xml.js';

export { chunkPages } from './page-text.js';
export { ExtractionError, type ExtractionReason } from './extraction-error.js';

export interface ExtractedPage {
  /**
   * 1-based, unique and consecutive within a file. It is the file's own page number, until a
   * page longer than 8,000 characters has been cut into parts: each part takes a number, and
   * the pages after it move on by as many. Text without pages (TXT, HTML, XML) is numbered by part.
   */
  page: number;
  text: string;
  method: 'text-layer' | 'ocr' | 'markup' | 'plain';
}

export interface Extraction {
  pages: ExtractedPage[];
  /** What read the file: 'pdftotext', 'pdftotext+tesseract', 'tesseract', 'lantai-docx'… */
  tool: string;
  /** e.g. 'pdftotext 22.12.0; tesseract 5.3.0': a change is a reason to extract again. */
  toolVersion: string;
  /** Pages whose text came from OCR. */
  ocrPages: number;
  /** True when only the first maxPages pages or maxChars characters were kept. */
  truncated: boolean;
}

export interface ExtractOptions {
  /** Stops the extraction: running commands are killed and the promise rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Tesseract languages. Default 'chi_sim+eng'. */
  ocrLanguages?: string;
  /** Pages read at most (of a PDF or a multi-page TIFF, sheets of a workbook…). Default 2000. */
  maxPages?: number;
  /** Characters kept at most, per file. Default 5,000,000. */
  maxChars?: number;
  /** Where the temporary folder is made. Default os.tmpdir(). */
  tmpDir?: string;
  /** Time limit of one command run (one page's OCR; pdftotext gets a second more per page). Default 120 s. */
  timeoutMs?: number;
}

export interface ExtractableFile {
  /** Where the bytes are on this machine. */
  path: string;
  /** The file's name as it was handed over: its extension is the fallback for the format. */
  name: string;
  mime: string | null;
}

type Kind = 'pdf' | 'image' | 'jp2' | 'j2k' | 'docx' | 'xlsx' | 'ofd' | 'html' | 'text' | 'xml';

const BY_MIME: Record<string, Kind> = {
  'application/pdf': 'pdf',
  'image/png': 'image',
  'image/jpeg': 'image',
  'image/tiff': 'image',
  'image/jp2': 'jp2',
  'image/jpx': 'jp2',
  'image/j2c': 'j2k',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'docx',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'xlsx',
  'application/ofd': 'ofd',
  'text/html': 'html',
  'application/xhtml+xml': 'html',
  'text/plain': 'text',
  'application/xml': 'xml',
  'text/xml': 'xml',
};

const BY_EXTENSION: Record<string, Kind> = {
  pdf: 'pdf',
  png: 'image',
  jpg: 'image',
  jpeg: 'image',
  tif: 'image',
  tiff: 'image',
  jp2: 'jp2',
  jpx: 'jp2',
  j2k: 'j2k',
  j2c: 'j2k',
  docx: 'docx',
  xlsx: 'xlsx',
  ofd: 'ofd',
  html: 'html',
  htm: 'html',
  xhtml: 'html',
  txt: 'text',
  text: 'text',
  xml: 'xml',
};

/** MIME types that say only "some bytes" or "some zip": the extension says more. */
const GENERIC_MIMES = new Set(['application/octet-stream', 'application/zip', 'application/x-zip-compressed']);

const READERS: Record<Kind, Reader> = {
  pdf: readPdf,
  image: readImage,
  jp2: (file, context) => readJpeg2000(file, context),
  j2k: (file, context) => readJpeg2000(file, context, true),
  docx: readDocx,
  xlsx: readXlsx,
  ofd: readOfd,
  html: readHtml,
  text: readPlainText,
  xml: readXml,
};

function kindOf(file: { name: string; mime: string | null }): Kind | null {
  const mime = file.mime?.split(';')[0]?.trim().toLowerCase() || null;
  const byExtension = BY_EXTENSION[path.extname(file.name).slice(1).toLowerCase()];
  const byMime = mime ? BY_MIME[mime] : undefined;
  // Identification tells text only as "XML" (it starts with a tag) or "plain": the name says which text it is.
  if ((byMime === 'text' || byMime === 'xml') && (byExtension === 'html' || byExtension === 'text' || byExtension === 'xml')) return byExtension;
  if (byMime) return byMime;
  // A format identified as something else (audio/mpeg named .txt) is that format, whatever its name.
  if (mime && !GENERIC_MIMES.has(mime)) return null;
  return byExtension ?? null;
}

/** Whether extractText reads this kind of file (by MIME type, else extension). */
export function canExtract(file: { name: string; mime: string | null }): boolean {
  return kindOf(file) !== null;
}

/**
 * Reads one file's text, page by page.
 *
 * Throws ExtractionError (`reason`: 'unsupported' | 'damaged' | 'encrypted' | 'too-large' |
 * 'tool-missing' | 'timeout') when the file gives no text; rejects with the signal's reason
 * when `options.signal` aborts.
 *
 * @example
 * const { pages, tool } = await extractText({ path: '/tmp/blob', name: '通知.pdf', mime: 'application/pdf' });
 * // pages: [{ page: 1, text: '关于做好档案工作的通知…', method: 'text-layer' }], tool: 'pdftotext'
 */
export async function extractText(file: ExtractableFile, options: ExtractOptions = {}): Promise<Extraction> {
  const { signal } = options;
  signal?.throwIfAborted();
  const kind = kindOf(file);
  if (!kind) throw new ExtractionError('unsupported', `no text extraction for ${file.mime ?? 'an unidentified format'} (${file.name})`);
  // A missing file is the caller's problem (a blob not fetched), not the file's: it is not wrapped.
  const stat = await fs.stat(file.path);
  if (!stat.isFile()) throw new Error(`${file.path} is not a file`);
  const maxChars = options.maxChars ?? 5_000_000;
  const scratch = createScratchDir(options.tmpDir ?? os.tmpdir());
  try {
    const raw = await READERS[kind](file.path, {
      signal,
      ocrLanguages: options.ocrLanguages ?? 'chi_sim+eng',
      maxPages: Math.max(1, options.maxPages ?? 2000),
      maxChars,
      timeoutMs: options.timeoutMs ?? 120_000,
      scratch,
    });
    const normalised = raw.pages.map((p) => ({ ...p, text: normaliseText(p.text, { layout: p.method === 'text-layer' || p.method === 'ocr' }) }));
    const capped = capChars(chunkPages(normalised), maxChars);
    return { pages: capped.pages, tool: raw.tool, toolVersion: raw.toolVersion, ocrPages: raw.ocrPages, truncated: raw.truncated || capped.truncated };
  } catch (err) {
    if (signal?.aborted) throw signal.reason;
    throw err;
  } finally {
    await scratch.remove();
  }
}
