/**
 * Starts the real `lantai serve --demo` for one e2e test file: a fresh
 * temporary folder for the SQLite database, the blob store and the staging
 * area, a free port found here, and the process stopped (and the folder
 * removed) afterwards. LANTAI_* variables of the calling shell are not passed
 * on, so a developer's own settings cannot change what the tests see.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

const startTimeoutMs = 60_000;
const stopTimeoutMs = 10_000;
const runningLine = /Lantai is running: (https?:\/\/[^\s"'\\]+)/;

export interface RunningServer {
  /** Base URL the server printed, e.g. http://localhost:41234/ */
  readonly url: string;
  /** The temporary folder holding its database, blobs and staging area. */
  readonly dataDir: string;
  /** Everything it wrote to stdout and stderr so far. */
  output(): string;
  /** Stops the server (SIGTERM, then SIGKILL after 10 s) and removes its folder. */
  stop(): Promise<void>;
}

/** A TCP port nobody listens on right now, from the kernel (listen on 0, then close). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => {
        if (address === null || typeof address === 'string') reject(new Error('could not find a free port'));
        else resolve(address.port);
      });
    });
  });
}

function inheritedEnvironment(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('LANTAI_')));
}

function tail(text: string, lines = 40): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/**
 * Starts `node bin/lantai.js serve --demo` in a new temporary folder and waits
 * (up to 60 s) for its "Lantai is running: <url>" line.
 * @example
 * const server = await startServer();
 * await fetch(new URL('api/meta', server.url));
 * await server.stop();
 */
export async function startServer(): Promise<RunningServer> {
  const cli = path.join(repoRoot, 'bin', 'lantai.js');
  const webIndex = path.join(repoRoot, 'web', 'dist', 'index.html');
  for (const file of [cli, path.join(repoRoot, 'dist', 'src', 'main.js'), webIndex]) {
    if (!existsSync(file)) throw new Error(`${path.relative(repoRoot, file)} is missing: run npm run build first`);
  }

  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'lantai-e2e-'));
  const port = await freePort();
  const child = spawn(process.execPath, [cli, 'serve', '--demo'], {
    cwd: dataDir,
    env: {
      ...inheritedEnvironment(),
      LANTAI_PORT: String(port),
      LANTAI_DATABASE_URL: `sqlite:${path.join(dataDir, 'lantai.db')}`,
      LANTAI_STORES: `primary=${path.join(dataDir, 'blobs')}`,
      LANTAI_DATA_DIR: dataDir,
      NO_COLOR: '1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });

  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const output = () => `${stdout}${stderr === '' ? '' : `\n--- stderr ---\n${stderr}`}`;

  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // If the test process dies first, do not leave a server behind.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  const stop = async () => {
    process.off('exit', killOnExit);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), stopTimeoutMs);
      await exited;
      clearTimeout(timer);
    }
    await rm(dataDir, { recursive: true, force: true });
  };

  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`lantai serve printed no "Lantai is running" line within ${startTimeoutMs / 1000} s`)),
        startTimeoutMs,
      );
      const done = (settle: () => void) => {
        clearTimeout(timer);
        child.stdout.off('data', look);
        settle();
      };
      const look = () => {
        const match = runningLine.exec(stdout);
        if (match?.[1] !== undefined) {
          const found = match[1];
          done(() => resolve(found));
        }
      };
      child.stdout.on('data', look);
      child.once('error', (error) => done(() => reject(error)));
      child.once('exit', (code, signal) => done(() => reject(new Error(`lantai serve exited early (code ${code}, signal ${signal})`))));
    });
    return { url, dataDir, output, stop };
  } catch (error) {
    await stop();
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`${reason}\n${tail(stderr) || '(nothing on stderr)'}\n--- stdout ---\n${tail(stdout) || '(nothing on stdout)'}`);
  }
}
