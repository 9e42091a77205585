/**
 * Kysely over SQLite (embedded default) or PostgreSQL (scale-out).
 *
 * The two databases differ in a few places; those differences are capability
 * flags on `Database.caps` (after Kysely's own adapters), never `if (dialect === …)`
 * in a module. Values read back are normalised so repositories see the same types
 * on both: times as ISO-8601 strings, JSON as text, int8 as numbers.
 */
import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, SqliteDriver, CompiledQuery, type DatabaseConnection, type Driver, type SqliteDialectConfig, type Transaction } from 'kysely';
import type pg from 'pg';
import type { DatabaseConfig } from '../../config.js';
import { platformErrors } from '../http/errors.js';
import type { Tables } from './tables.js';

export type Db = Kysely<Tables>;
/** A Kysely transaction: the first argument of every service method that writes (DESIGN.md "Transactions"). */
export type Tx = Transaction<Tables>;
/** Either a transaction or the database, for reads that may run inside or outside one. */
export type Executor = Db | Tx;

export interface Capabilities {
  dialect: 'sqlite' | 'postgres';
  /** `SELECT … FOR UPDATE SKIP LOCKED` for leasing rows to several workers at once. */
  supportsSkipLocked: boolean;
  /** DDL inside transactions is rolled back with them. */
  supportsTransactionalDdl: boolean;
  /** Several processes/nodes may write at once (SQLite serialises writers per file). */
  concurrentWriters: boolean;
  /** Column type for an ISO timestamp. */
  timestampType: 'text' | 'timestamptz';
  /** Column type for JSON documents. */
  jsonType: 'text' | 'jsonb';
  /**
   * Collation that orders text by code point, so archival codes sort the same on
   * both databases (SQLite's default BINARY; PostgreSQL's default follows the locale).
   */
  codePointCollation: string | null;
  /** Most bound parameters one statement may carry. */
  maxParameters: number;
}

export interface Database {
  db: Db;
  caps: Capabilities;
  /** Where the data lives, for messages (password removed). */
  describe: string;
  /** Quick round trip for /api/health. */
  ping(): Promise<{ ok: boolean; detail: string }>;
  close(): Promise<void>;
}

/** SQLite write lock wait: longer than any single write transaction Lantai makes. */
export const SQLITE_BUSY_TIMEOUT_MS = 60_000;

// Writers take the lock at BEGIN so two processes never deadlock upgrading a read lock
// (a deferred transaction that later writes gets SQLITE_BUSY at once, busy_timeout or not).
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  readonly #settings: SqliteDialectConfig;
  constructor(settings: SqliteDialectConfig) {
    super(settings);
    this.#settings = settings;
  }
  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#settings);
  }
}

let pgTypesSet = false;
function normalisePgTypes(pg: typeof import('pg').default): void {
  if (pgTypesSet) return;
  pgTypesSet = true;
  const toIso = (v: string) => new Date(v).toISOString();
  pg.types.setTypeParser(pg.types.builtins.TIMESTAMPTZ, toIso);
  pg.types.setTypeParser(pg.types.builtins.TIMESTAMP, (v: string) => new Date(`${v}Z`).toISOString());
  pg.types.setTypeParser(pg.types.builtins.INT8, (v: string) => Number(v));
  pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v: string) => Number(v));
  pg.types.setTypeParser(pg.types.builtins.JSONB, (v: string) => v);
  pg.types.setTypeParser(pg.types.builtins.JSON, (v: string) => v);
}

function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}

/** Most memory SQLite's page cache may take (KiB). */
const SQLITE_CACHE_KIB = 256 * 1024;

function openSqlite(file: string): Database {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
  let raw: BetterSqlite3.Database;
  try {
    raw = new BetterSqlite3(file);
  } catch (err) {
    throw platformErrors.DATABASE_UNAVAILABLE({ reason: `${file}: ${(err as Error).message}` });
  }
  raw.pragma('journal_mode = WAL');
  raw.pragma('foreign_keys = ON');
  raw.pragma('synchronous = FULL');
  raw.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
  // SQLite's default page cache is 2 MB. A search at a million items looks up thousands of
  // rows by key in a table of hundreds of MB, and the index job inserts rows at random
  // keys: each miss is a read from the OS. The cache grows only as pages are used.
  raw.pragma(`cache_size = -${SQLITE_CACHE_KIB}`);
  raw.pragma('temp_store = MEMORY');
  const db = new Kysely<Tables>({ dialect: new ImmediateSqliteDialect({ database: raw }) });
  return {
    db,
    caps: {
      dialect: 'sqlite',
      supportsSkipLocked: false,
      supportsTransactionalDdl: true,
      concurrentWriters: false,
      timestampType: 'text',
      jsonType: 'text',
      codePointCollation: null,
      maxParameters: 32_766,
    },
    describe: `SQLite ${file}`,
    async ping() {
      try {
        raw.prepare('select 1').get();
        return { ok: true, detail: `SQLite ${file}` };
      } catch (err) {
        return { ok: false, detail: (err as Error).message };
      }
    },
    async close() {
      await db.destroy();
    },
  };
}

async function openPostgres(url: string): Promise<Database> {
  // Loaded only for PostgreSQL: the embedded default never pays for the driver.
  const pg = (await import('pg')).default;
  normalisePgTypes(pg);
  const pool = new pg.Pool({ connectionString: url, max: 10, connectionTimeoutMillis: 10_000, idleTimeoutMillis: 30_000 });
  // A pool error on an idle client (server restart) must not crash the process.
  pool.on('error', () => undefined);
  try {
    const client = await pool.connect();
    await client.query("set time zone 'UTC'");
    client.release();
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw platformErrors.DATABASE_UNAVAILABLE({ reason: `${redact(url)}: ${(err as Error).message}` });
  }
  pool.on('connect', (client) => {
    client.query("set time zone 'UTC'").catch(() => undefined);
  });
  const db = new Kysely<Tables>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    caps: {
      dialect: 'postgres',
      supportsSkipLocked: true,
      supportsTransactionalDdl: true,
      concurrentWriters: true,
      timestampType: 'timestamptz',
      jsonType: 'jsonb',
      codePointCollation: 'C',
      maxParameters: 65_535,
    },
    describe: `PostgreSQL ${redact(url)}`,
    async ping() {
      try {
        await pool.query('select 1');
        return { ok: true, detail: `PostgreSQL ${redact(url)}` };
      } catch (err) {
        return { ok: false, detail: (err as Error).message };
      }
    },
    async close() {
      await db.destroy();
    },
  };
}

/** Opens the configured database; an unreachable one raises DATABASE_UNAVAILABLE. */
export async function openDatabase(config: DatabaseConfig): Promise<Database> {
  return config.kind === 'sqlite' ? openSqlite(config.file) : openPostgres(config.url);
}
