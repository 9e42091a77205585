import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closeDigestWorkers } from '../storage/digest.js';
import { addOverlappingTwin, createWorkspace, cutInHalf, listTree, patchDeclaredSize, pythonZip, refusal, run, writeTree, type Workspace } from './test-support/packages.js';
import { unpack, type UnpackLimits } from './unpack.js';

afterAll(closeDigestWorkers);

const MiB = 1024 * 1024;
const limits: UnpackLimits = { maxEntries: 1000, maxTotalBytes: 64 * MiB, maxRatio: 100, maxDepth: 2 };

let ws: Workspace;
beforeEach(async () => {
  ws = await createWorkspace();
});
afterEach(() => ws.cleanup());

/** Unpacks and records the most bytes ever staged, to show a limit fired early. */
async function unpackWatching(archive: string, withLimits: UnpackLimits): Promise<{ outcome: Promise<unknown>; peak: () => number }> {
  let peak = 0;
  const outcome = unpack(archive, ws.dest, withLimits, { onProgress: (n) => (peak = Math.max(peak, n)) });
  await outcome.catch(() => undefined);
  return { outcome, peak: () => peak };
}

describe('zip bombs and lying headers', () => {
  it('refuses 200 MB of deflated zeros by their ratio before inflating a byte', async () => {
    const zip = pythonZip(ws.at('bomb.zip'), [{ name: 'zeros.bin', zeros: 200 * MiB }]);
    expect((await fs.stat(zip)).size).toBeLessThan(MiB);
    const { outcome, peak } = await unpackWatching(zip, limits);
    const err = await refusal(outcome, 'ratio');
    expect(err.entry).toBe('zeros.bin');
    expect(peak()).toBe(0);
    expect(await listTree(ws.dest)).toEqual([]);
  });

  it('refuses the same bomb by its size when the ratio limit is lifted', async () => {
    const zip = pythonZip(ws.at('bomb.zip'), [{ name: 'zeros.bin', zeros: 200 * MiB }]);
    const { outcome, peak } = await unpackWatching(zip, { ...limits, maxRatio: 1e9 });
    await refusal(outcome, 'too-large');
    expect(peak()).toBe(0);
  });

  it('stops a zip whose headers claim 1 KiB for 50 MB of zeros after the bytes it declared', async () => {
    const zip = pythonZip(ws.at('liar.zip'), [{ name: 'small.txt', zeros: 50 * MiB }]);
    patchDeclaredSize(zip, 1024);
    const { outcome, peak } = await unpackWatching(zip, limits);
    const err = await refusal(outcome, 'corrupt');
    expect(err.entry).toBe('small.txt');
    expect(peak()).toBeLessThanOrEqual(1024);
    expect(await listTree(ws.dest)).toEqual([]);
  });

  it('refuses two entries that share their compressed data, the trick of non-recursive zip bombs', async () => {
    const zip = pythonZip(ws.at('twins.zip'), [{ name: 'a.txt', zeros: 512 * 1024 }]);
    addOverlappingTwin(zip);
    expect(run('unzip', ['-Z1', zip]).trim().split('\n')).toEqual(['a.txt', 'b.txt']);
    const { outcome, peak } = await unpackWatching(zip, limits);
    const err = await refusal(outcome, 'corrupt');
    expect(err.entry).toBe('b.txt');
    expect(peak()).toBe(0);
  });

  it('refuses 200 MB of zeros in a .tar.gz by the ratio of the bytes inflated so far', async () => {
    const zeros = path.join(ws.src, 'zeros.bin');
    run('truncate', ['-s', '200M', zeros]);
    const tgz = ws.at('bomb.tgz');
    run('tar', ['-czf', tgz, '-C', ws.src, 'zeros.bin']);
    await fs.rm(zeros);
    // The tar header already declares 200 MB, so lift the size limit to let the ratio speak.
    const { outcome, peak } = await unpackWatching(tgz, { ...limits, maxTotalBytes: 1024 * MiB });
    const err = await refusal(outcome, 'ratio');
    expect(err.entry).toBe('zeros.bin');
    expect(peak()).toBeLessThan(16 * MiB);
    expect(await listTree(ws.dest)).toEqual([]);
  });

  it('refuses a .tar.gz whose files add up to more than the byte limit', async () => {
    const noise = (seed: number) => new Uint8Array(MiB).map((_, i) => (i * seed + (i >> 7)) % 251);
    await writeTree(ws.src, { 'a.bin': noise(7), 'b.bin': noise(13), 'c.bin': noise(17) });
    const tgz = ws.at('big.tgz');
    run('tar', ['-czf', tgz, '-C', ws.src, 'a.bin', 'b.bin', 'c.bin']);
    const { outcome, peak } = await unpackWatching(tgz, { ...limits, maxTotalBytes: 2.5 * MiB });
    const err = await refusal(outcome, 'too-large');
    expect(err.entry).toBe('c.bin');
    expect(peak()).toBeLessThanOrEqual(2.5 * MiB);
    expect(await listTree(ws.dest)).toEqual([]);
  });
});

describe('entry counts', () => {
  it('lists and stages a 10,000-file zip made by Info-ZIP, every digest as sha256sum has it', async () => {
    const names: string[] = [];
    for (let i = 0; i < 10_000; i += 1) names.push(`卷${String(Math.floor(i / 1000)).padStart(2, '0')}/件${String(i).padStart(5, '0')}.txt`);
    for (let d = 0; d < 10; d += 1) await fs.mkdir(path.join(ws.src, `卷${String(d).padStart(2, '0')}`));
    await Promise.all(names.map((n, i) => fs.writeFile(path.join(ws.src, n), `第${i}件\n`)));
    const zip = ws.at('many.zip');
    run('zip', ['-q', '-r', zip, '.'], ws.src);
    const reference = new Map(
      run('sh', ['-c', 'find . -type f -print0 | xargs -0 sha256sum -b'], ws.src)
        .trim()
        .split('\n')
        .map((line) => [line.slice(line.indexOf('*') + 3), line.slice(0, 64)] as const),
    );

    const files = await unpack(zip, ws.dest, { ...limits, maxEntries: 10_010 });

    expect(files).toHaveLength(10_000);
    expect(files.map((f) => f.path).sort()).toEqual([...names].sort());
    // Info-ZIP's own listing, in central directory order, folders left out.
    const listed = run('unzip', ['-Z1', zip]).trim().split('\n').filter((n) => !n.endsWith('/'));
    expect(files.map((f) => f.path)).toEqual(listed);
    for (const f of files) expect(f.sha256).toBe(reference.get(f.path));
    expect((await listTree(ws.dest)).length).toBe(10_010);
  });

  it('refuses a zip with more entries than allowed, counting its folders, before staging any', async () => {
    await writeTree(ws.src, Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`d/${i}.txt`, 'x'])));
    const zip = ws.at('five.zip');
    run('zip', ['-q', '-r', zip, '.'], ws.src);
    const { outcome, peak } = await unpackWatching(zip, { ...limits, maxEntries: 5 });
    const err = await refusal(outcome, 'too-many-entries');
    expect(err.entry).toBeNull();
    expect(peak()).toBe(0);
  });

  it('refuses a tar with more entries than allowed, naming the one over the limit', async () => {
    await writeTree(ws.src, { 'a.txt': 'a', 'b.txt': 'b', 'c.txt': 'c' });
    const tar = ws.at('three.tar');
    run('tar', ['-cf', tar, '-C', ws.src, 'a.txt', 'b.txt', 'c.txt']);
    const err = await refusal(unpack(tar, ws.dest, { ...limits, maxEntries: 2 }), 'too-many-entries');
    expect(err.entry).toBe('c.txt');
    expect(await listTree(ws.dest)).toEqual([]);
  });
});

describe('damaged and interrupted unpacking', () => {
  it('refuses a zip cut in half', async () => {
    await writeTree(ws.src, { 'scan.bin': new Uint8Array(300_000).map((_, i) => (i * 31 + (i >> 9)) % 256), 'b.txt': 'b' });
    const zip = ws.at('cut.zip');
    run('zip', ['-q', '-r', zip, '.'], ws.src);
    await cutInHalf(zip);
    await refusal(unpack(zip, ws.dest, limits), 'truncated');
    expect(await listTree(ws.dest)).toEqual([]);
  });

  it('stops when its signal aborts, removing what it staged', async () => {
    const noise = new Uint8Array(4 * MiB).map((_, i) => (i * 7 + (i >> 11)) % 253);
    await writeTree(ws.src, { 'a.bin': noise, 'b.bin': noise });
    const zip = ws.at('slow.zip');
    run('zip', ['-q', '-0', '-r', zip, '.'], ws.src);
    const controller = new AbortController();
    const pending = unpack(zip, ws.dest, limits, {
      signal: controller.signal,
      onProgress: (n) => {
        if (n > MiB) controller.abort(new Error('hand-over cancelled'));
      },
    });
    await expect(pending).rejects.toThrow('hand-over cancelled');
    expect(await listTree(ws.dest)).toEqual([]);
  });
});
