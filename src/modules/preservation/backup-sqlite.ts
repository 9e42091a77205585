/**
 * SQLite's half of backups. The copy is made with SQLite's online backup API
 * (better-sqlite3's `backup`, on a connection of our own, read-only): a consistent
 * snapshot even while Lantai writes, since the API restarts when another connection
 * changes the source. The plain copy sits in a private folder under LANTAI_DATA_DIR
 * only while it is encrypted (it is as sensitive as the database beside it).
 *
 * A restore decrypts into a file beside the target, checks it (quick_check, the
 * manifest's facts), and only then renames it into place: until the rename nothing
 * at the target has changed.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { SQLITE_BUSY_TIMEOUT_MS } from '../../platform/db/database.js';
import type { Tables } from '../../platform/db/tables.js';
import type { DatabaseBackup } from './backup-database.js';
import { backupErrors } from './backup-errors.js';
import { checkRestored, installationIn, readFacts } from './backup-facts.js';
import { fsyncDir } from '../../platform/files/fsync-dir.js';

const SIDECARS = ['-wal', '-shm', '-journal'];

/** Runs `fn` on a connection of its own to `file`, closed afterwards. */
async function withSqlite<T>(file: string, options: { readonly: boolean }, fn: (db: Kysely<Tables>, raw: BetterSqlite3.Database) => Promise<T>): Promise<T> {
  const raw = new BetterSqlite3(file, { readonly: options.readonly, fileMustExist: true });
  raw.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
  const db = new Kysely<Tables>({ dialect: new SqliteDialect({ database: raw }) });
  try {
    return await fn(db, raw);
  } finally {
    await db.destroy();
  }
}

async function exists(file: string): Promise<boolean> {
  return fs.stat(file).then(
    () => true,
    () => false,
  );
}

async function removeDatabase(file: string): Promise<void> {
  for (const suffix of ['', ...SIDECARS]) await fs.rm(`${file}${suffix}`, { force: true });
}

export function sqliteBackup(file: string, options: { tmpDir: string }): DatabaseBackup {
  return {
    kind: 'sqlite',
    content: 'sqlite',
    file: 'database.sqlite.enc',
    describe: `SQLite ${file}`,

    async dump(save) {
      await fs.mkdir(options.tmpDir, { recursive: true, mode: 0o700 });
      const dir = await fs.mkdtemp(path.join(options.tmpDir, 'backup-'));
      try {
        const copy = path.join(dir, 'lantai.db');
        const source = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
        try {
          source.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
          await source.backup(copy);
        } finally {
          source.close();
        }
        // A self-contained file (rollback journal, not WAL), so it opens read-only anywhere; Lantai turns WAL back on when it opens it.
        const facts = await withSqlite(copy, { readonly: false }, async (db, raw) => {
          raw.pragma('journal_mode = DELETE');
          return readFacts(db, 'sqlite');
        });
        const saved = await save(createReadStream(copy, { highWaterMark: 1024 * 1024 }));
        return { saved, facts, tool: `${facts.serverVersion} online backup (better-sqlite3)` };
      } finally {
        await fs.rm(dir, { recursive: true, force: true });
      }
    },

    async installation() {
      if (!(await exists(file))) return null;
      return withSqlite(file, { readonly: false }, (db) => installationIn(db, 'sqlite'));
    },

    async restore(bytes, expected) {
      await fs.mkdir(path.dirname(file), { recursive: true });
      const staging = `${file}.restoring-${randomBytes(4).toString('hex')}`;
      try {
        const handle = await fs.open(staging, 'wx', 0o600);
        try {
          for await (const chunk of bytes) {
            for (let offset = 0; offset < chunk.length; ) offset += (await handle.write(chunk, offset)).bytesWritten;
          }
          await handle.sync();
        } finally {
          await handle.close();
        }
        const facts = await withSqlite(staging, { readonly: false }, async (db, raw) => {
          const check = raw.pragma('quick_check', { simple: true });
          if (check !== 'ok') throw backupErrors.BACKUP_RESTORE_MISMATCH({ summary: `quick_check: ${String(check)}` });
          return readFacts(db, 'sqlite');
        });
        await checkRestored(expected, facts, async () => undefined);
        // The target was found empty: what is there (an empty file, leftovers of one) gives way.
        await removeDatabase(file);
        await fs.rename(staging, file);
        await fsyncDir(path.dirname(file));
        return facts;
      } finally {
        await removeDatabase(staging);
      }
    },

    async clear() {
      await removeDatabase(file);
      await fsyncDir(path.dirname(file)).catch(() => undefined);
    },
  };
}
