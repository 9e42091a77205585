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

const originals = {
  '文书/2023/关于印发《档案工作规定》的通知.txt': '各部门：现将《档案工作规定》印发给你们，请遵照执行。\n',
  '文书/2023/会议纪要（第3次）.txt': '会议纪要正文\n'.repeat(500),
  '照片/ZP·2023-0001.jpg': new Uint8Array(Array.from({ length: 70_000 }, (_, i) => (i * 7919) % 251)),
  'readme.txt': 'plain ASCII name\n',
  // Over 4 MiB: hashed in the digest worker threads rather than inline.
  '录像/LX·2023-0001.bin': new Uint8Array(6 * 1024 * 1024).map((_, i) => Math.imul(i, 2654435761) >>> 24),
};

describe('unpacking a zip', () => {
  it('stages a zip made by Info-ZIP with Chinese names in nested folders, with the digests sha256sum and openssl compute', async () => {
    await writeTree(ws.src, originals);
    const zip = ws.at('package.zip');
    // Info-ZIP on Linux writes the UTF-8 bytes without the UTF-8 flag.
    run('zip', ['-q', '-r', zip, '.'], ws.src);

    const files = await unpack(zip, ws.dest, limits);

    expect(files.map((f) => f.path).sort()).toEqual(Object.keys(originals).sort());
    for (const file of files) {
      const original = path.join(ws.src, file.path);
      expect({ sha256: file.sha256, sm3: file.sm3 }).toEqual(referenceDigests(original));
      expect(file.size).toBe((await fs.stat(original)).size);
      expect(file.stagedPath).toBe(path.join(ws.dest, file.path));
      // Buffer.equals: a deep toEqual over megabytes takes seconds.
      expect((await fs.readFile(file.stagedPath)).equals(await fs.readFile(original))).toBe(true);
      expect(file.fromArchive).toEqual([]);
      expect(file.modified).toBeInstanceOf(Date);
    }
  });

  it('reads names flagged as UTF-8, as Python and most current tools write them', async () => {
    const zip = pythonZip(ws.at('flagged.zip'), [{ name: '档案/卷内目录.txt', text: '目录' }]);
    const [file] = await unpack(zip, ws.dest, limits);
    expect(file?.path).toBe('档案/卷内目录.txt');
    expect(await fs.readFile(path.join(ws.dest, '档案/卷内目录.txt'), 'utf8')).toBe('目录');
  });

  it('reads GBK names without the UTF-8 flag as Windows zip tools write them, even 通知 whose bytes are also valid UTF-8', async () => {
    const zip = pythonZip(ws.at('windows.zip'), [
      { name: '文书档案/2023年/通知.txt', encoding: 'gbk', text: 'a' },
      { name: '文书档案/2023年/请示报告.txt', encoding: 'gbk', text: 'b' },
    ]);
    const files = await unpack(zip, ws.dest, limits);
    expect(files.map((f) => f.path)).toEqual(['文书档案/2023年/通知.txt', '文书档案/2023年/请示报告.txt']);
  });

  it('reads a lone GBK name that is also valid UTF-8 as GBK', async () => {
    const zip = pythonZip(ws.at('lone.zip'), [{ name: '通知', encoding: 'gbk', text: 'a' }]);
    const [file] = await unpack(zip, ws.dest, limits);
    expect(file?.path).toBe('通知');
  });

  it('normalises names to NFC and drops ./ segments', async () => {
    const zip = pythonZip(ws.at('nfd.zip'), [{ name: './docs//cafe\u0301.txt', text: 'x' }]);
    const [file] = await unpack(zip, ws.dest, limits);
    expect(file?.path).toBe('docs/caf\u00e9.txt');
  });

  it('stages into an existing folder next to what is already there, and reports progress in bytes', async () => {
    await writeTree(ws.dest, { 'earlier.txt': 'kept' });
    const zip = pythonZip(ws.at('p.zip'), [{ name: 'a.txt', text: 'x'.repeat(1000) }, { name: 'b/c.txt', text: 'y'.repeat(500) }]);
    const seen: number[] = [];
    await unpack(zip, ws.dest, limits, { onProgress: (n) => seen.push(n) });
    expect(seen.at(-1)).toBe(1500);
    expect(await listTree(ws.dest)).toEqual(['a.txt', 'b', 'b/c.txt', 'earlier.txt']);
  });
});

describe('refusing a zip', () => {
  const hostile: [string, string, 'path-traversal' | 'absolute-path'][] = [
    ['climbs out with ../', '../evil.txt', 'path-traversal'],
    ['climbs out from a folder', 'docs/../../evil.txt', 'path-traversal'],
    ['climbs out with Windows backslashes', '..\\evil.txt', 'path-traversal'],
    ['hides .. behind a trailing space Windows drops', 'docs/.. /evil.txt', 'path-traversal'],
    ['starts at the root', '/etc/evil.txt', 'absolute-path'],
    ['starts at a backslash root', '\\evil.txt', 'absolute-path'],
    ['starts with a drive letter', 'C:/Windows/evil.txt', 'absolute-path'],
    ['starts with a drive letter and backslashes', 'c:\\evil.txt', 'absolute-path'],
  ];
  for (const [what, name, reason] of hostile) {
    it(`refuses an entry that ${what} (${name}) and leaves nothing behind`, async () => {
      const zip = pythonZip(ws.at('hostile.zip'), [{ name: 'fine.txt', text: 'ok' }, { name, text: 'pwned' }]);
      const err = await refusal(unpack(zip, ws.dest, limits), reason);
      expect(err.entry).toBe(name);
      expect(await listTree(ws.dest)).toEqual([]);
      await expect(fs.access(ws.at('evil.txt'))).rejects.toThrow();
    });
  }

  it('refuses a symbolic link stored by zip -y', async () => {
    await writeTree(ws.src, { 'a.txt': 'target' });
    await fs.symlink('/etc/passwd', path.join(ws.src, 'link'));
    const zip = ws.at('sym.zip');
    run('zip', ['-q', '-y', zip, 'a.txt', 'link'], ws.src);
    const err = await refusal(unpack(zip, ws.dest, limits), 'symlink');
    expect(err.entry).toBe('link');
    expect(await listTree(ws.dest)).toEqual([]);
  });

  it('refuses a fifo entry', async () => {
    const zip = pythonZip(ws.at('fifo.zip'), [{ name: 'pipe', mode: 0o010644 }]);
    const err = await refusal(unpack(zip, ws.dest, limits), 'device');
    expect(err.entry).toBe('pipe');
  });

  it('refuses an entry encrypted by zip -e', async () => {
    await writeTree(ws.src, { '密件.txt': '机密内容' });
    const zip = ws.at('enc.zip');
    run('zip', ['-q', '-e', '-P', 'secret', zip, '密件.txt'], ws.src);
    const err = await refusal(unpack(zip, ws.dest, limits), 'encrypted');
    expect(err.entry).toBe('密件.txt');
    expect(await listTree(ws.dest)).toEqual([]);
  });

  it('refuses the same name twice', async () => {
    const zip = pythonZip(ws.at('dup.zip'), [{ name: 'a/b.txt', text: '1' }, { name: 'a/b.txt', text: '2' }]);
    const err = await refusal(unpack(zip, ws.dest, limits), 'duplicate-name');
    expect(err.entry).toBe('a/b.txt');
  });

  it('refuses two names that differ only in Unicode normalisation (NFC and NFD)', async () => {
    const zip = pythonZip(ws.at('nfd.zip'), [{ name: 'caf\u00e9.txt', text: '1' }, { name: 'cafe\u0301.txt', text: '2' }]);
    const err = await refusal(unpack(zip, ws.dest, limits), 'duplicate-name');
    expect(err.entry).toBe('cafe\u0301.txt');
  });

  it('refuses two names that differ only in case, which Windows and macOS would merge', async () => {
    const zip = pythonZip(ws.at('case.zip'), [{ name: 'Docs/Report.txt', text: '1' }, { name: 'docs/other.txt', text: '2' }]);
    const err = await refusal(unpack(zip, ws.dest, limits), 'case-collision');
    expect(err.entry).toBe('docs/other.txt');
  });

  it('refuses a file and a folder of the same name', async () => {
    const zip = pythonZip(ws.at('filedir.zip'), [{ name: 'a', text: 'file' }, { name: 'a/b.txt', text: 'in folder' }]);
    await refusal(unpack(zip, ws.dest, limits), 'duplicate-name');
  });

  it('refuses a file that is not an archive', async () => {
    await writeTree(ws.src, { 'notes.txt': 'just text' });
    await refusal(unpack(path.join(ws.src, 'notes.txt'), ws.dest, limits), 'not-an-archive');
    expect(await listTree(ws.dest)).toEqual([]);
  });

  it('removes the files it already staged when a later entry is damaged', async () => {
    const zip = pythonZip(ws.at('damaged.zip'), [
      { name: 'first/ok.txt', text: 'fine' },
      { name: 'second.txt', text: 'bytes that will rot on the way', store: true },
    ]);
    // Flip a byte inside the stored data of the second entry: only the CRC-32 can tell.
    const bytes = await fs.readFile(zip);
    const at = bytes.indexOf('will rot');
    bytes[at] = 'W'.charCodeAt(0);
    await fs.writeFile(zip, bytes);
    const err = await refusal(unpack(zip, ws.dest, limits), 'corrupt');
    expect(err.entry).toBe('second.txt');
    expect(await listTree(ws.dest)).toEqual([]);
  });

  it('never follows a link already in the destination folder', async () => {
    const outside = ws.at('outside');
    await fs.mkdir(outside);
    await fs.mkdir(ws.dest);
    await fs.symlink(outside, path.join(ws.dest, 'docs'));
    const zip = pythonZip(ws.at('p.zip'), [{ name: 'docs/a.txt', text: 'x' }]);
    await expect(unpack(zip, ws.dest, limits)).rejects.toThrow(/not a folder/);
    expect(await listTree(outside)).toEqual([]);
    expect(await listTree(ws.dest)).toEqual(['docs']);
  });
});
