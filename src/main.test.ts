import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmptyDatabase } from './platform/db/test-support/databases.js';
import { runLantai } from './test-support/cli.js';

/** Runs the real CLI (from sources) and collects what it prints. */
const lantai = (args: string[], env: Record<string, string>, until?: RegExp) => runLantai(args, env, { until });

describe('lantai command line', () => {
  let dir: string;
  let env: Record<string, string>;
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'lantai-cli-'));
    env = { LANTAI_DATABASE_URL: `sqlite:${path.join(dir, 'lantai.db')}`, LANTAI_STORES: `primary=${path.join(dir, 'blobs')}`, LANTAI_DATA_DIR: dir, LANTAI_PORT: '0' };
  });
  afterAll(async () => fs.rm(dir, { recursive: true, force: true }));

  it('explains a wrong setting in one Chinese and English message, without a stack trace', async () => {
    const res = await lantai(['migrate'], { ...env, LANTAI_PORT: 'abc' });
    expect(res.code).toBe(78);
    expect(res.stderr).toContain('配置错误 LANTAI_PORT');
    expect(res.stderr).toContain('Configuration error in LANTAI_PORT');
    expect(res.stderr).not.toMatch(/\bat .*\(.*:\d+:\d+\)/);
  });

  it('says the database cannot be reached and how to fix it', async () => {
    const res = await lantai(['serve'], { ...env, LANTAI_DATABASE_URL: 'postgres://lantai:secret@127.0.0.1:1/lantai' });
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('DATABASE_UNAVAILABLE');
    expect(res.stderr).toContain('LANTAI_DATABASE_URL');
    expect(res.stderr).not.toContain('secret');
    expect(res.stderr).not.toMatch(/\bat .*\(.*:\d+:\d+\)/);
  });

  it('migrates and reports the result as JSON for scripts', async () => {
    const res = await lantai(['--json', 'migrate'], env);
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout)).toEqual({ applied: expect.arrayContaining(['2026-11-27-02-platform-jobs']), pending: [] });
  });

  it('refuses to serve a database that was never set up, then serves a demo and prints its URL', async () => {
    const refused = await lantai(['serve'], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('lantai setup');
    const demo = await lantai(['serve', '--demo'], env, /Lantai is running: (http:\/\/localhost:\d+\/)/);
    expect(demo.stdout).toMatch(/兰台已启动（演示环境 demo）.*Lantai is running: http:\/\/localhost:\d+\//);
    // The demo database is now refused by a real server, and setup will not convert it.
    const real = await lantai(['serve'], env);
    expect(real.stderr).toContain('INSTALLATION_IS_DEMO');
    const setup = await lantai(['setup'], env);
    expect(setup.code).toBe(1);
    expect(setup.stderr).toContain('INSTALLATION_IS_DEMO');
  });

  it('sets up a real installation without credentials, then asks for them before an auditor’s command, and refuses to serve it as a demo', async () => {
    const pg = await createEmptyDatabase('postgres');
    try {
      // A data folder of its own: the audit checkpoint file belongs to one database.
      const realEnv = { ...env, LANTAI_DATABASE_URL: pg.config.url, LANTAI_DATA_DIR: path.join(dir, 'real') };
      const setup = await lantai(['--json', 'setup', '--archive-name', '测试市档案馆'], realEnv);
      expect(setup.code, setup.stderr).toBe(0);
      const created = JSON.parse(setup.stdout) as { accounts: Array<{ username: string; role: string; password: string }> };
      expect(created.accounts.map((a) => a.role)).toEqual(['system_admin', 'security_admin', 'auditor']);
      expect(created.accounts.every((a) => a.password.length >= 12)).toBe(true);
      // setup needed no credentials; the auditor's commands do, and a one-time password must be changed first.
      const anonymous = await lantai(['audit-log', 'verify'], realEnv);
      expect(anonymous.code).toBe(1);
      expect(anonymous.stderr).toContain('CLI_CREDENTIALS_REQUIRED');
      const auditor = created.accounts.find((a) => a.role === 'auditor');
      const oneTime = await runLantai(['audit-log', 'verify', '--as', auditor?.username ?? ''], realEnv, { input: `${auditor?.password ?? ''}\n` });
      expect(oneTime.code).toBe(1);
      expect(oneTime.stderr).toContain('AUTH_PASSWORD_CHANGE_REQUIRED');
      expect(oneTime.stdout + oneTime.stderr).not.toContain(auditor?.password ?? 'x');
      const demo = await lantai(['serve', '--demo'], realEnv);
      expect(demo.code).toBe(1);
      expect(demo.stderr).toContain('INSTALLATION_IS_REAL');
    } finally {
      await pg.drop();
    }
  });
});
