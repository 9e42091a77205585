/**
 * The database half of a backup. One adapter per kind of database, chosen once
 * here (as Kysely's dialect adapters are): SQLite through the online backup API
 * (backup-sqlite.ts), PostgreSQL through pg_dump --format=custom and pg_restore
 * (backup-postgres.ts). Both answer the same questions in the same words: the facts
 * of a copy (every table's rows, the migrations applied, the audit chain's head),
 * whether a database already holds an installation, and how to empty it again.
 */
import path from 'node:path';
import type { DatabaseConfig } from '../../config.js';
import type { BackupPart, DatabaseFacts } from './backup-manifest.js';
import { postgresBackup } from './backup-postgres.js';
import { sqliteBackup } from './backup-sqlite.js';

export interface DatabaseBackup {
  readonly kind: DatabaseFacts['kind'];
  readonly content: BackupPart['content'];
  /** Name of the encrypted part in the backup folder. */
  readonly file: string;
  /** Where the data lives, for messages. */
  readonly describe: string;
  /** Streams a consistent copy of the database into `save`; the facts are read from that same copy. */
  dump<T>(save: (bytes: AsyncIterable<Uint8Array>) => Promise<T>): Promise<{ saved: T; facts: DatabaseFacts; tool: string }>;
  /** What shows that the database already holds an installation, or null when it is empty. */
  installation(): Promise<{ zh: string; en: string } | null>;
  /** Restores a copy into the empty database and checks it against `expected`; BACKUP_RESTORE_MISMATCH leaves the database empty. */
  restore(bytes: AsyncIterable<Uint8Array>, expected: DatabaseFacts): Promise<DatabaseFacts>;
  /** Makes the database empty again (a restore whose system admin did not sign in). */
  clear(): Promise<void>;
}

/** The adapter for the configured database; `tmpDir` holds SQLite's plain copy while it is encrypted. */
export function databaseBackup(config: DatabaseConfig, options: { tmpDir: string }): DatabaseBackup {
  return config.kind === 'sqlite' ? sqliteBackup(config.file, { tmpDir: path.resolve(options.tmpDir) }) : postgresBackup(config.url);
}
