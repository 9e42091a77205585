/**
 * The restore drill, on both databases, through the real command line: an
 * installation with accepted records, their files, PREMIS events and audit
 * entries is backed up by the system admin with the security admin's public key;
 * the database is destroyed; the backup comes back into an empty database, and
 * every record, file, event and audit entry is there again (ids and hashes), the
 * audit chain verifies, the lost tail of the audit log is named, and every blob of
 * the inventory is found and hashes to its name. On the way, everything that must
 * be refused is: the wrong roles, a restore without the private key or with the
 * public one or another pair's, a flipped byte, a cut-off dump, an edited
 * manifest, a database already in use — each with nothing changed.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildApp, type App } from '../../app.js';
import { loadConfig, testPostgresUrl, type DatabaseConfig } from '../../config.js';
import { openDatabase } from '../../platform/db/database.js';
import { createEmptyDatabase, DIALECTS } from '../../platform/db/test-support/databases.js';
import { runLantai } from '../../test-support/cli.js';
import { DEMO_PASSWORD } from '../accounts/setup.js';
import { createCatalogFixture, type CatalogFixture } from '../catalog/test-support/fixture.js';
import { makeFixtureFiles } from '../transfer/test-support/files.js';
import { createBackupKeyPair, readBackupPrivateKey } from './backup-crypto.js';
import { installationIn, readFacts } from './backup-facts.js';
import type { BackupManifest } from './backup-manifest.js';
import { backupPart, openBackup } from './backup-restore.js';
import { acceptedHandOver } from './test-support/hand-overs.js';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe.each(DIALECTS)('lantai backup and restore on %s', (dialect) => {
  let f: CatalogFixture;
  let closed = false;
  let work = '';
  let env: Record<string, string>;
  let target: { config: DatabaseConfig; drop(): Promise<void> };
  let manifest: BackupManifest;
  const keyFile = () => path.join(work, 'secadmin', 'backup.key');
  const backupDir = () => path.join(work, 'backups', 'nightly');

  const lantai = (username: string, args: string[], extra: Record<string, string> = {}) => runLantai([...args, '--as', username], { ...env, ...extra }, { input: `${DEMO_PASSWORD}\n` });
  const intoTarget = () => ({ LANTAI_DATABASE_URL: target.config.url });
  const restore = (dir: string, args: string[], username = 'sysadmin') => lantai(username, ['--json', 'restore', dir, ...args], intoTarget());
  const entries = (action: string) => f.t.app.database.db.selectFrom('audit_entries').select(['result', 'reason', 'actor_username', 'target_id', 'details']).where('action', '=', action).orderBy('seq').execute();

  /** What the restore target holds: null while it is an empty installation. */
  async function targetInstallation() {
    const database = await openDatabase(target.config);
    try {
      return await installationIn(database.db, dialect);
    } finally {
      await database.close();
    }
  }

  /** A copy of the backup to damage. */
  async function copyOfBackup(name: string): Promise<string> {
    const dir = path.join(work, 'damaged', name);
    await fs.cp(backupDir(), dir, { recursive: true });
    return dir;
  }

  beforeAll(async () => {
    work = await fs.mkdtemp(path.join(os.tmpdir(), 'lantai-backup-cli-'));
    const files = await makeFixtureFiles(path.join(work, 'fixtures'));
    f = await createCatalogFixture(dialect);
    f.t.app.startWorkers();
    env = { LANTAI_DATABASE_URL: f.t.app.config.database.url, LANTAI_STORES: `primary=${path.join(f.t.dir, 'blobs')}`, LANTAI_DATA_DIR: f.t.dir, LANTAI_DEMO: '1' };
    const ws = (n: number) => ({ title: `关于第${n}项工作的通知`, responsible: '演示市人民政府办公室', date: '20240305', year: 2024, retention: 'Y', classification: '非密', archivalCode: `J001-WS·2024-Y-${String(n).padStart(4, '0')}` });
    const category = f.categories.WS as string;
    await acceptedHandOver(f, { categoryId: category, title: '第一批', items: [{ metadata: ws(1), file: { name: '通知.pdf', bytes: files.pdf } }, { metadata: ws(2), file: { name: '说明.xml', bytes: files.xml } }] });
    await acceptedHandOver(f, { categoryId: category, title: '第二批', items: [{ metadata: ws(3), file: { name: '扫描.tif', bytes: files.scan300, role: '扫描件' } }] });
    // Access copies are made by jobs after accession: let them finish, so the backup is of a quiet installation.
    const db = f.t.app.database.db;
    await vi.waitFor(async () => expect(await db.selectFrom('jobs').select('id').where('status', 'in', ['pending', 'running']).where('type', '!=', 'audit.checkpoint').execute()).toEqual([]), { timeout: 120_000, interval: 250 });
    target = await createEmptyDatabase(dialect);
  }, 300_000);

  afterAll(async () => {
    if (!closed) await f?.close();
    else {
      // The drill closed the app and destroyed its database itself; what the fixture would remove is left.
      await fs.rm(f.t.dir, { recursive: true, force: true });
      const { database } = f.t.app.config;
      if (database.kind === 'sqlite') await fs.rm(path.dirname(database.file), { recursive: true, force: true });
    }
    await target?.drop();
    await fs.rm(work, { recursive: true, force: true });
  });

  it('lets the security admin make the key pair, the private half readable by them alone, and refuses the system admin', async () => {
    const refused = await lantai('sysadmin', ['backup', 'key', 'create', '--out', keyFile()]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('FORBIDDEN_ROLE');
    await expect(fs.stat(keyFile())).rejects.toThrow();

    const made = await lantai('secadmin', ['--json', 'backup', 'key', 'create', '--out', keyFile()]);
    expect(made.code, made.stderr).toBe(0);
    const { keyId, publicKeyFile } = JSON.parse(made.stdout) as { keyId: string; publicKeyFile: string };
    expect(publicKeyFile).toBe(`${keyFile()}.pub`);
    expect((await fs.stat(keyFile())).mode & 0o777).toBe(0o600);
    expect(await fs.readFile(keyFile(), 'utf8')).toContain('PRIVATE KEY');
    expect(await fs.readFile(publicKeyFile, 'utf8')).toContain('PUBLIC KEY');
    expect((await entries('preservation.backup-key.create')).at(-1)).toMatchObject({ result: 'ok', actor_username: 'secadmin', target_id: keyId });

    const again = await lantai('secadmin', ['backup', 'key', 'create', '--out', keyFile()]);
    expect(again.stderr).toContain('BACKUP_KEY_EXISTS');
  });

  it('makes the backup as the system admin with the public key alone: the database and the inventory encrypted, described by a sealed manifest', { timeout: 120_000 }, async () => {
    const archivist = await lantai('archivist', ['backup', '--out', backupDir(), '--public-key', `${keyFile()}.pub`]);
    expect(archivist.stderr).toContain('FORBIDDEN_ROLE');
    expect((await entries('preservation.backup.create')).at(-1)).toMatchObject({ result: 'refused', actor_username: 'archivist' });

    const res = await lantai('sysadmin', ['--json', 'backup', '--out', backupDir(), '--public-key', `${keyFile()}.pub`]);
    expect(res.code, res.stderr).toBe(0);
    manifest = JSON.parse(await fs.readFile(path.join(backupDir(), 'manifest.json'), 'utf8')) as BackupManifest;
    const db = f.t.app.database.db;
    const count = async (table: 'records' | 'record_files' | 'preservation_events') => Number((await db.selectFrom(table).select((e) => e.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    expect(manifest.counts).toMatchObject({ records: 3, files: await count('record_files'), events: await count('preservation_events') });
    expect(manifest.counts.events).toBeGreaterThan(3);
    expect(manifest.counts.auditEntries).toBe(manifest.database.auditHead?.seq);
    expect(manifest).toMatchObject({ database: { kind: dialect }, blobsIncluded: false, encryption: { cipher: 'AES-256-GCM', keyAgreement: 'X25519' }, createdBy: 'sysadmin' });
    expect(manifest.database.migrations.length).toBeGreaterThan(5);
    expect(JSON.parse(res.stdout)).toMatchObject({ id: manifest.id, counts: manifest.counts });

    expect((await fs.readdir(backupDir())).sort()).toEqual(['README.txt', dialect === 'sqlite' ? 'database.sqlite.enc' : 'database.pgdump.enc', 'inventory.jsonl.enc', 'manifest.json', 'manifest.seal'].sort());
    expect(await fs.readFile(path.join(backupDir(), 'README.txt'), 'utf8')).toContain('The blobs themselves are not in it');
    const blob = (await db.selectFrom('preservation_files').select('sha256').executeTakeFirstOrThrow()).sha256;
    for (const part of manifest.parts) {
      const sealed = await fs.readFile(path.join(backupDir(), part.file));
      expect(sha256(sealed)).toBe(part.encryptedSha256);
      for (const plain of ['SQLite format 3', 'PGDMP', '关于第1项工作的通知', blob, 'sysadmin']) expect(sealed.includes(Buffer.from(plain)), `${part.file} holds "${plain}"`).toBe(false);
    }
    expect((await entries('preservation.backup.create')).at(-1)).toMatchObject({ result: 'ok', actor_username: 'sysadmin', target_id: manifest.id });
  });

  it('refuses a restore without the private key, with the public key the system admin holds, or with another pair, changing nothing', async () => {
    const none = await restore(backupDir(), []);
    expect(none.stderr).toContain('BACKUP_KEY_REQUIRED');
    expect(none.stderr).toContain('系统管理员手中的公钥只能制作备份，不能解密备份');

    const pub = await restore(backupDir(), ['--key', `${keyFile()}.pub`]);
    expect(pub.stderr).toContain('BACKUP_KEY_NOT_PRIVATE');
    expect(pub.stderr).toContain('it makes backups but cannot decrypt them');

    const otherKey = path.join(work, 'other.key');
    await fs.writeFile(otherKey, createBackupKeyPair().privatePem, { mode: 0o600 });
    const other = await restore(backupDir(), ['--key', otherKey]);
    expect(other.stderr).toContain('BACKUP_WRONG_KEY');
    expect(await targetInstallation()).toBeNull();
  });

  it('refuses a flipped byte, a cut-off dump and an edited manifest, changing nothing', { timeout: 120_000 }, async () => {
    const dump = manifest.parts.find((p) => p.name === 'database')?.file as string;
    const flipped = await copyOfBackup('flipped');
    const bytes = await fs.readFile(path.join(flipped, dump));
    bytes.writeUInt8(bytes.readUInt8(bytes.length >> 1) ^ 0x01, bytes.length >> 1);
    await fs.writeFile(path.join(flipped, dump), bytes);
    const a = await restore(flipped, ['--key', keyFile()]);
    expect(a.stderr).toContain('BACKUP_TAMPERED');
    expect(a.stderr).toContain('未通过认证');

    const cut = await copyOfBackup('cut');
    await fs.truncate(path.join(cut, dump), bytes.length - 100);
    const b = await restore(cut, ['--key', keyFile()]);
    expect(b.stderr).toContain('BACKUP_TRUNCATED');
    expect(b.stderr).toContain('不完整');

    const edited = await copyOfBackup('edited');
    const text = await fs.readFile(path.join(edited, 'manifest.json'), 'utf8');
    await fs.writeFile(path.join(edited, 'manifest.json'), text.replace(`"records": ${manifest.counts.records}`, `"records": ${manifest.counts.records + 1}`));
    const c = await restore(edited, ['--key', keyFile()]);
    expect(c.stderr).toContain('BACKUP_TAMPERED');
    expect(c.stderr).toContain('manifest.seal');

    for (const r of [a, b, c]) expect(r.stderr).toContain('Nothing was changed');
    expect(await targetInstallation()).toBeNull();
  });

  it('refuses to restore over an installation in use, changing nothing', async () => {
    // Rows that a scheduled job may add meanwhile (jobs) aside, the installation is compared table by table.
    const facts = async () => {
      const { tables, auditHead, migrations } = await readFacts(f.t.app.database.db, dialect);
      const { jobs: _jobs, job_schedules: _schedules, ...rest } = tables;
      return { rest, auditHead, migrations };
    };
    const before = await facts();
    const res = await lantai('sysadmin', ['restore', backupDir(), '--key', keyFile()]);
    expect(res.stderr).toContain('BACKUP_RESTORE_NOT_EMPTY');
    expect(res.stderr).toContain('恢复只能写入空的安装');
    expect(await facts()).toEqual(before);
  });

  it('empties the database again when the one who signs in is not a system admin', { timeout: 120_000 }, async () => {
    const res = await restore(backupDir(), ['--key', keyFile()], 'archivist');
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain('FORBIDDEN_ROLE');
    expect(await targetInstallation()).toBeNull();
  });

  it('restore drill: the database destroyed, the backup restored into an empty one, every record, file, event, audit entry and blob is back', { timeout: 240_000 }, async () => {
    const db = f.t.app.database.db;
    const ids = async (d: typeof db) => ({
      records: (await d.selectFrom('records').select('id').orderBy('id').execute()).map((r) => r.id),
      files: (await d.selectFrom('record_files').select('id').orderBy('id').execute()).map((r) => r.id),
      events: (await d.selectFrom('preservation_events').select('id').orderBy('id').execute()).map((r) => r.id),
    });
    const head = manifest.database.auditHead?.seq ?? 0;
    const chain = (d: typeof db) => d.selectFrom('audit_entries').select(['seq', 'id', 'hash']).where('seq', '<=', head).orderBy('seq').execute();
    const original = { ...(await ids(db)), audit: await chain(db) };
    expect(original.audit).toHaveLength(head);
    // The backup's own entry and later ones are signed into a checkpoint: after the restore they are the lost tail.
    await f.t.app.services.audit.checkpointNow(db);
    const reach = Number((await db.selectFrom('audit_chain_head').select('seq').executeTakeFirstOrThrow()).seq);
    expect(reach).toBeGreaterThan(head);

    // Destroy the database.
    await f.t.app.close();
    closed = true;
    const config = f.t.app.config.database;
    if (config.kind === 'sqlite') {
      for (const suffix of ['', '-wal', '-shm']) await fs.rm(`${config.file}${suffix}`, { force: true });
    } else {
      const admin = new pg.Client({ connectionString: testPostgresUrl() });
      await admin.connect();
      await admin.query(`drop database ${new URL(config.url).pathname.slice(1)} with (force)`);
      await admin.end();
    }

    // The stores come back from media on their own; here one blob did not, and one came back short.
    const key = await readBackupPrivateKey(keyFile());
    const backup = await openBackup(backupDir(), key);
    const inventory: Array<{ store: string; sha256: string; size: number }> = [];
    let text = '';
    for await (const chunk of backupPart(backup, 'inventory')) text += chunk.toString('utf8');
    for (const line of text.split('\n').filter(Boolean)) inventory.push(JSON.parse(line));
    expect(inventory.length).toBe(manifest.stores[0]?.blobs);
    const [lostBlob, shortBlob] = inventory as [(typeof inventory)[number], (typeof inventory)[number]];
    const blobPath = (sha: string) => path.join(f.t.dir, 'blobs', 'blobs', sha.slice(0, 2), sha.slice(2, 4), sha);
    await fs.rename(blobPath(lostBlob.sha256), `${blobPath(lostBlob.sha256)}.away`);
    await fs.rename(blobPath(shortBlob.sha256), `${blobPath(shortBlob.sha256)}.away`);
    await fs.writeFile(blobPath(shortBlob.sha256), 'short');

    const res = await restore(backupDir(), ['--key', keyFile()]);
    expect(res.code, res.stderr).toBe(0);
    const report = JSON.parse(res.stdout);
    expect(report).toMatchObject({ backup: { id: manifest.id }, counts: manifest.counts, audit: { verified: { ok: true, firstBroken: null }, problem: null, lost: { from: head + 1, to: reach } } });
    expect(report.audit.checkpointsSetAside).toBe(`${path.join(f.t.dir, 'audit', 'checkpoints.jsonl')}.before-restore-${manifest.id}`);
    await expect(fs.stat(report.audit.checkpointsSetAside)).resolves.toBeTruthy();
    expect(report.inventory).toEqual({ checked: inventory.length, missing: [lostBlob], wrongSize: [{ ...shortBlob, actual: 5 }], unchecked: {} });
    await fs.rename(`${blobPath(lostBlob.sha256)}.away`, blobPath(lostBlob.sha256));
    await fs.rename(`${blobPath(shortBlob.sha256)}.away`, blobPath(shortBlob.sha256));

    const restored: App = await buildApp(loadConfig({ ...env, ...intoTarget() }), { log: pino({ level: 'silent' }), webRoot: path.join(work, 'no-web') });
    try {
      const rdb = restored.database.db;
      expect(await ids(rdb)).toEqual({ records: original.records, files: original.files, events: original.events });
      expect(await chain(rdb)).toEqual(original.audit);
      const verified = await restored.services.audit.verify(rdb);
      expect(verified).toMatchObject({ ok: true, firstBroken: null });
      expect(verified.anchoredThrough).toBeGreaterThan(head);
      const restoreEntry = await rdb.selectFrom('audit_entries').select(['actor_username', 'result', 'target_id', 'details']).where('action', '=', 'preservation.backup.restore').executeTakeFirstOrThrow();
      expect(restoreEntry).toMatchObject({ actor_username: 'sysadmin', result: 'ok', target_id: manifest.id });
      expect(JSON.parse(restoreEntry.details)).toMatchObject({ lostAuditEntries: { from: head + 1, to: reach }, blobsMissing: 1, blobsWrongSize: 1 });

      for (const entry of inventory) {
        const store = restored.stores.all.get(entry.store);
        if (!store) throw new Error(`no store ${entry.store}`);
        const hash = createHash('sha256');
        let size = 0;
        for await (const piece of await store.get(entry.sha256)) {
          hash.update(piece as Buffer);
          size += (piece as Buffer).length;
        }
        expect({ sha256: hash.digest('hex'), size }).toEqual({ sha256: entry.sha256, size: entry.size });
      }
    } finally {
      await restored.close();
    }
  });
});
