/**
 * OFD extraction on packages written here with yazl (Debian has no OFD writer): pages in
 * Document.xml's order, text codes placed into lines and words by their geometry.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractText, type ExtractionError } from './extract.js';
import { expandDeltas } from './ofd.js';
import { makeOfd, type OfdTextCode } from './test-support/fixtures.js';

let dir: string;

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'lantai-extract-ofd-'));
});

afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

/** One character per text object, 5 mm apart, as some producers write them. */
function perCharacter(text: string, x: number, y: number): OfdTextCode[] {
  return [...text].map((c, i) => ({ text: c, x: x + i * 5, y }));
}

describe('extractText on OFD', () => {
  it('reads the pages in the order Document.xml lists them, one page per OFD page', async () => {
    const file = await makeOfd(path.join(dir, '方案.ofd'), [
      [
        { text: '数字档案馆建设方案', x: 20, y: 30, deltaX: 'g 8 5' },
        { text: '第一页', x: 20, y: 45, deltaX: '5 5' },
      ],
      [{ text: '三码分类监管制度', x: 20, y: 30, deltaX: 'g 7 5' }],
    ]);
    const result = await extractText({ path: file, name: '方案.ofd', mime: 'application/ofd' });
    expect(result.pages).toEqual([
      { page: 1, text: '数字档案馆建设方案第一页', method: 'text-layer' },
      { page: 2, text: '三码分类监管制度', method: 'text-layer' },
    ]);
    expect(result).toMatchObject({ tool: 'lantai-ofd', ocrPages: 0, truncated: false });
  });

  it('joins characters placed one by one into lines and words, and puts a space where a gap is', async () => {
    const digits = [...'2024'].map((c, i) => ({ text: c, x: 20 + i * 2.75, y: 60 }));
    const file = await makeOfd(path.join(dir, 'chars.ofd'), [
      [...perCharacter('档案', 20, 30), ...perCharacter('移交', 40, 30), { text: 'Digital', x: 20, y: 45, deltaX: 'g 6 2.5' }, { text: 'archive', x: 41, y: 45, deltaX: 'g 6 2.5' }, ...digits],
    ]);
    const result = await extractText({ path: file, name: 'chars.ofd', mime: null });
    // Digital ends at 20 + 6 × 2.5 + 2.75 = 37.75 mm, archive starts at 41: a space. Between
    // Chinese characters a gap is layout, not a word break, and normalising drops it.
    expect(result.pages[0]?.text).toBe('档案移交\nDigital archive\n2024');
  });

  it('calls a zip without OFD.xml, or an OFD.xml that names no document, damaged', async () => {
    const notOfd = path.join(dir, 'plain.ofd');
    await fs.writeFile(notOfd, '不是 OFD');
    const reason = (file: string) => extractText({ path: file, name: path.basename(file), mime: 'application/ofd' }).catch((err: ExtractionError) => err.reason);
    expect(await reason(notOfd)).toBe('damaged');
    const noPages = await makeOfd(path.join(dir, 'empty.ofd'), []);
    expect((await extractText({ path: noPages, name: 'empty.ofd', mime: 'application/ofd' })).pages).toEqual([]);
  });
});

describe('expandDeltas', () => {
  it('expands the g shorthand of GB/T 33190 §11.3', () => {
    expect(expandDeltas('g 3 5 2.5 g 2 1')).toEqual([5, 5, 5, 2.5, 1, 1]);
    expect(expandDeltas(undefined)).toEqual([]);
  });
});
