/**
 * Scanned images (PNG, JPEG, TIFF with one page per TIFF page, JPEG 2000) to text by OCR.
 *
 * sharp (libvips) opens PNG, JPEG and TIFF; JPEG 2000 is decoded first by OpenJPEG's
 * opj_decompress (sharp's libvips has no JP2 reader), as the access copies do. Each page
 * is written as a grey PGM for Tesseract (see ocr.ts), several pages at once.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import type { ExtractedPage } from './extract.js';
import { ExtractionError } from './extraction-error.js';
import { eachPage, recognise, tesseractVersion, writeOcrImage } from './ocr.js';
import type { ReaderContext, ReaderResult } from './reader.js';
import { firstLine, runTool, toolVersion } from './run-tool.js';

/** Larger images are refused unread (sharp's own default); a 600 dpi A0 scan is 240 MP. */
const MAX_INPUT_PIXELS = 268_402_689;

function imageFailure(err: unknown): ExtractionError {
  if (err instanceof ExtractionError) return err;
  const message = err instanceof Error ? err.message : String(err);
  if (/pixel limit/i.test(message)) return new ExtractionError('too-large', `the image is larger than ${MAX_INPUT_PIXELS} pixels`, { cause: err });
  return new ExtractionError('damaged', `the image cannot be decoded: ${message}`, { cause: err });
}

async function recogniseImage(file: string, context: ReaderContext, tool: { name: string; version: string }): Promise<ReaderResult> {
  const open = (page: number) => sharp(file, { page, limitInputPixels: MAX_INPUT_PIXELS, failOn: 'error' });
  let pageCount: number;
  let density: number | undefined;
  try {
    const meta = await open(0).metadata();
    pageCount = meta.pages ?? 1;
    density = meta.density;
  } catch (err) {
    throw imageFailure(err);
  }
  const count = Math.min(pageCount, context.maxPages);
  const work = await context.scratch.path();
  const indices = Array.from({ length: count }, (_, i) => i);
  const pages = await eachPage(
    indices,
    async (index, signal): Promise<ExtractedPage> => {
      const pgm = path.join(work, `image-${index + 1}.pgm`);
      let written: { dpi: number | null; blank: boolean };
      try {
        written = await writeOcrImage(open(index), pgm, density);
      } catch (err) {
        throw imageFailure(err);
      }
      try {
        const text = written.blank ? '' : await recognise(pgm, written.dpi, context, signal);
        return { page: index + 1, text, method: 'ocr' };
      } finally {
        await fs.rm(pgm, { force: true });
      }
    },
    context.signal,
  );
  return { pages, tool: tool.name, toolVersion: tool.version, ocrPages: pages.length, truncated: pageCount > count };
}

/** PNG, JPEG and TIFF files. */
export async function readImage(file: string, context: ReaderContext): Promise<ReaderResult> {
  return recogniseImage(file, context, { name: 'tesseract', version: await tesseractVersion() });
}

/** JPEG 2000: a JP2 file or a raw codestream (`codestream`), decoded to TIFF by opj_decompress first. */
export async function readJpeg2000(file: string, context: ReaderContext, codestream = false): Promise<ReaderResult> {
  const work = await context.scratch.path();
  // opj_decompress tells its input format by the file's extension, which a stored blob lacks.
  const input = path.join(work, codestream ? 'original.j2k' : 'original.jp2');
  await fs.symlink(path.resolve(file), input);
  const decoded = path.join(work, 'decoded.tif');
  const run = await runTool('opj_decompress', ['-quiet', '-i', input, '-o', decoded], { timeoutMs: context.timeoutMs, signal: context.signal, debianPackage: 'libopenjp2-tools' });
  if (run.code !== 0) throw new ExtractionError('damaged', `opj_decompress cannot decode the JPEG 2000 image: ${firstLine(run.stderr || run.stdout.toString('utf8'))}`);
  const [opj, tesseract] = await Promise.all([toolVersion('opj_decompress', ['-h'], /openjp2 library v([\d.]+)/), tesseractVersion()]);
  return recogniseImage(decoded, context, { name: 'opj_decompress+tesseract', version: `${opj}; ${tesseract}` });
}
