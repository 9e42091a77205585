/**
 * Real packages for the unpack tests, made in a temporary folder by the tools that make
 * them in the field: Info-ZIP `zip`, GNU `tar` and gzip, and Python's zipfile and tarfile
 * for names no friendly tool writes (`../evil.txt`, GBK bytes without the UTF-8 flag).
 * Reference digests come from `sha256sum` and `openssl dgst -sm3`.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { UnpackError, type UnpackReason } from '../unpack-error.js';

export interface Workspace {
  /** Folder for original files and packages. */
  src: string;
  /** Destination folder for unpack; not created beforehand. */
  dest: string;
  /** A path in the workspace, outside src and dest. */
  at(name: string): string;
  cleanup(): Promise<void>;
}

export async function createWorkspace(): Promise<Workspace> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'lantai-unpack-'));
  const src = path.join(root, 'src');
  await fs.mkdir(src);
  return {
    src,
    dest: path.join(root, 'dest'),
    at: (name) => path.join(root, name),
    cleanup: () => fs.rm(root, { recursive: true, force: true }),
  };
}

/** Runs a tool and returns its standard output; a failure fails the test with its stderr. */
export function run(command: string, args: readonly string[], cwd?: string): string {
  return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
}

/** Writes files (text as UTF-8) under `dir`, creating folders. */
export async function writeTree(dir: string, files: Record<string, string | Uint8Array>): Promise<void> {
  for (const [name, content] of Object.entries(files)) {
    const target = path.join(dir, name);
    await fs.mkdir(path.dirname(target), { recursive: true });
    await fs.writeFile(target, content);
  }
}

/** Every file and folder under `dir`, relative and sorted; [] when `dir` does not exist. */
export async function listTree(dir: string): Promise<string[]> {
  try {
    const entries = await fs.readdir(dir, { withFileTypes: true, recursive: true });
    return entries.map((e) => path.relative(dir, path.join(e.parentPath, e.name))).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

/** SHA-256 by coreutils and SM3 by OpenSSL, for a file on disk. */
export function referenceDigests(file: string): { sha256: string; sm3: string } {
  const sha256 = run('sha256sum', ['-b', file]).split(' ')[0] ?? '';
  const sm3 = run('openssl', ['dgst', '-sm3', '-r', file]).split(' ')[0] ?? '';
  return { sha256, sm3 };
}

/** Awaits a rejected unpack and returns its UnpackError, failing on anything else. */
export async function refusal(pending: Promise<unknown>, reason: UnpackReason): Promise<UnpackError> {
  const err = await pending.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UnpackError);
  if (!(err instanceof UnpackError)) throw new Error('unreachable');
  expect(err.reason).toBe(reason);
  return err;
}

/** One entry of a zip written by Python's zipfile (see `pythonZip`). */
export interface PyZipEntry {
  name: string;
  /** Write the name's bytes in this encoding without the UTF-8 flag, as Windows tools do. */
  encoding?: 'gbk';
  text?: string;
  /** Uncompressed bytes of zeros, streamed (never built in memory). */
  zeros?: number;
  store?: boolean;
  /** Unix st_mode for the external attributes (e.g. a fifo). */
  mode?: number;
}

const PY_ZIP = `
import json, sys, zipfile
out, spec = sys.argv[1], json.loads(sys.argv[2])
class RawName(zipfile.ZipInfo):
    # zipfile writes non-ASCII names as flagged UTF-8; Windows tools write the code page.
    def _encodeFilenameFlags(self):
        return self.filename.encode(self.name_encoding), self.flag_bits
with zipfile.ZipFile(out, 'w') as z:
    for e in spec:
        zi = RawName(e['name']) if e.get('encoding') else zipfile.ZipInfo(e['name'])
        if e.get('encoding'): zi.name_encoding = e['encoding']
        zi.date_time = (2023, 5, 17, 9, 30, 0)
        zi.compress_type = zipfile.ZIP_STORED if e.get('store') else zipfile.ZIP_DEFLATED
        if 'mode' in e: zi.external_attr = e['mode'] << 16
        with z.open(zi, 'w', force_zip64=e.get('zeros', 0) > 2**31) as w:
            left = e.get('zeros', 0)
            block = bytes(1 << 20)
            while left > 0:
                w.write(block[:min(left, len(block))])
                left -= len(block)
            w.write(e.get('text', '').encode('utf-8'))
`;

/** Writes a zip with Python's zipfile, entry by entry as given (duplicates and hostile names included). */
export function pythonZip(out: string, entries: readonly PyZipEntry[]): string {
  execFileSync('python3', ['-W', 'ignore', '-c', PY_ZIP, out, JSON.stringify(entries)]);
  return out;
}

const PY_PATCH_SIZES = `
import struct, sys
path, size = sys.argv[1], int(sys.argv[2])
data = bytearray(open(path, 'rb').read())
# One entry: its local header at 0 (size at +22), its central header last (size at +24).
struct.pack_into('<I', data, 22, size)
struct.pack_into('<I', data, data.rfind(b'PK\\x01\\x02') + 24, size)
open(path, 'wb').write(data)
`;

/** Makes a one-entry zip lie: both headers claim `size` uncompressed bytes. */
export function patchDeclaredSize(zip: string, size: number): void {
  execFileSync('python3', ['-c', PY_PATCH_SIZES, zip, String(size)]);
}

const PY_OVERLAP = `
import struct, sys
path = sys.argv[1]
data = open(path, 'rb').read()
eocd = data.rfind(b'PK\\x05\\x06')
count = struct.unpack_from('<H', data, eocd + 10)[0]
size, offset = struct.unpack_from('<II', data, eocd + 12)
record = data[offset:offset + size]
# A second central record for the same local entry under another name of the same length.
twin = record.replace(b'a.txt', b'b.txt')
end = bytearray(data[eocd:])
struct.pack_into('<HHI', end, 8, count + 1, count + 1, size * 2)
open(path, 'wb').write(data[:offset + size] + twin + bytes(end))
`;

/** Turns a zip holding one entry, a.txt, into one whose b.txt shares a.txt's data (a non-recursive zip bomb's trick). */
export function addOverlappingTwin(zip: string): void {
  execFileSync('python3', ['-c', PY_OVERLAP, zip]);
}

const PY_TAR = `
import io, json, sys, tarfile
out, encoding, spec = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
with tarfile.open(out, 'w', format=tarfile.GNU_FORMAT, encoding=encoding) as t:
    for e in spec:
        data = e['text'].encode('utf-8')
        info = tarfile.TarInfo(e['name'])
        info.size = len(data)
        info.mtime = 1684287000
        t.addfile(info, io.BytesIO(data))
`;

/** Writes a GNU-format tar with Python's tarfile, names in `encoding`, entries as given. */
export function pythonTar(out: string, entries: readonly { name: string; text: string }[], encoding: 'utf-8' | 'gbk' = 'utf-8'): string {
  execFileSync('python3', ['-c', PY_TAR, out, encoding, JSON.stringify(entries)]);
  return out;
}

/** Keeps the first half of a file, as an interrupted upload would. */
export async function cutInHalf(file: string): Promise<void> {
  const { size } = await fs.stat(file);
  await fs.truncate(file, Math.floor(size / 2));
}
