/** Makes a directory's entries (a rename, a new file) durable: fsync of the directory itself. */
import fs from 'node:fs/promises';

export async function fsyncDir(dir: string): Promise<void> {
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
