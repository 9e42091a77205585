import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closeDigestWorkers } from '../storage/digest.js';
import { createWorkspace, listTree, pythonZip, referenceDigests, refusal, run, writeTree, type Workspace } from './test-support/packages.js';
import { unpack, type UnpackLimits } from './unpack.js';

afterAll(closeDigestWorkers);

const limits: UnpackLimits = { maxEntries: 1000, maxTotalBytes: 64 * 1024 * 1024, maxRatio: 100, maxDepth: 2 };

let ws: Workspace;
beforeEach(async () => {
  ws = await createWorkspace();
});
afterEach(() => ws.cleanup());

/**
 * outer.zip holds outer.txt, 说明.docx (a zip by its bytes) and inner.zip;
 * inner.zip holds inner.txt and deep.tgz; deep.tgz holds 深层/deep.txt.
 */
async function russianDolls(): Promise<string> {
  const dir = (name: string) => path.join(ws.src, name);
  await writeTree(dir('deep'), { '深层/deep.txt': 'at the bottom' });
  await writeTree(dir('inner'), { 'inner.txt': 'in the middle' });
  await writeTree(dir('outer'), { 'outer.txt': 'on top' });
  run('tar', ['-czf', dir('inner/deep.tgz'), '-C', dir('deep'), '深层/deep.txt']);
  run('zip', ['-q', dir('outer/inner.zip'), 'inner.txt', 'deep.tgz'], dir('inner'));
  await writeTree(dir('docx'), { 'word/document.xml': '<w:document/>' });
  run('zip', ['-q', '-r', dir('outer/说明.docx'), '.'], dir('docx'));
  const outer = ws.at('outer.zip');
  run('zip', ['-q', outer, 'outer.txt', '说明.docx', 'inner.zip'], dir('outer'));
  return outer;
}

describe('nested archives', () => {
  it('keeps a nested zip as a file by default', async () => {
    const outer = await russianDolls();
    const files = await unpack(outer, ws.dest, limits);
    expect(files.map((f) => [f.path, f.fromArchive])).toEqual([
      ['outer.txt', []],
      ['说明.docx', []],
      ['inner.zip', []],
    ]);
    const inner = files.find((f) => f.path === 'inner.zip');
    expect(inner && { sha256: inner.sha256, sm3: inner.sm3 }).toEqual(referenceDigests(path.join(ws.src, 'outer/inner.zip')));
  });

  it('expands nested zip and .tar.gz packages into folders beside them, naming the chain each file came from', async () => {
    const outer = await russianDolls();
    const files = await unpack(outer, ws.dest, limits, { nested: 'expand' });
    expect(files.map((f) => [f.path, f.fromArchive, path.relative(ws.dest, f.stagedPath)])).toEqual([
      ['outer.txt', [], 'outer.txt'],
      ['说明.docx', [], '说明.docx'],
      ['inner.zip', [], 'inner.zip'],
      ['inner.txt', ['inner.zip'], 'inner.zip.d/inner.txt'],
      ['deep.tgz', ['inner.zip'], 'inner.zip.d/deep.tgz'],
      ['深层/deep.txt', ['inner.zip', 'deep.tgz'], 'inner.zip.d/deep.tgz.d/深层/deep.txt'],
    ]);
    const deep = files.at(-1);
    expect(deep && { sha256: deep.sha256, sm3: deep.sm3 }).toEqual(referenceDigests(path.join(ws.src, 'deep/深层/deep.txt')));
  });

  it('refuses archives nested deeper than maxDepth and removes everything', async () => {
    const outer = await russianDolls();
    const err = await refusal(unpack(outer, ws.dest, { ...limits, maxDepth: 1 }, { nested: 'expand' }), 'nested-too-deep');
    expect(err.entry).toBe('deep.tgz');
    expect(err.fromArchive).toEqual(['inner.zip']);
    expect(await listTree(ws.dest)).toEqual([]);
  });

  it('refuses a hostile name inside a nested zip, naming the archive it sits in', async () => {
    pythonZip(path.join(ws.src, 'inner.zip'), [{ name: '../../escape.txt', text: 'pwned' }]);
    const outer = ws.at('outer.zip');
    run('zip', ['-q', outer, 'inner.zip'], ws.src);
    const err = await refusal(unpack(outer, ws.dest, limits, { nested: 'expand' }), 'path-traversal');
    expect(err.entry).toBe('../../escape.txt');
    expect(err.fromArchive).toEqual(['inner.zip']);
    expect(await listTree(ws.dest)).toEqual([]);
  });

  it('counts the entries of nested archives against the same limit', async () => {
    pythonZip(path.join(ws.src, 'inner.zip'), [
      { name: 'a.txt', text: 'a' },
      { name: 'b.txt', text: 'b' },
      { name: 'c.txt', text: 'c' },
    ]);
    await writeTree(ws.src, { 'top.txt': 'top' });
    const outer = ws.at('outer.zip');
    run('zip', ['-q', outer, 'top.txt', 'inner.zip'], ws.src);
    expect(await unpack(outer, ws.dest, { ...limits, maxEntries: 5 }, { nested: 'expand' })).toHaveLength(5);
    await fs.rm(ws.dest, { recursive: true });
    const err = await refusal(unpack(outer, ws.dest, { ...limits, maxEntries: 4 }, { nested: 'expand' }), 'too-many-entries');
    expect(err.fromArchive).toEqual(['inner.zip']);
  });

  it('keeps a file named .zip whose bytes are not a zip as a plain file', async () => {
    await writeTree(ws.src, { 'fake.zip': 'not really a zip' });
    const outer = ws.at('outer.zip');
    run('zip', ['-q', outer, 'fake.zip'], ws.src);
    const files = await unpack(outer, ws.dest, limits, { nested: 'expand' });
    expect(files.map((f) => f.path)).toEqual(['fake.zip']);
  });
});
