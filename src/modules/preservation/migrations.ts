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
  {
    name: '2026-11-30-10-access-copies',
    async up(db, caps) {
      const t = columnTypes(caps);
      await db.schema
        .createTable('access_copies')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('file_id', 'text', (c) => c.notNull().references('record_files.id'))
        .addColumn('record_id', 'text', (c) => c.notNull().references('records.id'))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('page', 'integer', (c) => c.notNull())
        .addColumn('sha256', 'text', (c) => c.notNull())
        .addColumn('size', 'bigint', (c) => c.notNull())
        .addColumn('mime', 'text', (c) => c.notNull())
        .addColumn('width', 'integer', (c) => c.notNull())
        .addColumn('height', 'integer', (c) => c.notNull())
        .addColumn('created_at', t.timestamp, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('access_copies_file').on('access_copies').columns(['file_id', 'kind', 'page']).unique().execute();
      await db.schema.createIndex('access_copies_record').on('access_copies').column('record_id').execute();
      await db.schema.createIndex('access_copies_sha256').on('access_copies').column('sha256').execute();
    },
  },
  {
    name: '2026-11-30-20-fixity',
    async up(db, caps) {
      const t = columnTypes(caps);
      await db.schema
        .createTable('fixity_runs')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('store', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('sample_percent', 'integer', (c) => c.notNull())
        .addColumn('algorithms', 'text', (c) => c.notNull())
        .addColumn('cursor', 'text', (c) => c.notNull())
        .addColumn('blobs', 'integer', (c) => c.notNull())
        .addColumn('bytes', 'bigint', (c) => c.notNull())
        .addColumn('ok', 'integer', (c) => c.notNull())
        .addColumn('missing', 'integer', (c) => c.notNull())
        .addColumn('damaged', 'integer', (c) => c.notNull())
        .addColumn('repaired', 'integer', (c) => c.notNull())
        .addColumn('at_risk', 'integer', (c) => c.notNull())
        .addColumn('detail', 'text')
        .addColumn('started_by', 'text', (c) => c.notNull())
        .addColumn('started_at', t.timestamp, (c) => c.notNull())
        .addColumn('heartbeat_at', t.timestamp, (c) => c.notNull())
        .addColumn('finished_at', t.timestamp)
        .execute();
      await db.schema.createIndex('fixity_runs_store').on('fixity_runs').columns(['store', 'started_at']).execute();
      await db.schema
        .createTable('blob_copies')
        .addColumn('sha256', 'text', (c) => c.notNull())
        .addColumn('store', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('detail', 'text')
        .addColumn('checked_at', t.timestamp, (c) => c.notNull())
        .addColumn('ok_at', t.timestamp)
        .addPrimaryKeyConstraint('blob_copies_pk', ['sha256', 'store'])
        .execute();
      await db.schema.createIndex('blob_copies_status').on('blob_copies').columns(['status', 'store']).execute();
      await db.schema
        .createTable('preservation_alerts')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('store', 'text')
        .addColumn('sha256', 'text')
        .addColumn('message', 'text', (c) => c.notNull())
        .addColumn('created_at', t.timestamp, (c) => c.notNull())
        .addColumn('resolved_at', t.timestamp)
        .execute();
      await db.schema.createIndex('preservation_alerts_open').on('preservation_alerts').columns(['resolved_at', 'created_at']).execute();
    },
  },
];
