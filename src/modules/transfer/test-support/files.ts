/**
 * Real files made by real tools for the hand-over tests: a PDF from LibreOffice,
 * an encrypted copy from qpdf, a PNG from pdftoppm, scanned-page images from sharp,
 * and XML with an entity bomb.
 * Missing tools fail with the command that installs them (scripts/setup.sh does).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';

function need(tool: string, pkg: string): void {
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
  } catch {
    throw new Error(`${tool} is missing: apt-get install ${pkg} (scripts/setup.sh installs it)`);
  }
}

export interface FixtureFiles {
  pdf: Buffer;
  encryptedPdf: Buffer;
  png: Buffer;
  billionLaughs: Buffer;
  xml: Buffer;
  /** Scanned-page stand-ins from sharp: noise at 300 dpi (TIFF), at 150 dpi (JPEG), and a blank white page. */
  scan300: Buffer;
  scan150: Buffer;
  blank: Buffer;
  /** A white page whose only content is one line near its foot: not blank. */
  lastLine: Buffer;
}

export async function makeFixtureFiles(dir: string): Promise<FixtureFiles> {
  need('soffice', 'libreoffice-writer-nogui');
  need('qpdf', 'qpdf');
  need('pdftoppm', 'poppler-utils');
  await fs.mkdir(dir, { recursive: true });
  const txt = path.join(dir, '通知.txt');
  await fs.writeFile(txt, '关于做好2024年档案工作的通知\n\n各单位：请按要求做好档案归档和移交工作。\n');
  execFileSync('soffice', ['--headless', `-env:UserInstallation=file://${path.join(dir, 'lo-profile')}`, '--convert-to', 'pdf', '--outdir', dir, txt], { stdio: 'ignore', timeout: 120_000 });
  const pdfPath = path.join(dir, '通知.pdf');
  const encrypted = path.join(dir, 'encrypted.pdf');
  execFileSync('qpdf', ['--encrypt', 'user-pw', 'owner-pw', '256', '--', pdfPath, encrypted]);
  execFileSync('pdftoppm', ['-png', '-r', '200', '-singlefile', pdfPath, path.join(dir, 'page')]);
  const bomb = [
    '<?xml version="1.0"?>',
    '<!DOCTYPE lolz [',
    '<!ENTITY lol "lol">',
    ...Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`),
    ']>',
    '<lolz>&lol9;</lolz>',
  ].join('\n');
  return {
    pdf: await fs.readFile(pdfPath),
    encryptedPdf: await fs.readFile(encrypted),
    png: await fs.readFile(path.join(dir, 'page.png')),
    billionLaughs: Buffer.from(bomb),
    xml: Buffer.from('<?xml version="1.0" encoding="UTF-8"?>\n<说明><题名>移交说明</题名></说明>\n'),
    scan300: await sharp({ create: { width: 600, height: 800, channels: 3, background: '#ffffff', noise: { type: 'gaussian', mean: 128, sigma: 40 } } }).withMetadata({ density: 300 }).tiff().toBuffer(),
    scan150: await sharp({ create: { width: 300, height: 400, channels: 3, background: '#ffffff', noise: { type: 'gaussian', mean: 128, sigma: 40 } } }).withMetadata({ density: 150 }).jpeg().toBuffer(),
    blank: await sharp({ create: { width: 600, height: 800, channels: 3, background: '#ffffff' } }).withMetadata({ density: 300 }).png().toBuffer(),
    lastLine: await sharp({ create: { width: 600, height: 800, channels: 3, background: '#ffffff' } })
      .composite([{ input: { create: { width: 400, height: 12, channels: 3, background: '#202020' } }, left: 100, top: 740 }])
      .withMetadata({ density: 300 })
      .png()
      .toBuffer(),
  };
}
