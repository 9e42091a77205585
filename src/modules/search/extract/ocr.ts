/**
 * OCR with Tesseract 5 (LSTM, `chi_sim+eng` by default) of page images Lantai writes
 * itself: 8-bit grey PGM, from pdftoppm for PDF pages and from sharp for image files.
 * Tesseract is never handed a stored file: given a text file it reads it as a list of image
 * paths (and it can fetch URLs), and it ignores EXIF orientation, which sharp applies.
 *
 * Choices measured on A4 pages of Chinese text rendered at 300 dpi (test-support/ocr-throughput.ts
 * compares them on a scanned PDF):
 *  - `--psm 6` (one uniform block) rather than the default `--psm 3` (automatic layout):
 *    on sparse pages psm 3 dropped whole lines (a lone title, a short last line), and on
 *    one dense page misread a line (CER 6.3 % against 0.7 %); on the benchmark's pages both
 *    read alike (CER 0.9 %) and psm 6 is about 8 % faster. psm 6 reads two columns side by
 *    side, line by line, which still keeps each line's words together, what the index needs.
 *  - PGM rather than PNG: pdftoppm writes a page in 0.07 s instead of 0.30 s, and Tesseract
 *    reads it without decoding.
 *  - One thread per Tesseract (OMP_THREAD_LIMIT=1), one Tesseract per core (ocr-slots.ts):
 *    Tesseract's own OpenMP threads spent 13.4 CPU seconds a page against 4.8 with one.
 * A page with (nearly) no dark pixel is blank and not sent to Tesseract at all: the backs
 * of double-sided scans are common.
 */
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import type sharp from 'sharp';
import { ExtractionError } from './extraction-error.js';
import { ocrSlots } from './ocr-slots.js';
import type { ReaderContext } from './reader.js';
import { firstLine, runTool, toolVersion } from './run-tool.js';

/** Larger images are scaled down to this many pixels (A3 at 400 dpi is 31 MP): Tesseract's memory grows with them. */
export const MAX_OCR_PIXELS = 50_000_000;
/** Below this value (0–255) a pixel is ink. */
const INK = 128;
/** A page with fewer ink pixels than this fraction of its area has nothing to read (a page number has more). */
const BLANK_INK_FRACTION = 1 / 100_000;

const LANGUAGES = /^[A-Za-z0-9_]+(\+[A-Za-z0-9_]+)*$/;

export function tesseractVersion(): Promise<string> {
  return toolVersion('tesseract', ['--version']);
}

function pgmHeader(width: number, height: number): Buffer {
  return Buffer.from(`P5\n${width} ${height}\n255\n`, 'latin1');
}

function inkIsScarce(pixels: Uint8Array, area: number, counted: { ink: number }): boolean {
  const most = area * BLANK_INK_FRACTION;
  for (let i = 0; i < pixels.length; i++) {
    if ((pixels[i] ?? 255) < INK && ++counted.ink > most) return false;
  }
  return true;
}

/**
 * Writes one image (a sharp pipeline on a page of a file) as an upright grey PGM, white
 * where it was transparent, scaled down past MAX_OCR_PIXELS. Returns the resolution to tell
 * Tesseract (the image's own, adjusted for the scaling; null when it has none worth
 * believing) and whether the page is blank.
 */
export async function writeOcrImage(image: sharp.Sharp, out: string, density: number | undefined): Promise<{ dpi: number | null; blank: boolean }> {
  const upright = image.rotate().flatten({ background: '#ffffff' }).toColourspace('b-w');
  const { width = 0, height = 0 } = await upright.clone().metadata();
  const scale = width * height > MAX_OCR_PIXELS ? Math.sqrt(MAX_OCR_PIXELS / (width * height)) : 1;
  // A square box on the longer side scales the same whichever way EXIF turns the image.
  const side = Math.max(1, Math.floor(Math.max(width, height) * scale));
  const sized = scale < 1 ? upright.resize({ width: side, height: side, fit: 'inside' }) : upright;
  const { data, info } = await sized.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
  if (info.channels !== 1) throw new Error(`expected one grey channel, got ${info.channels}`);
  await fs.writeFile(out, Buffer.concat([pgmHeader(info.width, info.height), data]));
  const dpi = density !== undefined && density >= 70 && density <= 2400 ? Math.round(density * scale) : null;
  return { dpi, blank: inkIsScarce(data, info.width * info.height, { ink: 0 }) };
}

/** Whether a PGM written by pdftoppm has (nearly) no ink, read as a stream. */
export async function pgmIsBlank(file: string): Promise<boolean> {
  const head = Buffer.alloc(64);
  const handle = await fs.open(file, 'r');
  try {
    await handle.read(head, 0, 64, 0);
  } finally {
    await handle.close();
  }
  const m = /^P5\s+(\d+)\s+(\d+)\s+255\s/.exec(head.toString('latin1'));
  if (!m) return false;
  const area = Number(m[1]) * Number(m[2]);
  const counted = { ink: 0 };
  for await (const chunk of createReadStream(file, { start: m[0].length })) {
    if (!inkIsScarce(chunk as Buffer, area, counted)) return false;
  }
  return true;
}

/** Tesseract on one PGM written by writeOcrImage or pdftoppm; the page's text, not yet normalised. */
export async function recognise(image: string, dpi: number | null, context: Pick<ReaderContext, 'ocrLanguages' | 'signal' | 'timeoutMs'>, signal: AbortSignal): Promise<string> {
  if (!LANGUAGES.test(context.ocrLanguages)) throw new RangeError(`ocrLanguages must look like 'chi_sim+eng', not '${context.ocrLanguages}'`);
  const args = [image, 'stdout', '-l', context.ocrLanguages, '--psm', '6', ...(dpi ? ['--dpi', String(dpi)] : [])];
  const run = await runTool('tesseract', args, { timeoutMs: context.timeoutMs, signal, debianPackage: 'tesseract-ocr', env: { OMP_THREAD_LIMIT: '1' } });
  if (run.code !== 0) {
    if (/Failed loading language|Error opening data file/i.test(run.stderr)) {
      const packages = context.ocrLanguages
        .split('+')
        .map((l) => `tesseract-ocr-${l.toLowerCase().replace(/_/g, '-')}`)
        .join(' ');
      throw new ExtractionError('tool-missing', `Tesseract has no data for ${context.ocrLanguages} (apt-get install ${packages})`);
    }
    throw new ExtractionError('damaged', `tesseract could not read the page image: ${firstLine(run.stderr)}`);
  }
  // Tesseract ends every page with a form feed.
  return run.stdout.toString('utf8').replace(/\f/g, '\n');
}

/**
 * Runs `task` for each page index, as many at a time as there are OCR slots free, and
 * returns the results in order. The first failure (or the caller's abort) stops the rest;
 * it is thrown only once every task has ended, so no child still writes into the scratch
 * folder when the caller removes it.
 */
export async function eachPage<T>(indices: readonly number[], task: (index: number, signal: AbortSignal) => Promise<T>, outer: AbortSignal | undefined): Promise<T[]> {
  const inner = new AbortController();
  const onAbort = () => inner.abort(outer?.reason);
  if (outer?.aborted) onAbort();
  outer?.addEventListener('abort', onAbort, { once: true });
  const results = new Array<T>(indices.length);
  let next = 0;
  const worker = async () => {
    while (next < indices.length && !inner.signal.aborted) {
      const at = next++;
      const release = await ocrSlots.acquire(inner.signal);
      try {
        inner.signal.throwIfAborted();
        results[at] = await task(indices[at] ?? 0, inner.signal);
      } catch (err) {
        if (!inner.signal.aborted) inner.abort(err);
      } finally {
        release();
      }
    }
  };
  try {
    // A worker whose acquire is refused by the abort has nothing to clean up.
    await Promise.allSettled(Array.from({ length: Math.min(indices.length, os.availableParallelism()) }, worker));
    if (inner.signal.aborted) throw inner.signal.reason;
    return results;
  } finally {
    outer?.removeEventListener('abort', onAbort);
  }
}
