/**
 * What the machine itself reaches on a file: the physical limits that a byte
 * path of ours is compared with. `dd … conv=fsync` bounds writing to the
 * filesystem, `openssl dgst` bounds each digest on one core.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import { performance } from 'node:perf_hooks';

const BLOCK = 4 * 2 ** 20;

/**
 * Writes `bytes` of random-looking data, fsync'd. One random 4 MiB block is
 * reused with a counter stamped into each copy, so no two blocks are alike
 * (nothing on the way can deduplicate) and making 2 GiB takes seconds, not minutes.
 */
export async function createRandomFile(file: string, bytes: number): Promise<void> {
  const block = randomBytes(BLOCK);
  const handle = await fs.open(file, 'w');
  try {
    for (let offset = 0, n = 0n; offset < bytes; offset += BLOCK, n += 1n) {
      block.writeBigUInt64LE(n, 0);
      const length = Math.min(BLOCK, bytes - offset);
      await handle.write(block, 0, length);
    }
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export interface CommandRun {
  milliseconds: number;
  /** User + system CPU time of the command (and its children). */
  cpuSeconds: number;
  stdout: string;
}

// bash's `times` prints the CPU time of the shell, then of its children (`1m2.345s 0m0.067s`).
const TIMES_LINE = /(\d+)m([\d.]+)s\s+(\d+)m([\d.]+)s\s*$/;

/** Runs a command to its end and measures its wall and CPU time. */
export function timeCommand(command: string, args: string[]): Promise<CommandRun> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    // Through bash so that `times` can report the command's CPU time on fd 3.
    const child = spawn('bash', ['-c', '"$@" || exit; times >&3', 'bash', command, ...args], { stdio: ['ignore', 'pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let times = '';
    child.stdout?.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr?.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.stdio[3]?.on('data', (b: Buffer) => (times += b.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => {
      const milliseconds = performance.now() - started;
      const m = TIMES_LINE.exec(times);
      if (code !== 0) reject(new Error(`${command} ${args.join(' ')} exited with ${code}: ${stderr.trim()}`));
      else if (!m) reject(new Error(`no CPU times from bash: ${times}`));
      else {
        const cpuSeconds = Number(m[1]) * 60 + Number(m[2]) + Number(m[3]) * 60 + Number(m[4]);
        resolve({ milliseconds, cpuSeconds, stdout });
      }
    });
  });
}

/** Reads the file once so that every later measurement reads it from the page cache. */
export async function warmPageCache(file: string): Promise<void> {
  await timeCommand('dd', [`if=${file}`, 'of=/dev/null', 'bs=4M', 'status=none']);
}

/** `dd if=file of=dest bs=4M conv=fsync`: copying the file within the filesystem, to disk. */
export async function ddFsyncWrite(file: string, dest: string): Promise<CommandRun> {
  try {
    return await timeCommand('dd', [`if=${file}`, `of=${dest}`, 'bs=4M', 'conv=fsync', 'status=none']);
  } finally {
    await fs.rm(dest, { force: true });
  }
}

export interface DigestRun extends CommandRun {
  hex: string;
}

/** `openssl dgst -<algorithm> file`, with the hex digest it printed. */
export async function opensslDigest(file: string, algorithm: 'sha256' | 'sm3'): Promise<DigestRun> {
  const run = await timeCommand('openssl', ['dgst', `-${algorithm}`, file]);
  const hex = /=\s*([0-9a-f]+)\s*$/.exec(run.stdout)?.[1];
  if (!hex) throw new Error(`unexpected openssl output: ${run.stdout}`);
  return { ...run, hex };
}
