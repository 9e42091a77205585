/**
 * Which kind of package a file is, from its first bytes (never from its name alone), and
 * which entries inside a package count as nested packages to expand.
 */
import fs from 'node:fs/promises';

export type ArchiveFormat = 'zip' | 'tar' | 'tar.gz';

const SNIFF_BYTES = 512;

function startsWith(head: Uint8Array, bytes: readonly number[], at = 0): boolean {
  return bytes.every((b, i) => head[at + i] === b);
}

/** The format of the file at `file` by its magic bytes, or null when it is none we read. */
export async function sniffArchive(file: string): Promise<ArchiveFormat | null> {
  const handle = await fs.open(file, 'r');
  try {
    const head = new Uint8Array(SNIFF_BYTES);
    const { bytesRead } = await handle.read(head, 0, SNIFF_BYTES, 0);
    const bytes = head.subarray(0, bytesRead);
    // Local file header, or the end record of an empty zip (APPNOTE 4.3.7, 4.3.16).
    if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04]) || startsWith(bytes, [0x50, 0x4b, 0x05, 0x06])) return 'zip';
    if (startsWith(bytes, [0x1f, 0x8b])) return 'tar.gz';
    // POSIX ustar and GNU tar both put "ustar" at offset 257; tar-stream reads no older format.
    if (startsWith(bytes, [0x75, 0x73, 0x74, 0x61, 0x72], 257)) return 'tar';
    return null;
  } finally {
    await handle.close();
  }
}

/**
 * The format a nested entry's name promises, or null. Only these names are expanded:
 * DOCX, XLSX and OFD files are zips too, and must stay whole.
 */
export function nestedArchiveFormat(name: string): ArchiveFormat | null {
  const lower = name.toLowerCase();
  if (lower.endsWith('.zip')) return 'zip';
  if (lower.endsWith('.tar')) return 'tar';
  if (lower.endsWith('.tar.gz') || lower.endsWith('.tgz')) return 'tar.gz';
  return null;
}
