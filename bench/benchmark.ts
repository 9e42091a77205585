/**
 * The contract between bench/run.ts and each bench/*.bench.ts file.
 *
 * A benchmark is a module whose default export is a function taking a
 * BenchContext and returning rows. A row compares a figure with a limit: a
 * physical bound measured in the same run (what `dd` or `openssl` reach on the
 * same file), a peer, or a budget. Benchmarks read their settings from command
 * line flags (`npm run bench -- blob-put --size 512M`), never from the environment.
 */

export interface BenchRow {
  /** What was measured, e.g. `put 2 GiB`. */
  benchmark: string;
  figure: number;
  unit: string;
  /** The bound or peer the figure is compared with, in the same unit. */
  limit?: number;
  /** The goal, as figure/limit in percent: at least (throughput) or at most (memory). */
  target?: { atLeastPercent: number } | { atMostPercent: number };
  note?: string;
}

export interface BenchContext {
  /** A fresh folder for this benchmark's files, removed after it returns. */
  workDir: string;
  /** `--name value` flags from the command line (a bare `--name` has the value ''). */
  flags: ReadonlyMap<string, string>;
  /** One progress line on stderr, so the table on stdout stays clean. */
  log: (message: string) => void;
}

export type Benchmark = (context: BenchContext) => Promise<BenchRow[]>;

const SIZE_UNITS: Record<string, number> = { '': 1, K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40 };

/**
 * Parses a byte count written as `2G`, `512M`, `1.5G` or `4096` (binary units).
 * @example parseBytes('2G') === 2147483648
 */
export function parseBytes(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([KMGT]?)(?:i?B)?$/i.exec(text.trim());
  const unit = SIZE_UNITS[match?.[2]?.toUpperCase() ?? ''];
  if (!match?.[1] || unit === undefined) throw new Error(`not a size: '${text}' (try 512M or 2G)`);
  return Math.round(Number(match[1]) * unit);
}

/** Formats a byte count in binary units for notes and headings. */
export function formatBytes(bytes: number): string {
  for (const [suffix, unit] of [['TiB', 2 ** 40], ['GiB', 2 ** 30], ['MiB', 2 ** 20], ['KiB', 2 ** 10]] as const) {
    if (bytes >= unit) return `${Number((bytes / unit).toFixed(2))} ${suffix}`;
  }
  return `${bytes} B`;
}

/** Throughput in MB/s (10^6 bytes per second, as dd and most tools print it). */
export function megabytesPerSecond(bytes: number, milliseconds: number): number {
  return bytes / 1e6 / (milliseconds / 1000);
}
