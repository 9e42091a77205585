/**
 * DA/T 48 EEP intake at size: one EEP holding one file of --size random bytes
 * (base64, 76-character lines, so the EEP is about 1.35 × --size) read by
 * readEep with staging — parse, base64 decode, SHA-256 + SM3, write, fsync — and
 * re-read by the signature check's path (the reader without staging).
 *  - throughput over the EEP's bytes, against L = min(openssl dgst -sm3,
 *    openssl dgst -sha256) on the staged file of the same size: target ≥ 40 % of L
 *    (the reader also parses and decodes what openssl only hashes);
 *  - RSS growth while reading, against a 100 MiB budget: whatever the size.
 *
 *   npm run bench -- eep-read [--size 1G]
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { readEep } from '../src/modules/transfer/packages/eep.js';
import { writeLargeEep } from '../src/modules/transfer/packages/eep-fixtures.js';
import { formatBytes, megabytesPerSecond, parseBytes, type BenchContext, type BenchRow } from './benchmark.js';
import { opensslDigest, warmPageCache } from './reference-rates.js';

async function measured<T>(work: () => Promise<T>): Promise<{ value: T; milliseconds: number; rssGrowthMiB: number }> {
  const baseline = process.memoryUsage.rss();
  let peak = baseline;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 20);
  const started = performance.now();
  try {
    const value = await work();
    return { value, milliseconds: performance.now() - started, rssGrowthMiB: (Math.max(peak, process.memoryUsage.rss()) - baseline) / 2 ** 20 };
  } finally {
    clearInterval(timer);
  }
}

export default async function eepRead({ workDir, flags, log }: BenchContext): Promise<BenchRow[]> {
  const size = parseBytes(flags.get('size') || '512M');
  const file = path.join(workDir, 'large.xml');
  log(`writing an EEP holding ${formatBytes(size)}`);
  const written = await writeLargeEep(file, size);
  const eepBytes = (await fs.stat(file)).size;

  await warmPageCache(file);
  log('readEep with staging');
  const staged = await measured(() => readEep(file, { stageDir: path.join(workDir, 'stage') }));
  const stagedFile = staged.value.files[0]?.staged;
  if (stagedFile?.sha256 !== written.sha256) throw new Error('the staged file does not match what was encapsulated');
  log('readEep without staging (the signature check)');
  await warmPageCache(file);
  const inspected = await measured(() => readEep(file));

  await warmPageCache(stagedFile.path);
  const sm3 = await opensslDigest(stagedFile.path, 'sm3');
  const sha256 = await opensslDigest(stagedFile.path, 'sha256');
  const limit = Math.min(megabytesPerSecond(size, sm3.milliseconds), megabytesPerSecond(size, sha256.milliseconds));
  const note = `EEP ${formatBytes(eepBytes)}; L = min(openssl sm3, sha256) over the decoded ${formatBytes(size)}`;
  return [
    { benchmark: `EEP read + stage ${formatBytes(eepBytes)}`, figure: megabytesPerSecond(eepBytes, staged.milliseconds), unit: 'MB/s', limit, target: { atLeastPercent: 40 }, note },
    { benchmark: `EEP read only ${formatBytes(eepBytes)}`, figure: megabytesPerSecond(eepBytes, inspected.milliseconds), unit: 'MB/s', limit, target: { atLeastPercent: 40 }, note },
    { benchmark: 'EEP read + stage, RSS growth', figure: Math.max(staged.rssGrowthMiB, inspected.rssGrowthMiB), unit: 'MiB', limit: 100, target: { atMostPercent: 100 }, note: 'budget 100 MiB whatever the size' },
  ];
}
