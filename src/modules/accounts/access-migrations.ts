/**
 * Tables for what the security admin sets beyond roles, clearances and grants:
 * staff users' organisation scopes and the access policy. Migrations of their own,
 * after the ones already run (never edit a migration that has run).
 */
import type { Migration } from '../../platform/db/migrations.js';
import { columnTypes } from '../../platform/db/migrations.js';

export const accessMigrations: Migration[] = [
  {
    name: '2026-11-28-50-accounts-scopes',
    async up(db, caps) {
      const t = columnTypes(caps);
      await db.schema
        .createTable('user_agency_scopes')
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('agency_id', 'text', (c) => c.notNull().references('organisations.id'))
        .addColumn('granted_by', 'text', (c) => c.notNull())
        .addColumn('granted_at', t.timestamp, (c) => c.notNull())
        .addPrimaryKeyConstraint('user_agency_scopes_pk', ['user_id', 'agency_id'])
        .execute();
    },
  },
  {
    name: '2026-11-28-51-accounts-access-policy',
    async up(db, caps) {
      const t = columnTypes(caps);
      await db.schema
        .createTable('access_policy')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('updated_by', 'text', (c) => c.notNull())
        .addColumn('updated_at', t.timestamp, (c) => c.notNull())
        .execute();
    },
  },
];
