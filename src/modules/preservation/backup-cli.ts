/**
 * `lantai backup --out <dir>`, `lantai backup key create --out <file>` and
 * `lantai restore <dir> --key <file>` (backup-restore-cli.ts): backups of the
 * database and the stores' inventory, encrypted so that the 三员 stay apart —
 *
 *  - the security admin (安全保密管理员) makes the key pair and keeps the private key;
 *  - the system admin (系统管理员) makes backups with the public key alone, and so
 *    can make them every night but never read them;
 *  - a restore needs both: the system admin runs it and signs in, the security
 *    admin brings the private key file.
 *
 * Each command signs its person in like every admin command (a terminal, or --as
 * and the password on standard input) and is audited under their name.
 *
 * `key create` is an argument pair rather than a commander subcommand: commander
 * gives `--out` to the parent `backup` wherever it appears unless the whole program
 * takes positional options.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import type { DatabaseConfig } from '../../config.js';
import { withCredentialOptions } from '../../platform/cli/credentials.js';
import type { Output } from '../../platform/cli/output.js';
import type { Db } from '../../platform/db/database.js';
import { LantaiError, platformErrors } from '../../platform/http/errors.js';
import type { BlobStore } from '../../platform/storage/blob-store.js';
import type { RoleCommand } from '../accounts/cli.js';
import type { Actor } from '../accounts/service.js';
import type { AuditLog } from '../audit/service.js';
import { formatBytes } from '../transfer/cli-progress.js';
import { BACKUP_ACTION, makeBackup } from './backup.js';
import { createBackupKeyPair, readBackupPublicKey, shortKeyId } from './backup-crypto.js';
import { databaseBackup } from './backup-database.js';
import { backupErrors } from './backup-errors.js';
import { registerRestoreCli } from './backup-restore-cli.js';

export const BACKUP_KEY_ACTION = 'preservation.backup-key.create';

/** The parts of the app these commands use (main.ts's App fits it). */
export interface BackupCliApp {
  config: { database: DatabaseConfig; dataDir: string; auditCheckpointFile: string };
  database: { db: Db };
  stores: { all: ReadonlyMap<string, BlobStore> };
  services: { audit: Pick<AuditLog, 'append' | 'verify' | 'checkpointNow'> };
}

/** The part of the CLI context these commands use (main.ts's CliContext fits it). */
export interface BackupCliContext {
  config(): { database: DatabaseConfig; dataDir: string; auditCheckpointFile: string; auditKeyFile: string; backupPublicKeyFile?: string };
  output(): Output;
  withSignedIn<T>(command: RoleCommand, fn: (app: BackupCliApp, actor: Actor) => Promise<T>): Promise<T>;
}

interface BackupOptions {
  out: string;
  publicKey?: string;
  as?: string;
  totp?: string;
}

/** Appends one entry of this command in a transaction of its own. */
export function auditAs(app: BackupCliApp, actor: Actor) {
  return (entry: { action: string; target: { type: string; id: string | null; label?: string }; result: 'ok' | 'failed'; reason?: string; details: Record<string, unknown> }) =>
    app.database.db.transaction().execute((tx) => app.services.audit.append(tx, { actor: { ...actor, roles: [...actor.roles] }, ...entry }));
}

const exists = (file: string) =>
  fs.stat(file).then(
    () => true,
    () => false,
  );

/** Refuses a --out that exists and is not an empty folder. */
async function refuseUsedOut(dir: string): Promise<void> {
  const names = await fs.readdir(dir).catch((err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? [] : null));
  if (names === null || names.length > 0) throw backupErrors.BACKUP_OUT_NOT_EMPTY({ dir });
}

async function writeNewFile(file: string, text: string, mode: number): Promise<void> {
  const handle = await fs.open(file, 'wx', mode);
  try {
    await handle.writeFile(text);
    // The umask may have taken bits away; never added them, but say exactly what is meant.
    await handle.chmod(mode);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** A line on standard error, rewritten as a phase moves on (a terminal only). */
function statusLine(enabled: boolean, stream: NodeJS.WriteStream = process.stderr) {
  const on = enabled && stream.isTTY;
  let shown = false;
  return {
    show(text: string) {
      if (!on) return;
      stream.write(`\r\x1b[K${text}`);
      shown = true;
    },
    stop() {
      if (on && shown) stream.write('\n');
      shown = false;
    },
  };
}

async function createKey(context: BackupCliContext, opts: BackupOptions): Promise<void> {
  const out = context.output();
  const privateKeyFile = path.resolve(opts.out);
  const publicKeyFile = `${privateKeyFile}.pub`;
  for (const file of [privateKeyFile, publicKeyFile]) if (await exists(file)) throw backupErrors.BACKUP_KEY_EXISTS({ file });
  const made = await context.withSignedIn({ role: 'security_admin', action: BACKUP_KEY_ACTION, label: '生成备份密钥对 / create the backup key pair', as: opts.as, totp: opts.totp }, async (app, actor) => {
    const pair = createBackupKeyPair();
    await fs.mkdir(path.dirname(privateKeyFile), { recursive: true, mode: 0o700 });
    try {
      await writeNewFile(privateKeyFile, pair.privatePem, 0o600);
      await writeNewFile(publicKeyFile, pair.publicPem, 0o644);
      await auditAs(app, actor)({ action: BACKUP_KEY_ACTION, target: { type: 'backup_key', id: pair.keyId, label: shortKeyId(pair.keyId) }, result: 'ok', details: { publicKeyFile } });
    } catch (err) {
      await fs.rm(privateKeyFile, { force: true });
      await fs.rm(publicKeyFile, { force: true });
      throw err;
    }
    return { keyId: pair.keyId, privateKeyFile, publicKeyFile };
  });
  out.result(made, () => {
    out.say(`已生成备份密钥对 ${shortKeyId(made.keyId)}`, `backup key pair ${shortKeyId(made.keyId)} created`);
    out.say(`公钥 ${made.publicKeyFile}：交给系统管理员，用于制作备份（lantai backup --public-key）`, 'public key: for the system admin, who makes backups with it');
    out.say(`私钥 ${made.privateKeyFile}：由您保管，请移到离线介质（另存一份）并从本机删除，恢复时提供；丢失则所有备份都无法恢复`, 'private key: yours to keep; move it to offline media (with a copy) and off this machine, and bring it to a restore; without it no backup can be restored');
  });
}

async function backUp(context: BackupCliContext, version: string, opts: BackupOptions): Promise<void> {
  const out = context.output();
  const config = context.config();
  const publicKeyFile = path.resolve(opts.publicKey ?? config.backupPublicKeyFile ?? path.join(config.dataDir, 'keys', 'backup.pub'));
  const publicKey = await readBackupPublicKey(publicKeyFile);
  const dir = path.resolve(opts.out);
  await refuseUsedOut(dir);
  const manifest = await context.withSignedIn({ role: 'system_admin', action: BACKUP_ACTION, label: '制作备份 / make a backup', as: opts.as, totp: opts.totp }, async (app, actor) => {
    await fs.mkdir(dir, { recursive: true });
    await refuseUsedOut(dir);
    const audit = auditAs(app, actor);
    const database = databaseBackup(app.config.database, { tmpDir: path.join(app.config.dataDir, 'tmp') });
    const status = statusLine(!out.json);
    try {
      const made = await makeBackup(
        { database, stores: app.stores.all, version },
        {
          dir,
          publicKey,
          createdBy: actor.username,
          host: os.hostname(),
          progress: (phase, done) => status.show(phase === 'database' ? `数据库 / database: ${formatBytes(done)}` : `存储库清单 / inventory: ${done} 个文件 blobs`),
        },
      );
      status.stop();
      const parts = Object.fromEntries(made.parts.map((p) => [p.name, p.encryptedBytes]));
      await audit({ action: BACKUP_ACTION, target: { type: 'backup', id: made.id, label: dir }, result: 'ok', details: { keyId: made.encryption.dataKey.keyId, counts: made.counts, stores: made.stores, bytes: parts } });
      return made;
    } catch (err) {
      status.stop();
      // Nothing half-made stays behind under a backup's name.
      for (const name of await fs.readdir(dir).catch(() => [])) await fs.rm(path.join(dir, name), { recursive: true, force: true });
      await audit({ action: BACKUP_ACTION, target: { type: 'backup', id: null, label: dir }, result: 'failed', reason: err instanceof LantaiError ? err.code : 'error', details: { message: (err as Error).message.slice(0, 300) } });
      throw err;
    }
  });
  const c = manifest.counts;
  const result = { id: manifest.id, dir, createdAt: manifest.createdAt, keyId: manifest.encryption.dataKey.keyId, database: manifest.database.kind, counts: c, stores: manifest.stores, parts: manifest.parts };
  out.result(result, () => {
    out.say(`已备份到 ${dir}（备份 ${manifest.id}，密钥 ${shortKeyId(result.keyId)}）`, `backed up to ${dir} (backup ${manifest.id}, key ${shortKeyId(result.keyId)})`);
    out.say(`档案 ${c.records} 件、文件 ${c.files} 个、保存事件 ${c.events} 条、审计记录 ${c.auditEntries} 条`, `${c.records} records, ${c.files} files, ${c.events} PREMIS events, ${c.auditEntries} audit entries`);
    for (const s of manifest.stores) out.say(`存储库 ${s.name}：清单 ${s.blobs} 个文件（${formatBytes(s.bytes)}，不含在备份中）`, `store ${s.name}: ${s.blobs} blobs listed (not copied)`);
  });
}

export function registerBackupCli(program: Command, context: BackupCliContext): void {
  withCredentialOptions(
    program
      .command('backup')
      .description('备份数据库与存储库清单，用安全保密管理员的公钥加密（系统管理员）；backup key create 生成密钥对（安全保密管理员）/ back up the database and the stores\' inventory, encrypted for the security admin\'s key (system admin); backup key create makes the key pair (security admin)')
      .usage('--out <目录 dir> | key create --out <私钥文件 private key file>')
      .argument('[key-create...]', '写 key create 则生成备份密钥对 / "key create" makes the backup key pair')
      .requiredOption('--out <path>', '备份目录（新目录或空目录）；key create 时为私钥文件，公钥写在其旁的 .pub / backup folder (new or empty); with key create, the private key file (the public key goes beside it as .pub)')
      .option('--public-key <file>', '安全保密管理员交来的公钥（默认 <LANTAI_DATA_DIR>/keys/backup.pub）/ the public key from the security admin (default <LANTAI_DATA_DIR>/keys/backup.pub)')
      .addHelpText(
        'after',
        [
          '',
          '三员分立 / separation of duties:',
          '  lantai backup key create --out <私钥文件>   安全保密管理员：生成密钥对，私钥自行保管，公钥交给系统管理员',
          '                                                security admin: makes the key pair, keeps the private key, hands out the public key',
          '  lantai backup --out <目录>                    系统管理员：用公钥制作备份（不能解密）/ system admin: backs up with the public key (cannot decrypt)',
          '  lantai restore <目录> --key <私钥文件>        系统管理员登录，安全保密管理员提供私钥 / system admin signs in, security admin brings the key',
          '备份不含电子文件本身（由副本和离线介质保存），只含其清单 / blobs are not copied (replicas and offline media keep them), only listed',
          '',
        ].join('\n'),
      ),
  ).action(async (words: string[], opts: BackupOptions) => {
    if (words.length === 0) return backUp(context, program.version() ?? '0.0.0', opts);
    if (words.join(' ') === 'key create') return createKey(context, opts);
    throw platformErrors.VALIDATION_FAILED({ summary: `lantai backup ${words.join(' ')}: use lantai backup --out <dir>, or lantai backup key create --out <file>` });
  });
  registerRestoreCli(program, context);
}
