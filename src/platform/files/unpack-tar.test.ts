import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closeDigestWorkers } from '../storage/digest.js';
import { createWorkspace, cutInHalf, listTree, pythonTar, referenceDigests, refusal, run, writeTree, type Workspace } from './test-support/packages.js';
import { unpack, type UnpackLimits } from './unpack.js';

afterAll(closeDigestWorkers);

const limits: UnpackLimits = { maxEntries: 1000, maxTotalBytes: 64 * 1024 * 1024, maxRatio: 100, maxDepth: 2 };

let ws: Workspace;
beforeEach(async () => {
  ws = await createWorkspace();
});
afterEach(() => ws.cleanup());

const originals = {
  '科技档案/图纸/总平面图说明.txt': '总平面图\n'.repeat(2000),
  '科技档案/验收报告.txt': '验收合格\n',
  'manifest.txt': 'ASCII\n',
};

describe('unpacking a tar', () => {
  for (const [kind, flags, file] of [
    ['tar', '-cf', 'package.tar'],
    ['.tar.gz', '-czf', 'package.tar.gz'],
  ] as const) {
    it(`stages a ${kind} made by GNU tar with Chinese names, with the digests sha256sum and openssl compute`, async () => {
      await writeTree(ws.src, originals);
      const archive = ws.at(file);
      run('tar', [flags, archive, '-C', ws.src, '.']);

      const files = await unpack(archive, ws.dest, limits);

      expect(files.map((f) => f.path).sort()).toEqual(Object.keys(originals).sort());
      for (const f of files) {
        expect({ sha256: f.sha256, sm3: f.sm3 }).toEqual(referenceDigests(path.join(ws.src, f.path)));
        expect(f.stagedPath).toBe(path.join(ws.dest, f.path));
        expect(f.modified).toBeInstanceOf(Date);
      }
      expect(await listTree(ws.dest)).toEqual(['manifest.txt', '科技档案', '科技档案/图纸', '科技档案/图纸/总平面图说明.txt', '科技档案/验收报告.txt']);
    });
  }

  it('reads GBK names in a tar made where the locale was GBK', async () => {
    const tar = pythonTar(ws.at('gbk.tar'), [{ name: '会计档案/凭证/记账凭证.txt', text: '凭证' }], 'gbk');
    const [file] = await unpack(tar, ws.dest, limits);
    expect(file?.path).toBe('会计档案/凭证/记账凭证.txt');
  });
});

describe('refusing a tar', () => {
  it('refuses a symbolic link, after removing the files staged before it', async () => {
    await writeTree(ws.src, { 'a.txt': 'first' });
    await fs.symlink('/etc/passwd', path.join(ws.src, 'passwd'));
    const tar = ws.at('sym.tar');
    run('tar', ['-cf', tar, '-C', ws.src, 'a.txt', 'passwd']);
    const err = await refusal(unpack(tar, ws.dest, limits), 'symlink');
    expect(err.entry).toBe('passwd');
    expect(await listTree(ws.dest)).toEqual([]);
  });

  it('refuses a hard link', async () => {
    await writeTree(ws.src, { 'a.txt': 'shared' });
    await fs.link(path.join(ws.src, 'a.txt'), path.join(ws.src, 'b.txt'));
    const tar = ws.at('hard.tgz');
    run('tar', ['-czf', tar, '-C', ws.src, 'a.txt', 'b.txt']);
    const err = await refusal(unpack(tar, ws.dest, limits), 'hardlink');
    expect(err.entry).toBe('b.txt');
    expect(await listTree(ws.dest)).toEqual([]);
  });

  it('refuses a fifo made by mkfifo', async () => {
    run('mkfifo', [path.join(ws.src, 'pipe')]);
    const tar = ws.at('fifo.tar');
    run('tar', ['-cf', tar, '-C', ws.src, 'pipe']);
    const err = await refusal(unpack(tar, ws.dest, limits), 'device');
    expect(err.entry).toBe('pipe');
  });

  it('refuses an absolute name kept by tar --absolute-names', async () => {
    await writeTree(ws.src, { 'abs.txt': 'x' });
    const tar = ws.at('abs.tar');
    run('tar', ['-cf', tar, '--absolute-names', path.join(ws.src, 'abs.txt')]);
    const err = await refusal(unpack(tar, ws.dest, limits), 'absolute-path');
    expect(err.entry).toBe(path.join(ws.src, 'abs.txt'));
    expect(await listTree(ws.dest)).toEqual([]);
  });

  it('refuses a name that climbs out with ../', async () => {
    const tar = pythonTar(ws.at('climb.tar'), [
      { name: 'ok.txt', text: 'fine' },
      { name: '../evil.txt', text: 'pwned' },
    ]);
    const err = await refusal(unpack(tar, ws.dest, limits), 'path-traversal');
    expect(err.entry).toBe('../evil.txt');
    expect(await listTree(ws.dest)).toEqual([]);
    await expect(fs.access(ws.at('evil.txt'))).rejects.toThrow();
  });

  it('refuses a file stored twice, as tar --append leaves it', async () => {
    await writeTree(ws.src, { 'a.txt': 'x' });
    const tar = ws.at('dup.tar');
    run('tar', ['-cf', tar, '-C', ws.src, 'a.txt']);
    run('tar', ['-rf', tar, '-C', ws.src, 'a.txt']);
    const err = await refusal(unpack(tar, ws.dest, limits), 'duplicate-name');
    expect(err.entry).toBe('a.txt');
  });

  it('refuses names that differ only in case', async () => {
    const tar = pythonTar(ws.at('case.tar'), [
      { name: 'README.txt', text: '1' },
      { name: 'readme.txt', text: '2' },
    ]);
    await refusal(unpack(tar, ws.dest, limits), 'case-collision');
  });

  it('refuses a tar cut in half', async () => {
    await writeTree(ws.src, { 'scan.bin': new Uint8Array(200_000).map((_, i) => (i * 31) % 256) });
    const tar = ws.at('cut.tar');
    run('tar', ['-cf', tar, '-C', ws.src, 'scan.bin']);
    await cutInHalf(tar);
    await refusal(unpack(tar, ws.dest, limits), 'truncated');
    expect(await listTree(ws.dest)).toEqual([]);
  });

  it('refuses a tar cut right after an entry, without its end-of-archive blocks', async () => {
    await writeTree(ws.src, { 'a.txt': 'a'.repeat(512) });
    const tar = ws.at('cut.tar');
    run('tar', ['-cf', tar, '-C', ws.src, 'a.txt']);
    await fs.truncate(tar, 1024);
    await refusal(unpack(tar, ws.dest, limits), 'truncated');
  });

  it('refuses a .tar.gz cut in half', async () => {
    await writeTree(ws.src, { 'scan.bin': new Uint8Array(200_000).map((_, i) => (i * 31) % 256) });
    const tgz = ws.at('cut.tgz');
    run('tar', ['-czf', tgz, '-C', ws.src, 'scan.bin']);
    await cutInHalf(tgz);
    await refusal(unpack(tgz, ws.dest, limits), 'truncated');
    expect(await listTree(ws.dest)).toEqual([]);
  });

  it('refuses a gzip file that holds no tar', async () => {
    await writeTree(ws.src, { 'notes.txt': 'not a tar at all\n'.repeat(100) });
    run('gzip', ['-k', path.join(ws.src, 'notes.txt')]);
    await refusal(unpack(path.join(ws.src, 'notes.txt.gz'), ws.dest, limits), 'not-an-archive');
  });
});
