/**
 * Running the extraction tools: a missing command, a command that runs too long, an abort,
 * and output larger than wanted, with real commands (sh, yes, sleep).
 */
import { describe, expect, it } from 'vitest';
import { runTool, toolVersion } from './run-tool.js';

describe('runTool', () => {
  it('says tool-missing, naming the Debian package, for a command that is not installed', async () => {
    await expect(runTool('lantai-no-such-tool', [], { timeoutMs: 5000, debianPackage: 'lantai-tools' })).rejects.toMatchObject({
      reason: 'tool-missing',
      message: expect.stringContaining('apt-get install lantai-tools') as string,
    });
  });

  it('kills a command that runs past its time limit and says timeout', async () => {
    const started = Date.now();
    await expect(runTool('sleep', ['10'], { timeoutMs: 100, debianPackage: 'coreutils' })).rejects.toMatchObject({ reason: 'timeout' });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('kills the command when the signal aborts and rejects with its reason', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('stop')), 50);
    await expect(runTool('sleep', ['10'], { timeoutMs: 10_000, signal: controller.signal, debianPackage: 'coreutils' })).rejects.toThrow('stop');
  });

  it('keeps only maxStdoutBytes of the output and stops the command there', async () => {
    const run = await runTool('yes', ['档案'], { timeoutMs: 10_000, maxStdoutBytes: 1000, debianPackage: 'coreutils' });
    expect(run).toMatchObject({ truncated: true, code: null });
    expect(run.stdout.length).toBe(1000);
  });

  it('passes arguments as they are, with no shell to interpret them', async () => {
    const run = await runTool('sh', ['-c', 'printf "%s" "$1"', 'sh', '$(echo injected); rm -rf /'], { timeoutMs: 5000, debianPackage: 'dash' });
    expect(run.stdout.toString()).toBe('$(echo injected); rm -rf /');
    expect(run.code).toBe(0);
  });
});

describe('toolVersion', () => {
  it('gives the command and its version', async () => {
    expect(await toolVersion('pdftotext', ['-v'])).toMatch(/^pdftotext \d+\.\d+\.\d+$/);
    expect(await toolVersion('tesseract', ['--version'])).toMatch(/^tesseract \d+\.\d+/);
  });
});
