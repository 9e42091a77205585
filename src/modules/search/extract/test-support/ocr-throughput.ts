/**
 * OCR throughput of the extraction pipeline against Tesseract alone, on the same pages.
 *
 *   npx tsx src/modules/search/extract/test-support/ocr-throughput.ts [pages]
 *
 * Makes a scanned PDF of `pages` A4 pages of Chinese text (rendered at 300 dpi, put into a
 * PDF by LibreOffice), renders it back with pdftoppm as Tesseract's input, then times:
 *  1. `tesseract page.png stdout -l chi_sim+eng`, one page after another, as installed
 *     (automatic layout, --psm 3; its own OpenMP threads);
 *  2. the same with one thread; 3. with this library's settings (--psm 6, one thread);
 *  4. those settings with as many Tesseracts at once as cores ("one per core": an upper
 *     bound for the pipeline, every page handed over at once, no rendering);
 *  5. extractText on the PDF: pdfinfo, pdftotext, then pdftoppm and Tesseract for every page,
 *     one Tesseract per core.
 * and reports pages a minute, CPU seconds a page (of the child processes: other load on the
 * machine inflates it less than the wall time) and the character error rate of each.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pLimit from 'p-limit';
import { extractText } from '../extract.js';
import { makeScannedPdf, renderTextPage } from './fixtures.js';

const run = promisify(execFile);

const SENTENCES = [
  '为进一步加强档案管理工作，推进数字档案馆建设，根据《中华人民共和国档案法》和有关规定，结合本单位实际，制定本方案。',
  '各部门应当按照三码分类监管制度的要求，做好电子文件的收集、整理、归档和移交工作，确保档案真实、完整、可用、安全。',
  '档案馆负责对移交的电子档案进行四性检测，检测合格后方可接收进馆，检测不合格的退回移交单位整改。',
  '二〇二四年度档案工作要点：完善制度，规范管理，加快档案信息化建设，提升档案利用服务水平。',
];

function pageLines(page: number): string[] {
  let text = '';
  for (let i = 0; text.length < 700; i++) text += SENTENCES[(page + i) % SENTENCES.length];
  const lines = [`第${page + 1}页　档案工作通知`];
  for (let i = 0; i < text.length; i += 38) lines.push(text.slice(i, i + 38));
  return lines;
}

/** Levenshtein distance over characters, white space ignored, divided by the expected length. */
function cer(expected: string, found: string): number {
  const a = [...expected.replace(/\s+/g, '')];
  const b = [...found.replace(/\s+/g, '')];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return (previous[b.length] ?? 0) / a.length;
}

/** CPU seconds used by this process's finished children (Linux /proc: cutime + cstime, in clock ticks of 1/100 s). */
async function childCpuSeconds(): Promise<number> {
  const fields = (await fs.readFile('/proc/self/stat', 'utf8')).split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

/** Wall time, and CPU time of the child processes, which other load on the machine does not inflate much. */
async function timed<T>(work: () => Promise<T>): Promise<{ result: T; seconds: number; cpu: number }> {
  const started = process.hrtime.bigint();
  const cpuBefore = await childCpuSeconds();
  const result = await work();
  return { result, seconds: Number(process.hrtime.bigint() - started) / 1e9, cpu: (await childCpuSeconds()) - cpuBefore };
}

const count = Number(process.argv[2] ?? 8);
const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'lantai-ocr-throughput-'));
try {
  const expected = Array.from({ length: count }, (_, i) => pageLines(i));
  const images = await Promise.all(expected.map((lines) => renderTextPage(lines)));
  const pdf = await makeScannedPdf(dir, 'scan', images, path.join(dir, 'lo-profile'));
  await run('pdftoppm', ['-r', '300', '-gray', '-png', pdf, path.join(dir, 'rendered')]);
  const rendered = (await fs.readdir(dir)).filter((n) => /^rendered-\d+\.png$/.test(n)).sort();
  const report = (label: string, { seconds, cpu }: { seconds: number; cpu: number }, texts: string[]) => {
    const rate = texts.reduce((sum, text, i) => sum + cer(expected[i]?.join('') ?? '', text), 0) / texts.length;
    const perMinute = (count / (seconds / 60)).toFixed(1).padStart(6);
    console.log(`${label.padEnd(58)} ${perMinute} pages/min  ${(seconds / count).toFixed(2)} s/page  ${(cpu / count).toFixed(2)} CPU s/page  CER ${(rate * 100).toFixed(1)} %`);
  };
  console.log(`${count} A4 pages at 300 dpi, ${os.availableParallelism()} cores, ${os.cpus()[0]?.model ?? ''}`);
  const tesseract = (name: string, args: string[], oneThread: boolean) =>
    run('tesseract', [path.join(dir, name), 'stdout', '-l', 'chi_sim+eng', ...args], oneThread ? { env: { ...process.env, OMP_THREAD_LIMIT: '1' } } : {}).then((r) => r.stdout);
  const oneByOne = async (args: string[], oneThread: boolean) => {
    const texts: string[] = [];
    for (const name of rendered) texts.push(await tesseract(name, args, oneThread));
    return texts;
  };
  const perCore = pLimit(os.availableParallelism());
  const variants: Array<[string, () => Promise<string[]>]> = [
    ['tesseract alone, as installed (psm 3, OpenMP), one by one', () => oneByOne([], false)],
    ['tesseract alone, psm 3, one thread, one by one', () => oneByOne([], true)],
    ['tesseract alone, psm 6, one thread, one by one', () => oneByOne(['--psm', '6', '--dpi', '300'], true)],
    ['tesseract alone, psm 6, one thread, one per core', () => Promise.all(rendered.map((name) => perCore(() => tesseract(name, ['--psm', '6', '--dpi', '300'], true))))],
    ['extractText (pdftoppm → PGM → tesseract, one per core)', async () => (await extractText({ path: pdf, name: 'scan.pdf', mime: 'application/pdf' }, { tmpDir: dir })).pages.map((p) => p.text)],
  ];
  for (const [label, work] of variants) {
    const measured = await timed(work);
    report(label, measured, measured.result);
  }
} finally {
  await fs.rm(dir, { recursive: true, force: true });
}
