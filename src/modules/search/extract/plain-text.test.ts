/**
 * Plain text in the encodings Chinese text files come in: UTF-8 with and without a BOM,
 * UTF-16 LE with a BOM (Windows Notepad's "Unicode"), and GB18030 (GBK bytes written
 * from their hex, Node cannot encode them).
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractText } from './extract.js';

let dir: string;
const NOTICE = '关于做好档案工作的通知\r\n各单位：请按要求做好“归档”。';

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'lantai-extract-txt-'));
});

afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

async function text(name: string, bytes: Buffer, options: { maxChars?: number } = {}) {
  const file = path.join(dir, name);
  await fs.writeFile(file, bytes);
  return extractText({ path: file, name, mime: 'text/plain' }, options);
}

describe('extractText on plain text', () => {
  it('reads UTF-8 with and without a BOM', async () => {
    const expected = [{ page: 1, text: '关于做好档案工作的通知\n各单位：请按要求做好“归档”。', method: 'plain' }];
    expect((await text('utf8.txt', Buffer.from(NOTICE))).pages).toEqual(expected);
    expect((await text('bom.txt', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(NOTICE)]))).pages).toEqual(expected);
  });

  it('reads UTF-16 LE with a BOM', async () => {
    const result = await text('utf16.txt', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(NOTICE, 'utf16le')]));
    expect(result.pages[0]?.text).toBe('关于做好档案工作的通知\n各单位：请按要求做好“归档”。');
  });

  it('reads GB18030 when the bytes are not UTF-8, four-byte characters included', async () => {
    // 关于做好档案工作的通知 in GBK, a line break, then U+20000 (four bytes in GB18030 only).
    const bytes = Buffer.from('b9d8d3dad7f6bac3b5b5b0b8b9a4d7f7b5c4cda8d6aa0a95328236', 'hex');
    expect((await text('gbk.txt', bytes)).pages[0]?.text).toBe('关于做好档案工作的通知\n𠀀');
  });

  it('reads a long UTF-8 file that has a damaged sequence late as UTF-8, not as GBK', async () => {
    const long = Buffer.from('档案管理工作。\n'.repeat(200));
    const result = await text('damaged.txt', Buffer.concat([long, Buffer.from([0xff]), Buffer.from('数字档案馆')]));
    expect(result.pages.map((p) => p.text).join('\n')).toMatch(/档案管理工作。\n\uFFFD?数字档案馆$/);
  });

  it('cuts a long text into numbered parts of at most 8,000 characters at line breaks', async () => {
    const line = '第几行：档案管理工作要做到真实、完整、可用、安全。';
    const body = Array.from({ length: 1000 }, () => line).join('\n');
    const result = await text('long.txt', Buffer.from(body));
    expect(result.pages.length).toBeGreaterThanOrEqual(Math.ceil(body.length / 8000));
    expect(result.pages.map((p) => p.page)).toEqual(result.pages.map((_, i) => i + 1));
    expect(result.pages.every((p) => p.text.length <= 8000 && p.text.startsWith('第几行') && p.text.endsWith('安全。'))).toBe(true);
    expect(result.truncated).toBe(false);
  });

  it('stops reading at maxChars and says the text was cut', async () => {
    const result = await text('capped.txt', Buffer.from('档案'.repeat(10_000)), { maxChars: 1000 });
    expect(result.pages.map((p) => p.text).join('')).toHaveLength(1000);
    expect(result.truncated).toBe(true);
  });
});
