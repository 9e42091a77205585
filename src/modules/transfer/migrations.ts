/** Tables of the hand-over (transfer) module. */
import { sql } from 'kysely';
import type { Migration } from '../../platform/db/migrations.js';
import { columnTypes } from '../../platform/db/migrations.js';

export const transferMigrations: Migration[] = [
  {
    name: '2026-11-28-40-transfer',
    async up(db, caps) {
      const t = columnTypes(caps);
      await db.schema
        .createTable('transfers')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('agency_id', 'text', (c) => c.notNull().references('organisations.id'))
        .addColumn('fonds_id', 'text', (c) => c.notNull().references('fonds.id'))
        .addColumn('category_id', 'text', (c) => c.notNull().references('categories.id'))
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('year_from', 'integer', (c) => c.notNull())
        .addColumn('year_to', 'integer', (c) => c.notNull())
        .addColumn('declared_items', 'integer', (c) => c.notNull())
        .addColumn('openness_opinion', 'text')
        .addColumn('channel', 'text', (c) => c.notNull().check(sql`channel in ('web','api','cli','offline')`))
        .addColumn('carrier', 'text')
        .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('draft','submitted','checking','checked','accepted','returned')`))
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('previous_id', 'text', (c) => c.references('transfers.id'))
        .addColumn('idempotency_key', 'text')
        .addColumn('summary', 'text')
        .addColumn('return_reason', 'text')
        .addColumn('created_by', 'text')
        .addColumn('created_at', t.timestamp, (c) => c.notNull())
        .addColumn('updated_at', t.timestamp, (c) => c.notNull())
        .addColumn('submitted_at', t.timestamp)
        .addColumn('checked_at', t.timestamp)
        .addColumn('decided_at', t.timestamp)
        .addColumn('decided_by', 'text')
        .addUniqueConstraint('transfers_idempotency', ['agency_id', 'idempotency_key'])
        .execute();
      await db.schema.createIndex('transfers_agency_status').on('transfers').columns(['agency_id', 'status', 'created_at']).execute();
      await db.schema.createIndex('transfers_status').on('transfers').columns(['status', 'created_at']).execute();
      await db.schema
        .createTable('transfer_items')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('transfer_id', 'text', (c) => c.notNull().references('transfers.id'))
        .addColumn('position', 'integer', (c) => c.notNull())
        .addColumn('metadata', 'text', (c) => c.notNull())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('archival_code', 'text')
        .addColumn('openness_opinion', 'text')
        .addColumn('declared_files', 'text', (c) => c.notNull())
        .addColumn('result', 'text')
        .addColumn('return_reason', 'text')
        .execute();
      await db.schema.createIndex('transfer_items_transfer').on('transfer_items').columns(['transfer_id', 'position']).execute();
      await db.schema
        .createTable('transfer_files')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('transfer_id', 'text', (c) => c.notNull().references('transfers.id'))
        .addColumn('item_id', 'text', (c) => c.references('transfer_items.id'))
        .addColumn('path', 'text', (c) => c.notNull())
        .addColumn('staged_path', 'text', (c) => c.notNull())
        .addColumn('size', 'bigint', (c) => c.notNull())
        .addColumn('sha256', 'text', (c) => c.notNull())
        .addColumn('sm3', 'text', (c) => c.notNull())
        .addColumn('declared_size', 'bigint')
        .addColumn('declared_sha256', 'text')
        .addColumn('declared_sm3', 'text')
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('position', 'integer', (c) => c.notNull())
        .addColumn('mime', 'text')
        .addColumn('received_at', t.timestamp, (c) => c.notNull())
        .addUniqueConstraint('transfer_files_path', ['transfer_id', 'path'])
        .execute();
      await db.schema.createIndex('transfer_files_item').on('transfer_files').columns(['item_id', 'position']).execute();
      await db.schema
        .createTable('transfer_uploads')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('transfer_id', 'text', (c) => c.notNull().references('transfers.id'))
        .addColumn('path', 'text', (c) => c.notNull())
        .addColumn('size', 'bigint', (c) => c.notNull())
        .addColumn('declared_sha256', 'text')
        .addColumn('received', 'bigint', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('staged_path', 'text', (c) => c.notNull())
        .addColumn('created_at', t.timestamp, (c) => c.notNull())
        .addColumn('updated_at', t.timestamp, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('transfer_uploads_transfer').on('transfer_uploads').columns(['transfer_id', 'path']).execute();
      await db.schema
        .createTable('transfer_check_results')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('transfer_id', 'text', (c) => c.notNull().references('transfers.id'))
        .addColumn('check_id', 'text', (c) => c.notNull())
        .addColumn('item_id', 'text')
        .addColumn('file_id', 'text')
        .addColumn('result', 'text', (c) => c.notNull().check(sql`result in ('通过','警告','不通过','未检测')`))
        .addColumn('evidence', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('transfer_check_results_transfer').on('transfer_check_results').columns(['transfer_id', 'check_id']).execute();
    },
  },
  {
    name: '2026-11-28-60-transfer-check-job',
    async up(db) {
      await db.schema.alterTable('transfers').addColumn('check_job_id', 'text').execute();
    },
  },
];
