/**
 * A migrated test database (SQLite file or fresh PostgreSQL database) with an
 * audit log whose key and checkpoint files live in a temporary folder, a clock the
 * test sets, and the attacker's tools: appending in bulk and switching off the
 * append-only triggers (as someone with the database owner's rights would).
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import type { Db } from '../../../platform/db/database.js';
import { platformMigrations } from '../../../platform/db/migrations/platform.js';
import { createTestDatabase, type Dialect, type TestDatabase } from '../../../platform/db/test-support/databases.js';
import type { JobQueue } from '../../../platform/jobs/queue.js';
import { createCheckpointSink, type CheckpointSink } from '../checkpoints.js';
import { auditMigrations } from '../migrations.js';
import type { AuditActor } from '../model.js';
import { createAuditLog, type AuditLog } from '../service.js';

export const ACTORS = {
  clerk: { userId: 'u-clerk', username: 'wang.wu', organisationId: 'o-agency', roles: ['agency_clerk'], address: '10.0.0.8' },
  visitor: { userId: null, username: null, organisationId: null, roles: [], address: '203.0.113.9' },
  sysadmin: { userId: 'u-sys', username: 'sys', organisationId: 'o-archive', roles: ['system_admin'], address: '10.0.0.2' },
  secadmin: { userId: 'u-sec', username: 'sec', organisationId: 'o-archive', roles: ['security_admin'], address: '10.0.0.3' },
  auditor: { userId: 'u-aud', username: 'aud', organisationId: 'o-archive', roles: ['auditor'], address: '10.0.0.4' },
} satisfies Record<string, AuditActor>;

/** A clock that moves only when told, one second per reading so entry times differ. */
export interface TestClock {
  now(): Date;
  set(at: Date | string): void;
}

export function testClock(start = '2026-11-27T08:00:00.000Z'): TestClock {
  let t = new Date(start).getTime();
  return {
    now: () => new Date((t += 1000) - 1000),
    set: (at) => {
      t = new Date(at).getTime();
    },
  };
}

export interface AuditFixture {
  t: TestDatabase;
  db: Db;
  dir: string;
  keyFile: string;
  checkpointFile: string;
  sink: CheckpointSink;
  clock: TestClock;
  audit: AuditLog;
  /** Appends `n` entries, one committed transaction each. */
  appendMany(n: number, actor?: AuditActor): Promise<void>;
  /** Switches off the append-only triggers for the work, as an attacker with owner rights would. */
  asAttacker(work: () => Promise<void>): Promise<void>;
  drop(): Promise<void>;
}

export async function auditFixture(dialect: Dialect, options: { checkpointEvery?: number; jobs?: Pick<JobQueue, 'enqueue'> } = {}): Promise<AuditFixture> {
  const t = await createTestDatabase(dialect, [...platformMigrations, ...auditMigrations]);
  const db = t.database.db;
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'lantai-audit-'));
  const keyFile = path.join(dir, 'keys', 'checkpoint.key');
  const checkpointFile = path.join(dir, 'anchors', 'checkpoints.jsonl');
  const clock = testClock();
  const sink = createCheckpointSink({ file: checkpointFile, keyFile, clock: clock.now });
  const audit = createAuditLog({ caps: t.database.caps, checkpoints: sink, clock: clock.now, checkpointEvery: options.checkpointEvery, jobs: options.jobs });
  let counter = 0;
  return {
    t,
    db,
    dir,
    keyFile,
    checkpointFile,
    sink,
    clock,
    audit,
    async appendMany(n, actor = ACTORS.clerk) {
      for (let i = 0; i < n; i++) {
        counter += 1;
        const record = `档号 Z109-WS·2011-Y-${String(counter).padStart(4, '0')}`;
        await db.transaction().execute((tx) => audit.append(tx, { actor, action: 'catalog.record.view', target: { type: 'record', id: `r${counter}`, label: record }, result: 'ok', details: { page: counter } }));
      }
    },
    async asAttacker(work) {
      if (t.database.caps.dialect === 'sqlite') {
        await sql`drop trigger audit_entries_no_update`.execute(db);
        await sql`drop trigger audit_entries_no_delete`.execute(db);
      } else {
        await sql`alter table audit_entries disable trigger user`.execute(db);
      }
      await work();
    },
    async drop() {
      await t.drop();
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}
