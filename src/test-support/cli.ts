/**
 * Runs the real `lantai` command line (from sources, in a process of its own) and
 * collects what it prints: for tests of commands, their output and exit status.
 */
import { spawn } from 'node:child_process';

const MAIN = new URL('../main.ts', import.meta.url).href;

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliRunOptions {
  /** Written to standard input, which is then closed (a pipe, never a terminal); without it, standard input is empty. */
  input?: string;
  /** Stops the process (SIGTERM) once standard output matches. */
  until?: RegExp;
}

export function runLantai(args: string[], env: Record<string, string>, options: CliRunOptions = {}): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', `const { main } = await import(${JSON.stringify(MAIN)}); await main(['node', 'lantai', ...process.argv.slice(1)]);`, '--', ...args],
      { env: { PATH: process.env.PATH ?? '', LANTAI_LOG_LEVEL: 'warn', ...env }, stdio: ['pipe', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (options.until?.test(stdout)) child.kill('SIGTERM');
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdin.end(options.input ?? '');
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}
