/**
 * Zip packages, read with yauzl (lazy entries, sizes validated, names left as raw bytes).
 *
 * Two passes. The central directory is read first, with nothing inflated: the encoding of
 * unmarked names is settled over all of them, then every name, entry type, encryption
 * flag, declared size and ratio is checked, so most refusals cost no writing at all. Then each entry is inflated into the staging area, where the
 * actual bytes are counted again (a header may lie) and the CRC-32 is checked (yauzl does
 * not, and a stored entry has no other guard against damage).
 */
import type { Readable } from 'node:stream';
import { crc32 } from 'node:zlib';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { createNameRegistry, decodeZipName, declaredPath, legacyEncoding, zipNameIsMarked, type EntryKind, type RawZipName } from './entry-names.js';
import { stagingPath, type ArchiveScope, type StagingArea, type UnpackedFile } from './staging-area.js';
import { UnpackError, type EntryLabel, type UnpackReason } from './unpack-error.js';

const MiB = 1024 * 1024;
// APPNOTE 4.4.4: bit 0 traditional (or AES) encryption, bit 6 strong encryption.
const FLAG_ENCRYPTED = 0x01;
const FLAG_STRONG_ENCRYPTION = 0x40;
/** WinZip AES marks encrypted entries with this method and the real one in an extra field. */
const METHOD_AES = 99;
const METHOD_STORED = 0;
const METHOD_DEFLATED = 8;
// Unix file types in the high half of the external attributes (<sys/stat.h>).
const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;
/** Fixed part of a local file header (APPNOTE 4.3.7). */
const LOCAL_HEADER_BYTES = 30;

interface PlannedEntry {
  entry: Entry;
  name: string;
  path: string;
  kind: EntryKind;
}

function entryKind(entry: Entry, name: string): EntryKind | 'symlink' | 'device' {
  const type = (entry.externalFileAttributes >>> 16) & S_IFMT;
  if (type === S_IFLNK) return 'symlink';
  // Fifos, sockets, character and block devices: nothing a records package should carry.
  if (type !== 0 && type !== S_IFREG && type !== S_IFDIR) return 'device';
  return type === S_IFDIR || /[\\/]$/.test(name) ? 'directory' : 'file';
}

function modifiedOf(entry: Entry): Date | null {
  // An all-zero DOS date means "not recorded" unless an extended timestamp field says more.
  const extended = entry.extraFields.some((f) => f.id === 0x5455 || f.id === 0x000a);
  if (entry.lastModFileDate === 0 && !extended) return null;
  // DOS times carry no zone; yauzl reads them in the server's own, as Windows wrote them.
  const date = entry.getLastModDate();
  return Number.isNaN(date.getTime()) ? null : date;
}

/** Maps what yauzl (or zlib under it) reports about a damaged zip to a refusal. */
function zipRefusal(err: unknown, where: EntryLabel): Error {
  if (err instanceof UnpackError) return err;
  const code = (err as NodeJS.ErrnoException).code;
  // Errors of the machine (disk, permissions), not of the package: pass them on as they are.
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return err as Error;
  const message = err instanceof Error ? err.message : String(err);
  if (/end of central directory record signature not found|unexpected EOF/i.test(message)) {
    return new UnpackError('truncated', where, 'the zip ends before its central directory says it should', { cause: err });
  }
  if (/strong encryption/i.test(message)) return new UnpackError('encrypted', where, 'the zip uses strong encryption', { cause: err });
  // Split (multi-disk) zips and the like.
  if (/not supported/i.test(message)) return new UnpackError('unsupported', where, message, { cause: err });
  return new UnpackError('corrupt', where, message, { cause: err });
}

async function readCentralDirectory(zip: ZipFile, scope: ArchiveScope): Promise<Entry[]> {
  const entries: Entry[] = [];
  try {
    for await (const entry of zip.eachEntry()) entries.push(entry);
  } catch (err) {
    throw zipRefusal(err, { entry: null, fromArchive: scope.fromArchive });
  }
  return entries;
}

function rawName(entry: Entry): RawZipName {
  return { raw: entry.fileNameRaw, flags: entry.generalPurposeBitFlag, extraFields: entry.extraFields };
}

async function planEntries(zip: ZipFile, area: StagingArea, scope: ArchiveScope): Promise<PlannedEntry[]> {
  // The count comes from the end record: a zip declaring too many entries is refused unread.
  area.admitEntries(zip.entryCount, { entry: null, fromArchive: scope.fromArchive });
  const entries = await readCentralDirectory(zip, scope);
  const legacy = legacyEncoding(entries.map(rawName).filter((n) => !zipNameIsMarked(n)).map((n) => n.raw));
  const { maxRatio, maxTotalBytes } = area.limits;
  const registry = createNameRegistry();
  const planned: PlannedEntry[] = [];
  let declaredBytes = area.bytesStaged;
  for (const entry of entries) {
    const decoded = decodeZipName(rawName(entry), legacy);
    const name = decoded.name;
    const refuse = (reason: UnpackReason, detail: string) => new UnpackError(reason, { entry: name, fromArchive: scope.fromArchive }, detail);
    if (!decoded.ok) throw refuse('corrupt', 'the name is flagged as UTF-8 but is not valid UTF-8');
    if (entry.generalPurposeBitFlag & (FLAG_ENCRYPTED | FLAG_STRONG_ENCRYPTION) || entry.compressionMethod === METHOD_AES) {
      throw refuse('encrypted', 'the entry is encrypted');
    }
    const kind = entryKind(entry, name);
    if (kind === 'symlink') throw refuse('symlink', 'symbolic links are not accepted');
    if (kind === 'device') throw refuse('device', 'device, fifo and socket entries are not accepted');
    const verdict = declaredPath(name);
    if (!verdict.ok) throw refuse(verdict.reason, verdict.detail);
    if (verdict.path === '') {
      if (kind === 'directory') continue;
      throw refuse('corrupt', 'a file entry has no name');
    }
    const clash = registry.claim(verdict.path, kind);
    if (clash) throw refuse(clash.reason, `clashes with "${clash.other}"`);
    if (kind === 'file') {
      if (entry.compressionMethod !== METHOD_STORED && entry.compressionMethod !== METHOD_DEFLATED) {
        throw refuse('unsupported', `compression method ${entry.compressionMethod} (only stored and deflated are read)`);
      }
      if (entry.uncompressedSize > MiB && entry.uncompressedSize > maxRatio * entry.compressedSize) {
        throw refuse('ratio', `declares ${entry.uncompressedSize} bytes from ${entry.compressedSize} compressed`);
      }
      declaredBytes += entry.uncompressedSize;
      if (declaredBytes > maxTotalBytes) throw refuse('too-large', `the package declares more than ${maxTotalBytes} bytes`);
    } else if (entry.uncompressedSize > 0) {
      throw refuse('corrupt', 'a folder entry carries data');
    }
    planned.push({ entry, name, path: verdict.path, kind });
  }
  refuseOverlaps(planned, scope);
  return planned;
}

/**
 * Entries whose data overlap are the mark of a non-recursive zip bomb (many headers
 * sharing one highly compressed kernel); no zip tool writes them.
 */
function refuseOverlaps(planned: readonly PlannedEntry[], scope: ArchiveScope): void {
  const spans = planned
    .map((p) => ({ name: p.name, start: p.entry.relativeOffsetOfLocalHeader, end: p.entry.relativeOffsetOfLocalHeader + LOCAL_HEADER_BYTES + p.entry.compressedSize }))
    .sort((a, b) => a.start - b.start);
  for (let i = 1; i < spans.length; i += 1) {
    const before = spans[i - 1];
    const span = spans[i];
    if (before && span && before.end > span.start) {
      throw new UnpackError('corrupt', { entry: span.name, fromArchive: scope.fromArchive }, `its data overlaps the entry "${before.name}" (a zip bomb)`);
    }
  }
}

async function stageEntry(zip: ZipFile, plan: PlannedEntry, area: StagingArea, scope: ArchiveScope): Promise<UnpackedFile> {
  const where: EntryLabel = { entry: plan.name, fromArchive: scope.fromArchive };
  let stream: Readable;
  try {
    stream = await zip.openReadStreamPromise(plan.entry);
  } catch (err) {
    throw zipRefusal(err, where);
  }
  // yauzl's size check can emit a second error after the first has ended the read; the first
  // reaches writeFile through the stream's iterator, a late one must not become an uncaught exception.
  stream.on('error', () => undefined);
  const { maxRatio } = area.limits;
  const compressed = plan.entry.compressedSize;
  let crc = 0;
  const written = await area.writeFile(stagingPath(scope, plan.path), stream, where, {
    inspect(chunk, entryBytes) {
      crc = crc32(chunk, crc);
      if (entryBytes > MiB && entryBytes > maxRatio * compressed) {
        throw new UnpackError('ratio', where, `inflates past ${entryBytes} bytes from ${compressed} compressed`);
      }
    },
    sourceError: (err) => zipRefusal(err, where),
  });
  if (crc !== plan.entry.crc32) throw new UnpackError('corrupt', where, 'the CRC-32 of the inflated data does not match its header');
  return { path: plan.path, ...written, modified: modifiedOf(plan.entry), fromArchive: [...scope.fromArchive] };
}

/** Stages every entry of the zip at `archivePath` into `scope.folder`; returns the files in central directory order. */
export async function unpackZip(archivePath: string, area: StagingArea, scope: ArchiveScope): Promise<UnpackedFile[]> {
  let zip: ZipFile;
  try {
    zip = await yauzl.openPromise(archivePath, {
      lazyEntries: true,
      autoClose: false,
      // Raw name bytes: entry-names decides between UTF-8 and GB18030, and checks the paths.
      decodeStrings: false,
      validateEntrySizes: true,
      strictFileNames: false,
    });
  } catch (err) {
    throw zipRefusal(err, { entry: null, fromArchive: scope.fromArchive });
  }
  try {
    const planned = await planEntries(zip, area, scope);
    const files: UnpackedFile[] = [];
    for (const plan of planned) {
      area.throwIfAborted();
      if (plan.kind === 'directory') await area.makeDirectory(stagingPath(scope, plan.path));
      else files.push(await stageEntry(zip, plan, area, scope));
    }
    return files;
  } finally {
    zip.close();
  }
}
