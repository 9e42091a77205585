/**
 * `lantai fixity run [--store NAME] [--sample N%]`: the system admin runs a fixity audit
 * now (the schedule runs them nightly), of one store or of every store in turn, with a
 * progress bar; an interrupted audit of a store is resumed from its cursor. Prints what
 * each audit found (missing, damaged, repaired, at risk); exits 1 when a file is at risk
 * or a store could not be reached, so scripts and monitoring notice. Audited.
 */
import type { Command } from 'commander';
import { withCredentialOptions } from '../../platform/cli/credentials.js';
import type { Output } from '../../platform/cli/output.js';
import type { Db } from '../../platform/db/database.js';
import type { RoleCommand } from '../accounts/cli.js';
import type { Actor, AuditSink } from '../accounts/service.js';
import { createTransferProgress, formatBytes } from '../transfer/cli-progress.js';
import type { Fixity, FixityRunSummary } from './fixity.js';
import { preservationErrors } from './errors.js';

interface FixityCliApp {
  database: { db: Db };
  stores: { all: ReadonlyMap<string, unknown> };
  services: { audit: AuditSink; fixity: Fixity };
}

export interface FixityCliContext {
  output(): Output;
  withSignedIn<T>(command: RoleCommand, fn: (app: FixityCliApp, actor: Actor) => Promise<T>): Promise<T>;
}

const ACTION = 'preservation.fixity.run';

/** `10%`, `10` or `2.5%` → 10, 10, 3 (whole percents, 1–100). */
function samplePercent(value: string | undefined): number {
  if (value === undefined) return 100;
  const n = Number(value.replace(/%$/, ''));
  if (!Number.isFinite(n) || n <= 0 || n > 100) throw preservationErrors.PRESERVATION_FIXITY_SAMPLE({ value });
  return Math.max(1, Math.round(n));
}

export function registerFixityCli(program: Command, context: FixityCliContext): void {
  const fixity = program.command('fixity').description('固定性审计（系统管理员）/ fixity audits (system admin)');
  withCredentialOptions(
    fixity
      .command('run')
      .description('立即审计：重新读取存储库中每个被引用的文件并重算 SHA-256 与 SM3，损坏或缺失的副本用其他存储库中核验无误的副本修复；中断后再次运行从断点继续 / audit now: re-read every referenced blob, recompute its digests, repair from a good copy; resumes an interrupted audit')
      .option('--store <name>', '只审计这个存储库（默认全部）/ only this store (default: all)')
      .option('--sample <percent>', '抽样审计的比例，如 10%（按摘要值抽取，每次相同）/ audit a sample, e.g. 10% (by digest, the same each time)'),
  ).action(async (opts: { store?: string; sample?: string; as?: string; totp?: string }) => {
    const out = context.output();
    const percent = samplePercent(opts.sample);
    const runs = await context.withSignedIn({ role: 'system_admin', action: ACTION, label: '运行固定性审计 / run a fixity audit', as: opts.as, totp: opts.totp }, async (app, actor) => {
      const names = opts.store ? [opts.store] : [...app.stores.all.keys()];
      for (const name of names) if (!app.stores.all.has(name)) throw preservationErrors.PRESERVATION_STORE_UNKNOWN({ store: name, known: [...app.stores.all.keys()].join('、') });
      const { bytes } = await app.services.fixity.totals(app.database.db);
      const done: FixityRunSummary[] = [];
      for (const name of names) {
        const bar = createTransferProgress(!out.json);
        bar.phase(`审计 / auditing ${name}`, Math.round((bytes * percent) / 100));
        try {
          done.push(await app.services.fixity.audit(name, { startedBy: actor.username ?? 'system_admin', samplePercent: percent, onProgress: (p) => bar.overall(p.bytes) }));
        } finally {
          bar.stop();
        }
      }
      await app.database.db.transaction().execute((tx) =>
        app.services.audit.append(tx, { actor: { ...actor, roles: [...actor.roles] }, action: ACTION, target: { type: 'store', id: opts.store ?? null, label: names.join(',') }, result: 'ok', details: { sample: percent, runs: done.map((r) => ({ store: r.store, status: r.status, blobs: r.blobs, damaged: r.damaged, missing: r.missing, repaired: r.repaired, atRisk: r.atRisk })) } }),
      );
      return done;
    });
    out.result(runs, () => {
      for (const r of runs) {
        if (r.status === 'failed') out.say(`存储库 ${r.store}：审计未完成（${r.detail}）`, `store ${r.store}: audit failed (${r.detail})`);
        else out.say(`存储库 ${r.store}：${r.resumed ? '（从断点继续）' : ''}审计 ${r.blobs} 个文件（${formatBytes(r.bytes)}），完好 ${r.ok}，缺失 ${r.missing}，损坏 ${r.damaged}，已修复 ${r.repaired}，处于风险 ${r.atRisk}`, `store ${r.store}: ${r.resumed ? '(resumed) ' : ''}${r.blobs} blobs (${formatBytes(r.bytes)}), ok ${r.ok}, missing ${r.missing}, damaged ${r.damaged}, repaired ${r.repaired}, at risk ${r.atRisk}`);
      }
    });
    if (runs.some((r) => r.status === 'failed' || r.atRisk > 0)) process.exitCode = 1;
  });
}
