/**
 * The contract: which files extractText takes (by MIME type first, extension second), and
 * what it says of the rest.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canExtract, extractText, type ExtractionError } from './extract.js';

let dir: string;

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'lantai-extract-'));
});

afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe('canExtract', () => {
  it.each([
    ['通知.pdf', 'application/pdf', true],
    ['扫描.tif', 'image/tiff', true],
    ['扫描.jp2', 'image/jp2', true],
    ['照片.jpg', 'image/jpeg', true],
    ['页面.png', 'image/png', true],
    ['方案.docx', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', true],
    ['目录.xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', true],
    ['公文.ofd', 'application/ofd', true],
    ['网页.html', 'text/html; charset=gbk', true],
    ['说明.txt', 'text/plain', true],
    ['元数据.xml', 'text/xml', true],
    ['无类型.ofd', null, true],
    ['无类型.PDF', null, true],
    ['压缩包.docx', 'application/zip', true],
    ['录音.mp3', 'audio/mpeg', false],
    ['改名.txt', 'audio/mpeg', false],
    ['旧文档.doc', 'application/x-cfb', false],
    ['未知', null, false],
    ['压缩包.zip', 'application/zip', false],
  ])('%s (%s): %s', (name, mime, expected) => {
    expect(canExtract({ name, mime })).toBe(expected);
  });
});

describe('extractText', () => {
  it('refuses a format it does not read as unsupported', async () => {
    const file = path.join(dir, 'audio.mp3');
    await fs.writeFile(file, Buffer.from('ID3'));
    const failure = await extractText({ path: file, name: 'audio.mp3', mime: 'audio/mpeg' }).catch((err: ExtractionError) => err);
    expect(failure).toMatchObject({ name: 'ExtractionError', reason: 'unsupported' });
  });

  it('rejects at once with the reason of a signal that has already aborted', async () => {
    const file = path.join(dir, 'note.txt');
    await fs.writeFile(file, '档案');
    const controller = new AbortController();
    controller.abort(new Error('job cancelled'));
    await expect(extractText({ path: file, name: 'note.txt', mime: 'text/plain' }, { signal: controller.signal })).rejects.toThrow('job cancelled');
  });

  it('reads a .txt file that identification took for XML (it starts with a tag) as plain text', async () => {
    const file = path.join(dir, 'notes.txt');
    await fs.writeFile(file, '<注意> 这不是 XML：标签没有关闭');
    const result = await extractText({ path: file, name: 'notes.txt', mime: 'application/xml' });
    expect(result.pages).toEqual([{ page: 1, text: '<注意> 这不是 XML：标签没有关闭', method: 'plain' }]);
  });

  it('passes on a missing file as the file system error it is, not as a verdict on the file', async () => {
    await expect(extractText({ path: path.join(dir, 'gone.txt'), name: 'gone.txt', mime: 'text/plain' })).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
