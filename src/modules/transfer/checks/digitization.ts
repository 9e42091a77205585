/**
 * Digitization output (数字化成果, DA/T 31-2017): scanned images must be at least
 * the configured resolution (200 dpi by the standard's floor; many archives ask
 * 300), in a colour mode fit for the original, and not blank. Images are read with
 * sharp (libvips): density, colour space, pages of a multi-page TIFF, and the
 * pixel statistics that tell a blank page (no variation) from a page with content.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import pLimit from 'p-limit';
import sharp from 'sharp';

// Checks read each image once; libvips' operation cache would only hold memory. Parallelism comes
// from several images in flight, not from several threads on one small image.
sharp.cache(false);
sharp.concurrency(1);
import type { CheckEvidence, CheckResult } from '../model.js';

export const IMAGE_KINDS: ReadonlySet<string> = new Set(['tif', 'jpg', 'png', 'jp2']);
const SPACE_LABELS: Record<string, string> = { srgb: '彩色', rgb: '彩色', cmyk: '彩色（CMYK）', 'b-w': '灰度', grey16: '灰度（16 位）', multiband: '多波段' };

/** Standard deviation below which every channel counts as blank (a white or black page). */
const BLANK_STDEV = 2;

/** Whether every channel of a 256-pixel-wide thumbnail is flat (a white or black page, scanner noise averaged out). */
async function flat(image: sharp.Sharp): Promise<boolean> {
  const { data, info } = await image.resize({ width: 256, withoutEnlargement: true }).raw().toBuffer({ resolveWithObject: true });
  for (let c = 0; c < info.channels; c++) {
    let sum = 0;
    let squares = 0;
    let n = 0;
    for (let i = c; i < data.length; i += info.channels) {
      const v = data[i] as number;
      sum += v;
      squares += v * v;
      n += 1;
    }
    const mean = sum / n;
    if (Math.sqrt(Math.max(0, squares / n - mean * mean)) >= BLANK_STDEV) return false;
  }
  return true;
}

/**
 * Blank when the whole page is flat. Most pages with content show it in their top sixth (a heading,
 * the first lines), and libvips decodes PNG and TIFF rows in order, stopping where asked: that band
 * first costs a sixth of a full decode and settles most pages. JPEG decodes at reduced size anyway.
 */
async function looksBlank(file: string | Buffer, meta: sharp.Metadata): Promise<boolean> {
  const options = { limitInputPixels: 1_000_000_000, sequentialRead: true };
  const { width, height } = meta;
  if (meta.format !== 'jpeg' && width && height && height >= 60) {
    if (!(await flat(sharp(file, options).extract({ left: 0, top: 0, width, height: Math.ceil(height / 6) })))) return false;
  }
  return flat(sharp(file, options));
}

/** Images up to this size are read once into memory and decoded from there (metadata, top band, whole page). */
const IN_MEMORY = 32 * 1024 * 1024;

/**
 * Decoding is CPU work: one image per core at a time is as fast as more, and far less memory —
 * libvips' buffers from many images at once stay with the allocator long after they are freed.
 */
const decoding = pLimit(Math.max(1, os.availableParallelism()));

export function checkScan(path: string, size: number, minDpi: number): Promise<{ result: CheckResult; evidence: CheckEvidence; pages: number }> {
  return decoding(() => scan(path, size, minDpi));
}

async function scan(path: string, size: number, minDpi: number): Promise<{ result: CheckResult; evidence: CheckEvidence; pages: number }> {
  let meta: sharp.Metadata;
  let file: string | Buffer = path;
  try {
    if (size <= IN_MEMORY) file = await fs.readFile(path);
    meta = await sharp(file, { limitInputPixels: 1_000_000_000 }).metadata();
  } catch (err) {
    return { result: '不通过', evidence: { message: `图像无法解码：${(err as Error).message}` }, pages: 0 };
  }
  const pages = meta.pages ?? 1;
  const mode = SPACE_LABELS[meta.space ?? ''] ?? meta.space ?? '未知';
  const facts = `${meta.width ?? '?'}×${meta.height ?? '?'} 像素，${mode}${pages > 1 ? `，${pages} 页` : ''}`;
  if (meta.density === undefined) return { result: '警告', evidence: { message: `图像未记录分辨率（${facts}）`, expected: `≥ ${minDpi} dpi` }, pages };
  const dpi = Math.round(meta.density);
  if (dpi < minDpi) return { result: '不通过', evidence: { message: `分辨率 ${dpi} dpi 低于要求的 ${minDpi} dpi（${facts}）`, expected: minDpi, found: dpi }, pages };
  if (await looksBlank(file, meta)) return { result: '警告', evidence: { message: `疑似空白页（${dpi} dpi，${facts}）` }, pages };
  return { result: '通过', evidence: { message: `${dpi} dpi，${facts}` }, pages };
}
