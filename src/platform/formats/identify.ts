/**
 * What a file is, from its content (not its name): file-type's magic numbers for
 * binary formats, plus what it cannot tell — OFD (GB/T 33190: a zip whose root
 * holds OFD.xml), XML and plain text — and whether the format is on the archive's
 * list of formats fit for long-term keeping (DA/T 70 可用性 3.3 and 3.6).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileTypeFromBuffer, fileTypeFromFile } from 'file-type';
import yauzl from 'yauzl';

export interface FormatFacts {
  /** MIME type found in the content, or null when nothing matched. */
  mime: string | null;
  /** The usual extension of that format (pdf, ofd, tif, …). */
  kind: string | null;
  /** Chinese name for reports. */
  label: string;
  /** The file's own extension, lower case, without the dot. */
  extension: string;
}

/** Formats an archive keeps by default (configurable): DA/T 47 / GB/T 18894 recommendations. */
export const ARCHIVAL_FORMATS: readonly string[] = ['pdf', 'ofd', 'tif', 'jpg', 'jp2', 'png', 'xml', 'txt', 'wav', 'mp3', 'mp4'];

const LABELS: Record<string, string> = {
  pdf: 'PDF 文档', ofd: 'OFD 版式文档', tif: 'TIFF 图像', jpg: 'JPEG 图像', jp2: 'JPEG 2000 图像', png: 'PNG 图像', xml: 'XML 文档', txt: '纯文本',
  wav: 'WAV 音频', mp3: 'MP3 音频', mp4: 'MP4 视频', docx: 'Word 文档（DOCX）', xlsx: 'Excel 表格（XLSX）', doc: 'Word 97-2003 文档', xls: 'Excel 97-2003 表格', zip: 'ZIP 压缩包', rar: 'RAR 压缩包', gif: 'GIF 图像', bmp: 'BMP 图像',
};
/** Extensions that name the same format. */
const SAME: Record<string, string> = { jpeg: 'jpg', tiff: 'tif', j2k: 'jp2', htm: 'html', cfb: 'doc' };

async function isOfd(file: string): Promise<boolean> {
  return new Promise((resolve) => {
    yauzl.open(file, { lazyEntries: true, autoClose: true }, (err, zip) => {
      if (err || !zip) return resolve(false);
      let found = false;
      zip.on('entry', (entry: yauzl.Entry) => {
        if (entry.fileName === 'OFD.xml') {
          found = true;
          zip.close();
          resolve(true);
          return;
        }
        zip.readEntry();
      });
      zip.on('end', () => resolve(found));
      zip.on('error', () => resolve(false));
      zip.readEntry();
    });
  });
}

/** XML or text, from the first bytes of a file that file-type did not recognise. */
function sniffText(head: Buffer): { mime: string; kind: string } | null {
  const bytes = head.subarray(0, 4096);
  if (bytes.length === 0) return null;
  if (bytes.includes(0)) return null;
  const text = bytes.toString('utf8').replace(/^\uFEFF/, '').trimStart();
  if (text.startsWith('<?xml') || /^<[A-Za-z_\u4e00-\u9fff][^>]*>/.test(text)) return { mime: 'application/xml', kind: 'xml' };
  return { mime: 'text/plain', kind: 'txt' };
}

/** How much of a file one read brings in for identification; most formats decide within the first 4 KiB. */
const HEAD = 64 * 1024;

async function readHead(file: string): Promise<Buffer> {
  const handle = await fs.open(file, 'r');
  try {
    const head = Buffer.alloc(HEAD);
    const { bytesRead } = await handle.read(head, 0, HEAD, 0);
    return head.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** `file` is where the bytes are; `name` the file's name in the package (staged files have none). */
const WHOLE_FILE_MAGIC = [
  [0x50, 0x4b], // zip
  [0x49, 0x44, 0x33], // ID3
  [0x49, 0x49, 0x2a, 0x00], // TIFF, little-endian
  [0x4d, 0x4d, 0x00, 0x2a], // TIFF, big-endian
  [0x49, 0x49, 0x2b, 0x00], // BigTIFF
  [0x4d, 0x4d, 0x00, 0x2b],
  [0x1a, 0x45, 0xdf, 0xa3], // EBML (Matroska, WebM)
  [0x30, 0x26, 0xb2, 0x75], // ASF (WMA, WMV)
];

function needsWholeFile(head: Buffer): boolean {
  return WHOLE_FILE_MAGIC.some((magic) => magic.every((byte, i) => head[i] === byte));
}

export async function identifyFormat(file: string, name: string = file): Promise<FormatFacts> {
  const ext = path.extname(name).slice(1).toLowerCase();
  const extension = SAME[ext] ?? ext;
  // One read of the head settles nearly every file. A few kinds need more than the head, and
  // only those are read again through the whole file: zip containers (DOCX, XLSX, OFD… are told
  // apart by entries anywhere in them), and the formats whose structure file-type follows past
  // the head (an ID3 tag before audio, TIFF's IFD, EBML and ASF headers). Reading every unknown
  // file again cost thousands of small reads per file at accession.
  const head = await readHead(file);
  let found = await fileTypeFromBuffer(head);
  if (head.length === HEAD && (found?.ext === 'zip' || (!found && needsWholeFile(head)))) found = (await fileTypeFromFile(file)) ?? found;
  let mime: string | null = found?.mime ?? null;
  let kind: string | null = found ? (SAME[found.ext] ?? found.ext) : null;
  if (kind === 'zip' && (await isOfd(file))) {
    mime = 'application/ofd';
    kind = 'ofd';
  }
  if (!found) {
    const text = sniffText(head);
    if (text) ({ mime, kind } = text);
  }
  return { mime, kind, label: kind ? (LABELS[kind] ?? kind.toUpperCase()) : '无法识别', extension };
}
