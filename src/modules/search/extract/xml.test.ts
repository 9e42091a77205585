/**
 * XML extraction: the text of a description, an encoding from the declaration, and XML
 * built to attack the parser (billion laughs, an external entity naming a local file),
 * which must give neither expansion nor the file's content.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractText, type ExtractionError } from './extract.js';

let dir: string;

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'lantai-extract-xml-'));
});

afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

async function xml(name: string, bytes: Buffer | string) {
  const file = path.join(dir, name);
  await fs.writeFile(file, bytes);
  return extractText({ path: file, name, mime: 'application/xml' });
}

describe('extractText on XML', () => {
  it('gives each element its own line, with CDATA and entities decoded, attributes left out', async () => {
    const result = await xml(
      'description.xml',
      '<?xml version="1.0" encoding="UTF-8"?>\n<档案 编号="X001"><题名>关于做好档案工作的通知</题名><责任者>办公室&amp;档案室</责任者><附注><![CDATA[<原文>照录]]></附注></档案>',
    );
    expect(result.pages).toEqual([{ page: 1, text: '关于做好档案工作的通知\n办公室&档案室\n<原文>照录', method: 'markup' }]);
    expect(result.tool).toBe('lantai-xml');
  });

  it('decodes by the encoding the declaration names', async () => {
    // <题名>三码分类监管制度</题名> in GB2312.
    const bytes = Buffer.concat([Buffer.from('<?xml version="1.0" encoding="GB2312"?><r>'), Buffer.from('c8fdc2ebb7d6c0e0bce0b9dcd6c6b6c8', 'hex'), Buffer.from('</r>')]);
    expect((await xml('gb2312.xml', bytes)).pages[0]?.text).toBe('三码分类监管制度');
  });

  it('does not expand a billion-laughs entity bomb', async () => {
    const bomb = [
      '<?xml version="1.0"?>',
      '<!DOCTYPE lolz [',
      '<!ENTITY lol "lol">',
      ...Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`),
      ']>',
      '<lolz><title>档案</title>&lol9;</lolz>',
    ].join('\n');
    const result = await xml('bomb.xml', bomb);
    const text = result.pages.map((p) => p.text).join('');
    expect(text).toContain('档案');
    expect(text).not.toContain('lollol');
    expect(text.length).toBeLessThan(100);
  });

  it('does not read a file an external entity names', async () => {
    const secret = path.join(dir, 'secret.txt');
    await fs.writeFile(secret, 'TOP-SECRET-CONTENT');
    const result = await xml('xxe.xml', `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file://${secret}">]><r>前&xxe;后</r>`);
    expect(result.pages[0]?.text).not.toContain('TOP-SECRET-CONTENT');
    expect(result.pages[0]?.text).toMatch(/^前.*后$/);
  });

  it('leaves out base64 blobs embedded in the XML', async () => {
    const blob = Buffer.alloc(6000, 7).toString('base64').replace(/.{76}/g, '$&\n');
    const result = await xml('eep.xml', `<封装包><题名>移交说明</题名><编码数据>${blob}</编码数据></封装包>`);
    expect(result.pages[0]?.text).toBe('移交说明');
  });

  it('keeps the first mebibyte of one enormous text node instead of holding it whole', async () => {
    const result = await xml('huge.xml', `<r><a>${'档案'.repeat(1_500_000)}</a><b>尾部</b></r>`);
    const text = result.pages.map((p) => p.text).join('');
    expect(text.length).toBeLessThan(1024 * 1024 + 100);
    expect(text.endsWith('尾部')).toBe(true);
  });

  it('calls XML that is not well-formed damaged', async () => {
    const failure = await xml('broken.xml', '<a><b>档案</a>').catch((err: ExtractionError) => err);
    expect(failure).toMatchObject({ reason: 'damaged' });
  });
});
