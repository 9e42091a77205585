/**
 * The one temporary folder of an extraction (page images for OCR, a decoded JPEG 2000),
 * made under the caller's tmpDir only when a format needs it, and removed with everything
 * in it when the extraction ends, however it ends.
 */
import fs from 'node:fs/promises';
import path from 'node:path';

export interface ScratchDir {
  /** The folder's path; the folder is made on the first call. */
  path(): Promise<string>;
  /** Removes the folder if it was made. Safe to call more than once. */
  remove(): Promise<void>;
}

export function createScratchDir(parent: string): ScratchDir {
  let made: Promise<string> | null = null;
  return {
    path() {
      made ??= fs.mkdtemp(path.join(parent, 'lantai-extract-'));
      return made;
    },
    async remove() {
      if (!made) return;
      const dir = await made.catch(() => null);
      if (dir) await fs.rm(dir, { recursive: true, force: true });
    },
  };
}
