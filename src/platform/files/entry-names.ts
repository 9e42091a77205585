/**
 * Entry names inside zip and tar packages: decoding the raw bytes, refusing names that
 * would land outside the staging folder, and spotting two entries that would become one
 * file on some filesystem (same name, or the same ignoring case or Unicode normalisation).
 *
 * Chinese packages are mostly made on Windows, whose zip tools write names in the ANSI
 * code page (GBK) without the UTF-8 flag; GB18030 decodes every GBK name and more. Zips
 * made on Linux and macOS carry unmarked UTF-8 instead, told apart in `legacyEncoding`.
 */
import { crc32 } from 'node:zlib';
import type { UnpackReason } from './unpack-error.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });
// GB18030 is a superset of GBK and GB2312; Node's full-ICU builds include it.
const gb18030 = new TextDecoder('gb18030');
const gb18030Strict = new TextDecoder('gb18030', { fatal: true });

/** Zip general purpose flag bit 11: the name and comment are UTF-8 (APPNOTE 4.4.4). */
const ZIP_UTF8_FLAG = 0x800;
/** Info-ZIP Unicode Path extra field: a UTF-8 copy of a name stored in a local code page. */
const UNICODE_PATH_FIELD = 0x7075;

/** How names without an encoding mark are read. */
export type LegacyEncoding = 'utf-8' | 'gb18030';

/** A zip entry name as stored: bytes, flags and extra fields. */
export interface RawZipName {
  raw: Uint8Array;
  flags: number;
  extraFields: readonly { id: number; data: Buffer }[];
}

export type NameDecoding = { ok: true; name: string } | { ok: false; name: string };

function isAscii(bytes: Uint8Array): boolean {
  return bytes.every((b) => b < 0x80);
}

function decodes(decoder: TextDecoder, bytes: Uint8Array): string | null {
  try {
    return decoder.decode(bytes);
  } catch {
    return null;
  }
}

/**
 * Which encoding unmarked, non-ASCII names are in. Windows tools write GBK; Info-ZIP on
 * Linux and macOS write UTF-8, both without the flag. UTF-8 is chosen only when every
 * name is valid UTF-8 and either one holds a character from U+0800 up (every Chinese
 * character takes three UTF-8 bytes) or one is not valid GB18030: about one GBK character
 * in ten is also a two-byte UTF-8 sequence (通知 reads as U+0368 U+05AA), so names
 * that are valid both ways and hold nothing above U+07FF are read as GBK.
 */
export function legacyEncoding(names: Iterable<Uint8Array>): LegacyEncoding {
  let wide = false;
  let notGb = false;
  for (const raw of names) {
    if (isAscii(raw)) continue;
    const text = decodes(utf8, raw);
    if (text === null) return 'gb18030';
    if (/[\u0800-\uffff]/.test(text)) wide = true;
    if (decodes(gb18030Strict, raw) === null) notGb = true;
  }
  return wide || notGb ? 'utf-8' : 'gb18030';
}

function unicodePathName(name: RawZipName): string | null {
  for (const field of name.extraFields) {
    // Layout: version (1 byte, must be 1), CRC-32 of the stored name (4), UTF-8 name.
    if (field.id !== UNICODE_PATH_FIELD || field.data.length < 6 || field.data[0] !== 1) continue;
    if (field.data.readUInt32LE(1) !== crc32(name.raw)) continue;
    const text = decodes(utf8, field.data.subarray(5));
    if (text !== null) return text;
  }
  return null;
}

/** Whether a zip name says its own encoding (flag bit 11 or a matching Unicode Path field). */
export function zipNameIsMarked(name: RawZipName): boolean {
  return (name.flags & ZIP_UTF8_FLAG) !== 0 || unicodePathName(name) !== null;
}

/**
 * Decodes a zip entry name: UTF-8 when flag bit 11 says so, else the UTF-8 copy in an
 * Info-ZIP Unicode Path field whose CRC matches the stored name, else `legacy`
 * (from `legacyEncoding` over the archive's unmarked names). A name flagged UTF-8 that
 * is not valid UTF-8 fails, with a lossy name for the report.
 */
export function decodeZipName(name: RawZipName, legacy: LegacyEncoding): NameDecoding {
  if (name.flags & ZIP_UTF8_FLAG) {
    const text = decodes(utf8, name.raw);
    return text === null ? { ok: false, name: Buffer.from(name.raw).toString('utf8') } : { ok: true, name: text };
  }
  const unicode = unicodePathName(name);
  if (unicode !== null) return { ok: true, name: unicode };
  return { ok: true, name: decodeLegacy(name.raw, legacy) };
}

function decodeLegacy(raw: Uint8Array, legacy: LegacyEncoding): string {
  if (isAscii(raw)) return Buffer.from(raw).toString('latin1');
  return legacy === 'utf-8' ? (decodes(utf8, raw) ?? gb18030.decode(raw)) : gb18030.decode(raw);
}

/**
 * Decodes a tar name read byte for byte (as latin1). Tar has no encoding flag: GNU tar
 * stores the bytes of the creator's locale, so each name is judged alone by
 * `legacyEncoding`. Names from a PAX header are UTF-8 by definition and pass unchanged.
 */
export function decodeTarName(latin1: string, fromPax: boolean): string {
  if (fromPax) return latin1;
  const raw = Buffer.from(latin1, 'latin1');
  return decodeLegacy(raw, legacyEncoding([raw]));
}

export type PathVerdict =
  | { ok: true; path: string }
  | { ok: false; reason: Extract<UnpackReason, 'path-traversal' | 'absolute-path' | 'corrupt'>; detail: string };

/**
 * The relative POSIX path a declared name stands for, NFC-normalised, with `.` and empty
 * segments dropped (`./a//b` is `a/b`); '' for the package root itself.
 * Backslashes count as separators: old Windows zip tools wrote them, and `..\x` must not
 * pass as a harmless file name only to climb out once the package reaches Windows.
 */
export function declaredPath(name: string): PathVerdict {
  if (name.includes('\0')) return { ok: false, reason: 'corrupt', detail: 'the name contains a NUL character' };
  const slashed = name.replace(/\\/g, '/');
  if (slashed.startsWith('/')) return { ok: false, reason: 'absolute-path', detail: 'the name starts at the root (or a network share)' };
  if (/^[A-Za-z]:/.test(slashed)) return { ok: false, reason: 'absolute-path', detail: 'the name starts with a Windows drive letter' };
  const segments = slashed.split('/').filter((s) => s !== '' && s !== '.');
  for (const segment of segments) {
    if (segment === '..') return { ok: false, reason: 'path-traversal', detail: 'the name climbs out of its folder with ..' };
    // Windows drops trailing dots and spaces, so '.. ' and '...' become '..' or nothing there.
    if (/^[. ]+$/.test(segment)) return { ok: false, reason: 'path-traversal', detail: `the segment "${segment}" is only dots and spaces` };
  }
  return { ok: true, path: segments.join('/').normalize('NFC') };
}

export type EntryKind = 'file' | 'directory';

export interface NameClash {
  reason: 'duplicate-name' | 'case-collision';
  /** The name already claimed that this one clashes with. */
  other: string;
}

/** The names claimed so far in one archive, to refuse two entries that would share a file. */
export interface NameRegistry {
  /** Claims `path` (from `declaredPath`) and its parent folders; returns the clash, if any. */
  claim(path: string, kind: EntryKind): NameClash | null;
}

/**
 * Paths are NFC already, so an NFC and an NFD spelling of one name meet as a duplicate;
 * names that differ only in case meet as a case collision (one file on Windows and macOS).
 * A file and a folder of the same name clash too.
 */
export function createNameRegistry(): NameRegistry {
  const claimed = new Map<string, { name: string; kind: EntryKind }>();

  function claimOne(name: string, kind: EntryKind): NameClash | null {
    const key = name.toLowerCase();
    const existing = claimed.get(key);
    if (!existing) {
      claimed.set(key, { name, kind });
      return null;
    }
    // A folder may be named again (explicitly, or as the parent of several files).
    if (existing.name === name && existing.kind === 'directory' && kind === 'directory') return null;
    return { reason: existing.name === name ? 'duplicate-name' : 'case-collision', other: existing.name };
  }

  return {
    claim(path, kind) {
      const segments = path.split('/');
      for (let i = 1; i < segments.length; i += 1) {
        const clash = claimOne(segments.slice(0, i).join('/'), 'directory');
        if (clash) return clash;
      }
      return claimOne(path, kind);
    },
  };
}
