/** The platform's own tables: the job queue, job schedules and installation facts. */
import { sql } from 'kysely';
import type { Migration } from '../migrations.js';
import { columnTypes } from '../migrations.js';

export const platformMigrations: Migration[] = [
  {
    name: '2026-11-27-01-platform-installation',
    async up(db) {
      await db.schema
        .createTable('installation')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .execute();
    },
  },
  {
    name: '2026-11-27-02-platform-jobs',
    async up(db, caps) {
      const t = columnTypes(caps);
      await db.schema
        .createTable('jobs')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('payload', t.json, (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('pending','running','succeeded','failed','cancelled')`))
        .addColumn('priority', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('max_attempts', 'integer', (c) => c.notNull())
        .addColumn('run_at', t.timestamp, (c) => c.notNull())
        .addColumn('dedupe_key', 'text')
        .addColumn('lease_owner', 'text')
        .addColumn('lease_expires_at', t.timestamp)
        .addColumn('progress', t.json)
        .addColumn('result', t.json)
        .addColumn('last_error', 'text')
        .addColumn('cancel_requested', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', t.timestamp, (c) => c.notNull())
        .addColumn('updated_at', t.timestamp, (c) => c.notNull())
        .addColumn('finished_at', t.timestamp)
        .execute();
      // De-duplication among pending and running jobs only: a finished job does not block a new one.
      await db.schema
        .createIndex('jobs_dedupe_active')
        .on('jobs')
        .column('dedupe_key')
        .unique()
        .where(sql.ref('status'), 'in', sql`('pending','running')`)
        .execute();
      await db.schema.createIndex('jobs_claim').on('jobs').columns(['status', 'run_at']).execute();
      await db.schema.createIndex('jobs_type_status').on('jobs').columns(['type', 'status']).execute();
      await db.schema
        .createTable('job_schedules')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('cron', 'text', (c) => c.notNull())
        .addColumn('last_slot', t.timestamp)
        .addColumn('updated_at', t.timestamp, (c) => c.notNull())
        .execute();
    },
  },
];
