/**
 * A private clamd for tests: its own socket and a signature database holding one
 * signature, for the EICAR test string (no network, no official databases needed).
 * The EICAR string is assembled at run time so no file in the repository trips a
 * virus scanner on a developer's machine.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

export const EICAR = ['X5O!P%@AP[4\\PZX54(P^)7CC)7}$', 'EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*'].join('');
export const TEST_SIGNATURE = 'Lantai.Test.EICAR';

export interface TestClamd {
  socket: string;
  stop(): Promise<void>;
}

/** Starts clamd with the test signature; `streamMaxBytes` sets its StreamMaxLength. */
export async function startTestClamd(dir: string, options: { streamMaxBytes?: number } = {}): Promise<TestClamd> {
  await fs.mkdir(path.join(dir, 'db'), { recursive: true });
  const md5 = createHash('md5').update(EICAR).digest('hex');
  await fs.writeFile(path.join(dir, 'db', 'lantai-test.hdb'), `${md5}:${EICAR.length}:${TEST_SIGNATURE}\n`);
  const socket = path.join(dir, 'clamd.sock');
  const limit = options.streamMaxBytes ?? 64 * 1024 * 1024;
  await fs.writeFile(
    path.join(dir, 'clamd.conf'),
    [`LocalSocket ${socket}`, `DatabaseDirectory ${path.join(dir, 'db')}`, 'Foreground yes', `LogFile ${path.join(dir, 'clamd.log')}`, `StreamMaxLength ${limit}`, `MaxFileSize ${limit}`, `MaxScanSize ${limit}`, 'AlertExceedsMax yes', ''].join('\n'),
  );
  let child: ChildProcess;
  try {
    child = spawn('clamd', [`--config-file=${path.join(dir, 'clamd.conf')}`], { stdio: 'ignore' });
  } catch {
    throw new Error('clamd is missing: apt-get install clamav-daemon (scripts/setup.sh installs it)');
  }
  const failed = new Promise<never>((_, reject) => {
    child.once('error', () => reject(new Error('clamd is missing: apt-get install clamav-daemon (scripts/setup.sh installs it)')));
    child.once('exit', (code) => reject(new Error(`clamd exited with ${code}; see ${path.join(dir, 'clamd.log')}`)));
  });
  failed.catch(() => undefined);
  const ready = (async () => {
    for (let i = 0; i < 300; i++) {
      if (await fs.stat(socket).then(() => true, () => false)) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('clamd did not open its socket within 30 s');
  })();
  await Promise.race([ready, failed]);
  return {
    socket,
    async stop() {
      child.removeAllListeners('exit');
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}
