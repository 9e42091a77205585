/**
 * OCR throughput of the extraction pipeline (extract/extract.ts: PNG scans → tesseract
 * chi_sim+eng) against `tesseract` alone on the same pages, one page at a time each.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { extractText } from '../src/modules/search/extract/extract.js';
import type { BenchRow } from './benchmark.js';

const run = promisify(execFile);
const LINES = ['关于进一步加强档案安全工作的通知', '各区县档案局、市直各单位：', '为贯彻落实《中华人民共和国档案法》，', '现将有关事项通知如下。', '一、提高认识，落实档案安全责任制。', '二、完善设施，做好档案数字化备份。', '三、加强检查，及时消除安全隐患。'];

async function renderPage(file: string, n: number): Promise<void> {
  const lines = LINES.map((l, i) => `<text x="120" y="${220 + i * 110}" font-family="WenQuanYi Micro Hei" font-size="56">${l}${i === 0 ? `（第${n}页）` : ''}</text>`).join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="2480" height="3508"><rect width="100%" height="100%" fill="white"/>${lines}</svg>`;
  await sharp(Buffer.from(svg)).png().toFile(file);
}

export async function ocrBench(workDir: string, log: (m: string) => void, pages = 6): Promise<BenchRow[]> {
  log('OCR: rendering scanned pages');
  const files: string[] = [];
  for (let n = 1; n <= pages; n++) {
    const file = path.join(workDir, `scan-${n}.png`);
    await renderPage(file, n);
    files.push(file);
  }
  const t0 = performance.now();
  for (const file of files) await run('tesseract', [file, 'stdout', '-l', 'chi_sim+eng'], { maxBuffer: 1 << 24 });
  const alone = pages / ((performance.now() - t0) / 60_000);
  const t1 = performance.now();
  let chars = 0;
  for (const file of files) chars += (await extractText({ path: file, name: path.basename(file), mime: 'image/png' })).pages.reduce((a, p) => a + p.text.length, 0);
  const ours = pages / ((performance.now() - t1) / 60_000);
  return [{ benchmark: `OCR of ${pages} A4 scans at 300 dpi (chi_sim+eng)`, figure: ours, unit: 'pages/min', limit: alone, target: { atLeastPercent: 90 }, note: `peer: tesseract alone on the same pages; ${chars} characters recognised` }];
}
