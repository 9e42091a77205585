/** Tables of the preservation module. */
import type { Migration } from '../../platform/db/migrations.js';
import { columnTypes } from '../../platform/db/migrations.js';

export const preservationMigrations: Migration[] = [
  {
    name: '2026-11-29-10-preservation',
    async up(db, caps) {
      const t = columnTypes(caps);
      await db.schema
        .createTable('preservation_files')
        .addColumn('id', 'text', (c) => c.primaryKey().references('record_files.id'))
        .addColumn('record_id', 'text', (c) => c.notNull().references('records.id'))
        .addColumn('transfer_id', 'text', (c) => c.references('transfers.id'))
        .addColumn('sha256', 'text', (c) => c.notNull())
        .addColumn('sm3', 'text', (c) => c.notNull())
        .addColumn('size', 'bigint', (c) => c.notNull())
        .addColumn('mime', 'text')
        .addColumn('puid', 'text')
        .addColumn('format_name', 'text')
        .addColumn('format_version', 'text')
        .addColumn('creating_application', 'text')
        .addColumn('original_name', 'text', (c) => c.notNull())
        .addColumn('original_path', 'text', (c) => c.notNull())
        .addColumn('created_at', t.timestamp, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('preservation_files_record').on('preservation_files').column('record_id').execute();
      await db.schema.createIndex('preservation_files_sha256').on('preservation_files').column('sha256').execute();
      await db.schema.createIndex('preservation_files_puid').on('preservation_files').column('puid').execute();
      await db.schema
        .createTable('preservation_events')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('subject_type', 'text', (c) => c.notNull())
        .addColumn('subject_id', 'text', (c) => c.notNull())
        .addColumn('record_id', 'text', (c) => c.notNull())
        .addColumn('event_type', 'text', (c) => c.notNull())
        .addColumn('at', t.timestamp, (c) => c.notNull())
        .addColumn('outcome', 'text', (c) => c.notNull())
        .addColumn('detail', 'text', (c) => c.notNull())
        .addColumn('agents', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('preservation_events_record').on('preservation_events').columns(['record_id', 'at']).execute();
      await db.schema.createIndex('preservation_events_subject').on('preservation_events').columns(['subject_id', 'at']).execute();
    },
  },
];
