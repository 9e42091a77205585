/**
 * `lantai restore <backup> --key <private key file>`: a backup back into an empty
 * installation. Needs both halves of the 三员 split: the security admin's private
 * key file, and the system admin, who signs in — against the restored accounts,
 * since an empty installation has none. Everything that can refuse the backup
 * (wrong key, altered or cut-off files, a database in use) does so before anything
 * is written (backup-restore.ts); a sign-in that fails or is refused empties the
 * database again, so no restore stands without a system admin named in its audit log.
 *
 * After signing in: checkpoints signed after the backup (its lost audit entries)
 * are set aside for the auditor, the restore is audited, the restored chain is
 * anchored by a new checkpoint and verified, and every blob of the inventory is
 * looked up in the configured stores (missing, or of another size).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { withCredentialOptions } from '../../platform/cli/credentials.js';
import { openDatabase } from '../../platform/db/database.js';
import { createCheckpointSink } from '../audit/checkpoints.js';
import type { VerifyReport } from '../audit/model.js';
import { createTransferProgress } from '../transfer/cli-progress.js';
import { auditAs, type BackupCliContext } from './backup-cli.js';
import { readBackupPrivateKey, shortKeyId } from './backup-crypto.js';
import { databaseBackup } from './backup-database.js';
import { backupErrors } from './backup-errors.js';
import { auditAnchors, checkInventory, openBackup, restoreDatabase, RESTORE_ACTION, verifyBackup, type InventoryReport } from './backup-restore.js';

/** How many missing or wrong-sized blobs are listed on a terminal (--json lists all). */
const SHOWN = 20;

/** Renames the checkpoint file aside (for the auditor); null when there is none. */
async function setCheckpointsAside(file: string, backupId: string): Promise<string | null> {
  const aside = `${file}.before-restore-${backupId}`;
  try {
    await fs.rename(file, aside);
    return aside;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

export function registerRestoreCli(program: Command, context: BackupCliContext): void {
  withCredentialOptions(
    program
      .command('restore <backup>')
      .description('把加密备份恢复到空的安装：系统管理员登录，安全保密管理员提供私钥 / restore an encrypted backup into an empty installation: the system admin signs in, the security admin provides the private key')
      .option('--key <file>', '安全保密管理员保管的备份私钥文件 / the backup private key file the security admin keeps')
      .addHelpText(
        'after',
        [
          '',
          '两人同时在场 / both needed:',
          '  安全保密管理员提供私钥文件（--key）；系统管理员以备份中本人的账号登录（--as，或在终端按提示输入）。',
          '  the security admin provides the private key file (--key); the system admin signs in with their account as it is in the backup.',
          '只恢复到空数据库（新建的 PostgreSQL 数据库或新的 SQLite 文件）；先停止所有兰台进程。',
          'Only into an empty database (a new PostgreSQL database or a new SQLite file); stop every Lantai process first.',
          '电子文件本身不在备份中：请先从副本或离线介质恢复存储库，恢复后会逐一核对清单。',
          'Blobs are not in the backup: bring the stores back from replicas or media; the restore checks them against the inventory.',
          '',
        ].join('\n'),
      ),
  ).action(async (dir: string, opts: { key?: string; as?: string; totp?: string }) => {
    const out = context.output();
    if (!opts.key) throw backupErrors.BACKUP_KEY_REQUIRED();
    const config = context.config();
    const backup = await openBackup(path.resolve(dir), await readBackupPrivateKey(path.resolve(opts.key)));
    const m = backup.manifest;
    out.say(`备份 ${m.id}：${m.createdAt} 由 ${m.createdBy ?? '?'} 在 ${m.host} 制作（兰台 ${m.lantaiVersion}，${m.database.kind}）`, `backup ${m.id}, made ${m.createdAt} by ${m.createdBy ?? '?'} on ${m.host} (Lantai ${m.lantaiVersion}, ${m.database.kind})`);
    const bar = createTransferProgress(!out.json);
    bar.phase('校验备份 / verifying', m.parts.reduce((n, p) => n + p.encryptedBytes, 0));
    try {
      await verifyBackup(backup, (n) => bar.overall(n));
    } finally {
      bar.stop();
    }

    const target = databaseBackup(config.database, { tmpDir: path.join(config.dataDir, 'tmp') });
    await restoreDatabase(backup, target);
    out.say('数据库已恢复，请以系统管理员身份登录确认', 'the database is restored; sign in as the system admin to confirm it');
    let signedIn = false;
    const confirm = async () => {
      const database = await openDatabase(config.database);
      // Before anyone signs in: the sign-in's own audit entries would take the numbers of lost ones.
      const anchors = await auditAnchors(database.db, createCheckpointSink({ file: config.auditCheckpointFile, keyFile: config.auditKeyFile })).finally(() => database.close());
      return context.withSignedIn({ role: 'system_admin', action: RESTORE_ACTION, label: '恢复备份 / restore a backup', as: opts.as, totp: opts.totp }, async (app, actor) => {
        signedIn = true;
        const checkpointsSetAside = anchors.lost ? await setCheckpointsAside(app.config.auditCheckpointFile, m.id) : null;
        const blobs = out.progress(m.stores.reduce((n, s) => n + s.blobs, 0), '核对存储库 / checking the stores');
        let inventory: InventoryReport;
        try {
          inventory = await checkInventory(backup, app.stores.all, (n) => blobs.update(n));
        } finally {
          blobs.stop();
        }
        await auditAs(app, actor)({
          action: RESTORE_ACTION,
          target: { type: 'backup', id: m.id, label: backup.dir },
          result: 'ok',
          details: { createdAt: m.createdAt, keyId: m.encryption.dataKey.keyId, counts: m.counts, auditHead: m.database.auditHead, lostAuditEntries: anchors.lost, checkpointsSetAside, blobsChecked: inventory.checked, blobsMissing: inventory.missing.length, blobsWrongSize: inventory.wrongSize.length, storesNotChecked: inventory.unchecked },
        });
        // A new anchor for the restored chain, then the chain checked against it. Not when the checkpoint key is
        // missing: signing would make a new key, and every line signed before would then fail.
        let verified: VerifyReport | null = null;
        if (!anchors.problem) {
          await app.services.audit.checkpointNow(app.database.db);
          verified = await app.services.audit.verify(app.database.db);
        }
        return { backup: { id: m.id, createdAt: m.createdAt, createdBy: m.createdBy, keyId: m.encryption.dataKey.keyId }, database: target.describe, counts: m.counts, audit: { verified, before: anchors.report, problem: anchors.problem, lost: anchors.lost, checkpointsSetAside }, inventory };
      });
    };
    const done = await confirm().catch(async (err: unknown) => {
      // No restore stands without a system admin who signed in for it.
      if (!signedIn) await target.clear();
      throw err;
    });
    out.result(done, () => {
      const c = done.counts;
      out.say(`已恢复到 ${done.database}：档案 ${c.records} 件、文件 ${c.files} 个、保存事件 ${c.events} 条、审计记录 ${c.auditEntries} 条`, `restored into ${done.database}: ${c.records} records, ${c.files} files, ${c.events} PREMIS events, ${c.auditEntries} audit entries`);
      const { audit, inventory } = done;
      if (audit.lost) {
        out.say(`审计检查点记到第 ${audit.lost.to} 号，备份只到第 ${audit.lost.from - 1} 号：第 ${audit.lost.from}–${audit.lost.to} 号审计记录在备份之后写入，已随原数据库丢失`, `signed checkpoints reach audit entry ${audit.lost.to} but the backup ends at ${audit.lost.from - 1}: entries ${audit.lost.from}-${audit.lost.to} came after the backup and were lost`);
        if (audit.checkpointsSetAside) out.say(`原检查点文件已移至 ${audit.checkpointsSetAside}，请交安全审计员留存`, `the old checkpoint file was moved to ${audit.checkpointsSetAside}; hand it to the auditor`);
      }
      if (audit.problem) out.say(`审计链未能对照检查点：${audit.problem.zh}`, `the audit chain was not checked against its checkpoints: ${audit.problem.en}`);
      else if (audit.verified?.firstBroken) out.say(`审计链校验未通过：${audit.verified.firstBroken.zh}`, `the audit chain does not verify: ${audit.verified.firstBroken.en}`);
      else out.say(`审计链校验通过（${audit.verified?.entries ?? 0} 条）`, `audit chain verified (${audit.verified?.entries ?? 0} entries)`);
      out.say(`存储库清单：核对 ${inventory.checked} 个文件，缺失 ${inventory.missing.length} 个，大小不符 ${inventory.wrongSize.length} 个`, `inventory: ${inventory.checked} blobs checked, ${inventory.missing.length} missing, ${inventory.wrongSize.length} of another size`);
      for (const b of inventory.missing.slice(0, SHOWN)) out.say(`  缺失 ${b.store} ${b.sha256}（${b.size} 字节）`, `missing ${b.store} ${b.sha256} (${b.size} bytes)`);
      for (const b of inventory.wrongSize.slice(0, SHOWN)) out.say(`  大小不符 ${b.store} ${b.sha256}：应为 ${b.size}，实为 ${b.actual ?? '?'}`, `wrong size ${b.store} ${b.sha256}: ${b.actual ?? '?'} bytes, ${b.size} expected`);
      if (inventory.missing.length + inventory.wrongSize.length > 2 * SHOWN) out.say('完整列表请用 --json', 'use --json for the full list');
      for (const [store, n] of Object.entries(inventory.unchecked)) out.say(`存储库 ${store} 未配置，其 ${n} 个文件未核对`, `store ${store} is not configured: ${n} blobs not checked`);
      out.say(`密钥 ${shortKeyId(done.backup.keyId)}；下一步可运行 lantai fixity run 重新计算各文件的摘要`, `key ${shortKeyId(done.backup.keyId)}; next, lantai fixity run recomputes every blob's digests`);
    });
  });
}
