/**
 * PRONOM identity, version and creating application, each on a real file made by a
 * real tool: LibreOffice (PDF 1.6, PDF/A-1b/2b/3b, DOCX), qpdf (PDF 1.4), sharp
 * (TIFF, JPEG, PNG), OpenJPEG (JP2), ffmpeg (WAV, MP3, MP4), ExcelJS (XLSX), and an
 * OFD package written to GB/T 33190's layout.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import sharp from 'sharp';
import { afterAll, beforeAll, expect, it } from 'vitest';
import yazl from 'yazl';
import { createPdfInspector, type PdfInspector } from '../pdf/inspector.js';
import { identifyPreservationFormat } from './pronom.js';

let dir: string;
let pdf: PdfInspector;
const at = (name: string) => path.join(dir, name);
const tool = (cmd: string, args: string[]) => execFileSync(cmd, args, { stdio: 'ignore', timeout: 120_000 });

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'lantai-formats-'));
  pdf = createPdfInspector({ size: 1 });
  await fs.writeFile(at('通知.txt'), '关于做好档案工作的通知\n各单位：请按要求归档。\n');
  const profile = `-env:UserInstallation=file://${at('lo-profile')}`;
  const office = (filter: string, out: string) => tool('soffice', ['--headless', profile, '--convert-to', filter, '--outdir', at(out), at('通知.txt')]);
  office('pdf', 'pdf');
  for (const part of [1, 2, 3]) office(`pdf:writer_pdf_Export:{"SelectPdfVersion":{"type":"long","value":"${part}"}}`, `pdfa${part}`);
  office('docx', 'docx');
  tool('qpdf', ['--force-version=1.4', at('pdf/通知.pdf'), at('v14.pdf')]);
  const page = sharp({ create: { width: 200, height: 100, channels: 3, background: '#f0e0d0' } });
  await page.clone().tiff().toFile(at('scan.tif'));
  await page.clone().jpeg().toFile(at('raw.jpg'));
  await page.clone().jpeg().withExif({ IFD0: { Software: 'Lantai test' } }).toFile(at('photo.jpg'));
  tool('pdftoppm', ['-jpeg', '-r', '50', '-singlefile', at('pdf/通知.pdf'), at('scan-page')]);
  await page.clone().png().toFile(at('chart.png'));
  tool('opj_compress', ['-i', at('chart.png'), '-o', at('scan.jp2')]);
  tool('ffmpeg', ['-loglevel', 'error', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=1', at('speech.wav')]);
  tool('ffmpeg', ['-loglevel', 'error', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=1', '-c:a', 'libmp3lame', at('speech.mp3')]);
  tool('ffmpeg', ['-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc=duration=1:size=160x120:rate=10', '-c:v', 'mpeg4', at('meeting.mp4')]);
  const workbook = new ExcelJS.Workbook();
  workbook.addWorksheet('目录').addRow(['题名', '日期']);
  await workbook.xlsx.writeFile(at('目录.xlsx'));
  await fs.writeFile(at('说明.xml'), '<?xml version="1.0" encoding="UTF-8"?>\n<说明><题名>移交说明</题名></说明>\n');
  const zip = new yazl.ZipFile();
  zip.addBuffer(
    Buffer.from('<?xml version="1.0" encoding="UTF-8"?>\n<ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016" Version="1.1" DocType="OFD"><ofd:DocBody><ofd:DocInfo><ofd:DocID>a1b2</ofd:DocID><ofd:Creator>数科OFD版式办公套件</ofd:Creator><ofd:CreatorVersion>3.0</ofd:CreatorVersion></ofd:DocInfo><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>\n'),
    'OFD.xml',
  );
  zip.addBuffer(Buffer.from('<?xml version="1.0" encoding="UTF-8"?>\n<ofd:Document xmlns:ofd="http://www.ofdspec.org/2016"><ofd:CommonData><ofd:MaxUnitID>1</ofd:MaxUnitID><ofd:PageArea><ofd:PhysicalBox>0 0 210 297</ofd:PhysicalBox></ofd:PageArea></ofd:CommonData><ofd:Pages/></ofd:Document>\n'), 'Doc_0/Document.xml');
  zip.end();
  await new Promise((resolve, reject) => zip.outputStream.pipe(createWriteStream(at('公文.ofd'))).on("close", () => resolve(undefined)).on("error", reject));
}, 300_000);

afterAll(async () => {
  await pdf.close();
  await fs.rm(dir, { recursive: true, force: true });
});

const identify = (file: string) => identifyPreservationFormat(at(file), path.basename(file), { pdf });

it('tells PDF versions and PDF/A levels apart, with the creating application', async () => {
  expect(await identify('pdf/通知.pdf')).toMatchObject({ kind: 'pdf', puid: 'fmt/20', formatName: 'Acrobat PDF 1.6', version: '1.6', creatingApplication: 'Writer / LibreOffice 7.4' });
  expect(await identify('v14.pdf')).toMatchObject({ puid: 'fmt/18', version: '1.4' });
  // LibreOffice's PDF/A-1 export claims level A (tagged) in its XMP.
  expect(await identify('pdfa1/通知.pdf')).toMatchObject({ puid: 'fmt/95', formatName: 'PDF/A-1a' });
  expect(await identify('pdfa2/通知.pdf')).toMatchObject({ puid: 'fmt/477', formatName: 'PDF/A-2b' });
  expect(await identify('pdfa3/通知.pdf')).toMatchObject({ puid: 'fmt/480', formatName: 'PDF/A-3b' });
});

it('reads an OFD package’s version and creator (OFD has no PRONOM id)', async () => {
  expect(await identify('公文.ofd')).toMatchObject({ kind: 'ofd', mime: 'application/ofd', puid: null, formatName: 'OFD (GB/T 33190)', version: '1.1', creatingApplication: '数科OFD版式办公套件 3.0' });
});

it('identifies images: TIFF, JPEG (JFIF version), PNG, JP2', async () => {
  expect(await identify('scan.tif')).toMatchObject({ kind: 'tif', puid: 'fmt/353' });
  expect(await identify('scan-page.jpg')).toMatchObject({ kind: 'jpg', puid: expect.stringMatching(/^fmt\/4[234]$/), formatName: 'JPEG File Interchange Format', version: expect.stringMatching(/^1\.0[012]$/) });
  expect(await identify('photo.jpg')).toMatchObject({ kind: 'jpg', puid: 'fmt/645', formatName: 'Exchangeable Image File Format (Compressed)' });
  expect(await identify('raw.jpg')).toMatchObject({ kind: 'jpg', puid: 'fmt/41', formatName: 'Raw JPEG Stream' });
  expect(await identify('chart.png')).toMatchObject({ kind: 'png', puid: 'fmt/13' });
  expect(await identify('scan.jp2')).toMatchObject({ kind: 'jp2', puid: 'x-fmt/392' });
});

it('identifies audio and video: WAV (PCM), MP3, MP4', async () => {
  expect(await identify('speech.wav')).toMatchObject({ kind: 'wav', puid: expect.stringMatching(/^fmt\/14[123]$/) });
  expect(await identify('speech.mp3')).toMatchObject({ kind: 'mp3', puid: 'fmt/134' });
  expect(await identify('meeting.mp4')).toMatchObject({ kind: 'mp4', puid: 'fmt/199' });
});

it('identifies office documents with their application, XML with its version, and text', async () => {
  expect(await identify('docx/通知.docx')).toMatchObject({ kind: 'docx', puid: 'fmt/412', creatingApplication: expect.stringMatching(/LibreOffice/) });
  expect(await identify('目录.xlsx')).toMatchObject({ kind: 'xlsx', puid: 'fmt/214' });
  expect(await identify('说明.xml')).toMatchObject({ kind: 'xml', puid: 'fmt/101', version: '1.0' });
  expect(await identify('通知.txt')).toMatchObject({ kind: 'txt', puid: 'x-fmt/111' });
});
