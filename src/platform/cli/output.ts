/**
 * How CLI commands talk: human text (Chinese first, English after) with progress
 * bars on a terminal, or one JSON document per command with --json for scripts.
 */
import cliProgress from 'cli-progress';

export interface Output {
  json: boolean;
  /** A line for people; nothing in --json mode. */
  say(zh: string, en: string): void;
  /** The command's result: printed as JSON in --json mode, else handed to `human`. */
  result(value: unknown, human?: () => void): void;
  /** A progress bar on a terminal (silent in --json mode or when piped). */
  progress(total: number, label: string): { update(done: number): void; stop(): void };
}

export function createOutput(json: boolean, stream: NodeJS.WriteStream = process.stdout): Output {
  return {
    json,
    say(zh, en) {
      if (!json) stream.write(`${zh} / ${en}\n`);
    },
    result(value, human) {
      if (json) stream.write(`${JSON.stringify(value)}\n`);
      else human?.();
    },
    progress(total, label) {
      if (json || !stream.isTTY) return { update: () => undefined, stop: () => undefined };
      const bar = new cliProgress.SingleBar(
        { format: `${label} [{bar}] {percentage}% {value}/{total} ETA {eta_formatted}`, hideCursor: true, stream },
        cliProgress.Presets.shades_classic,
      );
      bar.start(total, 0);
      return { update: (done) => bar.update(done), stop: () => bar.stop() };
    },
  };
}
