/**
 * Progress of `lantai transfer submit` on standard error (standard output stays
 * for the result): one bar for the whole package and, while a folder's files are
 * read, one for the file at hand. Silent when standard error is not a terminal
 * or the command prints JSON.
 */
import cliProgress from 'cli-progress';

export interface TransferProgress {
  /** Starts a phase (hashing, uploading) of `total` bytes; the overall bar restarts at `done`. */
  phase(label: string, total: number, done?: number): void;
  overall(done: number): void;
  /** The file of a folder being read, and how much of it. */
  file(name: string, size: number, done: number): void;
  stop(): void;
}

export const silentProgress: TransferProgress = { phase: () => undefined, overall: () => undefined, file: () => undefined, stop: () => undefined };

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'];

/** 1536 → `1.5 KB`. */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${UNITS[unit]}`;
}

/** Shortens a long path to its end, which names the file. */
const tail = (name: string, max = 40) => (name.length <= max ? name.padEnd(max) : `…${name.slice(-(max - 1))}`);

export function createTransferProgress(enabled: boolean, stream: NodeJS.WriteStream = process.stderr): TransferProgress {
  if (!enabled || !stream.isTTY) return silentProgress;
  // One set of bars per phase, so lines printed between phases stay in order. The cursor
  // stays visible: Ctrl-C (the way to pause an upload) must not leave it hidden.
  let bars: cliProgress.MultiBar | null = null;
  let main: cliProgress.SingleBar | null = null;
  let file: cliProgress.SingleBar | null = null;
  let label = '';
  const stop = () => {
    bars?.stop();
    bars = main = file = null;
  };
  return {
    phase(next, total, done = 0) {
      stop();
      label = next;
      bars = new cliProgress.MultiBar(
        {
          format: '{label} [{bar}] {percentage}% {value}/{total} {eta_formatted}',
          formatValue: (v, options, type) => (type === 'value' || type === 'total' ? formatBytes(v) : cliProgress.Format.ValueFormat(v, options, type)),
          hideCursor: false,
          stream,
          clearOnComplete: false,
        },
        cliProgress.Presets.shades_classic,
      );
      main = bars.create(Math.max(total, 1), done, { label: tail(label) });
    },
    overall: (done) => main?.update(done, { label: tail(label) }),
    file(name, size, done) {
      if (!bars) return;
      file ??= bars.create(Math.max(size, 1), 0, { label: '' });
      file.setTotal(Math.max(size, 1));
      file.update(done, { label: tail(`  ${name}`) });
    },
    stop,
  };
}
