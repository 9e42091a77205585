/**
 * Migrations: one list, the same files on SQLite and PostgreSQL, run by Kysely's
 * Migrator (which locks, so two nodes starting at once do not both migrate).
 *
 * The platform's migrations live here; each module exports its own list from
 * `src/modules/<name>/migrations.ts` and app.ts concatenates them. Names start with
 * a date and sequence so they sort in the order they must run.
 */
import { sql, Migrator, type Kysely, type Migration as KyselyMigration, type MigrationProvider } from 'kysely';
import type { Capabilities, Database } from './database.js';

export interface Migration {
  /** `YYYY-MM-DD-NN-module-what`, sorted to decide the order. */
  name: string;
  up(db: Kysely<unknown>, caps: Capabilities): Promise<void>;
}

export interface MigrationReport {
  applied: string[];
  pending: string[];
}

function provider(migrations: readonly Migration[], caps: Capabilities): MigrationProvider {
  return {
    async getMigrations() {
      const out: Record<string, KyselyMigration> = {};
      for (const m of migrations) {
        if (out[m.name]) throw new Error(`two migrations are named ${m.name}`);
        out[m.name] = { up: (db: Kysely<unknown>) => m.up(db, caps) };
      }
      return out;
    },
  };
}

/** Brings the schema up to date; returns the names it applied. */
export async function migrateToLatest(database: Database, migrations: readonly Migration[]): Promise<MigrationReport> {
  const migrator = new Migrator({
    db: database.db as unknown as Kysely<unknown>,
    provider: provider(migrations, database.caps),
    migrationTableName: 'lantai_migration',
    migrationLockTableName: 'lantai_migration_lock',
  });
  const { error, results = [] } = await migrator.migrateToLatest();
  if (error) {
    const failed = results.find((r) => r.status === 'Error');
    throw new Error(`migration ${failed?.migrationName ?? '?'} failed: ${(error as Error).message ?? String(error)}`);
  }
  const all = await migrator.getMigrations();
  return {
    applied: results.filter((r) => r.status === 'Success').map((r) => r.migrationName),
    pending: all.filter((m) => !m.executedAt).map((m) => m.name),
  };
}

/** Column type helpers that differ by database. */
export function columnTypes(caps: Capabilities) {
  return {
    timestamp: caps.timestampType,
    json: caps.jsonType,
    /** Text that sorts by code point on both databases (archival codes). */
    sortableText: caps.codePointCollation ? sql`text collate ${sql.id(caps.codePointCollation)}` : sql`text`,
  } as const;
}
