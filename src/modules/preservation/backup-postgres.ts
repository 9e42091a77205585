/**
 * PostgreSQL's half of backups: pg_dump --format=custom of the configured
 * database, streamed (never a whole dump in memory, never a plain dump on disk),
 * and pg_restore into an empty database.
 *
 * Consistency: the facts (row counts, migrations, audit head) are read in a
 * REPEATABLE READ transaction whose snapshot pg_dump then uses (--snapshot), so the
 * manifest describes exactly the rows in the dump.
 *
 * pg_restore runs in one transaction (--single-transaction --exit-on-error): a
 * restore that fails, or whose bytes stop decrypting (the process is killed before
 * its input ends), leaves nothing; one whose last checks fail after pg_restore has
 * committed is dropped again. Objects are created as the connecting role
 * (--no-owner --no-privileges), so a backup restores on another server.
 *
 * The client tools must be of a major version no older than the server's
 * (Debian: postgresql-client). The password travels in PGPASSWORD, not on the
 * command line, where any local user could read it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { sql } from 'kysely';
import { openDatabase, type Database } from '../../platform/db/database.js';
import type { DatabaseBackup } from './backup-database.js';
import { backupErrors } from './backup-errors.js';
import { checkRestored, installationIn, readFacts } from './backup-facts.js';

interface Connection {
  /** The URL without its password, for --dbname. */
  dbname: string;
  env: NodeJS.ProcessEnv | undefined;
}

function connectionOf(url: string): Connection {
  const u = new URL(url);
  const password = decodeURIComponent(u.password);
  u.password = '';
  // The child inherits this process's environment (PATH, PGSSL*, locale) plus the password.
  return { dbname: u.toString(), env: password ? { ...process.env, PGPASSWORD: password } : undefined };
}

interface Running {
  child: ChildProcess;
  /** Resolves when the tool exits 0; rejects with BACKUP_TOOL_MISSING / BACKUP_TOOL_FAILED. */
  done: Promise<void>;
}

function run(tool: string, args: string[], connection: Connection, stdin: 'pipe' | 'ignore'): Running {
  const child = spawn(tool, args, { env: connection.env, stdio: [stdin, 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    if (stderr.length < 8192) stderr += d.toString();
  });
  const done = new Promise<void>((resolve, reject) => {
    child.once('error', (err: NodeJS.ErrnoException) => reject(err.code === 'ENOENT' ? backupErrors.BACKUP_TOOL_MISSING({ tool }) : err));
    child.once('close', (code, signal) => {
      if (code === 0) return resolve();
      const reason = stderr.trim().split('\n').filter((line) => !line.includes('hint:')).slice(-3).join(' ').replaceAll(connection.dbname, '<database>') || (signal ? `signal ${signal}` : 'no message');
      reject(backupErrors.BACKUP_TOOL_FAILED({ tool, code: code ?? String(signal), reason }));
    });
  });
  return { child, done };
}

async function versionOf(tool: string, connection: Connection): Promise<string> {
  const running = run(tool, ['--version'], connection, 'ignore');
  let text = '';
  running.child.stdout?.on('data', (d: Buffer) => (text += d.toString()));
  await running.done;
  return text.trim();
}

async function withDatabase<T>(url: string, fn: (database: Database) => Promise<T>): Promise<T> {
  const database = await openDatabase({ kind: 'postgres', url });
  try {
    return await fn(database);
  } finally {
    await database.close();
  }
}

/** Drops every table, view, sequence and function of the public schema, in one transaction (the schema itself stays, with its owner and grants). */
async function dropEverything(database: Database): Promise<void> {
  await database.db.transaction().execute(async (tx) => {
    const statements = await sql<{ statement: string }>`
      select format('drop view if exists public.%I cascade', viewname) as statement from pg_views where schemaname = 'public'
      union all select format('drop table if exists public.%I cascade', tablename) from pg_tables where schemaname = 'public'
      union all select format('drop sequence if exists public.%I cascade', sequencename) from pg_sequences where schemaname = 'public'
      union all select format('drop function if exists public.%I(%s) cascade', p.proname, pg_get_function_identity_arguments(p.oid))
        from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = 'public' and p.prokind = 'f'`.execute(tx);
    for (const { statement } of statements.rows) await sql.raw(statement).execute(tx);
  });
}

/**
 * Writes `bytes` into pg_restore's standard input. pg_restore stops reading once it has the archive's end, before
 * the last checks of a part (the final chunk, the whole SHA-256) have run: the rest is read through all the same,
 * so a failing check still fails the restore. A failing check kills pg_restore at once, before its input ends, so
 * it never commits what it has so far; pg_restore failing stops the reading.
 */
async function feed(child: ChildProcess, bytes: AsyncIterable<Uint8Array>): Promise<void> {
  const stdin = child.stdin as Writable;
  let open = true;
  const shut = () => {
    open = false;
  };
  stdin.on('error', shut);
  stdin.on('close', shut);
  const writable = () =>
    new Promise<void>((resolve) => {
      const go = () => {
        stdin.off('drain', go);
        stdin.off('close', go);
        resolve();
      };
      stdin.on('drain', go);
      stdin.on('close', go);
    });
  try {
    for await (const chunk of bytes) {
      if (open && !stdin.write(chunk)) await writable();
      else if (!open && child.exitCode !== null && child.exitCode !== 0) return;
    }
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  if (open) stdin.end();
}

export function postgresBackup(url: string): DatabaseBackup {
  const connection = connectionOf(url);
  return {
    kind: 'postgres',
    content: 'pg_dump-custom',
    file: 'database.pgdump.enc',
    describe: `PostgreSQL ${connection.dbname}`,

    async dump(save) {
      const tool = await versionOf('pg_dump', connection);
      return withDatabase(url, (database) =>
        database.db
          .transaction()
          .setIsolationLevel('repeatable read')
          .setAccessMode('read only')
          .execute(async (tx) => {
            const snapshot = (await sql<{ id: string }>`select pg_export_snapshot() as id`.execute(tx)).rows[0]?.id ?? '';
            const facts = await readFacts(tx, 'postgres');
            const dumping = run('pg_dump', ['--no-password', '--format=custom', `--snapshot=${snapshot}`, `--dbname=${connection.dbname}`], connection, 'ignore');
            const stdout = dumping.child.stdout as Readable;
            // A save that fails (a full disk) stops pg_dump, which would otherwise wait on the pipe for ever.
            const saving = save(stdout).catch((err: unknown) => {
              dumping.child.kill('SIGKILL');
              throw err;
            });
            const [saved, exited] = await Promise.allSettled([saving, dumping.done]);
            if (saved.status === 'rejected') throw saved.reason;
            // pg_dump failing ends its output early: its own message says why.
            if (exited.status === 'rejected') throw exited.reason;
            return { saved: saved.value, facts, tool };
          }),
      );
    },

    installation: () => withDatabase(url, (database) => installationIn(database.db, 'postgres')),

    async restore(bytes, expected) {
      // Found empty: what a `lantai migrate` may have left (tables without rows) gives way to the backup's.
      await withDatabase(url, dropEverything);
      const restoring = run('pg_restore', ['--no-password', '--single-transaction', '--exit-on-error', '--no-owner', '--no-privileges', `--dbname=${connection.dbname}`], connection, 'pipe');
      const [fed, exited] = await Promise.allSettled([feed(restoring.child, bytes), restoring.done]);
      try {
        // A backup that stopped decrypting says more than pg_restore's complaint about its input ending.
        if (fed.status === 'rejected') throw fed.reason;
        if (exited.status === 'rejected') throw exited.reason;
        const facts = await withDatabase(url, (database) => readFacts(database.db, 'postgres'));
        return await checkRestored(expected, facts, async () => undefined);
      } catch (err) {
        // pg_restore may have committed before the last check failed (the whole part's SHA-256 comes after its last
        // chunk): the database was empty, and is made so again.
        await withDatabase(url, dropEverything);
        throw err;
      }
    },

    clear: () => withDatabase(url, dropEverything),
  };
}
