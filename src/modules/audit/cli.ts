/**
 * `lantai audit-log verify | checkpoint | archive`: the auditor's commands.
 *
 * Each asks for the auditor's credentials first (the accounts module signs the
 * person in: prompts on a terminal, `--as` and standard input in scripts) and is
 * audited as that auditor. verify exits 1 and names the first broken entry;
 * archive refuses a cut-off less than six months ago and removes nothing from the
 * database until the written segment has been read back and checked.
 */
import path from 'node:path';
import type { Command } from 'commander';
import { withCredentialOptions } from '../../platform/cli/credentials.js';
import type { Db } from '../../platform/db/database.js';
import type { Output } from '../../platform/cli/output.js';
import { auditErrors } from './errors.js';
import type { AuditActor } from './model.js';
import type { AuditLog } from './service.js';

/** The auditor's command as the sign-in needs it: the audit action, a label for refusals, and the `--as` / `--totp` given. */
export interface AuditorCommand {
  role: 'auditor';
  action: string;
  label: string;
  as?: string;
  totp?: string;
}

/** Who signed in, as the accounts module reports it (roles read-only). */
export type SignedInActor = Omit<AuditActor, 'roles'> & { roles: readonly string[] };

/** The part of the CLI context these commands use (main.ts's CliContext fits it). */
export interface AuditCliContext {
  output(): Output;
  /** Builds the app, signs the auditor at the terminal in, and runs the command as them. */
  withSignedIn<T>(command: AuditorCommand, fn: (app: { database: { db: Db }; services: { audit: AuditLog } }, actor: SignedInActor) => Promise<T>): Promise<T>;
}

/** `YYYY-MM-DD` as local midnight, the way the person typing it means it. */
export function parseCutoff(value: string): Date {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const [year, month, day] = match ? [Number(match[1]), Number(match[2]), Number(match[3])] : [NaN, NaN, NaN];
  const date = new Date(year, month - 1, day);
  if (!match || date.getFullYear() !== year || date.getMonth() !== month - 1 || date.getDate() !== day) throw auditErrors.AUDIT_ARCHIVE_DATE_INVALID({ value });
  return date;
}

const asAuditActor = (actor: SignedInActor): AuditActor => ({ ...actor, roles: [...actor.roles] });

type CredentialFlags = { as?: string; totp?: string };

export function registerAuditCli(program: Command, context: AuditCliContext): void {
  const auditLog = program.command('audit-log').description('安全审计日志 / security audit log');

  withCredentialOptions(
    auditLog
      .command('verify')
      .description('校验审计链、归档段与库外签名检查点，指出第一条被破坏的记录 / verify the chain, archived segments and signed checkpoints; names the first broken entry'),
  ).action(async (opts: CredentialFlags) => {
      const out = context.output();
      const report = await context.withSignedIn({ role: 'auditor', action: 'audit.verify', label: '校验审计链 / verify the audit chain', ...opts }, async (app, actor) => {
        const verified = await app.services.audit.verify(app.database.db);
        await app.database.db.transaction().execute((tx) =>
          app.services.audit.append(tx, { actor: asAuditActor(actor), action: 'audit.verify', target: null, result: 'ok', details: { channel: 'cli', ok: verified.ok, entries: verified.entries, firstBroken: verified.firstBroken?.seq ?? null } }),
        );
        return verified;
      });
      out.result(report, () => {
        const broken = report.firstBroken;
        if (broken) {
          out.say(`审计链被破坏，第 ${broken.seq} 号${broken.id ? `（${broken.id}）` : ''}：${broken.zh}`, `audit chain broken at entry ${broken.seq}${broken.id ? ` (${broken.id})` : ''}: ${broken.en}`);
          return;
        }
        out.say(`审计链完好：${report.entries} 条记录，${report.checkpointsChecked} 个签名检查点相符`, `audit chain intact: ${report.entries} entries; signed checkpoints matching: ${report.checkpointsChecked}`);
        if (report.archivedThrough > 0) out.say(`第 1 至 ${report.archivedThrough} 号已归档`, `entries 1 to ${report.archivedThrough} are archived`);
        out.say(
          report.anchoredThrough === null ? '尚无签名检查点' : `签名检查点覆盖到第 ${report.anchoredThrough} 号`,
          report.anchoredThrough === null ? 'no signed checkpoint yet' : `signed checkpoints cover entries up to ${report.anchoredThrough}`,
        );
      });
      if (!report.ok) process.exitCode = 1;
    });

  withCredentialOptions(auditLog.command('checkpoint').description('立即在库外写入签名检查点 / write a signed checkpoint outside the database now')).action(async (opts: CredentialFlags) => {
      const out = context.output();
      const checkpoint = await context.withSignedIn({ role: 'auditor', action: 'audit.checkpoint', label: '写入审计检查点 / write an audit checkpoint', ...opts }, async (app, actor) => {
        // Audited first, so the checkpoint signs a head that includes its own entry.
        await app.database.db.transaction().execute((tx) => app.services.audit.append(tx, { actor: asAuditActor(actor), action: 'audit.checkpoint', target: null, result: 'ok', details: { channel: 'cli' } }));
        return app.services.audit.checkpointNow(app.database.db);
      });
      out.result(checkpoint, () =>
        out.say(checkpoint ? `已写入检查点：第 ${checkpoint.seq} 号` : '没有新的记录，未写检查点', checkpoint ? `checkpoint written at entry ${checkpoint.seq}` : 'no new entries; no checkpoint written'),
      );
    });

  withCredentialOptions(
    auditLog
      .command('archive')
      .description('把六个月以前的审计记录导出为签名归档段，校验后再从数据库移出 / export entries older than six months as a signed segment, check it, then detach them')
      .requiredOption('--before <YYYY-MM-DD>', '截止日期（本地时间零点，至少六个月以前）/ cut-off date, local midnight, at least six months ago')
      .requiredOption('--out <dir>', '归档段的输出目录 / folder for the segment and its manifest'),
  ).action(async (opts: CredentialFlags & { before: string; out: string }) => {
      const out = context.output();
      const before = parseCutoff(opts.before);
      const segment = await context.withSignedIn({ role: 'auditor', action: 'audit.archive', label: '归档审计日志 / archive the audit log', as: opts.as, totp: opts.totp }, (app, actor) =>
        app.services.audit.archive(app.database.db, { before, outDir: path.resolve(opts.out), actor: asAuditActor(actor) }),
      );
      out.result(segment, () =>
        out.say(
          segment ? `已归档第 ${segment.fromSeq} 至 ${segment.toSeq} 号（${segment.entries} 条）：${segment.file}` : '截止日期之前没有未归档的记录',
          segment ? `archived entries ${segment.fromSeq} to ${segment.toSeq} (${segment.entries}): ${segment.file}` : 'no unarchived entries before the cut-off',
        ),
      );
    });
}
