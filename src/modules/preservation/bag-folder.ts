/**
 * A bag written as a folder on this machine (`lantai export bag`): every file
 * created new (never over an existing one), written, fsync'd and closed before the
 * next is opened, and the folders fsync'd at the end, so a bag the command reports
 * done survives a power cut. The folder must be new or empty; a bag that fails on
 * the way takes back what it wrote. Digests are verified on the way in by the
 * writer (bag.ts), against the ones kept at accession.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { BagSink } from './bag.js';
import { preservationErrors } from './errors.js';

/** Makes `dir` (and its parents) unless it exists; refuses one that is not an empty folder. */
export async function emptyOutFolder(dir: string): Promise<string> {
  const out = path.resolve(dir);
  await fs.mkdir(out, { recursive: true }).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'EEXIST') throw err;
  });
  const isEmptyFolder = await fs.readdir(out).then((names) => names.length === 0, () => false);
  if (!isEmptyFolder) throw preservationErrors.PRESERVATION_BAG_OUT_NOT_EMPTY({ dir: out });
  return out;
}

async function syncPath(p: string): Promise<void> {
  const handle = await fs.open(p, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** A sink writing the bag's entries into `dir`, which `emptyOutFolder` has checked. */
export function folderBag(dir: string): BagSink {
  const folders = new Set<string>([dir]);
  const top = new Set<string>();
  const at = async (name: string): Promise<string> => {
    const file = path.resolve(dir, name);
    // The writer names entries safely; this keeps a bug there from writing outside the bag.
    if (path.relative(dir, file).startsWith('..') || path.isAbsolute(path.relative(dir, file))) throw new Error(`bag entry outside the bag: ${name}`);
    top.add(name.split('/')[0] as string);
    for (let parent = path.dirname(file); parent !== dir && !folders.has(parent); parent = path.dirname(parent)) folders.add(parent);
    await fs.mkdir(path.dirname(file), { recursive: true });
    return file;
  };
  const write = async (file: string, bytes: Buffer | AsyncIterable<Buffer>) => {
    const handle = await fs.open(file, 'wx');
    try {
      for await (const chunk of Buffer.isBuffer(bytes) ? [bytes] : bytes) {
        for (let offset = 0; offset < chunk.length; ) offset += (await handle.write(chunk, offset)).bytesWritten;
      }
      await handle.sync();
    } finally {
      await handle.close();
    }
  };
  return {
    tag: async (name, bytes) => write(await at(name), bytes),
    payload: async (name, _size, bytes) => write(await at(name), bytes),
    directory: async (name) => {
      await fs.mkdir(path.join(dir, name), { recursive: true });
      folders.add(path.join(dir, name));
      top.add(name);
    },
    async end() {
      // Deepest first, so each folder's entry is durable in its parent.
      for (const folder of [...folders].sort((a, b) => b.length - a.length)) await syncPath(folder);
    },
    async abort() {
      for (const name of top) await fs.rm(path.join(dir, name), { recursive: true, force: true });
    },
  };
}
