import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from './database.js';
import { migrateToLatest } from './migrations.js';
import { platformMigrations } from './migrations/platform.js';
import { createEmptyDatabase, createTestDatabase, DIALECTS, type TestDatabase } from './test-support/databases.js';

describe.each(DIALECTS)('database on %s', (dialect) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(dialect);
  });
  afterAll(async () => t?.drop());

  it('runs the same migrations once and reports nothing pending afterwards', async () => {
    const again = await migrateToLatest(t.database, platformMigrations);
    expect(again).toEqual({ applied: [], pending: [] });
    const tables = (await t.database.db.introspection.getTables()).map((x) => x.name);
    expect(tables).toEqual(expect.arrayContaining(['jobs', 'job_schedules', 'installation']));
  });

  it('reads times back as ISO strings and JSON as text on both databases', async () => {
    const now = '2026-11-27T08:30:00.000Z';
    await t.database.db
      .insertInto('jobs')
      .values({ id: 'iso-test', type: 't', payload: JSON.stringify({ 全宗: 'J001' }), status: 'succeeded', priority: 0, max_attempts: 1, run_at: now, dedupe_key: null, lease_owner: null, lease_expires_at: null, progress: null, result: null, last_error: null, created_at: now, updated_at: now, finished_at: null })
      .execute();
    const row = await t.database.db.selectFrom('jobs').select(['run_at', 'payload', 'attempts']).where('id', '=', 'iso-test').executeTakeFirstOrThrow();
    expect(row.run_at).toBe(now);
    expect(JSON.parse(row.payload)).toEqual({ 全宗: 'J001' });
    expect(row.attempts).toBe(0);
  });

  it('rolls back everything written in a failed transaction', async () => {
    await expect(
      t.database.db.transaction().execute(async (tx) => {
        await tx.insertInto('installation').values({ key: 'rollback-test', value: 'x' }).execute();
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await t.database.db.selectFrom('installation').selectAll().where('key', '=', 'rollback-test').execute()).toEqual([]);
  });

  it('answers a health ping', async () => {
    expect(await t.database.ping()).toMatchObject({ ok: true });
  });
});

describe('database settings', () => {
  it('opens SQLite in WAL with foreign keys, synchronous=FULL and a busy timeout of a minute', async () => {
    const empty = await createEmptyDatabase('sqlite');
    const database = await openDatabase(empty.config);
    try {
      const pragma = async (name: string) => Object.values((await sql.raw(`pragma ${name}`).execute(database.db)).rows[0] as object)[0];
      expect(await pragma('journal_mode')).toBe('wal');
      expect(await pragma('foreign_keys')).toBe(1);
      expect(await pragma('synchronous')).toBe(2);
      expect(await pragma('busy_timeout')).toBe(60000);
    } finally {
      await database.close();
      await empty.drop();
    }
  });

  it('says clearly that PostgreSQL cannot be reached instead of failing later', async () => {
    await expect(openDatabase({ kind: 'postgres', url: 'postgres://lantai:secret@127.0.0.1:1/lantai' })).rejects.toMatchObject({
      code: 'DATABASE_UNAVAILABLE',
      zh: expect.stringContaining('LANTAI_DATABASE_URL'),
    });
  });

  it('does not show the database password in its messages', async () => {
    const err = await openDatabase({ kind: 'postgres', url: 'postgres://lantai:hunter2@127.0.0.1:1/lantai' }).catch((e: Error) => e);
    expect(String((err as Error).message)).not.toContain('hunter2');
    expect(JSON.stringify(err)).not.toContain('hunter2');
  });
});
