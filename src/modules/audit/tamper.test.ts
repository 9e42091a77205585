import fs from 'node:fs/promises';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../platform/db/test-support/databases.js';
import { entryHash } from './hash-chain.js';
import { ACTORS, auditFixture, type AuditFixture } from './test-support/fixture.js';

describe.each(DIALECTS)('catching tampering with the audit log on %s', (dialect) => {
  let f: AuditFixture;
  // A fresh database per test: these tests break the log on purpose.
  beforeEach(async () => {
    f = await auditFixture(dialect);
    await f.appendMany(10);
  });
  afterEach(async () => f?.drop());

  async function idOf(seq: number): Promise<string> {
    return (await f.db.selectFrom('audit_entries').select('id').where('seq', '=', seq).executeTakeFirstOrThrow()).id;
  }

  it('names the edited entry when a row is edited', async () => {
    const id = await idOf(6);
    await f.asAttacker(() => sql`update audit_entries set actor_username = 'someone.else' where seq = 6`.execute(f.db).then(() => undefined));
    const report = await f.audit.verify(f.db);
    expect(report).toMatchObject({ ok: false, entries: 5, firstBroken: { seq: 6, id, kind: 'altered', zh: '第 6 号记录内容被改动', en: 'entry 6 was altered' } });
  });

  it('names the missing entry when a row is deleted', async () => {
    await f.asAttacker(() => sql`delete from audit_entries where seq = 4`.execute(f.db).then(() => undefined));
    expect((await f.audit.verify(f.db)).firstBroken).toEqual({ seq: 4, id: null, kind: 'missing', zh: '缺少第 4 号审计记录（被删除）', en: 'audit entry 4 is missing (deleted)' });
  });

  it('names the first moved entry when the contents of two rows are swapped', async () => {
    const [third, seventh] = await f.db.selectFrom('audit_entries').selectAll().where('seq', 'in', [3, 7]).orderBy('seq').execute();
    if (!third || !seventh) throw new Error('fixture rows missing');
    await f.asAttacker(async () => {
      const { seq: _3, ...a } = third;
      const { seq: _7, ...b } = seventh;
      await f.db.updateTable('audit_entries').set({ ...b, id: `${b.id}.moving` }).where('seq', '=', 3).execute();
      await f.db.updateTable('audit_entries').set(a).where('seq', '=', 7).execute();
      await f.db.updateTable('audit_entries').set({ id: b.id }).where('seq', '=', 3).execute();
    });
    expect((await f.audit.verify(f.db)).firstBroken).toMatchObject({ seq: 3, id: seventh.id, kind: 'relinked' });
  });

  it('catches a chain recomputed consistently after the triggers were dropped, by its signed checkpoint', async () => {
    expect(await f.audit.checkpointNow(f.db)).toMatchObject({ seq: 10 });
    await f.appendMany(2, ACTORS.sysadmin);
    await f.asAttacker(async () => {
      // The attacker edits entry 5, recomputes every hash after it, and moves the head.
      await sql`update audit_entries set action = 'accounts.user.view' where seq = 5`.execute(f.db);
      let prev = (await f.db.selectFrom('audit_entries').select('hash').where('seq', '=', 4).executeTakeFirstOrThrow()).hash;
      for (const e of await f.db.selectFrom('audit_entries').selectAll().where('seq', '>=', 5).orderBy('seq').execute()) {
        const { hash: _old, prev_hash: _linked, ...fields } = e;
        const hash = entryHash(prev, fields);
        await f.db.updateTable('audit_entries').set({ prev_hash: prev, hash }).where('seq', '=', e.seq).execute();
        prev = hash;
      }
      await f.db.updateTable('audit_chain_head').set({ hash: prev }).where('id', '=', 1).execute();
    });
    const report = await f.audit.verify(f.db);
    expect(report.firstBroken).toEqual({
      seq: 10,
      id: await idOf(10),
      kind: 'rewritten',
      zh: '第 10 号记录与签名检查点不符：第 1 至 10 号之间的记录被改写（审计链被整体重算）',
      en: 'entry 10 does not match its signed checkpoint: entries 1 to 10 were rewritten (the chain was recomputed)',
    });
  });

  it('catches a tail cut off together with the head row', async () => {
    await f.audit.checkpointNow(f.db);
    await f.asAttacker(async () => {
      await sql`delete from audit_entries where seq > 8`.execute(f.db);
      if (dialect === 'sqlite') await sql`drop trigger audit_chain_head_forward`.execute(f.db);
      else await sql`alter table audit_chain_head disable trigger user`.execute(f.db);
      const last = await f.db.selectFrom('audit_entries').select('hash').where('seq', '=', 8).executeTakeFirstOrThrow();
      await f.db.updateTable('audit_chain_head').set({ seq: 8, hash: last.hash, count: 8 }).where('id', '=', 1).execute();
    });
    expect((await f.audit.verify(f.db)).firstBroken).toMatchObject({ seq: 9, kind: 'truncated' });
  });

  it('catches a tail cut off when the head row was left alone', async () => {
    await f.asAttacker(() => sql`delete from audit_entries where seq > 8`.execute(f.db).then(() => undefined));
    expect((await f.audit.verify(f.db)).firstBroken).toMatchObject({ seq: 9, kind: 'missing' });
  });

  it('reports an edited line of the checkpoint file', async () => {
    await f.audit.checkpointNow(f.db);
    const text = await fs.readFile(f.checkpointFile, 'utf8');
    await fs.writeFile(f.checkpointFile, text.replace(/"hash":"[0-9a-f]{4}/, '"hash":"0000'));
    expect((await f.audit.verify(f.db)).firstBroken).toMatchObject({ seq: 10, kind: 'checkpoint', en: 'line 1 of the checkpoint file: its signature does not match (the checkpoint file was altered or damaged)' });
  });

  it('refuses to judge checkpoints when the key file is gone, rather than make a new key', async () => {
    await f.audit.checkpointNow(f.db);
    await fs.rm(f.keyFile);
    await expect(f.audit.verify(f.db)).rejects.toMatchObject({ code: 'AUDIT_KEY_MISSING' });
    await expect(fs.stat(f.keyFile)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
