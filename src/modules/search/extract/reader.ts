/**
 * What extract.ts hands each format's reader, and what a reader gives back before the
 * text is normalised, chunked and capped (which extract.ts does once, for all formats).
 */
import type { ExtractedPage } from './extract.js';
import type { ScratchDir } from './scratch-dir.js';

export interface ReaderContext {
  signal: AbortSignal | undefined;
  /** Tesseract languages, e.g. 'chi_sim+eng'. */
  ocrLanguages: string;
  maxPages: number;
  maxChars: number;
  /** Time limit of one tool run (one page's OCR, one pdftotext). */
  timeoutMs: number;
  scratch: ScratchDir;
}

export interface ReaderResult {
  pages: ExtractedPage[];
  tool: string;
  toolVersion: string;
  ocrPages: number;
  /** True when the reader stopped early at maxPages or maxChars. */
  truncated: boolean;
}

export type Reader = (file: string, context: ReaderContext) => Promise<ReaderResult>;

/**
 * The tool and version recorded for Lantai's own readers (DOCX, XLSX, OFD, HTML, TXT, XML).
 * Bump a reader's version whenever its output changes, so the index knows to extract again.
 */
export function ownReader(name: string, version: number): { tool: string; toolVersion: string } {
  return { tool: `lantai-${name}`, toolVersion: `lantai-${name} ${version}` };
}
