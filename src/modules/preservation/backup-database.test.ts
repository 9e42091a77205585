/**
 * The database half of backups on both databases, below the command line: a dump
 * restores into an empty database with the same rows, migrations and audit head;
 * a database in use is recognised; and a restore whose bytes stop half way (the
 * backup stopped decrypting) or whose result does not match the manifest leaves
 * the target as empty as it was.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../app.js';
import type { DatabaseConfig } from '../../config.js';
import { openDatabase } from '../../platform/db/database.js';
import { markInstallation } from '../../platform/db/installation.js';
import { createEmptyDatabase, createTestDatabase, DIALECTS, type TestDatabase } from '../../platform/db/test-support/databases.js';
import { databaseBackup } from './backup-database.js';
import { backupErrors } from './backup-errors.js';
import type { DatabaseFacts } from './backup-manifest.js';

describe.each(DIALECTS)('the database half of backups on %s', (dialect) => {
  let source: TestDatabase;
  let tmpDir = '';
  let dumped: { bytes: Buffer; facts: DatabaseFacts };
  const targets: Array<{ drop(): Promise<void> }> = [];
  const backupOf = (config: DatabaseConfig) => databaseBackup(config, { tmpDir });
  async function* whole(): AsyncGenerator<Buffer> {
    yield dumped.bytes;
  }

  async function emptyTarget(): Promise<DatabaseConfig> {
    const target = await createEmptyDatabase(dialect);
    targets.push(target);
    return target.config;
  }

  /** The tables a database holds (none for a SQLite file that is not there). */
  async function tablesOf(config: DatabaseConfig): Promise<string[]> {
    if (config.kind === 'sqlite' && !(await fs.stat(config.file).catch(() => null))) return [];
    const database = await openDatabase(config);
    try {
      return (await database.db.introspection.getTables()).map((t) => t.name);
    } finally {
      await database.close();
    }
  }

  beforeAll(async () => {
    tmpDir = await fs.mkdtemp(path.join(os.tmpdir(), 'lantai-backup-db-'));
    source = await createTestDatabase(dialect, MIGRATIONS);
    await source.database.db.transaction().execute((tx) => markInstallation(tx, 'production'));
    const pieces: Buffer[] = [];
    const { facts } = await backupOf(source.config).dump(async (bytes) => {
      for await (const piece of bytes) pieces.push(Buffer.from(piece));
    });
    dumped = { bytes: Buffer.concat(pieces), facts };
  }, 120_000);
  afterAll(async () => {
    await source?.drop();
    for (const target of targets) await target.drop();
    await fs.rm(tmpDir, { recursive: true, force: true });
  });

  it('describes the dumped copy: every table, the migrations, and the installation it belongs to', async () => {
    expect(dumped.facts).toMatchObject({ kind: dialect, tables: { installation: 2, audit_entries: 0 } });
    expect(dumped.facts.migrations).toHaveLength(MIGRATIONS.length);
    expect(dumped.bytes.subarray(0, 5).toString('latin1')).toBe(dialect === 'sqlite' ? 'SQLit' : 'PGDMP');
    expect(await backupOf(source.config).installation()).toMatchObject({ en: 'a production installation: 0 accounts, 0 records, 0 audit entries' });
    expect(await backupOf(await emptyTarget()).installation()).toBeNull();
    expect(await fs.readdir(tmpDir)).toEqual([]);
  });

  it('restores the copy into an empty database with the same rows, migrations and audit head', { timeout: 60_000 }, async () => {
    const target = await emptyTarget();
    const restored = await backupOf(target).restore(whole(), dumped.facts);
    expect({ ...restored, serverVersion: '' }).toEqual({ ...dumped.facts, serverVersion: '' });
    expect(await backupOf(target).installation()).toMatchObject({ en: expect.stringContaining('a production installation') });
  });

  it('restores into a database that was migrated but never set up, whose empty tables give way', { timeout: 60_000 }, async () => {
    const migrated = await createTestDatabase(dialect, MIGRATIONS);
    targets.push(migrated);
    await migrated.database.close();
    expect(await backupOf(migrated.config).installation()).toBeNull();
    expect(await backupOf(migrated.config).restore(whole(), dumped.facts)).toMatchObject({ tables: dumped.facts.tables });
  });

  it('leaves the database empty when the bytes stop half way, as when the backup stops decrypting', { timeout: 60_000 }, async () => {
    const target = await emptyTarget();
    async function* halfThenDamage(): AsyncGenerator<Buffer> {
      yield dumped.bytes.subarray(0, dumped.bytes.length >> 1);
      throw backupErrors.BACKUP_TAMPERED({ what: '测试', whatEn: 'test' });
    }
    await expect(backupOf(target).restore(halfThenDamage(), dumped.facts)).rejects.toMatchObject({ code: 'BACKUP_TAMPERED' });
    expect(await tablesOf(target)).toEqual([]);
  });

  it('leaves the database empty when the check after the last chunk fails, even if pg_restore committed first', { timeout: 60_000 }, async () => {
    const target = await emptyTarget();
    async function* allThenMismatch(): AsyncGenerator<Buffer> {
      yield dumped.bytes;
      // Give pg_restore time to read the archive's end and commit before the part's SHA-256 turns out wrong.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      throw backupErrors.BACKUP_TAMPERED({ what: '测试', whatEn: 'test' });
    }
    await expect(backupOf(target).restore(allThenMismatch(), dumped.facts)).rejects.toMatchObject({ code: 'BACKUP_TAMPERED' });
    expect(await tablesOf(target)).toEqual([]);
  });

  it('undoes a restore whose result does not match the manifest', { timeout: 60_000 }, async () => {
    const target = await emptyTarget();
    const claimed = { ...dumped.facts, tables: { ...dumped.facts.tables, installation: 3 } };
    await expect(backupOf(target).restore(whole(), claimed)).rejects.toMatchObject({ code: 'BACKUP_RESTORE_MISMATCH', en: expect.stringContaining('installation: 3 -> 2') });
    expect(await tablesOf(target)).toEqual([]);
  });
});
