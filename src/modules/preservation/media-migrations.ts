/** Tables of the offline media library (media-tables.ts); app.ts runs these after the preservation module's. */
import type { Migration } from '../../platform/db/migrations.js';
import { columnTypes } from '../../platform/db/migrations.js';

export const mediaMigrations: Migration[] = [
  {
    name: '2026-12-01-10-preservation-media',
    async up(db, caps) {
      const t = columnTypes(caps);
      await db.schema
        .createTable('media_volumes')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('label', 'text', (c) => c.notNull().unique())
        .addColumn('set_label', 'text', (c) => c.notNull())
        .addColumn('position', 'integer', (c) => c.notNull())
        .addColumn('capacity', 'bigint', (c) => c.notNull())
        .addColumn('bytes', 'bigint', (c) => c.notNull())
        .addColumn('files', 'integer', (c) => c.notNull())
        .addColumn('records', 'integer', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('planned_at', t.timestamp, (c) => c.notNull())
        .addColumn('planned_by', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('written_at', t.timestamp)
        .addColumn('written_by', 'text', (c) => c.references('users.id'))
        .addColumn('location', 'text')
        .addColumn('iso_sha256', 'text')
        .addColumn('last_verified_at', t.timestamp)
        .addColumn('last_verify_result', 'text')
        .addColumn('last_verify_details', t.json)
        .execute();
      await db.schema.createIndex('media_volumes_set').on('media_volumes').columns(['set_label', 'position']).execute();
      await db.schema
        .createTable('media_volume_files')
        .addColumn('volume_id', 'text', (c) => c.notNull().references('media_volumes.id'))
        .addColumn('file_id', 'text', (c) => c.notNull().references('preservation_files.id'))
        .addColumn('record_id', 'text', (c) => c.notNull().references('records.id'))
        .addColumn('sha256', 'text', (c) => c.notNull())
        .addColumn('sm3', 'text', (c) => c.notNull())
        .addColumn('size', 'bigint', (c) => c.notNull())
        .addColumn('path', 'text')
        .addPrimaryKeyConstraint('media_volume_files_pk', ['volume_id', 'file_id'])
        .execute();
      // "Not yet on a volume" looks files up by id; the register lists a record's volumes.
      await db.schema.createIndex('media_volume_files_file').on('media_volume_files').column('file_id').execute();
      await db.schema.createIndex('media_volume_files_record').on('media_volume_files').column('record_id').execute();
    },
  },
];
