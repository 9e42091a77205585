/**
 * Digitization output (数字化成果, DA/T 31-2017): scanned images must be at least
 * the configured resolution (200 dpi by the standard's floor; many archives ask
 * 300), in a colour mode fit for the original, and not blank. Images are read with
 * sharp (libvips): density, colour space, pages of a multi-page TIFF, and the
 * pixel statistics that tell a blank page (no variation) from a page with content.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pLimit from 'p-limit';
import sharp from 'sharp';

// Checks read each image once; libvips' operation cache would only hold memory. Parallelism comes
// from several images in flight, not from several threads on one small image.
sharp.cache(false);
sharp.concurrency(1);
import type { CheckEvidence, CheckResult } from '../model.js';

export const IMAGE_KINDS: ReadonlySet<string> = new Set(['tif', 'jpg', 'png', 'jp2']);
const execFileAsync = promisify(execFile);

async function startsWith(path: string, magic: Buffer): Promise<boolean> {
  const handle = await fs.open(path, 'r');
  const head = Buffer.alloc(magic.length);
  await handle.read(head, 0, magic.length, 0).finally(() => handle.close());
  return head.equals(magic);
}

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

const JP2_SIGNATURE = Buffer.from([0x00, 0x00, 0x00, 0x0c, 0x6a, 0x50, 0x20, 0x20, 0x0d, 0x0a, 0x87, 0x0a]);

/**
 * The capture (else display) resolution of a JP2 file, in dpi, from its header's `res ` box
 * (ISO/IEC 15444-1 I.5.3.7: grid points per metre as (N / D) · 10^E), or undefined.
 */
export function jp2Dpi(head: Buffer): number | undefined {
  const boxes = (buf: Buffer, from: number, to: number) => {
    const out = new Map<string, [number, number]>();
    for (let at = from; at + 8 <= to; ) {
      let length = buf.readUInt32BE(at);
      const type = buf.toString('latin1', at + 4, at + 8);
      if (length === 0) length = to - at;
      if (length < 8 || at + length > to) break;
      out.set(type, [at + 8, at + length]);
      at += length;
    }
    return out;
  };
  const header = boxes(head, 0, head.length).get('jp2h');
  const res = header && boxes(head, header[0], header[1]).get('res ');
  if (!res) return undefined;
  const inner = boxes(head, res[0], res[1]);
  const box = inner.get('resc') ?? inner.get('resd');
  if (!box || box[1] - box[0] < 10) return undefined;
  const [at] = box;
  const perMetre = (n: number, d: number, e: number) => (d === 0 ? NaN : (n / d) * 10 ** e);
  const vertical = perMetre(head.readUInt16BE(at), head.readUInt16BE(at + 2), head.readInt8(at + 8));
  const horizontal = perMetre(head.readUInt16BE(at + 4), head.readUInt16BE(at + 6), head.readInt8(at + 9));
  const dpi = Math.min(vertical, horizontal) * 0.0254;
  return Number.isFinite(dpi) && dpi > 0 ? dpi : undefined;
}

/** JPEG 2000 has no reader in sharp's libvips: OpenJPEG decodes it to a PNG beside it (which the caller removes). */
async function decodeJp2(path: string): Promise<{ png: string; density: number | undefined }> {
  const handle = await fs.open(path, 'r');
  const head = Buffer.alloc(64 * 1024);
  const { bytesRead } = await handle.read(head, 0, head.length, 0).finally(() => handle.close());
  const png = join(os.tmpdir(), `lantai-jp2-${randomUUID()}.png`);
  await execFileAsync('opj_decompress', ['-i', path, '-o', png], { timeout: 120_000 });
  return { png, density: jp2Dpi(head.subarray(0, bytesRead)) };
}

async function scan(path: string, size: number, minDpi: number): Promise<{ result: CheckResult; evidence: CheckEvidence; pages: number }> {
  let decoded: string | null = null;
  try {
    return await scanImage(path, size, minDpi, (png) => (decoded = png));
  } finally {
    if (decoded) await fs.rm(decoded, { force: true });
  }
}

async function scanImage(path: string, size: number, minDpi: number, decodedTo: (png: string) => void): Promise<{ result: CheckResult; evidence: CheckEvidence; pages: number }> {
  let meta: sharp.Metadata;
  let file: string | Buffer = path;
  try {
    if (size <= IN_MEMORY) file = await fs.readFile(path);
    const isJp2 = Buffer.isBuffer(file) ? file.subarray(0, 12).equals(JP2_SIGNATURE) : await startsWith(path, JP2_SIGNATURE);
    if (isJp2) {
      const { png, density } = await decodeJp2(path);
      decodedTo(png);
      file = png;
      meta = { ...(await sharp(file, { limitInputPixels: 1_000_000_000 }).metadata()), density };
    } else meta = await sharp(file, { limitInputPixels: 1_000_000_000 }).metadata();
  } catch (err) {
    const reason = ((err as { stderr?: string }).stderr || (err as Error).message).trim().split('\n')[0];
    return { result: '不通过', evidence: { message: `图像无法解码：${reason}` }, pages: 0 };
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
