import { spawn } from 'node:child_process';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../platform/db/test-support/databases.js';
import { parseCutoff } from './cli.js';
import { ACTORS, auditFixture, type AuditFixture } from './test-support/fixture.js';

const HARNESS = new URL('./test-support/audit-cli.ts', import.meta.url).href;

describe('the archive cut-off date', () => {
  it('reads YYYY-MM-DD as local midnight and refuses anything else', () => {
    expect(parseCutoff('2025-05-31')).toEqual(new Date(2025, 4, 31));
    for (const bad of ['2025-02-30', '2025-5-1', '31.05.2025', 'yesterday']) expect(() => parseCutoff(bad)).toThrow(expect.objectContaining({ code: 'AUDIT_ARCHIVE_DATE_INVALID' }));
  });
});

describe.each(DIALECTS)('lantai audit-log on %s', (dialect) => {
  let f: AuditFixture;
  let env: Record<string, string>;

  /** Runs the audit-log commands in a process of their own and collects what they print. */
  function auditLog(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', '--input-type=module', '-e', `const { runAuditCli } = await import(${JSON.stringify(HARNESS)}); await runAuditCli(['node', 'lantai', ...process.argv.slice(1)]);`, '--', ...args],
        { env: { PATH: process.env.PATH ?? '', LANTAI_LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('exit', (code) => resolve({ code, stdout, stderr }));
    });
  }

  beforeAll(async () => {
    f = await auditFixture(dialect);
    env = { LANTAI_DATABASE_URL: f.t.config.url, LANTAI_DATA_DIR: f.dir, LANTAI_AUDIT_KEY_FILE: f.keyFile, LANTAI_AUDIT_CHECKPOINT_FILE: f.checkpointFile };
    f.clock.set('2025-01-10T09:00:00.000Z');
    await f.appendMany(5, ACTORS.sysadmin);
    f.clock.set(new Date());
    await f.appendMany(5);
  });
  afterAll(async () => f?.drop());

  it('checkpoints, archives only what is six months old, and verifies, for people and for scripts', async () => {
    const checkpoint = await auditLog(['--json', 'audit-log', 'checkpoint']);
    expect(checkpoint.code, checkpoint.stderr).toBe(0);
    // The command's own entry (as the signed-in auditor) comes first, so the checkpoint covers it.
    expect(JSON.parse(checkpoint.stdout)).toMatchObject({ seq: 11 });
    expect(await f.db.selectFrom('audit_entries').select(['actor_username', 'actor_roles']).where('action', '=', 'audit.checkpoint').executeTakeFirst()).toMatchObject({ actor_username: 'aud' });

    const tooRecent = await auditLog(['audit-log', 'archive', '--before', new Date().toISOString().slice(0, 10), '--out', path.join(f.dir, 'archive')]);
    expect(tooRecent.code).toBe(1);
    expect(tooRecent.stderr).toContain('AUDIT_ARCHIVE_TOO_RECENT');
    expect(tooRecent.stderr).toContain('只能归档六个月以前的审计记录');

    const archived = await auditLog(['--json', 'audit-log', 'archive', '--before', '2025-06-01', '--out', path.join(f.dir, 'archive'), '--as', 'zhao.liu']);
    expect(archived.code, archived.stderr).toBe(0);
    expect(JSON.parse(archived.stdout)).toMatchObject({ fromSeq: 1, toSeq: 5, entries: 5 });
    expect(await f.db.selectFrom('audit_entries').select('actor_username').where('action', '=', 'audit.archive').executeTakeFirst()).toEqual({ actor_username: 'zhao.liu' });

    const verified = await auditLog(['audit-log', 'verify']);
    expect(verified.code, verified.stderr).toBe(0);
    expect(verified.stdout).toContain('审计链完好：7 条记录，1 个签名检查点相符 / audit chain intact: 7 entries; signed checkpoints matching: 1');
    expect(verified.stdout).toContain('entries 1 to 5 are archived');
  });

  it('exits 1 and names the first broken entry', async () => {
    await f.asAttacker(() => sql`update audit_entries set target_id = 'r-other' where seq = 8`.execute(f.db).then(() => undefined));
    const id = (await f.db.selectFrom('audit_entries').select('id').where('seq', '=', 8).executeTakeFirstOrThrow()).id;
    const human = await auditLog(['audit-log', 'verify']);
    expect(human.code).toBe(1);
    expect(human.stdout).toContain(`审计链被破坏，第 8 号（${id}）：第 8 号记录内容被改动 / audit chain broken at entry 8 (${id}): entry 8 was altered`);
    const script = await auditLog(['--json', 'audit-log', 'verify']);
    expect(script.code).toBe(1);
    expect(JSON.parse(script.stdout)).toMatchObject({ ok: false, firstBroken: { seq: 8, id, kind: 'altered' } });
  });
});
