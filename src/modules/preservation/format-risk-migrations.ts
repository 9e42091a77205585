/** The format risk registry's table (format-risk-tables.ts); app.ts runs it after the preservation module's. */
import type { Migration } from '../../platform/db/migrations.js';
import { columnTypes } from '../../platform/db/migrations.js';

export const formatRiskMigrations: Migration[] = [
  {
    name: '2026-12-02-10-preservation-format-risks',
    async up(db, caps) {
      const t = columnTypes(caps);
      await db.schema
        .createTable('format_risks')
        .addColumn('format_key', 'text', (c) => c.primaryKey())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('note', 'text')
        .addColumn('set_by', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('set_at', t.timestamp, (c) => c.notNull())
        .execute();
      // Holdings in at-risk formats look their files up by PUID (indexed already) and, for files without one, by MIME type.
      await db.schema.createIndex('preservation_files_mime').on('preservation_files').column('mime').execute();
    },
  },
];
