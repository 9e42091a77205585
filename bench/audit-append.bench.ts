/**
 * Audit entries appended one per committed transaction on SQLite (WAL,
 * synchronous=FULL), against plain single-row inserts into a table of the same
 * shape, each in its own committed transaction, measured in the same run on the
 * same database file. Targets (issue "Accounts"): ≥ 2,000 entries/s and ≥ 50 % of
 * the plain inserts.
 *
 *   npm run bench -- audit-append [--count 5000]
 */
import path from 'node:path';
import { sql } from 'kysely';
import { openDatabase } from '../src/platform/db/database.js';
import { migrateToLatest } from '../src/platform/db/migrations.js';
import { platformMigrations } from '../src/platform/db/migrations/platform.js';
import { auditMigrations } from '../src/modules/audit/migrations.js';
import { createCheckpointSink } from '../src/modules/audit/checkpoints.js';
import { createAuditLog } from '../src/modules/audit/service.js';
import type { BenchContext, BenchRow } from './benchmark.js';

export default async function auditAppend({ workDir, flags, log }: BenchContext): Promise<BenchRow[]> {
  const count = Number(flags.get('count') || 5000);
  const file = path.join(workDir, 'audit.db');
  const database = await openDatabase({ kind: 'sqlite', file, url: `sqlite:${file}` });
  try {
    await migrateToLatest(database, [...platformMigrations, ...auditMigrations]);
    const db = database.db;
    // The peer: the same columns, no chain, no head row.
    await sql`create table plain_entries as select * from audit_entries where 0`.execute(db);
    const audit = createAuditLog({ caps: database.caps, checkpoints: createCheckpointSink({ file: path.join(workDir, 'cp.jsonl'), keyFile: path.join(workDir, 'key') }) });
    const actor = { userId: 'u1', username: 'archivist', organisationId: 'o1', roles: ['archivist'], address: '10.0.0.1' };

    log(`plain single-row inserts × ${count}`);
    let started = performance.now();
    for (let i = 1; i <= count; i++) {
      await db.transaction().execute((tx) =>
        sql`insert into plain_entries (seq, id, at, actor_user_id, actor_username, actor_organisation_id, actor_roles, actor_class, actor_address, action, target_type, target_id, target_label, result, reason, details, prev_hash, hash)
            values (${i}, ${`id-${i}`}, ${new Date().toISOString()}, 'u1', 'archivist', 'o1', '["archivist"]', 'user', '10.0.0.1', 'catalog.record.view', 'record', ${`r${i}`}, null, 'ok', null, '{}', ${'0'.repeat(64)}, ${'1'.repeat(64)})`.execute(tx),
      );
    }
    const plainPerSecond = count / ((performance.now() - started) / 1000);

    log(`audit appends × ${count}`);
    started = performance.now();
    for (let i = 1; i <= count; i++) {
      await db.transaction().execute((tx) => audit.append(tx, { actor, action: 'catalog.record.view', target: { type: 'record', id: `r${i}` }, result: 'ok' }));
    }
    const auditPerSecond = count / ((performance.now() - started) / 1000);
    const report = await audit.verify(db);
    if (!report.ok || report.entries !== count) throw new Error(`audit chain did not verify after the run: ${JSON.stringify(report)}`);
    return [
      { benchmark: `plain fsync'd inserts × ${count}`, figure: Math.round(plainPerSecond), unit: 'rows/s', note: 'one committed transaction each; SQLite WAL, synchronous=FULL' },
      { benchmark: `audit appends × ${count}`, figure: Math.round(auditPerSecond), unit: 'entries/s', limit: Math.round(plainPerSecond), target: { atLeastPercent: 50 }, note: 'SM3 chain + head row, one committed transaction each; chain verified after' },
      { benchmark: `audit appends × ${count} (absolute)`, figure: Math.round(auditPerSecond), unit: 'entries/s', limit: 2000, target: { atLeastPercent: 100 }, note: 'issue target: ≥ 2,000 entries/s' },
    ];
  } finally {
    await database.close();
  }
}
