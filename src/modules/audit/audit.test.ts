import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../platform/db/database.js';
import { platformMigrations } from '../../platform/db/migrations/platform.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../../platform/db/test-support/databases.js';
import { auditMigrations } from './migrations.js';
import { createAuditLog, entryHash, type AuditEntryInput, type AuditLog } from './service.js';

const clerk: AuditEntryInput['actor'] = { userId: 'u1', username: 'wang.wu', organisationId: 'o1', roles: ['agency_clerk'], address: '10.0.0.8' };
const sysadmin: AuditEntryInput['actor'] = { userId: 'u2', username: 'sys', organisationId: 'o0', roles: ['system_admin'], address: '10.0.0.2' };

describe.each(DIALECTS)('security audit log on %s', (dialect) => {
  let t: TestDatabase;
  let db: Db;
  let dir: string;
  let audit: AuditLog;

  async function appendMany(n: number, actor = clerk): Promise<void> {
    for (let i = 0; i < n; i++) {
      await db.transaction().execute((tx) => audit.append(tx, { actor, action: 'catalog.record.view', target: { type: 'record', id: `r${i}`, label: `档号 Z109-WS·2011-Y-${String(i).padStart(4, '0')}` }, result: 'ok', details: { page: i } }));
    }
  }

  // Tampering needs the append-only triggers out of the way, as an attacker with DBA rights would do.
  async function withoutTriggers(work: () => Promise<void>): Promise<void> {
    if (dialect === 'sqlite') {
      await sql`drop trigger audit_entries_no_update`.execute(db);
      await sql`drop trigger audit_entries_no_delete`.execute(db);
    } else {
      await sql`alter table audit_entries disable trigger user`.execute(db);
    }
    await work();
  }

  beforeAll(async () => {
    t = await createTestDatabase(dialect, [...platformMigrations, ...auditMigrations]);
  });
  afterAll(async () => t?.drop());
  beforeEach(async () => {
    // A fresh database per test: tampering tests break the log on purpose.
    await t.drop();
    t = await createTestDatabase(dialect, [...platformMigrations, ...auditMigrations]);
    db = t.database.db;
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'lantai-audit-'));
    audit = createAuditLog({ caps: t.database.caps, files: { keyFile: path.join(dir, 'key'), checkpointFile: path.join(dir, 'checkpoints.jsonl') } });
  });

  it('chains every entry with SM3 and verifies a clean log', async () => {
    await appendMany(25);
    const report = await audit.verify(db);
    expect(report).toMatchObject({ ok: true, entries: 25, firstBroken: null });
    const [first, second] = await db.selectFrom('audit_entries').selectAll().orderBy('seq').limit(2).execute();
    expect(second?.prev_hash).toBe(first?.hash);
    expect(first?.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('leaves no entry when the action’s transaction rolls back', async () => {
    await expect(
      db.transaction().execute(async (tx) => {
        await audit.append(tx, { actor: clerk, action: 'transfer.submit', target: null, result: 'ok' });
        throw new Error('hand-over failed');
      }),
    ).rejects.toThrow('hand-over failed');
    expect(await db.selectFrom('audit_entries').selectAll().execute()).toEqual([]);
    await appendMany(1);
    expect((await audit.verify(db)).ok).toBe(true);
  });

  it('refuses UPDATE and DELETE of entries through the database itself', async () => {
    await appendMany(2);
    await expect(sql`update audit_entries set action = 'nothing' where seq = 1`.execute(db)).rejects.toThrow(/append-only/);
    await expect(sql`delete from audit_entries where seq = 1`.execute(db)).rejects.toThrow(/append-only/);
  });

  it('names the first broken entry when a row is edited', async () => {
    await appendMany(10);
    await withoutTriggers(async () => {
      await sql`update audit_entries set actor_username = 'someone-else' where seq = 6`.execute(db);
    });
    expect((await audit.verify(db)).firstBroken).toMatchObject({ seq: 6, en: 'entry 6 was altered' });
  });

  it('names the first broken entry when a row is deleted', async () => {
    await appendMany(10);
    await withoutTriggers(async () => {
      await sql`delete from audit_entries where seq = 4`.execute(db);
    });
    expect((await audit.verify(db)).firstBroken).toMatchObject({ seq: 4, en: 'audit entry 4 is missing (deleted)' });
  });

  it('names the first broken entry when rows are reordered', async () => {
    await appendMany(10);
    await withoutTriggers(async () => {
      // Swap the contents of entries 3 and 7, keeping their positions.
      const rows = await db.selectFrom('audit_entries').selectAll().where('seq', 'in', [3, 7]).orderBy('seq').execute();
      const [a, b] = rows;
      if (!a || !b) throw new Error('fixture rows missing');
      await db.deleteFrom('audit_entries').where('seq', 'in', [3, 7]).execute();
      await db.insertInto('audit_entries').values([{ ...b, seq: 3, id: `${b.id}-moved` }, { ...a, seq: 7, id: `${a.id}-moved` }]).execute();
    });
    const report = await audit.verify(db);
    expect(report.ok).toBe(false);
    expect(report.firstBroken?.seq).toBe(3);
  });

  it('catches a chain rewritten consistently after the triggers were dropped, by its signed checkpoints', async () => {
    await appendMany(8, sysadmin);
    expect(await audit.checkpoint(db)).toMatchObject({ seq: 8 });
    await appendMany(2, sysadmin);
    await withoutTriggers(async () => {
      // The attacker edits entry 5 and recomputes every hash after it, and the head.
      await sql`update audit_entries set action = 'accounts.user.view' where seq = 5`.execute(db);
      let prev = (await db.selectFrom('audit_entries').select('hash').where('seq', '=', 4).executeTakeFirstOrThrow()).hash;
      for (const e of await db.selectFrom('audit_entries').selectAll().where('seq', '>=', 5).orderBy('seq').execute()) {
        const { hash: _old, prev_hash: _p, ...fields } = e;
        const hash = entryHash(prev, fields);
        await db.updateTable('audit_entries').set({ prev_hash: prev, hash }).where('seq', '=', e.seq).execute();
        prev = hash;
      }
      await db.updateTable('audit_chain_head').set({ hash: prev }).where('id', '=', 1).execute();
    });
    const report = await audit.verify(db);
    expect(report.firstBroken).toMatchObject({ seq: 8, en: 'entry 8 does not match its signed checkpoint (the chain was rewritten)' });
  });

  it('detects an altered checkpoint file', async () => {
    await appendMany(3);
    await audit.checkpoint(db);
    const file = path.join(dir, 'checkpoints.jsonl');
    await fs.writeFile(file, (await fs.readFile(file, 'utf8')).replace(/"hash":"[0-9a-f]{4}/, '"hash":"0000'));
    expect((await audit.verify(db)).firstBroken?.en).toMatch(/invalid signature/);
  });

  it('lets the security admin review ordinary users and the auditor review the admins, and neither the other', async () => {
    await appendMany(2, clerk);
    await appendMany(3, sysadmin);
    const bySecurity = await audit.review(db, 'security_admin');
    const byAuditor = await audit.review(db, 'auditor');
    expect(bySecurity.map((e) => e.actor_username)).toEqual(['wang.wu', 'wang.wu']);
    expect(byAuditor.map((e) => e.actor_username)).toEqual(['sys', 'sys', 'sys']);
  });

  it('keeps the chain linear under concurrent transactions', async () => {
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => db.transaction().execute((tx) => audit.append(tx, { actor: clerk, action: 'search.query', target: null, result: 'ok', details: { i } }))),
    );
    expect(await audit.verify(db)).toMatchObject({ ok: true, entries: 20 });
  });

  it('archives old entries to a signed, verified segment file, detaches only them, and keeps the chain verifiable', async () => {
    await appendMany(6);
    await audit.checkpoint(db);
    const outDir = path.join(dir, 'archive');
    const result = await audit.archive(db, { before: new Date(Date.now() + 60_000), outDir, actor: sysadmin });
    expect(result).toMatchObject({ fromSeq: 1, toSeq: 6 });
    const lines = (await fs.readFile(result?.file ?? '', 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(6);
    const manifest = JSON.parse(await fs.readFile(`${result?.file ?? ''}.manifest.json`, 'utf8'));
    expect(manifest).toMatchObject({ fromSeq: 1, toSeq: 6, hmac: expect.stringMatching(/^[0-9a-f]{64}$/) });
    // Only the archive's own entry remains, and the chain verifies from the segment's head.
    expect((await db.selectFrom('audit_entries').select('action').execute()).map((e) => e.action)).toEqual(['audit.archive']);
    await appendMany(2);
    expect(await audit.verify(db)).toMatchObject({ ok: true, entries: 3 });
    // Entries not covered by a segment still cannot be deleted.
    await expect(sql`delete from audit_entries where seq = 8`.execute(db)).rejects.toThrow(/append-only/);
  });
});
