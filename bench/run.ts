/**
 * Runs the benchmarks in bench/*.bench.ts and prints one table.
 *
 *   npm run bench                         every benchmark
 *   npm run bench -- blob-put --size 512M  those whose file name contains `blob-put`, with a flag
 *
 * Each benchmark gets its own folder under ./.bench/ (git-ignored, on the
 * project's filesystem, which is where a folder store usually lives) and the
 * folder is removed afterwards, whatever happened. Not part of CI: the figures
 * depend on the machine, so they are compared with limits measured in the same run.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Benchmark, BenchRow } from './benchmark.js';

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const workRoot = path.resolve(benchDir, '..', '.bench');

interface CommandLine {
  filters: string[];
  flags: Map<string, string>;
}

function parseCommandLine(args: string[]): CommandLine {
  const filters: string[] = [];
  const flags = new Map<string, string>();
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] ?? '';
    if (arg.startsWith('--')) {
      const [name = '', inline] = arg.slice(2).split('=', 2);
      const next = args[i + 1];
      if (inline !== undefined) flags.set(name, inline);
      else if (next !== undefined && !next.startsWith('--')) {
        flags.set(name, next);
        i += 1;
      } else flags.set(name, '');
    } else filters.push(arg);
  }
  return { filters, flags };
}

async function discover(filters: string[]): Promise<string[]> {
  const files = (await fs.readdir(benchDir)).filter((f) => f.endsWith('.bench.ts')).sort();
  return filters.length === 0 ? files : files.filter((f) => filters.some((filter) => f.includes(filter)));
}

function ratioOf(row: BenchRow): number | undefined {
  return row.limit ? (row.figure / row.limit) * 100 : undefined;
}

function verdictOf(row: BenchRow): string {
  const ratio = ratioOf(row);
  if (ratio === undefined || !row.target) return '';
  if ('atLeastPercent' in row.target) return ratio >= row.target.atLeastPercent ? `ok (≥${row.target.atLeastPercent}%)` : `MISS (<${row.target.atLeastPercent}%)`;
  return ratio <= row.target.atMostPercent ? `ok (≤${row.target.atMostPercent}%)` : `MISS (>${row.target.atMostPercent}%)`;
}

function formatNumber(n: number | undefined): string {
  if (n === undefined) return '';
  return n.toFixed(n >= 100 ? 0 : n >= 10 ? 1 : 2);
}

function printTable(rows: BenchRow[]): void {
  const header = ['benchmark', 'figure', 'unit', 'limit/peer', 'ratio', 'target', 'note'];
  const cells = rows.map((row) => {
    const ratio = ratioOf(row);
    return [row.benchmark, formatNumber(row.figure), row.unit, formatNumber(row.limit), ratio === undefined ? '' : `${ratio.toFixed(0)}%`, verdictOf(row), row.note ?? ''];
  });
  const numeric = new Set([1, 3, 4]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => [...(c[i] ?? '')].length)));
  const line = (c: string[]) =>
    c
      .map((text, i) => {
        const pad = ' '.repeat(Math.max(0, (widths[i] ?? 0) - [...text].length));
        return i === c.length - 1 ? text : numeric.has(i) ? pad + text : text + pad;
      })
      .join('  ');
  console.log(line(header));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const c of cells) console.log(line(c));
}

function loadAverage(): number {
  return os.loadavg()[0] ?? 0;
}

async function main(): Promise<void> {
  const { filters, flags } = parseCommandLine(process.argv.slice(2));
  const files = await discover(filters);
  if (files.length === 0) throw new Error(`no benchmark matches ${filters.join(' ')} in ${benchDir}`);

  const loadAtStart = loadAverage();
  const rows: BenchRow[] = [];
  let failed = false;
  for (const file of files) {
    const name = file.replace(/\.bench\.ts$/, '');
    const workDir = path.join(workRoot, `${name}-${process.pid}`);
    await fs.mkdir(workDir, { recursive: true });
    const log = (message: string) => process.stderr.write(`[${name}] ${message}\n`);
    try {
      const mod = (await import(pathToFileURL(path.join(benchDir, file)).href)) as { default?: Benchmark };
      if (typeof mod.default !== 'function') throw new Error(`${file} has no default export`);
      rows.push(...(await mod.default({ workDir, flags, log })));
    } catch (err) {
      failed = true;
      log(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    } finally {
      await fs.rm(workDir, { recursive: true, force: true });
    }
  }
  await fs.rmdir(workRoot).catch(() => undefined);
  if (rows.length > 0) printTable(rows);
  // Other work on the machine skews every figure: say how busy it was.
  console.log(`\n${os.cpus().length} CPUs; 1-minute load average ${loadAtStart.toFixed(2)} at start, ${loadAverage().toFixed(2)} at end`);
  if (failed) process.exitCode = 1;
}

await main();
