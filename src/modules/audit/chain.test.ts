import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../platform/db/test-support/databases.js';
import { canonicalJson, entryHash, GENESIS_HASH } from './hash-chain.js';
import { actorClassOf } from './model.js';
import { ACTORS, auditFixture, type AuditFixture } from './test-support/fixture.js';

describe('the hash chain’s building blocks', () => {
  it('writes canonical JSON with sorted keys, no whitespace and no undefined members', () => {
    expect(canonicalJson({ b: [1, 'x', null, undefined], a: { d: true, c: '档' }, e: undefined })).toBe('{"a":{"c":"档","d":true},"b":[1,"x",null,null]}');
  });

  it('classes an actor by the admin role it holds, else as a user or anonymous', () => {
    expect(actorClassOf(ACTORS.sysadmin)).toBe('system_admin');
    expect(actorClassOf(ACTORS.secadmin)).toBe('security_admin');
    expect(actorClassOf(ACTORS.auditor)).toBe('auditor');
    expect(actorClassOf(ACTORS.clerk)).toBe('user');
    expect(actorClassOf(ACTORS.visitor)).toBe('anonymous');
  });
});

describe.each(DIALECTS)('appending to the security audit log on %s', (dialect) => {
  let f: AuditFixture;
  beforeEach(async () => {
    f = await auditFixture(dialect);
  });
  afterEach(async () => f?.drop());

  it('chains every entry to the one before it with SM3, and a clean log verifies', async () => {
    await f.appendMany(25);
    expect(await f.audit.verify(f.db)).toEqual({ ok: true, entries: 25, archivedThrough: 0, checkpointsChecked: 0, anchoredThrough: null, firstBroken: null });
    const rows = await f.db.selectFrom('audit_entries').selectAll().orderBy('seq').execute();
    expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    expect(rows[0]?.prev_hash).toBe(GENESIS_HASH);
    expect(rows[1]?.prev_hash).toBe(rows[0]?.hash);
    const [first] = rows;
    if (!first) throw new Error('no entry');
    const { prev_hash: _p, hash, ...fields } = first;
    expect(hash).toBe(entryHash(GENESIS_HASH, fields));
    expect(first).toMatchObject({ actor_username: 'wang.wu', actor_class: 'user', actor_roles: '["agency_clerk"]', action: 'catalog.record.view', target_label: '档号 Z109-WS·2011-Y-0001', result: 'ok', details: '{"page":1}' });
    expect(await f.db.selectFrom('audit_chain_head').select(['seq', 'hash', 'count']).executeTakeFirst()).toEqual({ seq: 25, hash: rows[24]?.hash, count: 25 });
  });

  it('leaves no entry behind when the action’s transaction rolls back', async () => {
    await expect(
      f.db.transaction().execute(async (tx) => {
        await f.audit.append(tx, { actor: ACTORS.clerk, action: 'transfer.package.submit', target: { type: 'transfer', id: 't1' }, result: 'ok' });
        throw new Error('hand-over failed');
      }),
    ).rejects.toThrow('hand-over failed');
    expect(await f.db.selectFrom('audit_entries').selectAll().execute()).toEqual([]);
    await f.appendMany(1);
    expect(await f.audit.verify(f.db)).toMatchObject({ ok: true, entries: 1 });
    expect((await f.db.selectFrom('audit_entries').select('seq').executeTakeFirst())?.seq).toBe(1);
  });

  it('keeps the chain linear when twenty transactions append at once', async () => {
    const appended = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        f.db.transaction().execute(async (tx) => {
          // Some work of the action first, as a real caller has, then the entry last.
          await sql`select 1`.execute(tx);
          return f.audit.append(tx, { actor: ACTORS.clerk, action: 'search.query.run', target: null, result: 'ok', details: { i } });
        }),
      ),
    );
    expect(appended.map((a) => a.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(await f.audit.verify(f.db)).toMatchObject({ ok: true, entries: 20, firstBroken: null });
  });

  it('refuses UPDATE, DELETE and TRUNCATE of entries in the database itself', async () => {
    await f.appendMany(2);
    await expect(sql`update audit_entries set action = 'nothing.at.all' where seq = 1`.execute(f.db)).rejects.toThrow(/append-only/);
    await expect(sql`delete from audit_entries where seq = 1`.execute(f.db)).rejects.toThrow(/append-only/);
    await expect(f.db.deleteFrom('audit_entries').execute()).rejects.toThrow(/append-only/);
    // SQLite has no TRUNCATE; its "delete from" without a where clause is refused above.
    if (f.t.database.caps.dialect === 'postgres') await expect(sql`truncate audit_entries`.execute(f.db)).rejects.toThrow(/append-only/);
    await expect(sql`update audit_chain_head set seq = 1`.execute(f.db)).rejects.toThrow(/only moves forward/);
    expect(await f.audit.verify(f.db)).toMatchObject({ ok: true, entries: 2 });
  });

  it('stores a NUL and lone surrogates in a username so that the entry is kept and still verifies', async () => {
    const crafted = { ...ACTORS.visitor, username: 'a\u0000b\ud800c\udfff' };
    await f.db.transaction().execute((tx) => f.audit.append(tx, { actor: crafted, action: 'accounts.login', target: { type: 'user', id: null, label: crafted.username }, result: 'refused', details: { tried: crafted.username } }));
    expect(await f.db.selectFrom('audit_entries').select('actor_username').executeTakeFirst()).toEqual({ actor_username: 'a\ufffdb\ufffdc\ufffd' });
    expect((await f.audit.verify(f.db)).ok).toBe(true);
  });

  it('refuses an entry without a proper action name, and the action’s transaction with it', async () => {
    await expect(f.db.transaction().execute((tx) => f.audit.append(tx, { actor: ACTORS.clerk, action: 'Delete Everything', target: null, result: 'ok' }))).rejects.toMatchObject({ code: 'AUDIT_ENTRY_INVALID' });
    expect(await f.db.selectFrom('audit_chain_head').select('seq').executeTakeFirst()).toEqual({ seq: 0 });
  });
});
