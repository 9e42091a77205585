/**
 * Digitization output (数字化成果, DA/T 31-2017): scanned images must be at least
 * the configured resolution (200 dpi by the standard's floor; many archives ask
 * 300), in a colour mode fit for the original, and not blank. Images are read with
 * sharp (libvips): density, colour space, pages of a multi-page TIFF, and the
 * pixel statistics that tell a blank page (no variation) from a page with content.
 */
import sharp from 'sharp';

// Checks read each image once; libvips' operation cache would only hold memory.
sharp.cache(false);
import type { CheckEvidence, CheckResult } from '../model.js';

export const IMAGE_KINDS: ReadonlySet<string> = new Set(['tif', 'jpg', 'png', 'jp2']);
const SPACE_LABELS: Record<string, string> = { srgb: '彩色', rgb: '彩色', cmyk: '彩色（CMYK）', 'b-w': '灰度', grey16: '灰度（16 位）', multiband: '多波段' };

/** Standard deviation below which every channel counts as blank (a white or black page). */
const BLANK_STDEV = 2;

/** Blank-page test on a 256-pixel-wide thumbnail: the full page would cost tens of ms per image. */
async function looksBlank(file: string): Promise<boolean> {
  const { data, info } = await sharp(file, { limitInputPixels: 1_000_000_000 }).resize({ width: 256, withoutEnlargement: true }).raw().toBuffer({ resolveWithObject: true });
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

export async function checkScan(file: string, minDpi: number): Promise<{ result: CheckResult; evidence: CheckEvidence; pages: number }> {
  let meta: sharp.Metadata;
  try {
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
  if (await looksBlank(file)) return { result: '警告', evidence: { message: `疑似空白页（${dpi} dpi，${facts}）` }, pages };
  return { result: '通过', evidence: { message: `${dpi} dpi，${facts}` }, pages };
}
