/**
 * What `lantai transfer submit` sends: always one package file, which the server
 * unpacks and reads (intake.ts) — so a package's catalog, bag manifests and names
 * are understood in one place only, the server.
 *
 * A zip, tar or .tar.gz (a BagIt bag included) is sent as it is. A folder is sent
 * as a zip made on the fly: entries sorted by name, stored (not deflated: PDF, OFD,
 * JPEG and TIFF are compressed already), each with its own modification time and a
 * fixed mode, so the same folder always gives the same bytes. That is what makes a
 * folder's upload resumable without a temporary copy: the zip is made once to hash
 * it (the SHA-256 the upload declares) and again to send it, from the byte the
 * server already has.
 */
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { PassThrough, Readable, Transform } from 'node:stream';
import yazl from 'yazl';
import { sniffArchive, type ArchiveFormat } from '../../platform/files/archive-format.js';
import { transferCliErrors } from './cli-errors.js';

/** A package to send: its upload name and a way to read its bytes from any offset. */
export interface PackageSource {
  /** The name the upload carries, e.g. `2024年文书档案.zip`. */
  name: string;
  kind: 'folder' | ArchiveFormat;
  /** About how many bytes it has (a folder's zip adds its headers), for the progress bar. */
  estimatedSize: number;
  /** For a folder: the files it holds (sorted, relative, NFC). */
  entries: readonly FolderEntry[];
  /** The package's bytes from `offset` to its end; `onFile` follows a folder's files as they are read. */
  read(offset: number, onFile?: (entry: FolderEntry, done: number) => void): AsyncIterable<Buffer>;
}

export interface FolderEntry {
  /** Posix path inside the package, NFC. */
  path: string;
  absolute: string;
  size: number;
  mtime: Date;
}

/** Left out of a folder: what file managers and office programs leave behind, never records. */
const JUNK = /^(\.DS_Store|Thumbs\.db|desktop\.ini|~\$.*|\._.*)$/i;

const refuse = (source: string, zh: string, en: string) => transferCliErrors.TRANSFER_CLI_SOURCE({ path: source, reason: zh, reasonEn: en });

async function listFolder(root: string): Promise<FolderEntry[]> {
  const found: FolderEntry[] = [];
  async function walk(dir: string, prefix: string): Promise<void> {
    const names = (await fs.readdir(dir, { withFileTypes: true })).filter((d) => !JUNK.test(d.name) && d.name !== '__MACOSX');
    names.sort((a, b) => (a.name.normalize('NFC') < b.name.normalize('NFC') ? -1 : 1));
    for (const d of names) {
      const relative = prefix + d.name.normalize('NFC');
      const absolute = path.join(dir, d.name);
      if (d.isDirectory()) await walk(absolute, `${relative}/`);
      else if (d.isFile()) {
        const stat = await fs.stat(absolute);
        found.push({ path: relative, absolute, size: stat.size, mtime: stat.mtime });
      } else throw refuse(root, `文件夹中的“${relative}”不是普通文件（符号链接、设备等）；移交包只能含文件`, `"${relative}" in the folder is not a regular file (a link, a device…); a hand-over carries files only`);
    }
  }
  await walk(root, '');
  return found;
}

/**
 * A folder the server can read as a hand-over: a catalog spreadsheet at its top, or a
 * BagIt declaration (at its top or in its one subfolder). The server decides what the
 * files mean; this only saves uploading a package it would find no items in.
 */
function assertReadable(source: string, entries: readonly FolderEntry[]): void {
  const top = entries.filter((e) => !e.path.includes('/')).map((e) => e.path);
  const catalog = top.some((p) => /\.(xlsx|csv)$/i.test(p) && /目录|catalog/i.test(p));
  const bag = entries.some((e) => /^([^/]+\/)?bagit\.txt$/.test(e.path));
  if (entries.length === 0) throw refuse(source, '文件夹是空的', 'the folder is empty');
  if (!catalog && !bag) {
    throw refuse(
      source,
      '文件夹顶层没有归档文件目录（文件名含“目录”的 xlsx 或 csv，用“文件名”列列出每件的文件），也不是 BagIt 包（bagit.txt）',
      'the folder has no catalog spreadsheet at its top (an xlsx or csv named for the catalog, with a file-name column naming each item\'s files) and is not a BagIt bag (bagit.txt)',
    );
  }
}

/** The folder as a zip stream, identical on every call for unchanged files. */
function zipOf(root: string, entries: readonly FolderEntry[], onFile?: (entry: FolderEntry, done: number) => void): Readable {
  const zip = new yazl.ZipFile();
  const out = new PassThrough();
  let current: Readable | null = null;
  for (const entry of entries) {
    zip.addReadStreamLazy(entry.path, { size: entry.size, mtime: entry.mtime, mode: 0o100644, compress: false }, (cb) => {
      let done = 0;
      const counter = new Transform({
        transform(chunk: Buffer, _encoding, next) {
          done += chunk.length;
          onFile?.(entry, done);
          next(null, chunk);
        },
      });
      current = createReadStream(entry.absolute);
      current.on('error', (err) => counter.destroy(err));
      onFile?.(entry, 0);
      cb(null, current.pipe(counter));
    });
  }
  zip.on('error', (err: Error) =>
    out.destroy(refuse(root, `读取文件夹时出错（文件在移交过程中被改动或删除？）：${err.message}`, `reading the folder failed (was a file changed or removed during the hand-over?): ${err.message}`)),
  );
  zip.outputStream.pipe(out);
  // A reader that stops early (an abort, a failed chunk) must not leave a file open.
  out.on('close', () => current?.destroy());
  zip.end();
  return out;
}

/** Skips the first `offset` bytes of `stream`. */
async function* from(stream: Readable, offset: number): AsyncGenerator<Buffer> {
  let skipped = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      if (skipped >= offset) yield chunk;
      else if (skipped + chunk.length > offset) yield chunk.subarray(offset - skipped);
      skipped += chunk.length;
    }
  } finally {
    stream.destroy();
  }
}

/** Opens what the command was given: a folder, or a zip / tar / .tar.gz file (a BagIt bag in one included). */
export async function openPackageSource(source: string): Promise<PackageSource> {
  const absolute = path.resolve(source);
  const stat = await fs.stat(absolute).catch(() => null);
  if (!stat) throw refuse(source, '找不到该文件或文件夹', 'no such file or folder');
  if (stat.isDirectory()) {
    const entries = await listFolder(absolute);
    assertReadable(source, entries);
    const estimatedSize = entries.reduce((n, e) => n + e.size, 0);
    return { name: `${path.basename(absolute).normalize('NFC')}.zip`, kind: 'folder', estimatedSize, entries, read: (offset, onFile) => from(zipOf(source, entries, onFile), offset) };
  }
  if (/\.xml$/i.test(absolute)) {
    throw refuse(
      source,
      '服务器尚不能展开单独的 EEP 封装包（DA/T 48）。请把 EEP 文件和归档文件目录一起放进文件夹或压缩包再移交',
      'the server cannot unpack a bare EEP package (DA/T 48) yet; put the EEP file with a catalog spreadsheet in a folder or an archive and hand that over',
    );
  }
  const format = stat.isFile() ? await sniffArchive(absolute) : null;
  if (!format) throw refuse(source, '不是文件夹，也不是 zip、tar 或 tar.gz 压缩包', 'neither a folder nor a zip, tar or tar.gz archive');
  return { name: path.basename(absolute).normalize('NFC'), kind: format, estimatedSize: stat.size, entries: [], read: (offset) => from(createReadStream(absolute, { start: offset }), 0) };
}
