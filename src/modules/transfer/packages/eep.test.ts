import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeFixtureFiles, type FixtureFiles } from '../test-support/files.js';
import { EepRefused, readEep, sniffEep } from './eep.js';
import { eepDocument, encoding, modifiedSignedObject, SAMPLE_RECORD, signedObject, writeLargeEep } from './eep-fixtures.js';
import { takeEeps } from './eep-intake.js';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const sm3 = (b: Buffer) => createHash('sm3').update(b).digest('hex');

describe('DA/T 48 EEP reader', () => {
  let dir = '';
  let files: FixtureFiles;
  const write = async (name: string, text: string | Buffer) => {
    const file = path.join(dir, name);
    await fs.writeFile(file, text);
    return file;
  };
  const refusal = async (file: string, stageDir?: string) => {
    const err = await readEep(file, { stageDir }).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(EepRefused);
    return err as EepRefused;
  };

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'lantai-eep-'));
    files = await makeFixtureFiles(path.join(dir, 'fixtures'));
  }, 180_000);
  afterAll(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('reads the description and decodes each file into staging, hashed on the way', async () => {
    const pdf = files.pdf.toString('base64').replace(/.{76}/g, '$&\n');
    // Lines broken with CRLF whose CR a Java serialiser wrote as &#13;, and a CDATA section: both are base64 all the same.
    const png = `<![CDATA[${files.png.toString('base64').replace(/.{76}/g, '$&\n')}]]>`;
    const doc = eepDocument(signedObject(SAMPLE_RECORD, [encoding(1, '通知.pdf', pdf.replace(/\n/g, '&#13;\n'), { size: files.pdf.length }), encoding(2, '附件.png', png)]));
    const file = await write('通知.xml', doc);
    expect(await sniffEep(file)).toBe(true);
    const eep = await readEep(file, { stageDir: path.join(dir, 'stage') });
    expect(eep).toMatchObject({ version: '2009', eepVersion: '2009', packageType: '原始型', creator: '演示市人民政府办公室', signatures: [], size: Buffer.byteLength(doc) });
    expect(eep.metadata).toEqual({
      archivalCode: 'J001-WS·2024-Y-0001', year: 2024, retention: 'Y', title: SAMPLE_RECORD.title, docNumber: '演府办〔2024〕1号', responsible: '演示市人民政府办公室',
      date: '20240315', classification: '非密', combinationType: '单件', pageCount: 1, control: '内部',
    });
    expect(eep.files.map((f) => [f.name, f.declaredSize, f.documentRole, f.staged?.size])).toEqual([['通知.pdf', files.pdf.length, '主文档', files.pdf.length], ['附件.png', null, '附属文档', files.png.length]]);
    const [first] = eep.files;
    expect(first?.staged).toMatchObject({ sha256: sha256(files.pdf), sm3: sm3(files.pdf) });
    expect(await fs.readFile(first?.staged?.path ?? '')).toEqual(files.pdf);
  });

  it('reads a 修改型 package: the revised description, the original kept, and a file the revision takes over by reference', async () => {
    const original = signedObject(SAMPLE_RECORD, [encoding(1, '通知.pdf', files.pdf.toString('base64'))]);
    const revised = { ...SAMPLE_RECORD, title: '关于做好2024年档案工作的通知（修订）' };
    const doc = eepDocument(modifiedSignedObject(original, revised, [encoding(1, '通知.pdf', '', { layer: '修改1', reference: '修改0-文档1-文档数据1-编码1-编码数据1' }), encoding(2, '说明.xml', files.xml.toString('base64'), { layer: '修改1' })]));
    const file = await write('修改.xml', doc);
    const eep = await readEep(file);
    expect(eep).toMatchObject({ packageType: '修改型', metadata: { title: revised.title, archivalCode: SAMPLE_RECORD.archivalCode } });
    expect(eep.files.map((f) => [f.layer, f.name, f.reference, f.size])).toEqual([
      ['original', '通知.pdf', null, files.pdf.length],
      ['current', '通知.pdf', '修改0-文档1-文档数据1-编码1-编码数据1', 0],
      ['current', '说明.xml', null, files.xml.length],
    ]);
    const taken = await takeEeps([{ path: '2024/0001.xml', stagedPath: file, size: Buffer.byteLength(doc), sha256: '', sm3: '' }], path.join(dir, 'stage-modified'), new Set());
    expect(taken.items[0]?.files).toEqual([{ path: '2024/0001.xml', role: '其他' }, { path: '2024/0001/通知.pdf', role: '正本' }, { path: '2024/0001/说明.xml', role: '附件' }]);
    expect(taken.files.map((f) => [f.path, f.sha256])).toEqual([['2024/0001/通知.pdf', sha256(files.pdf)], ['2024/0001/说明.xml', sha256(files.xml)]]);
  });

  it('refuses a package that declares entities (billion laughs) or names an external entity (XXE), expanding nothing', async () => {
    const bomb = ['<?xml version="1.0"?>', '<!DOCTYPE 电子文件封装包 [', '<!ENTITY lol "lol">', ...Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`), ']>', '<电子文件封装包><版本>&lol9;</版本></电子文件封装包>'].join('\n');
    expect((await refusal(await write('bomb.xml', bomb))).zh).toContain('实体声明');
    const xxe = '<?xml version="1.0"?>\n<!DOCTYPE 电子文件封装包 SYSTEM "file:///etc/passwd">\n<电子文件封装包><版本>2009</版本></电子文件封装包>';
    expect((await refusal(await write('xxe.xml', xxe))).zh).toContain('外部 DTD');
  });

  it('refuses a truncated package with a clear reason and leaves nothing staged', async () => {
    const doc = eepDocument(signedObject(SAMPLE_RECORD, [encoding(1, '通知.pdf', files.pdf.toString('base64'))]));
    const cut = Buffer.from(doc).subarray(0, Math.floor(Buffer.byteLength(doc) * 0.8));
    const stageDir = path.join(dir, 'stage-truncated');
    const err = await refusal(await write('cut.xml', cut), stageDir);
    expect(err.zh).toMatch(/不完整|格式错误/);
    expect(await fs.readdir(stageDir).catch(() => [])).toEqual([]);
  });

  it('refuses what is not an EEP, or an EEP missing what DA/T 48 requires, or data it cannot decode', async () => {
    const encoded = files.xml.toString('base64');
    const cases: Array<[string, string]> = [
      [eepDocument('<其他对象/>'), '被签名对象'],
      [eepDocument('<被签名对象 eep版本="2009"><封装包类型>原始型</封装包类型></被签名对象>'), '封装内容'],
      [eepDocument(signedObject(SAMPLE_RECORD, [encoding(1, '说明.xml', `${encoded.slice(0, 8)}*${encoded.slice(8)}`)])), 'base64'],
      [eepDocument(signedObject(SAMPLE_RECORD, [encoding(1, '说明.xml', encoded, { decodeKey: 'hex-xml' })])), '不支持的编码'],
      [eepDocument(signedObject(SAMPLE_RECORD, [encoding(1, '说明.xml', encoded.slice(0, -2))])), 'base64'],
      ['<?xml version="1.0"?><电子文件 xmlns="urn:x"/>', '根元素'],
      [`<?xml version="1.0"?><电子文件封装包 xmlns="urn:other"><版本>2009</版本></电子文件封装包>`, '命名空间'],
    ];
    for (const [i, [doc, reason]] of cases.entries()) expect((await refusal(await write(`bad-${i}.xml`, doc))).zh, reason).toContain(reason);
  });

  it('reads a 200 MB package in bounded memory', { timeout: 300_000 }, async () => {
    const file = path.join(dir, 'large.xml');
    const written = await writeLargeEep(file, 150 * 1024 * 1024);
    const stat = await fs.stat(file);
    expect(stat.size).toBeGreaterThan(200 * 1024 * 1024);
    global.gc?.();
    const before = process.memoryUsage().rss;
    let peak = before;
    const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    const eep = await readEep(file, { stageDir: path.join(dir, 'stage-large') });
    clearInterval(timer);
    peak = Math.max(peak, process.memoryUsage().rss);
    expect(eep.files[0]?.staged).toMatchObject({ size: written.size, sha256: written.sha256 });
    // Loose on purpose (a figure belongs to bench/eep-read.bench.ts): far below the package's size.
    expect(peak - before).toBeLessThan(100 * 1024 * 1024);
  });
});
