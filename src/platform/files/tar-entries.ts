/**
 * Tar and gzip-compressed tar packages, read with tar-stream over Node's zlib.
 *
 * tar-stream parses one entry at a time with backpressure, hands out the raw header
 * (typeflag, link name, PAX records) without touching the filesystem, and reports a
 * stream that ends mid-entry. A tar has no central directory, so every check happens as
 * the entries stream past: sizes are counted from the bytes themselves, and for a .tar.gz
 * the ratio of an entry is its bytes over the compressed bytes consumed while it streamed.
 */
import { createReadStream } from 'node:fs';
import { pipeline, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import tarStream, { type Extract, type Header } from 'tar-stream';
import { createNameRegistry, decodeTarName, declaredPath } from './entry-names.js';
import { stagingPath, type ArchiveScope, type StagingArea, type UnpackedFile } from './staging-area.js';
import { UnpackError, type EntryLabel } from './unpack-error.js';

const MiB = 1024 * 1024;
/** A tar ends with two zero blocks (POSIX ustar); fewer means the file was cut short. */
const END_OF_ARCHIVE_BYTES = 1024;
/**
 * Compressed bytes read ahead of the inflater (one file read, one zlib chunk): added to an
 * entry's compressed count so that a small, legitimately dense entry read from buffers
 * filled before it started is not mistaken for a bomb.
 */
const READ_AHEAD_BYTES = 64 * 1024 + 16 * 1024;

function hasPaxPath(header: Header): boolean {
  const pax = header.pax;
  return typeof pax === 'object' && pax !== null && 'path' in pax;
}

/** Counts the zero bytes at the end of the stream so far. */
function trailingZeros(chunk: Uint8Array, before: number): number {
  for (let i = chunk.byteLength - 1; i >= 0; i -= 1) {
    if (chunk[i] !== 0) return chunk.byteLength - 1 - i;
  }
  return before + chunk.byteLength;
}

/** Maps what tar-stream or zlib report about a damaged package to a refusal. */
function tarRefusal(err: unknown, where: EntryLabel, seenEntry: boolean): Error {
  if (err instanceof UnpackError) return err;
  const code = (err as NodeJS.ErrnoException).code;
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return err as Error;
  const message = err instanceof Error ? err.message : String(err);
  if (/Unexpected end of data|unexpected end of file/i.test(message)) {
    return new UnpackError('truncated', where, 'the package ends in the middle of an entry', { cause: err });
  }
  // A first header that does not parse: this was never a tar (e.g. a .gz of something else).
  if (!seenEntry && /Invalid tar header|incorrect header check/.test(message)) {
    return new UnpackError('not-an-archive', where, message, { cause: err });
  }
  return new UnpackError('corrupt', where, message, { cause: err });
}

/** The chunks of a tar-stream entry, which its types declare as `unknown`. */
async function* bytesOf(entry: AsyncIterable<unknown>): AsyncGenerator<Uint8Array> {
  for await (const chunk of entry) {
    if (!(chunk instanceof Uint8Array)) throw new Error('tar-stream yielded something other than bytes');
    yield chunk;
  }
}

/** Resolves when `extract` can take more bytes, or is gone. */
function drained(extract: Extract): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      extract.off('drain', done);
      extract.off('close', done);
      resolve();
    };
    extract.on('drain', done);
    extract.on('close', done);
  });
}

/** Stages every entry of the tar (gzip-compressed when `gzip`) at `archivePath` into `scope.folder`. */
export async function unpackTar(archivePath: string, gzip: boolean, area: StagingArea, scope: ArchiveScope): Promise<UnpackedFile[]> {
  const file = createReadStream(archivePath);
  const gunzip = gzip ? createGunzip() : null;
  const inflated: Readable = gunzip ? pipeline(file, gunzip, () => undefined) : file;
  // Names are read as latin1, byte for byte, and decoded by entry-names. The option is
  // documented in tar-stream's README but missing from its type declarations.
  const extractOptions: Parameters<typeof tarStream.extract>[0] & { filenameEncoding: 'latin1' } = { filenameEncoding: 'latin1' };
  const extract = tarStream.extract(extractOptions);
  let zeros = 0;
  let fed = 0;
  const compressedRead = () => (gunzip ? gunzip.bytesWritten : fed);

  const feeding = (async () => {
    for await (const chunk of inflated as AsyncIterable<Buffer>) {
      if (extract.destroying) return;
      fed += chunk.byteLength;
      zeros = trailingZeros(chunk, zeros);
      if (!extract.write(chunk)) await drained(extract);
    }
    extract.end(null);
  })().catch((err: unknown) => {
    extract.destroy(err instanceof Error ? err : new Error(String(err)));
  });

  const { maxRatio } = area.limits;
  const registry = createNameRegistry();
  const files: UnpackedFile[] = [];
  let where: EntryLabel = { entry: null, fromArchive: scope.fromArchive };
  let seenEntry = false;
  try {
    for await (const entry of extract) {
      seenEntry = true;
      area.throwIfAborted();
      const header = entry.header;
      const name = decodeTarName(header.name, hasPaxPath(header));
      const at: EntryLabel = { entry: name, fromArchive: scope.fromArchive };
      where = at;
      area.admitEntries(1, at);
      const type = header.type;
      if (type === 'symlink') throw new UnpackError('symlink', at, `a symbolic link to "${header.linkname}"`);
      if (type === 'link') throw new UnpackError('hardlink', at, `a hard link to "${header.linkname}"`);
      if (type === 'fifo' || type === 'character-device' || type === 'block-device') {
        throw new UnpackError('device', at, `a ${type} entry`);
      }
      // null: a typeflag tar-stream does not know (GNU sparse, volume label, multi-volume).
      if (type !== 'file' && type !== 'contiguous-file' && type !== 'directory') {
        throw new UnpackError('unsupported', at, 'an entry type other than file or folder');
      }
      const kind = type === 'directory' ? 'directory' : 'file';
      const verdict = declaredPath(name);
      if (!verdict.ok) throw new UnpackError(verdict.reason, at, verdict.detail);
      if (verdict.path === '') {
        if (kind === 'directory') continue;
        throw new UnpackError('corrupt', at, 'a file entry has no name');
      }
      const clash = registry.claim(verdict.path, kind);
      if (clash) throw new UnpackError(clash.reason, at, `clashes with "${clash.other}"`);
      const relative = stagingPath(scope, verdict.path);
      if (kind === 'directory') {
        await area.makeDirectory(relative);
        continue;
      }
      if (area.bytesStaged + header.size > area.limits.maxTotalBytes) {
        throw new UnpackError('too-large', at, `more than ${area.limits.maxTotalBytes} bytes unpacked`);
      }
      const compressedAtStart = compressedRead();
      const written = await area.writeFile(relative, bytesOf(entry), at, {
        inspect(_chunk, entryBytes) {
          if (!gunzip || entryBytes <= MiB) return;
          const compressed = compressedRead() - compressedAtStart + READ_AHEAD_BYTES;
          if (entryBytes > maxRatio * compressed) {
            throw new UnpackError('ratio', at, `inflates past ${entryBytes} bytes from about ${compressed} compressed`);
          }
        },
        sourceError: (err) => tarRefusal(err, at, true),
      });
      files.push({ path: verdict.path, ...written, modified: header.mtime, fromArchive: [...scope.fromArchive] });
    }
    await feeding;
    if (zeros < END_OF_ARCHIVE_BYTES) {
      throw new UnpackError('truncated', { entry: null, fromArchive: scope.fromArchive }, 'the package ends without its end-of-archive blocks');
    }
    return files;
  } catch (err) {
    throw tarRefusal(err, where, seenEntry);
  } finally {
    extract.destroy();
    file.destroy();
    gunzip?.destroy();
    await feeding;
  }
}
