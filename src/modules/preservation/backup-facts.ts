/**
 * The facts of a database as a backup's manifest keeps them, read the same way
 * from the copy at backup time and from the restored database: every table's
 * rows, the migrations applied, the audit chain's head. Backups span every
 * module's tables by nature, so this file counts rows of tables it does not own —
 * by name, read-only, and nothing else.
 */
import { sql, type Kysely } from 'kysely';
import type { Tables } from '../../platform/db/tables.js';
import { backupErrors } from './backup-errors.js';
import type { DatabaseFacts } from './backup-manifest.js';

type Reader = Kysely<Tables>;

async function tableNames(db: Reader, kind: DatabaseFacts['kind']): Promise<string[]> {
  const tables = await db.introspection.getTables();
  return tables.filter((t) => !t.isView && (kind === 'sqlite' || t.schema === 'public')).map((t) => t.name).sort();
}

async function rows(db: Reader, table: string): Promise<number> {
  const result = await sql<{ n: number | string }>`select count(*) as n from ${sql.table(table)}`.execute(db);
  return Number(result.rows[0]?.n ?? 0);
}

/** Every table's rows, the migrations applied and the audit chain's head, as the manifest keeps them. */
export async function readFacts(db: Reader, kind: DatabaseFacts['kind']): Promise<DatabaseFacts> {
  const names = await tableNames(db, kind);
  const tables: Record<string, number> = {};
  for (const name of names) tables[name] = await rows(db, name);
  const migrations = names.includes('lantai_migration') ? (await sql<{ name: string }>`select name from lantai_migration`.execute(db)).rows.map((r) => r.name).sort() : [];
  const head = names.includes('audit_chain_head') ? (await sql<{ chain_id: string; seq: number | string; hash: string }>`select chain_id, seq, hash from audit_chain_head`.execute(db)).rows[0] : undefined;
  const version =
    kind === 'sqlite'
      ? (await sql<{ v: string }>`select sqlite_version() as v`.execute(db)).rows[0]?.v
      : (await sql<{ server_version: string }>`show server_version`.execute(db)).rows[0]?.server_version;
  return {
    kind,
    serverVersion: `${kind === 'sqlite' ? 'SQLite' : 'PostgreSQL'} ${version ?? '?'}`,
    migrations,
    tables,
    auditHead: head ? { chain: head.chain_id, seq: Number(head.seq), hash: head.hash } : null,
  };
}

/** Accounts, audit entries, records or an installation mark: a database holding any of them is not empty. */
export async function installationIn(db: Reader, kind: DatabaseFacts['kind']): Promise<{ zh: string; en: string } | null> {
  const names = await tableNames(db, kind);
  const count = (table: string) => (names.includes(table) ? rows(db, table) : Promise.resolve(0));
  const mode = names.includes('installation') ? (await sql<{ value: string }>`select value from installation where key = 'mode'`.execute(db)).rows[0]?.value : undefined;
  const [users, audit, records] = [await count('users'), await count('audit_entries'), await count('records')];
  if (!mode && users + audit + records === 0) return null;
  const modeZh = mode === 'demo' ? '演示环境' : mode === 'production' ? '正式部署' : '未标记的安装';
  const modeEn = mode === 'demo' ? 'a demo installation' : mode === 'production' ? 'a production installation' : 'an unmarked installation';
  return { zh: `${modeZh}，${users} 个账号、${records} 件档案、${audit} 条审计记录`, en: `${modeEn}: ${users} accounts, ${records} records, ${audit} audit entries` };
}

/** What differs between the manifest's facts and a restored database's, or null when they agree. */
export function factsDiffer(expected: DatabaseFacts, actual: DatabaseFacts): string | null {
  const differences: string[] = [];
  for (const table of new Set([...Object.keys(expected.tables), ...Object.keys(actual.tables)])) {
    const want = expected.tables[table];
    const got = actual.tables[table];
    if (want !== got) differences.push(`${table}: ${want ?? '-'} -> ${got ?? '-'}`);
  }
  if (expected.migrations.join('\n') !== actual.migrations.join('\n')) differences.push('migrations');
  const head = (h: DatabaseFacts['auditHead']) => (h ? `${h.chain}/${h.seq}/${h.hash}` : '-');
  if (head(expected.auditHead) !== head(actual.auditHead)) differences.push('audit chain head');
  return differences.length > 0 ? differences.slice(0, 5).join('; ') : null;
}

/** Throws BACKUP_RESTORE_MISMATCH (after `undo`) unless the restored database is the one the manifest describes. */
export async function checkRestored(expected: DatabaseFacts, actual: DatabaseFacts, undo: () => Promise<void>): Promise<DatabaseFacts> {
  const summary = factsDiffer(expected, actual);
  if (summary === null) return actual;
  await undo();
  throw backupErrors.BACKUP_RESTORE_MISMATCH({ summary });
}
