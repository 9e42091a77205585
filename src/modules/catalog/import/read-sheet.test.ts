import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { LantaiError } from '../../../platform/http/errors.js';
import { decodeCsv, readSheet } from './read-sheet.js';

/** A one-entry zip written by hand: local header, deflated data, central directory, end record. */
function zipOf(name: string, compressed: Buffer, uncompressedSize: number): Buffer {
  const nameBytes = Buffer.from(name);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt16LE(8, 8);
  local.writeUInt32LE(compressed.length, 18);
  local.writeUInt32LE(uncompressedSize, 22);
  local.writeUInt16LE(nameBytes.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt16LE(8, 10);
  central.writeUInt32LE(compressed.length, 20);
  central.writeUInt32LE(uncompressedSize, 24);
  central.writeUInt16LE(nameBytes.length, 28);
  const centralOffset = local.length + nameBytes.length + compressed.length;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(central.length + nameBytes.length, 12);
  end.writeUInt32LE(centralOffset, 16);
  return Buffer.concat([local, nameBytes, compressed, central, nameBytes, end]);
}

async function refusal(bytes: Buffer): Promise<LantaiError> {
  try {
    await readSheet(bytes, () => true);
  } catch (err) {
    if (err instanceof LantaiError) return err;
    throw err;
  }
  throw new Error('the file was accepted');
}

describe('reading catalog files', () => {
  it('refuses an xlsx that would inflate to gigabytes, before inflating it', async () => {
    const zeros = Buffer.alloc(64 * 1024 * 1024);
    const compressed = zlib.deflateRawSync(zeros, { level: 9 });
    expect(compressed.length).toBeLessThan(200 * 1024);
    const err = await refusal(zipOf('xl/worksheets/sheet1.xml', compressed, 4_000_000_000));
    expect(err.code).toBe('CATALOG_IMPORT_FORMAT');
    expect(err.messageFor('zh-CN')).toMatch(/压缩炸弹/);
  });

  it('refuses an xlsx whose parts have names that climb out of their folder', async () => {
    const err = await refusal(zipOf('../../etc/passwd', zlib.deflateRawSync(Buffer.from('x')), 1));
    expect(err.messageFor('en')).toMatch(/leaves its folder/);
  });

  it('tells UTF-8 from GBK', () => {
    expect(decodeCsv(Buffer.from('题名,责任者\n', 'utf8'))).toEqual({ text: '题名,责任者\n', encoding: 'utf-8' });
    const gbk = Buffer.from([0xcc, 0xe2, 0xc3, 0xfb]); // 题名 in GBK
    expect(decodeCsv(gbk)).toEqual({ text: '题名', encoding: 'gb18030' });
  });
});
