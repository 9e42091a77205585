/**
 * The zip containers of DOCX, XLSX (ECMA-376 Open Packaging Conventions) and OFD
 * (GB/T 33190), read with yauzl for the few parts text extraction needs, one entry at a
 * time, streaming.
 *
 * Zip bombs are refused from the central directory, before anything is inflated: an
 * entry declaring more than 200 MiB, or (above 1 MiB) more than 200 times its compressed
 * size. yauzl checks while inflating that an entry gives no more bytes than it declared,
 * so a header that lies ends the reading too. Entry names are only looked up, never
 * written to disk, so path tricks in them do no harm here.
 */
import type { Readable } from 'node:stream';
import path from 'node:path';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { ExtractionError } from './extraction-error.js';
import { parseXmlStream, type XmlHandlers } from './xml-stream.js';

export const MAX_ENTRY_BYTES = 200 * 1024 * 1024;
export const MAX_RATIO = 200;
/** Below this size a high ratio is a repetitive part (styles, an empty sheet), not a bomb. */
const RATIO_FLOOR_BYTES = 1024 * 1024;
const MAX_ENTRIES = 100_000;
// APPNOTE 4.4.4: bit 0 traditional (or AES) encryption, bit 6 strong encryption.
const FLAG_ENCRYPTED = 0x41;
const METHOD_STORED = 0;
const METHOD_DEFLATED = 8;

export interface ZipReader {
  /** Whether the package has an entry at this path (no leading slash). */
  has(name: string): boolean;
  /** The entry's inflated bytes as a stream, after the size checks. */
  open(name: string): Promise<Readable>;
  close(): void;
}

/** A path inside the package, resolved against the part that names it (`/` starts at the root). */
export function resolvePart(from: string, target: string): string {
  const cleaned = target.trim().replace(/\\/g, '/');
  const joined = cleaned.startsWith('/') ? cleaned : path.posix.join(path.posix.dirname(from), cleaned);
  return path.posix.normalize(joined).replace(/^(\.\.\/|\/)+/, '');
}

function damaged(what: string, err: unknown): ExtractionError {
  if (err instanceof ExtractionError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new ExtractionError('damaged', `${what}: ${message}`, { cause: err });
}

/** Maps an error met while inflating an entry to a refusal (yauzl's size check, zlib's data errors). */
export function entryFailure(name: string, err: unknown): ExtractionError {
  if (err instanceof ExtractionError) return err;
  const message = err instanceof Error ? err.message : String(err);
  if (/too many bytes/i.test(message)) return new ExtractionError('too-large', `${name} inflates past the size it declares (a zip bomb)`, { cause: err });
  return damaged(`${name} cannot be read`, err);
}

export async function openZip(file: string, format: string): Promise<ZipReader> {
  let zip: ZipFile;
  try {
    zip = await yauzl.openPromise(file, { lazyEntries: true, autoClose: false, decodeStrings: true, validateEntrySizes: true, strictFileNames: false });
  } catch (err) {
    throw damaged(`not a readable ${format} (zip) package`, err);
  }
  const entries = new Map<string, Entry>();
  try {
    if (zip.entryCount > MAX_ENTRIES) throw new ExtractionError('too-large', `the ${format} package declares ${zip.entryCount} entries`);
    for await (const entry of zip.eachEntry()) entries.set(entry.fileName.replace(/\\/g, '/').replace(/^\/+/, ''), entry);
  } catch (err) {
    zip.close();
    throw damaged(`the ${format} package's directory cannot be read`, err);
  }
  return {
    has: (name) => entries.has(name),
    async open(name) {
      const entry = entries.get(name);
      if (!entry) throw new ExtractionError('damaged', `the ${format} package has no ${name}`);
      if (entry.generalPurposeBitFlag & FLAG_ENCRYPTED) throw new ExtractionError('encrypted', `${name} in the ${format} package is encrypted`);
      if (entry.compressionMethod !== METHOD_STORED && entry.compressionMethod !== METHOD_DEFLATED) {
        throw new ExtractionError('damaged', `${name} uses zip compression method ${entry.compressionMethod}, which ${format} does not allow`);
      }
      if (entry.uncompressedSize > MAX_ENTRY_BYTES) {
        throw new ExtractionError('too-large', `${name} declares ${entry.uncompressedSize} bytes (more than ${MAX_ENTRY_BYTES})`);
      }
      if (entry.uncompressedSize > RATIO_FLOOR_BYTES && entry.uncompressedSize > MAX_RATIO * entry.compressedSize) {
        throw new ExtractionError('too-large', `${name} declares ${entry.uncompressedSize} bytes from ${entry.compressedSize} compressed (a zip bomb)`);
      }
      let stream: Readable;
      try {
        stream = await zip.openReadStreamPromise(entry);
      } catch (err) {
        throw entryFailure(name, err);
      }
      // yauzl's size check can fail the stream again after a first error ended the read;
      // the reader meets the first through its iterator, a late one must not go uncaught.
      stream.on('error', () => undefined);
      return stream;
    },
    close: () => zip.close(),
  };
}

/** Parses one XML part of the package, mapping what goes wrong while inflating it to a refusal. */
export async function parsePart(zip: ZipReader, name: string, handlers: XmlHandlers, options: { signal?: AbortSignal | undefined; stop?: () => boolean } = {}): Promise<void> {
  try {
    await parseXmlStream(await zip.open(name), handlers, { what: name, ...options });
  } catch (err) {
    if (options.signal?.aborted) throw options.signal.reason;
    throw entryFailure(name, err);
  }
}
