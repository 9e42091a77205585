/**
 * HTML extraction: what a reader sees, in the page's declared or evident charset (GBK
 * bytes are written from their hex, Node cannot encode GBK).
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractText } from './extract.js';

let dir: string;
// GBK: 数字档案馆建设方案, 关于做好档案工作的通知.
const GBK_TITLE = Buffer.from('cafdd7d6b5b5b0b8b9ddbda8c9e8b7bdb0b8', 'hex');
const GBK_NOTICE = Buffer.from('b9d8d3dad7f6bac3b5b5b0b8b9a4d7f7b5c4cda8d6aa', 'hex');

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'lantai-extract-html-'));
});

afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

async function html(name: string, bytes: Buffer | string) {
  const file = path.join(dir, name);
  await fs.writeFile(file, bytes);
  return extractText({ path: file, name, mime: 'text/html' });
}

describe('extractText on HTML', () => {
  it('keeps what a reader sees: no script, style, noscript or template; blocks on their own lines; entities decoded', async () => {
    const result = await html(
      'page.html',
      '<!DOCTYPE html><html><head><title>档案馆</title><style>p { color: red }</style><script>var secret = "不应出现";</script></head>' +
        '<body><noscript>请启用脚本</noscript><template><p>模板内容</p></template>' +
        '<h1>数字档案馆&nbsp;建设方案</h1><p>第一段，\n   跨行的    文字&amp;符号&lt;&gt;</p><div>表格：<table><tr><td>档号</td><td>题名</td></tr></table></div>' +
        '<p>行一<br>行二</p></body></html>',
    );
    expect(result.pages).toEqual([{ page: 1, text: '档案馆\n\n数字档案馆 建设方案\n\n第一段， 跨行的 文字&符号<>\n\n表格：\n\n档号 题名\n\n行一\n行二', method: 'markup' }]);
    expect(result.tool).toBe('lantai-html');
  });

  it('decodes a GBK page by its <meta charset>', async () => {
    const bytes = Buffer.concat([Buffer.from('<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"></head><body><p>'), GBK_TITLE, Buffer.from('</p></body></html>')]);
    expect((await html('gbk.html', bytes)).pages[0]?.text).toBe('数字档案馆建设方案');
  });

  it('decodes a GBK page that declares nothing, since its bytes are not UTF-8', async () => {
    const bytes = Buffer.concat([Buffer.from('<html><body><h1>'), GBK_TITLE, Buffer.from('</h1><p>'), GBK_NOTICE, Buffer.from('</p></body></html>')]);
    expect((await html('undeclared.html', bytes)).pages[0]?.text).toBe('数字档案馆建设方案\n\n关于做好档案工作的通知');
  });

  it('takes a file identified as text/plain or XML for HTML when its name says .html', async () => {
    const file = path.join(dir, 'named.html');
    await fs.writeFile(file, '<html><body><p>三码分类监管制度</p><script>x()</script></body></html>');
    const result = await extractText({ path: file, name: 'named.htm', mime: 'application/xml' });
    expect(result.pages[0]?.text).toBe('三码分类监管制度');
  });
});
