/**
 * `lantai av import-signatures <dir>`: the system admin installs ClamAV signature
 * databases carried in on media (the LAN has no path to ClamAV's mirrors) and clamd
 * reloads them. The hand-over report then shows the databases' date and import time.
 * Signs the system admin in like every admin command; the import is audited under
 * their name, a refused import too (with ClamAV's reason).
 */
import type { Command } from 'commander';
import { withCredentialOptions } from '../../platform/cli/credentials.js';
import type { Output } from '../../platform/cli/output.js';
import type { Db } from '../../platform/db/database.js';
import { createClamd } from '../../platform/scan/clamd.js';
import { importSignatures, SignatureImportError, type ImportOutcome } from '../../platform/scan/signatures.js';
import type { RoleCommand } from '../accounts/cli.js';
import type { Actor, AuditSink } from '../accounts/service.js';
import { transferCliErrors } from './cli-errors.js';

interface AvCliApp {
  config: { clamavDbDir: string; clamdSocket: string | undefined };
  database: { db: Db };
  services: { audit: AuditSink };
}

export interface AvCliContext {
  output(): Output;
  withSignedIn<T>(command: RoleCommand, fn: (app: AvCliApp, actor: Actor) => Promise<T>): Promise<T>;
}

const ACTION = 'av.signatures.import';

export function registerAvCli(program: Command, context: AvCliContext): void {
  const av = program.command('av').description('病毒检测（ClamAV）/ virus scanning (ClamAV)');
  withCredentialOptions(
    av
      .command('import-signatures <dir>')
      .description('离线导入 ClamAV 特征库（.cvd .cld .cud 及自定义特征），校验后安装并通知 clamd 重新加载 / import ClamAV signatures carried in offline; validated, installed, clamd reloaded')
      .option('--force', '允许导入比已安装版本旧的官方特征库 / allow an official database older than the installed one', false),
  ).action(async (dir: string, opts: { as?: string; totp?: string; force: boolean }) => {
    const out = context.output();
    const result = await context.withSignedIn({ role: 'system_admin', action: ACTION, label: '导入病毒特征库 / import virus signatures', as: opts.as, totp: opts.totp }, async (app, actor) => {
      const audit = (result: 'ok' | 'failed', details: Record<string, unknown>, reason?: string) =>
        app.database.db.transaction().execute((tx) => app.services.audit.append(tx, { actor: { ...actor, roles: [...actor.roles] }, action: ACTION, target: { type: 'av_signatures', id: null, label: app.config.clamavDbDir }, result, ...(reason ? { reason } : {}), details }));
      let outcome: ImportOutcome;
      try {
        outcome = await importSignatures({ from: dir, dbDir: app.config.clamavDbDir, force: opts.force });
      } catch (err) {
        if (!(err instanceof SignatureImportError)) throw err;
        await audit('failed', { from: dir }, err.en.slice(0, 200));
        throw transferCliErrors.TRANSFER_AV_IMPORT({ reason: err.zh, reasonEn: err.en });
      }
      const reloaded = app.config.clamdSocket ? await createClamd({ socket: app.config.clamdSocket }).reload().catch(() => false) : false;
      await audit('ok', { from: dir, files: outcome.imported, skipped: outcome.skipped.map((s) => s.file), reloaded });
      return { ...outcome, reloaded, dbDir: app.config.clamavDbDir };
    });
    out.result(result, () => {
      for (const f of result.imported) {
        const version = f.version !== null ? `版本 ${f.version}，${f.signatures} 条特征，发布于 ${f.builtAt?.slice(0, 10) ?? '未知'}` : '自定义特征';
        out.say(`已导入 ${f.file}（${version}）`, `imported ${f.file}`);
      }
      for (const s of result.skipped) out.say(`跳过 ${s.file}：${s.zh}`, `skipped ${s.file}: ${s.en}`);
      if (result.reloaded) out.say('clamd 已开始重新加载特征库', 'clamd is reloading its signatures');
      else out.say('未能通知 clamd 重新加载（LANTAI_CLAMD_SOCKET 未配置或 clamd 未运行）；clamd 下次启动时加载新特征库', 'clamd was not told to reload (no LANTAI_CLAMD_SOCKET, or clamd is not running); it loads them at its next start');
    });
  });
}
