/**
 * The accept crash loop (issue "Accession") with more kills than the suite's 20 per
 * backend: runs src/modules/transfer/accept-crash.test.ts with LANTAI_CRASH_KILLS and
 * reports the kills survived per minute on each backend. Every kill is followed by the
 * test's consistency check (state before or after, every referenced blob present with
 * its digests), and a final accept must succeed; any failure fails the bench.
 *
 *   npm run bench -- accept-crash [--kills 100]
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchContext, BenchRow } from './benchmark.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export default async function acceptCrashBench({ flags, log }: BenchContext): Promise<BenchRow[]> {
  const kills = Number(flags.get('kills') || 100);
  log(`accepting 300 files (1 GB) under ${kills} SIGKILLs per backend`);
  const started = performance.now();
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(root, 'node_modules', 'vitest', 'vitest.mjs'), 'run', 'src/modules/transfer/accept-crash.test.ts'], { cwd: root, env: { ...process.env, LANTAI_CRASH_KILLS: String(kills) }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`the crash loop failed (exit ${code}):\n${out.slice(-4000)}`))));
  });
  const minutes = (performance.now() - started) / 60_000;
  const rows: BenchRow[] = [];
  for (const dialect of ['sqlite', 'postgres']) {
    const line = new RegExp(`\\[crash loop ${dialect}\\] blobs stored at each kill: ([\\d ]+)`).exec(output);
    const phases = line?.[1]?.trim().split(/\s+/).map(Number) ?? [];
    rows.push({ benchmark: `accept crash loop on ${dialect}: kills survived`, figure: phases.length, unit: 'kills', limit: kills, target: { atLeastPercent: 100 }, note: `${phases.filter((n) => n < 300).length} while storing, ${phases.filter((n) => n === 300).length} in or after the transaction; consistent after each` });
  }
  rows.push({ benchmark: 'accept crash loop, both backends', figure: minutes, unit: 'min' });
  return rows;
}
