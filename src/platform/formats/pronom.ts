/**
 * Preservation identity of a file: its PRONOM format (PUID), format version and the
 * application that made it, from the content — what a PREMIS `format` and
 * `creatingApplication` record, and what format-risk registers count.
 *
 * identify.ts says what kind of file it is (cheaply, for the hand-over checks);
 * this looks deeper where versions live: the PDF header and XMP (PDF/A part and
 * conformance, through the PDF inspector), JFIF/Exif markers, the WAVE fmt chunk,
 * the XML declaration, OOXML's docProps/app.xml and OFD.xml (GB/T 33190, which has
 * no PUID: the version and creator come from OFD.xml). PUIDs follow The National
 * Archives' PRONOM registry; a format it does not list has none (null), never a guess.
 */
import fs from 'node:fs/promises';
import yauzl from 'yauzl';
import type { PdfInspector } from '../pdf/inspector.js';
import { identifyFormat, type FormatFacts } from './identify.js';

export interface PreservationFormat extends FormatFacts {
  /** PRONOM unique identifier, e.g. fmt/477; null where PRONOM has none. */
  puid: string | null;
  /** Format name, e.g. `PDF/A-2b`, `Acrobat PDF 1.6`. */
  formatName: string | null;
  version: string | null;
  creatingApplication: string | null;
  /** The tool that identified it, with its version where known (a PREMIS agent). */
  identifiedBy: string;
}

const PDF_VERSIONS: Record<string, string> = { '1.0': 'fmt/14', '1.1': 'fmt/15', '1.2': 'fmt/16', '1.3': 'fmt/17', '1.4': 'fmt/18', '1.5': 'fmt/19', '1.6': 'fmt/20', '1.7': 'fmt/276', '2.0': 'fmt/1129' };
const PDFA: Record<string, string> = { '1A': 'fmt/95', '1B': 'fmt/354', '2A': 'fmt/476', '2B': 'fmt/477', '2U': 'fmt/478', '3A': 'fmt/479', '3B': 'fmt/480', '3U': 'fmt/481' };

/** Plain facts per kind where the content holds no version to read. */
const FIXED: Record<string, { puid: string; formatName: string; version: string | null }> = {
  png: { puid: 'fmt/13', formatName: 'Portable Network Graphics', version: '1.2' },
  tif: { puid: 'fmt/353', formatName: 'Tagged Image File Format', version: null },
  jp2: { puid: 'x-fmt/392', formatName: 'JP2 (JPEG 2000 part 1)', version: null },
  mp3: { puid: 'fmt/134', formatName: 'MPEG 1/2 Audio Layer 3', version: null },
  mp4: { puid: 'fmt/199', formatName: 'MPEG-4 Media File', version: null },
  docx: { puid: 'fmt/412', formatName: 'Microsoft Word for Windows', version: '2007 onwards' },
  xlsx: { puid: 'fmt/214', formatName: 'Microsoft Excel for Windows', version: '2007 onwards' },
  txt: { puid: 'x-fmt/111', formatName: 'Plain Text File', version: null },
};

async function head(file: string, bytes: number): Promise<Buffer> {
  const handle = await fs.open(file, 'r');
  try {
    const buffer = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** The text of one member of a zip (at most `limit` bytes), or null. */
function zipEntryText(file: string, member: string, limit = 256 * 1024): Promise<string | null> {
  return new Promise((resolve) => {
    yauzl.open(file, { lazyEntries: true, autoClose: true }, (err, zip) => {
      if (err || !zip) return resolve(null);
      let settled = false;
      const done = (value: string | null) => {
        if (settled) return;
        settled = true;
        zip.close();
        resolve(value);
      };
      zip.on('entry', (entry: yauzl.Entry) => {
        if (entry.fileName !== member) return zip.readEntry();
        if (entry.uncompressedSize > limit) return done(null);
        zip.openReadStream(entry, (e, stream) => {
          if (e || !stream) return done(null);
          const chunks: Buffer[] = [];
          let size = 0;
          stream.on('data', (c: Buffer) => {
            size += c.length;
            if (size > limit) stream.destroy();
            else chunks.push(c);
          });
          stream.on('end', () => done(Buffer.concat(chunks).toString('utf8')));
          stream.on('error', () => done(null));
          stream.on('close', () => done(size > limit ? null : Buffer.concat(chunks).toString('utf8')));
        });
      });
      zip.on('end', () => done(null));
      zip.on('error', () => done(null));
      zip.readEntry();
    });
  });
}

const unescapeXml = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
/** The text of the first element named `name` (any prefix) in a small, trusted-size document. */
const elementText = (xml: string, name: string) => {
  const found = new RegExp(`<(?:[\\w-]+:)?${name}(?:\\s[^>]*)?>([^<]*)</(?:[\\w-]+:)?${name}>`).exec(xml)?.[1]?.trim();
  return found ? unescapeXml(found) : null;
};

function jpeg(bytes: Buffer): { puid: string; formatName: string; version: string | null } {
  // Walk the markers after SOI: APP0 "JFIF\0" carries the version, APP1 "Exif\0\0" marks Exif.
  let at = 2;
  while (at + 4 <= bytes.length && bytes[at] === 0xff) {
    const marker = bytes[at + 1] as number;
    const length = bytes.readUInt16BE(at + 2);
    const id = bytes.subarray(at + 4, at + 9).toString('latin1');
    if (marker === 0xe0 && id === 'JFIF\0') {
      const version = `${bytes[at + 9]}.${String(bytes[at + 10]).padStart(2, '0')}`;
      const puid = { '1.00': 'fmt/42', '1.01': 'fmt/43', '1.02': 'fmt/44' }[version];
      return { puid: puid ?? 'fmt/44', formatName: 'JPEG File Interchange Format', version };
    }
    if (marker === 0xe1 && id === 'Exif\0') return { puid: 'fmt/645', formatName: 'Exchangeable Image File Format (Compressed)', version: null };
    if (marker === 0xda) break;
    at += 2 + length;
  }
  return { puid: 'fmt/41', formatName: 'Raw JPEG Stream', version: null };
}

function wave(bytes: Buffer): { puid: string; formatName: string; version: string | null } {
  // RIFF....WAVE then chunks; the fmt chunk's size and format tag tell the WAVE variant.
  let at = 12;
  while (at + 8 <= bytes.length) {
    const id = bytes.subarray(at, at + 4).toString('latin1');
    const size = bytes.readUInt32LE(at + 4);
    if (id === 'fmt ' && at + 10 <= bytes.length) {
      const tag = bytes.readUInt16LE(at + 8);
      if (tag === 0xfffe || size >= 40) return { puid: 'fmt/143', formatName: 'Waveform Audio (WAVEFORMATEXTENSIBLE)', version: null };
      if (size === 16 && tag === 1) return { puid: 'fmt/141', formatName: 'Waveform Audio (PCMWAVEFORMAT)', version: null };
      return { puid: 'fmt/142', formatName: 'Waveform Audio (WAVEFORMATEX)', version: null };
    }
    at += 8 + size + (size % 2);
  }
  return { puid: 'fmt/6', formatName: 'Waveform Audio', version: null };
}

/** PRONOM identity, version and creating application of `file` (its package name `name`). */
export async function identifyPreservationFormat(file: string, name: string, deps: { pdf: PdfInspector }): Promise<PreservationFormat> {
  const found = await identifyFormat(file, name);
  const facts = { ...found, identifiedBy: 'file-type + Lantai (magic numbers, container and header fields)' };
  const none = { puid: null, formatName: null, version: null, creatingApplication: null };
  switch (facts.kind) {
    case 'pdf': {
      const pdf = await deps.pdf.inspect(file, { xmp: true });
      facts.identifiedBy = pdf.engine;
      const creatingApplication = [pdf.creator, pdf.producer].filter((s): s is string => Boolean(s)).join(' / ') || null;
      if (pdf.pdfa) {
        const level = `${pdf.pdfa.part}${pdf.pdfa.conformance.toUpperCase()}`;
        return { ...facts, puid: PDFA[level] ?? null, formatName: `PDF/A-${pdf.pdfa.part}${pdf.pdfa.conformance.toLowerCase()}`, version: pdf.version, creatingApplication };
      }
      return { ...facts, puid: pdf.version ? (PDF_VERSIONS[pdf.version] ?? null) : null, formatName: `Acrobat PDF${pdf.version ? ` ${pdf.version}` : ''}`, version: pdf.version, creatingApplication };
    }
    case 'jpg':
      return { ...facts, ...jpeg(await head(file, 64 * 1024)), creatingApplication: null };
    case 'wav':
      return { ...facts, ...wave(await head(file, 64 * 1024)), creatingApplication: null };
    case 'xml': {
      const version = /^\uFEFF?<\?xml[^>]*version\s*=\s*["']([\d.]+)["']/.exec((await head(file, 512)).toString('utf8'))?.[1] ?? null;
      return { ...facts, puid: 'fmt/101', formatName: 'Extensible Markup Language', version, creatingApplication: null };
    }
    case 'docx':
    case 'xlsx': {
      const app = await zipEntryText(file, 'docProps/app.xml');
      const application = app ? elementText(app, 'Application') : null;
      const appVersion = app ? elementText(app, 'AppVersion') : null;
      return { ...facts, ...(FIXED[facts.kind] as (typeof FIXED)[string]), creatingApplication: application ? `${application}${appVersion ? ` ${appVersion}` : ''}` : null };
    }
    case 'ofd': {
      const main = await zipEntryText(file, 'OFD.xml');
      const version = main ? (/<(?:\w+:)?OFD\b[^>]*\bVersion\s*=\s*"([^"]+)"/.exec(main)?.[1] ?? null) : null;
      const creator = main ? elementText(main, 'Creator') : null;
      const creatorVersion = main ? elementText(main, 'CreatorVersion') : null;
      return { ...facts, puid: null, formatName: 'OFD (GB/T 33190)', version, creatingApplication: creator ? `${creator}${creatorVersion ? ` ${creatorVersion}` : ''}` : null };
    }
    default: {
      const fixed = facts.kind ? FIXED[facts.kind] : undefined;
      return fixed ? { ...facts, ...fixed, creatingApplication: null } : { ...facts, ...none };
    }
  }
}
