/**
 * ISO images of offline volumes through Debian's xorriso (libisoburn), the tool that
 * also burns them: made with `xorriso -as mkisofs` — Rock Ridge (full Unicode names,
 * read by Linux and macOS) and Joliet with long names (Windows), names taken as UTF-8
 * whatever the locale, ISO level 3 so files of 4 GiB and more fit, no 300 KiB tail
 * padding (a CD-ROM read-ahead workaround a Blu-ray does not need) — and read back by
 * extracting the whole tree with xorriso's osirrox, which needs no mount and no root.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { mediaErrors } from './media-errors.js';

interface Run {
  code: number | null;
  output: string;
}

function xorriso(args: readonly string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn('xorriso', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    // Keep the tail only: xorriso reports progress every second on a long image.
    const keep = (d: Buffer) => (output = (output + d.toString()).slice(-8000));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', (err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? reject(mediaErrors.MEDIA_XORRISO_MISSING()) : reject(err)));
    child.on('close', (code) => resolve({ code, output }));
  });
}

const lastLines = (output: string) => output.trim().split('\n').slice(-3).join(' | ').slice(0, 600);

/** Throws MEDIA_XORRISO_MISSING unless xorriso can be run here. */
export async function requireXorriso(): Promise<void> {
  await xorriso(['-version']);
}

/** Makes `iso` (which must not exist) from the volume folder; `label` becomes the volume id. */
export async function makeIso(folder: string, iso: string, label: string): Promise<void> {
  const run = await xorriso(['-as', 'mkisofs', '-input-charset', 'UTF-8', '-iso-level', '3', '-r', '-J', '-joliet-long', '-V', label, '-no-pad', '-o', iso, folder]);
  if (run.code !== 0) {
    await fs.rm(iso, { force: true });
    throw mediaErrors.MEDIA_XORRISO_FAILED({ file: iso, reason: lastLines(run.output) });
  }
}

/** Extracts every file of the image into `into` (a new folder). */
export async function extractIso(iso: string, into: string): Promise<void> {
  const run = await xorriso(['-osirrox', 'on', '-indev', iso, '-extract', '/', into]);
  if (run.code !== 0) throw mediaErrors.MEDIA_XORRISO_FAILED({ file: iso, reason: lastLines(run.output) });
}

/** SHA-256 and size of an image; with `sync`, fsync'd first (an image just made is on disk once this returns). */
export async function imageSha256(file: string, options: { sync?: boolean } = {}): Promise<{ sha256: string; size: number }> {
  const handle = await fs.open(file, 'r');
  try {
    if (options.sync) await handle.sync();
    const hash = createHash('sha256');
    let size = 0;
    for await (const chunk of handle.createReadStream({ autoClose: false, highWaterMark: 1 << 22 })) {
      hash.update(chunk as Buffer);
      size += (chunk as Buffer).length;
    }
    return { sha256: hash.digest('hex'), size };
  } finally {
    await handle.close();
  }
}

/** Removes a tree extracted from an image, whose folders Rock Ridge (-r) made read-only. */
export async function removeExtracted(dir: string): Promise<void> {
  const open = async (folder: string): Promise<void> => {
    await fs.chmod(folder, 0o700).catch(() => undefined);
    for (const entry of await fs.readdir(folder, { withFileTypes: true }).catch(() => [])) if (entry.isDirectory()) await open(path.join(folder, entry.name));
  };
  await open(dir);
  await fs.rm(dir, { recursive: true, force: true });
}
