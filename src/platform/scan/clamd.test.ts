import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClamd } from './clamd.js';
import { EICAR, startTestClamd, TEST_SIGNATURE, type TestClamd } from './test-support/clamd.js';

describe('clamd client', () => {
  let dir = '';
  let clamd: TestClamd;
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'lantai-clamd-'));
    clamd = await startTestClamd(path.join(dir, 'clamd'), { streamMaxBytes: 1024 * 1024 });
  }, 60_000);
  afterAll(async () => {
    await clamd?.stop();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('finds the EICAR test string and passes a clean file', async () => {
    const scanner = createClamd({ socket: clamd.socket });
    const bad = path.join(dir, 'eicar.txt');
    const good = path.join(dir, 'clean.txt');
    await fs.writeFile(bad, EICAR);
    await fs.writeFile(good, '关于做好档案工作的通知');
    expect(await scanner.scanFile(bad, EICAR.length)).toEqual({ status: 'infected', signature: `${TEST_SIGNATURE}.UNOFFICIAL` });
    expect(await scanner.scanFile(good, 33)).toEqual({ status: 'clean' });
    expect((await scanner.version())?.text).toMatch(/^ClamAV \d/);
  });

  it('reports a file over the limit as too large, never as clean: ours, and clamd’s StreamMaxLength', async () => {
    const big = path.join(dir, 'big.bin');
    await fs.writeFile(big, Buffer.alloc(3 * 1024 * 1024, 1));
    expect(await createClamd({ socket: clamd.socket, maxBytes: 1000 }).scanFile(big, 3 * 1024 * 1024)).toEqual({ status: 'too-large', limit: 1000 });
    // Past clamd's own StreamMaxLength it answers "size limit exceeded" and resets the connection; depending on
    // which the client sees first the file is too large or the scan unavailable — never clean.
    expect(['too-large', 'unavailable']).toContain((await createClamd({ socket: clamd.socket }).scanFile(big, 3 * 1024 * 1024)).status);
  });

  it('says clamd is unavailable when nothing listens', async () => {
    const scanner = createClamd({ socket: path.join(dir, 'nobody.sock') });
    expect((await scanner.scanFile(path.join(dir, 'x'), 1)).status).toBe('unavailable');
    expect(await scanner.version()).toBeNull();
  });
});
