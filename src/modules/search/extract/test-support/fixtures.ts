/**
 * Real files for the extraction tests, made by real tools: PDF and DOCX by LibreOffice
 * (each test file with its own profile, so parallel runs do not collide), page images by
 * sharp rendering Chinese text in WenQuanYi Micro Hei, OFD and zip bombs by yazl.
 * Missing tools fail with the package that installs them (scripts/setup.sh does).
 */
import { execFileSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import sharp from 'sharp';
import yazl from 'yazl';

function need(tool: string, debianPackage: string): void {
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
  } catch {
    throw new Error(`${tool} is missing: apt-get install ${debianPackage} (scripts/setup.sh installs it)`);
  }
}

/**
 * Converts `input` with LibreOffice Writer into `outDir`; returns the new file's path.
 * `filter` is what --convert-to takes ('pdf', 'docx:MS Word 2007 XML'). HTML is opened
 * with Writer's own HTML filter, which embeds <img> pictures (Writer/Web leaves them out).
 */
export function convertWithLibreOffice(input: string, filter: string, outDir: string, profileDir: string): string {
  need('soffice', 'libreoffice-writer-nogui');
  const html = /\.html?$/i.test(input);
  execFileSync(
    'soffice',
    ['--headless', `-env:UserInstallation=file://${profileDir}`, ...(html ? ['--infilter=HTML (StarWriter)'] : []), '--convert-to', filter, '--outdir', outDir, input],
    { stdio: 'ignore', timeout: 180_000 },
  );
  const out = path.join(outDir, `${path.basename(input, path.extname(input))}.${filter.split(':')[0]}`);
  return out;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * An A4 page at 300 dpi (2480 × 3508) with `lines` of black text on white, as a scanner
 * would give it: grey, no alpha, its resolution recorded.
 */
export async function renderTextPage(lines: readonly string[], options: { fontSize?: number; width?: number; height?: number } = {}): Promise<Buffer> {
  const size = options.fontSize ?? 50;
  const width = options.width ?? 2480;
  const height = options.height ?? 3508;
  const text = lines
    .map((line, i) => `<text x="${Math.round(width * 0.1)}" y="${Math.round(height * 0.1) + i * size * 1.8}" font-family="WenQuanYi Micro Hei" font-size="${size}" fill="#000">${escapeXml(line)}</text>`)
    .join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="100%" height="100%" fill="#fff"/>${text}</svg>`;
  return sharp(Buffer.from(svg)).flatten({ background: '#ffffff' }).toColourspace('b-w').withMetadata({ density: 300 }).png().toBuffer();
}

/** Body text of an official notice, long enough to fill a scanned page with full lines. */
export const NOTICE_LINES: readonly string[] = (() => {
  const text =
    '为进一步加强档案管理工作，推进数字档案馆建设，根据《中华人民共和国档案法》和有关规定，结合本单位实际，制定本方案。' +
    '各部门应当按照三码分类监管制度的要求，做好电子文件的收集、整理、归档和移交工作，确保档案真实、完整、可用、安全。';
  const lines = ['数字档案馆建设方案'];
  for (let i = 0; i < text.length; i += 38) lines.push(text.slice(i, i + 38));
  return lines;
})();

/**
 * A PDF whose pages are only pictures (no text layer), one page per image, made by
 * LibreOffice from an HTML page of <img> elements with page breaks between them.
 */
export async function makeScannedPdf(dir: string, name: string, pages: readonly Buffer[], profileDir: string): Promise<string> {
  const body: string[] = [];
  for (const [i, png] of pages.entries()) {
    const image = `${name}-${i + 1}.png`;
    await fs.writeFile(path.join(dir, image), png);
    // 600 × 849 CSS pixels: the text width of an A4 page in Writer's default margins.
    body.push(`<p${i > 0 ? ' style="page-break-before: always"' : ''}><img src="${image}" width="600" height="849"></p>`);
  }
  const html = path.join(dir, `${name}.html`);
  await fs.writeFile(html, `<html><head><meta charset="utf-8"></head><body>${body.join('')}</body></html>`);
  return convertWithLibreOffice(html, 'pdf', dir, profileDir);
}

async function writeZip(file: string, fill: (zip: yazl.ZipFile) => void): Promise<string> {
  const zip = new yazl.ZipFile();
  fill(zip);
  zip.end();
  await pipeline(zip.outputStream, createWriteStream(file));
  return file;
}

export interface OfdTextCode {
  text: string;
  /** Position of the first glyph in millimetres from the page's top left. */
  x: number;
  y: number;
  /** Glyph advances, e.g. 'g 8 5' (§11.3); omitted for one glyph. */
  deltaX?: string;
}

const OFD_NS = 'http://www.ofdspec.org/2016';

/**
 * A minimal but conformant OFD (GB/T 33190-2016): OFD.xml, Document.xml with its common
 * data and a public font, and one Content.xml per page, each text code its own
 * TextObject in a 5 mm font. The page parts are written to the zip in reverse order, so a
 * reader that follows the zip instead of Document.xml gets the pages backwards.
 */
export async function makeOfd(file: string, pages: ReadonlyArray<readonly OfdTextCode[]>): Promise<string> {
  const xml = (body: string) => Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>\n${body}`);
  let id = 10;
  const contents = pages.map((codes) =>
    xml(
      `<ofd:Page xmlns:ofd="${OFD_NS}"><ofd:Content><ofd:Layer ID="${id++}">` +
        codes
          .map(
            (c) =>
              `<ofd:TextObject ID="${id++}" Boundary="${c.x} ${c.y - 5} 190 7" Font="3" Size="5">` +
              `<ofd:FillColor Value="0 0 0"/><ofd:TextCode X="0" Y="5"${c.deltaX ? ` DeltaX="${c.deltaX}"` : ''}>${escapeXml(c.text)}</ofd:TextCode></ofd:TextObject>`,
          )
          .join('') +
        '</ofd:Layer></ofd:Content></ofd:Page>',
    ),
  );
  const ofd = xml(
    `<ofd:OFD xmlns:ofd="${OFD_NS}" Version="1.0" DocType="OFD"><ofd:DocBody><ofd:DocInfo><ofd:DocID>0c5c2b5e6d4f4e8a9b1c2d3e4f5a6b7c</ofd:DocID>` +
      '<ofd:Title>数字档案馆建设方案</ofd:Title><ofd:CreationDate>2024-05-01</ofd:CreationDate></ofd:DocInfo><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>',
  );
  const document = xml(
    `<ofd:Document xmlns:ofd="${OFD_NS}"><ofd:CommonData><ofd:MaxUnitID>${id}</ofd:MaxUnitID><ofd:PageArea><ofd:PhysicalBox>0 0 210 297</ofd:PhysicalBox></ofd:PageArea>` +
      '<ofd:PublicRes>PublicRes.xml</ofd:PublicRes></ofd:CommonData><ofd:Pages>' +
      pages.map((_, i) => `<ofd:Page ID="${i + 1}" BaseLoc="${i === 0 ? '/Doc_0/' : ''}Pages/Page_${i}/Content.xml"/>`).join('') +
      '</ofd:Pages></ofd:Document>',
  );
  const publicRes = xml(`<ofd:Res xmlns:ofd="${OFD_NS}" BaseLoc="Res"><ofd:Fonts><ofd:Font ID="3" FontName="宋体" FamilyName="宋体"/></ofd:Fonts></ofd:Res>`);
  return writeZip(file, (zip) => {
    zip.addBuffer(ofd, 'OFD.xml');
    zip.addBuffer(document, 'Doc_0/Document.xml');
    zip.addBuffer(publicRes, 'Doc_0/PublicRes.xml');
    for (let i = contents.length - 1; i >= 0; i--) zip.addBuffer(contents[i] ?? Buffer.alloc(0), `Doc_0/Pages/Page_${i}/Content.xml`);
  });
}

const CONTENT_TYPES =
  '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
  '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>' +
  '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>';
const PACKAGE_RELS =
  '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
  '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>';

/**
 * A DOCX whose document part inflates to `bytes` zeros (deflated to about a thousandth),
 * streamed into the zip so making it costs no memory either.
 */
export async function makeZipBombDocx(file: string, bytes: number): Promise<string> {
  async function* zeros() {
    const chunk = Buffer.alloc(1024 * 1024);
    for (let left = bytes; left > 0; left -= chunk.length) yield left >= chunk.length ? chunk : chunk.subarray(0, left);
  }
  return writeZip(file, (zip) => {
    zip.addBuffer(Buffer.from(CONTENT_TYPES), '[Content_Types].xml');
    zip.addBuffer(Buffer.from(PACKAGE_RELS), '_rels/.rels');
    zip.addReadStream(Readable.from(zeros()), 'word/document.xml');
  });
}

/**
 * Rewrites the uncompressed size the central directory declares for `entry` (APPNOTE
 * 4.3.12: offset 24 of the central file header): a zip whose directory lies about an
 * entry, as a crafted bomb's does.
 */
export async function understateEntrySize(file: string, entry: string, declared: number): Promise<void> {
  const bytes = await fs.readFile(file);
  const name = Buffer.from(entry);
  for (let at = bytes.lastIndexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02])); at >= 0; at = bytes.lastIndexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]), at - 1)) {
    const nameLength = bytes.readUInt16LE(at + 28);
    if (bytes.subarray(at + 46, at + 46 + nameLength).equals(name)) {
      bytes.writeUInt32LE(declared, at + 24);
      await fs.writeFile(file, bytes);
      return;
    }
  }
  throw new Error(`${entry} is not in ${file}`);
}

/** The share of the expected characters (white space aside) that OCR gave back, each counted as often as expected. */
export function characterRecall(found: string, expected: readonly string[]): number {
  const left = new Map<string, number>();
  for (const c of found.replace(/\s+/g, '')) left.set(c, (left.get(c) ?? 0) + 1);
  const wanted = [...expected.join('').replace(/\s+/g, '')];
  let hits = 0;
  for (const c of wanted) {
    const n = left.get(c) ?? 0;
    if (n > 0) {
      hits += 1;
      left.set(c, n - 1);
    }
  }
  return wanted.length === 0 ? 1 : hits / wanted.length;
}
