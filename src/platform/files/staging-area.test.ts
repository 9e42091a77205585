import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closeDigestWorkers } from '../storage/digest.js';
import { createStagingArea, type UnpackLimits } from './staging-area.js';
import { createWorkspace, listTree, referenceDigests, refusal, type Workspace } from './test-support/packages.js';

afterAll(closeDigestWorkers);

const limits: UnpackLimits = { maxEntries: 10, maxTotalBytes: 1000, maxRatio: 100, maxDepth: 1 };
const top = { entry: 'x.bin', fromArchive: [] };
const checks = { sourceError: (err: unknown) => (err instanceof Error ? err : new Error(String(err))) };

let ws: Workspace;
beforeEach(async () => {
  ws = await createWorkspace();
});
afterEach(() => ws.cleanup());

async function* chunks(count: number, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < count; i += 1) yield new Uint8Array(size).fill(i + 1);
}

describe('staging area', () => {
  it('writes and hashes a file as SHA-256 and SM3 tools do', async () => {
    const area = await createStagingArea(ws.dest, limits);
    const written = await area.writeFile('a/b/x.bin', chunks(3, 300), top, checks);
    await area.finish();
    expect(written.size).toBe(900);
    expect(written.stagedPath).toBe(path.join(ws.dest, 'a/b/x.bin'));
    expect({ sha256: written.sha256, sm3: written.sm3 }).toEqual(referenceDigests(written.stagedPath));
  });

  it('counts the bytes actually written, whatever a header declared, and stops at the limit', async () => {
    const area = await createStagingArea(ws.dest, limits);
    const err = await refusal(area.writeFile('x.bin', chunks(3, 600), top, checks), 'too-large');
    expect(err.entry).toBe('x.bin');
    expect((await fs.stat(path.join(ws.dest, 'x.bin'))).size).toBeLessThanOrEqual(limits.maxTotalBytes);
    await area.discard();
    await expect(fs.access(ws.dest)).rejects.toThrow();
  });

  it('refuses to write through a link already sitting at the file name', async () => {
    const outside = ws.at('outside.txt');
    await fs.writeFile(outside, 'untouched');
    await fs.mkdir(ws.dest);
    await fs.symlink(outside, path.join(ws.dest, 'x.bin'));
    const area = await createStagingArea(ws.dest, limits);
    await expect(area.writeFile('x.bin', chunks(1, 10), top, checks)).rejects.toMatchObject({ code: 'EEXIST' });
    expect(await fs.readFile(outside, 'utf8')).toBe('untouched');
  });

  it('counts entries across calls and refuses the one over the limit', async () => {
    const area = await createStagingArea(ws.dest, limits);
    area.admitEntries(10, { entry: null, fromArchive: [] });
    const err = await refusal(Promise.resolve().then(() => area.admitEntries(1, top)), 'too-many-entries');
    expect(err.entry).toBe('x.bin');
  });

  it('finds a fresh folder to expand a nested archive into when the package already uses the natural name', async () => {
    const area = await createStagingArea(ws.dest, limits);
    await area.makeDirectory('inner.zip.d');
    expect(await area.makeExpansionFolder('inner.zip')).toBe('inner.zip.d-2');
  });

  it('discards what it created and nothing that was there before', async () => {
    await fs.mkdir(path.join(ws.dest, 'old'), { recursive: true });
    await fs.writeFile(path.join(ws.dest, 'old/keep.txt'), 'keep');
    const area = await createStagingArea(ws.dest, limits);
    await area.writeFile('old/new.bin', chunks(1, 10), top, checks);
    await area.writeFile('fresh/deeper/new.bin', chunks(1, 10), top, checks);
    await area.discard();
    expect(await listTree(ws.dest)).toEqual(['old', 'old/keep.txt']);
  });
});
