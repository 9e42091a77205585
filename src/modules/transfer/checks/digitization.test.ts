/**
 * JPEG 2000 scans: sharp's libvips cannot read them, so the digitization check decodes
 * them with OpenJPEG and takes the resolution from the JP2 header's `res ` box. Files
 * made by opj_compress; the resolution box is added the way a scanner writes it.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkScan, jp2Dpi } from './digitization.js';

/** Adds a capture-resolution box (`res ` > `resc`) of `dpi` to the JP2 header box (ISO/IEC 15444-1 I.5.3.7). */
function withResolution(jp2: Buffer, dpi: number): Buffer {
  const perMetre = Math.round(dpi / 0.0254);
  const resc = Buffer.alloc(8 + 10);
  resc.writeUInt32BE(resc.length, 0);
  resc.write('resc', 4, 'latin1');
  resc.writeUInt16BE(perMetre, 8);
  resc.writeUInt16BE(1, 10);
  resc.writeUInt16BE(perMetre, 12);
  resc.writeUInt16BE(1, 14);
  resc.writeInt8(0, 16);
  resc.writeInt8(0, 17);
  const res = Buffer.concat([Buffer.alloc(8), resc]);
  res.writeUInt32BE(res.length, 0);
  res.write('res ', 4, 'latin1');
  for (let at = 0; at + 8 <= jp2.length; at += jp2.readUInt32BE(at)) {
    if (jp2.toString('latin1', at + 4, at + 8) !== 'jp2h') continue;
    const end = at + jp2.readUInt32BE(at);
    const out = Buffer.concat([jp2.subarray(0, end), res, jp2.subarray(end)]);
    out.writeUInt32BE(end - at + res.length, at);
    return out;
  }
  throw new Error('no jp2h box');
}

describe('JPEG 2000 scans', () => {
  let dir = '';
  let jp2 = Buffer.alloc(0);
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'lantai-jp2-'));
    await sharp({ create: { width: 400, height: 500, channels: 3, background: '#ffffff', noise: { type: 'gaussian', mean: 128, sigma: 40 } } }).png().toFile(path.join(dir, 'page.png'));
    execFileSync('opj_compress', ['-i', path.join(dir, 'page.png'), '-o', path.join(dir, 'page.jp2')], { stdio: 'ignore' });
    jp2 = await fs.readFile(path.join(dir, 'page.jp2'));
  });
  afterAll(() => fs.rm(dir, { recursive: true, force: true }));

  const check = async (name: string, bytes: Buffer, minDpi = 300) => {
    await fs.writeFile(path.join(dir, name), bytes);
    return checkScan(path.join(dir, name), bytes.length, minDpi);
  };

  it('decodes a JP2 without a resolution box and warns that it records none', async () => {
    expect(jp2Dpi(jp2)).toBeUndefined();
    expect(await check('plain.jp2', jp2)).toMatchObject({ result: '警告', evidence: { message: expect.stringContaining('图像未记录分辨率（400×500 像素') }, pages: 1 });
  });

  it('reads the capture resolution and passes or fails it against the configured floor', async () => {
    const at300 = withResolution(jp2, 300);
    expect(Math.round(jp2Dpi(at300) ?? 0)).toBe(300);
    expect(await check('300.jp2', at300)).toMatchObject({ result: '通过', evidence: { message: expect.stringMatching(/^300 dpi，400×500 像素/) } });
    expect(await check('150.jp2', withResolution(jp2, 150))).toMatchObject({ result: '不通过', evidence: { found: 150, expected: 300 } });
  });

  it('fails a truncated JP2 as not decodable, and leaves no decoded copy behind', async () => {
    const before = (await fs.readdir(os.tmpdir())).filter((n) => n.startsWith('lantai-jp2-') && n.endsWith('.png')).length;
    expect(await check('broken.jp2', jp2.subarray(0, Math.floor(jp2.length / 3)))).toMatchObject({ result: '不通过', evidence: { message: expect.stringContaining('图像无法解码') } });
    expect((await fs.readdir(os.tmpdir())).filter((n) => n.startsWith('lantai-jp2-') && n.endsWith('.png')).length).toBe(before);
  });
});
