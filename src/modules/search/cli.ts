/**
 * `lantai search reindex [--fonds CODE]`: the system admin rebuilds the search index
 * (after an upgrade of the tokenizer, or to repair it), every record or one fonds', with
 * a progress bar. Searches keep working meanwhile: each batch replaces its records'
 * entries in one transaction. Audited.
 */
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { withCredentialOptions } from '../../platform/cli/credentials.js';
import type { Output } from '../../platform/cli/output.js';
import type { Db } from '../../platform/db/database.js';
import type { RoleCommand } from '../accounts/cli.js';
import type { Actor, AuditSink } from '../accounts/service.js';
import type { Indexer } from './indexer.js';
import { searchErrors } from './errors.js';

interface SearchCliApp {
  database: { db: Db };
  services: { audit: AuditSink; indexer: Indexer; catalog: { listFonds(db: Db): Promise<Array<{ id: string; code: string }>> } };
}

export interface SearchCliContext {
  output(): Output;
  withSignedIn<T>(command: RoleCommand, fn: (app: SearchCliApp, actor: Actor) => Promise<T>): Promise<T>;
}

const ACTION = 'search.reindex';

export function registerSearchCli(program: Command, context: SearchCliContext): void {
  const search = program.command('search').description('检索索引（系统管理员）/ the search index (system admin)');
  withCredentialOptions(
    search
      .command('reindex')
      .description('重建检索索引（全部或一个全宗）；重建期间检索照常可用 / rebuild the search index (all, or one fonds); searching keeps working')
      .option('--fonds <code>', '只重建这个全宗（全宗号）/ only this fonds (its code)'),
  ).action(async (opts: { fonds?: string; as?: string; totp?: string }) => {
    const out = context.output();
    const result = await context.withSignedIn({ role: 'system_admin', action: ACTION, label: '重建检索索引 / rebuild the search index', as: opts.as, totp: opts.totp }, async (app, actor) => {
      let fondsId: string | null = null;
      if (opts.fonds) {
        const fonds = (await app.services.catalog.listFonds(app.database.db)).find((f) => f.code === opts.fonds);
        if (!fonds) throw searchErrors.SEARCH_FONDS_UNKNOWN({ fonds: opts.fonds });
        fondsId = fonds.id;
      }
      const bar = !out.json && process.stderr.isTTY ? new cliProgress.SingleBar({ format: '重建索引 / reindexing [{bar}] {value}/{total} {eta_formatted}', stream: process.stderr }, cliProgress.Presets.shades_classic) : null;
      const started = Date.now();
      let summary: { indexed: number; removed: number };
      try {
        summary = await app.services.indexer.rebuild({
          fondsId,
          onProgress: (done, total) => {
            if (bar && bar.getTotal() !== total) bar.start(total, done);
            bar?.update(done);
          },
        });
      } finally {
        bar?.stop();
      }
      const seconds = (Date.now() - started) / 1000;
      await app.database.db.transaction().execute((tx) =>
        app.services.audit.append(tx, { actor: { ...actor, roles: [...actor.roles] }, action: ACTION, target: { type: 'fonds', id: fondsId, label: opts.fonds ?? '全部 / all' }, result: 'ok', details: { ...summary, seconds } }),
      );
      return { ...summary, seconds };
    });
    out.result(result, () => out.say(`已重建 ${result.indexed} 件档案的索引（移除 ${result.removed} 条），用时 ${result.seconds.toFixed(1)} 秒`, `reindexed ${result.indexed} items (removed ${result.removed}) in ${result.seconds.toFixed(1)} s`));
  });
}
