/**
 * The command-line tools text extraction stands on (Poppler, Tesseract, OpenJPEG), run as
 * child processes: an argument array and never a shell, a time limit, the caller's abort
 * signal, and a cap on how much of their output is kept.
 *
 * A run settles only after the child has exited, even when it is killed: the caller then
 * removes its scratch folder, and a child still writing into it would leave files behind.
 */
import { spawn } from 'node:child_process';
import { ExtractionError } from './extraction-error.js';

export interface ToolRun {
  stdout: Buffer;
  stderr: string;
  /** Exit code; null when the child was killed because its output reached `maxStdoutBytes`. */
  code: number | null;
  /** True when stdout was cut at `maxStdoutBytes` (the child was stopped there). */
  truncated: boolean;
}

export interface ToolOptions {
  /** Kill the child (SIGKILL) after this long and fail with reason 'timeout'. */
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  /** Keep at most this much of stdout, then stop the child; unlimited when absent. */
  maxStdoutBytes?: number;
  /** The Debian package that installs the command, for the 'tool-missing' message. */
  debianPackage: string;
  /** Variables added to the environment the child inherits. */
  env?: Record<string, string>;
}

/** stderr is for the error message: its head says what went wrong, the rest is noise. */
const MAX_STDERR_BYTES = 64 * 1024;

export function runTool(command: string, args: readonly string[], options: ToolOptions): Promise<ToolRun> {
  const { signal } = options;
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise<ToolRun>((resolve, reject) => {
    const child = spawn(command, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      // Passed through, not read: the child inherits the environment it would get from a shell.
      env: options.env ? { ...process.env, ...options.env } : undefined,
    });
    const stdout: Buffer[] = [];
    let stdoutBytes = 0;
    let stderr = '';
    let truncated = false;
    let timedOut = false;
    let aborted = false;
    let settled = false;
    const kill = () => child.kill('SIGKILL');
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, options.timeoutMs);
    const onAbort = () => {
      aborted = true;
      kill();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    const finish = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      outcome();
    };

    child.stdout.on('data', (chunk: Buffer) => {
      if (truncated) return;
      const room = (options.maxStdoutBytes ?? Number.POSITIVE_INFINITY) - stdoutBytes;
      if (chunk.length > room) {
        stdout.push(chunk.subarray(0, Math.max(0, room)));
        stdoutBytes += Math.max(0, room);
        truncated = true;
        kill();
        return;
      }
      stdout.push(chunk);
      stdoutBytes += chunk.length;
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      if (stderr.length < MAX_STDERR_BYTES) stderr += chunk;
    });
    child.on('error', (err: NodeJS.ErrnoException) => {
      finish(() =>
        reject(
          err.code === 'ENOENT'
            ? new ExtractionError('tool-missing', `${command} is not installed (apt-get install ${options.debianPackage}; scripts/setup.sh installs it)`, { cause: err })
            : err,
        ),
      );
    });
    child.on('close', (code) => {
      finish(() => {
        if (aborted && signal) reject(signal.reason);
        else if (timedOut) reject(new ExtractionError('timeout', `${command} ran longer than ${Math.round(options.timeoutMs / 1000)} s and was stopped`));
        else resolve({ stdout: Buffer.concat(stdout), stderr, code: truncated ? null : code, truncated });
      });
    });
  });
}

/** The first line of stderr, for messages: Poppler and Tesseract put the reason there. */
export function firstLine(text: string): string {
  return (
    text
      .split('\n')
      .map((l) => l.trim())
      .find((l) => l !== '') ?? ''
  ).slice(0, 300);
}

const versions = new Map<string, Promise<string>>();

/**
 * What a tool says of its version (`pdftotext -v`, `tesseract --version`), asked once per
 * process, as "<command> <version>": the first group of `pattern` where the tool buries its
 * version in a sentence, else its first line.
 */
export function toolVersion(command: string, args: readonly string[], pattern?: RegExp): Promise<string> {
  const key = `${command} ${args.join(' ')}`;
  let found = versions.get(key);
  if (!found) {
    found = runTool(command, args, { timeoutMs: 10_000, debianPackage: command })
      .then(({ stdout, stderr }) => {
        const text = `${stdout.toString('utf8')}\n${stderr}`;
        const version = pattern ? pattern.exec(text)?.[1] : firstLine(text).replace(/^\S+\s+(version\s+)?/, '');
        return `${command} ${version || '(version unknown)'}`;
      })
      .catch(() => `${command} (version unknown)`);
    versions.set(key, found);
  }
  return found;
}
