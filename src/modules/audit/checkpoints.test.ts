import { createHmac } from 'node:crypto';
import fs from 'node:fs/promises';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../platform/db/test-support/databases.js';
import { createJobQueue } from '../../platform/jobs/queue.js';
import { startRunner } from '../../platform/jobs/runner.js';
import { canonicalJson } from './hash-chain.js';
import { AUDIT_CHECKPOINT_JOB, createAuditLog, registerAuditJobs } from './service.js';
import { ACTORS, auditFixture, type AuditFixture } from './test-support/fixture.js';

describe.each(DIALECTS)('signed checkpoints outside the database on %s', (dialect) => {
  let f: AuditFixture | undefined;
  afterEach(async () => f?.drop());

  it('creates a 32-byte key readable by its owner only when it first signs, and never when it only checks', async () => {
    f = await auditFixture(dialect);
    await f.appendMany(3);
    expect(await f.audit.verify(f.db)).toMatchObject({ ok: true });
    await expect(fs.stat(f.keyFile)).rejects.toMatchObject({ code: 'ENOENT' });
    await f.audit.checkpointNow(f.db);
    const stat = await fs.stat(f.keyFile);
    expect(stat.size).toBe(32);
    expect(stat.mode & 0o777).toBe(0o600);
    expect((await fs.stat(f.checkpointFile)).mode & 0o777).toBe(0o600);
  });

  it('signs the committed head as one JSON line with HMAC-SM3, and writes none when nothing is new', async () => {
    f = await auditFixture(dialect);
    await f.appendMany(4);
    const head = await f.db.selectFrom('audit_chain_head').select(['seq', 'hash', 'count']).executeTakeFirstOrThrow();
    const written = await f.audit.checkpointNow(f.db);
    expect(written).toMatchObject({ seq: 4, hash: head.hash, count: 4 });
    expect(await f.audit.checkpointNow(f.db)).toBeNull();
    const lines = (await fs.readFile(f.checkpointFile, 'utf8')).trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    const { hmac, ...unsigned } = JSON.parse(lines[0] ?? '') as Record<string, unknown>;
    // What the auditor's own tool would do with the key file: HMAC-SM3 over the canonical JSON of the other fields.
    expect(hmac).toBe(createHmac('sm3', await fs.readFile(f.keyFile)).update(canonicalJson(unsigned)).digest('hex'));
    expect(await f.audit.verify(f.db)).toMatchObject({ ok: true, checkpointsChecked: 1, anchoredThrough: 4 });
  });

  it('says so when the checkpoint file belongs to another database’s audit log', async () => {
    f = await auditFixture(dialect);
    await f.appendMany(2);
    await f.audit.checkpointNow(f.db);
    const other = await auditFixture(dialect);
    try {
      // A second installation pointed by mistake at the first one's checkpoint file.
      const confused = createAuditLog({ caps: other.t.database.caps, checkpoints: f.sink });
      await other.appendMany(3);
      const report = await confused.verify(other.db);
      expect(report.firstBroken).toMatchObject({ seq: 2, kind: 'checkpoint', en: expect.stringContaining('belongs to another audit log') });
      expect(report.firstBroken?.en).toContain('LANTAI_AUDIT_CHECKPOINT_FILE');
    } finally {
      await other.drop();
    }
  });

  it('finds a checkpoint due every N entries and when the last is ten minutes old, and enqueues the checkpoint job in the same transaction', async () => {
    const jobs = createJobQueue();
    const fx = await auditFixture(dialect, { checkpointEvery: 5, jobs });
    f = fx;
    registerAuditJobs(jobs, { db: fx.db, audit: fx.audit });
    expect(jobs.schedules()).toEqual([{ name: AUDIT_CHECKPOINT_JOB, cron: '*/10 * * * *', payload: null }]);
    const append = () => fx.db.transaction().execute((tx) => fx.audit.append(tx, { actor: ACTORS.clerk, action: 'catalog.record.view', target: null, result: 'ok' }));
    // Never anchored: the first entry asks for its anchor at once.
    expect((await append()).checkpointDue).toBe(true);
    await fx.audit.checkpointNow(fx.db);
    await fx.db.deleteFrom('jobs').execute();
    const dueAfter = [];
    for (let i = 0; i < 5; i++) dueAfter.push((await append()).checkpointDue);
    expect(dueAfter).toEqual([false, false, false, false, true]);
    expect(await fx.db.selectFrom('jobs').select(['type', 'status', 'dedupe_key']).execute()).toEqual([{ type: AUDIT_CHECKPOINT_JOB, status: 'pending', dedupe_key: AUDIT_CHECKPOINT_JOB }]);
    // The job runs after commit and anchors the committed head.
    const runner = startRunner({ database: fx.t.database, queue: jobs, log: pino({ level: 'silent' }), autoStart: false });
    try {
      await runner.tick();
      await runner.idle();
    } finally {
      await runner.stop();
    }
    expect(await fx.db.selectFrom('jobs').select('status').execute()).toEqual([{ status: 'succeeded' }]);
    expect(await fx.sink.last()).toMatchObject({ seq: 6 });
    // A rolled-back append leaves no job either.
    await fx.db.deleteFrom('jobs').execute();
    await expect(
      fx.db.transaction().execute(async (tx) => {
        await fx.audit.append(tx, { actor: ACTORS.clerk, action: 'catalog.record.view', target: null, result: 'ok' });
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(await fx.db.selectFrom('jobs').selectAll().execute()).toEqual([]);
    await fx.audit.checkpointNow(fx.db);
    expect((await append()).checkpointDue).toBe(false);
    fx.clock.set(new Date(fx.clock.now().getTime() + 10 * 60_000));
    expect((await append()).checkpointDue).toBe(true);
  });
});
