/**
 * The scheduled backup on both databases: the job the schedule runs writes an encrypted
 * backup into a new folder under LANTAI_BACKUP_DIR and audits it; without the security
 * admin's public key it fails, audited, and leaves no folder behind.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../platform/db/test-support/databases.js';
import { createTestApp, type TestApp } from '../../test-support/app.js';
import { createBackupKeyPair } from './backup-crypto.js';
import { scheduledBackup } from './backup-job.js';

describe.each(DIALECTS)('the scheduled backup on %s', (dialect) => {
  let t: TestApp;
  let dir = '';
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'lantai-backup-job-'));
    const keys = createBackupKeyPair();
    await fs.writeFile(path.join(dir, 'backup.pub'), keys.publicPem);
    t = await createTestApp(dialect, { LANTAI_BACKUP_DIR: path.join(dir, 'backups'), LANTAI_BACKUP_PUBLIC_KEY_FILE: path.join(dir, 'backup.pub'), LANTAI_BACKUP_CRON: '15 3 * * *' });
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('is scheduled when LANTAI_BACKUP_DIR is set, and writes an encrypted backup it audits', { timeout: 60_000 }, async () => {
    expect(t.app.jobs.schedules()).toContainEqual(expect.objectContaining({ name: 'preservation.backup', cron: '15 3 * * *' }));
    const { config } = t.app;
    const job = scheduledBackup({ db: t.app.database.db, audit: t.app.services.audit, database: config.database, stores: t.app.stores.all, dir: config.backupDir as string, publicKeyFile: config.backupPublicKeyFile, tmpDir: path.join(config.dataDir, 'tmp'), version: 'test' });
    const made = await job();
    const names = await fs.readdir(made.dir);
    expect(names).toContain('manifest.json');
    const manifest = JSON.parse(await fs.readFile(path.join(made.dir, 'manifest.json'), 'utf8'));
    expect(manifest).toMatchObject({ id: made.id });
    const entry = await t.app.database.db.selectFrom('audit_entries').select(['action', 'result', 'details']).where('action', '=', 'preservation.backup.create').where('result', '=', 'ok').executeTakeFirstOrThrow();
    expect(JSON.parse(entry.details as string)).toMatchObject({ scheduled: true });
  });

  it('fails without the public key, audited, leaving no half-made folder', { timeout: 60_000 }, async () => {
    const { config } = t.app;
    const job = scheduledBackup({ db: t.app.database.db, audit: t.app.services.audit, database: config.database, stores: t.app.stores.all, dir: path.join(dir, 'elsewhere'), publicKeyFile: path.join(dir, 'missing.pub'), tmpDir: path.join(config.dataDir, 'tmp'), version: 'test' });
    await expect(job()).rejects.toThrow();
    expect(await fs.readdir(path.join(dir, 'elsewhere')).catch(() => [])).toEqual([]);
    expect(await t.app.database.db.selectFrom('audit_entries').select('result').where('action', '=', 'preservation.backup.create').where('result', '=', 'failed').execute()).toHaveLength(1);
  });
});
