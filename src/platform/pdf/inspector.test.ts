/**
 * The PDF inspector on real PDFs made by LibreOffice and qpdf, through both engines:
 * the pikepdf helpers and the qpdf command (the fallback where pikepdf is missing)
 * must say the same of every file.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPdfInspector, type PdfInspector } from './inspector.js';

let dir: string;
const files: Record<string, string> = {};

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'lantai-pdf-'));
  const txt = path.join(dir, 'long.txt');
  // 120 lines: two pages.
  await fs.writeFile(txt, Array.from({ length: 120 }, (_, i) => `第${i + 1}行 关于做好档案工作的通知`).join('\n'));
  const profile = `-env:UserInstallation=file://${path.join(dir, 'lo-profile')}`;
  execFileSync('soffice', ['--headless', profile, '--convert-to', 'pdf', '--outdir', dir, txt], { stdio: 'ignore', timeout: 120_000 });
  execFileSync('soffice', ['--headless', profile, '--convert-to', 'pdf:writer_pdf_Export:{"SelectPdfVersion":{"type":"long","value":"2"}}', '--outdir', path.join(dir, 'pdfa'), txt], { stdio: 'ignore', timeout: 120_000 });
  files.plain = path.join(dir, 'long.pdf');
  files.pdfa = path.join(dir, 'pdfa', 'long.pdf');
  files.password = path.join(dir, 'password.pdf');
  execFileSync('qpdf', ['--encrypt', 'user-pw', 'owner-pw', '256', '--', files.plain, files.password]);
  files.emptyPassword = path.join(dir, 'empty-password.pdf');
  execFileSync('qpdf', ['--encrypt', '', 'owner-pw', '256', '--', files.plain, files.emptyPassword]);
  const bytes = await fs.readFile(files.plain);
  files.truncated = path.join(dir, 'truncated.pdf');
  await fs.writeFile(files.truncated, bytes.subarray(0, 3000));
  // Scramble bytes inside the first compressed stream: the file opens, its page content does not decode.
  const start = bytes.indexOf('stream\n', bytes.indexOf('/FlateDecode')) + 200;
  const scrambled = Buffer.from(bytes);
  for (let i = start; i < start + 40; i++) scrambled[i] = (scrambled[i] as number) ^ 0x55;
  files.badStream = path.join(dir, 'bad-stream.pdf');
  await fs.writeFile(files.badStream, scrambled);
  files.notPdf = path.join(dir, 'not.pdf');
  await fs.writeFile(files.notPdf, '这不是 PDF');
  // An incremental update that carries a signature dictionary's /ByteRange.
  files.signedLooking = path.join(dir, 'signed-looking.pdf');
  await fs.writeFile(files.signedLooking, Buffer.concat([bytes, Buffer.from('\n% /ByteRange [0 0 0 0]\n')]));
}, 240_000);

afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe.each([
  ['pikepdf helpers', '/usr/bin/python3'],
  ['qpdf command (fallback)', '/nonexistent/python3'],
])('PDF inspector through %s', (engineName, python) => {
  let inspector: PdfInspector;
  beforeAll(() => {
    inspector = createPdfInspector({ size: 2, python });
  });
  afterAll(async () => {
    await inspector.close();
  });

  it('reads a good PDF: pages, version, not encrypted, no signature', async () => {
    const facts = await inspector.inspect(files.plain as string, { xmp: true });
    expect(facts).toMatchObject({ status: 'ok', pages: 2, version: '1.6', encrypted: false, signed: false, pdfa: null });
    expect(facts.engine).toMatch(engineName.startsWith('pikepdf') ? /^pikepdf .*qpdf/ : /^qpdf/);
    if (engineName.startsWith('pikepdf')) expect(facts.producer).toMatch(/LibreOffice/);
  });

  it('tells a password-protected PDF from one encrypted with an empty password', async () => {
    expect(await inspector.inspect(files.password as string)).toMatchObject({ status: 'password' });
    expect(await inspector.inspect(files.emptyPassword as string)).toMatchObject({ status: 'ok', encrypted: true, pages: 2 });
  });

  it('calls truncated, scrambled and non-PDF files damaged', async () => {
    for (const name of ['truncated', 'badStream', 'notPdf']) {
      const facts = await inspector.inspect(files[name] as string);
      expect(facts.status, name).toBe('damaged');
      expect(facts.problems.join(' ').length, name).toBeGreaterThan(0);
    }
  });

  it('notices a /ByteRange (a probable signature) anywhere in the file', async () => {
    expect(await inspector.inspect(files.signedLooking as string)).toMatchObject({ signed: true, pages: 2 });
  });

  it('answers many requests at once, each with its own file', async () => {
    const names = ['plain', 'password', 'truncated', 'emptyPassword'];
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => inspector.inspect(files[names[i % 4] as string] as string)));
    expect(answers.map((a) => a.status)).toEqual(Array.from({ length: 40 }, (_, i) => ['ok', 'password', 'damaged', 'ok'][i % 4]));
  });

  it('gives up on a file after its timeout and keeps working', async () => {
    expect((await inspector.inspect(files.plain as string, { timeoutMs: 0 })).status).toBe('timeout');
    expect((await inspector.inspect(files.plain as string)).status).toBe('ok');
  });
});

it('reads the PDF/A claim from the XMP packet (pikepdf)', async () => {
  const inspector = createPdfInspector({ size: 1 });
  try {
    expect(await inspector.inspect(files.pdfa as string, { xmp: true })).toMatchObject({ status: 'ok', pdfa: { part: '2', conformance: 'B' } });
    expect((await inspector.inspect(files.plain as string, { xmp: true })).pdfa).toBeNull();
  } finally {
    await inspector.close();
  }
});
