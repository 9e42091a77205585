/** Tables of the accounts module: organisations, users, roles, grants, sessions, API keys; scopes and the access policy in access-migrations.ts. */
import { sql } from 'kysely';
import type { Migration } from '../../platform/db/migrations.js';
import { columnTypes } from '../../platform/db/migrations.js';
import { accessMigrations } from './access-migrations.js';

export const accountsMigrations: Migration[] = [
  {
    name: '2026-11-27-10-accounts',
    async up(db, caps) {
      const t = columnTypes(caps);
      await db.schema
        .createTable('organisations')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('archive','agency','government','public')`))
        .addColumn('code', 'text', (c) => c.unique())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('parent_id', 'text', (c) => c.references('organisations.id'))
        .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', t.timestamp, (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('users')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('username', 'text', (c) => c.notNull().unique())
        .addColumn('display_name', 'text', (c) => c.notNull())
        .addColumn('organisation_id', 'text', (c) => c.notNull().references('organisations.id'))
        .addColumn('password_hash', 'text', (c) => c.notNull())
        .addColumn('must_change_password', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('password_changed_at', t.timestamp)
        .addColumn('clearance', 'text', (c) => c.notNull().defaultTo('非密').check(sql`clearance in ('非密','秘密','机密','绝密')`))
        .addColumn('totp_secret', 'text')
        .addColumn('totp_enabled', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', t.timestamp, (c) => c.notNull())
        .addColumn('updated_at', t.timestamp, (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('user_roles')
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('granted_by', 'text')
        .addColumn('granted_at', t.timestamp, (c) => c.notNull())
        .addPrimaryKeyConstraint('user_roles_pk', ['user_id', 'role'])
        .execute();
      await db.schema
        .createTable('access_grants')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('grantee_user_id', 'text', (c) => c.references('users.id'))
        .addColumn('grantee_organisation_id', 'text', (c) => c.references('organisations.id'))
        .addColumn('subject_type', 'text', (c) => c.notNull().check(sql`subject_type in ('record','volume','fonds')`))
        .addColumn('subject_id', 'text', (c) => c.notNull())
        .addColumn('level', 'text', (c) => c.notNull().check(sql`level in ('catalog','content')`))
        .addColumn('expires_at', t.timestamp)
        .addColumn('granted_by', 'text', (c) => c.notNull())
        .addColumn('granted_at', t.timestamp, (c) => c.notNull())
        .addColumn('revoked_at', t.timestamp)
        .addColumn('revoked_by', 'text')
        .addCheckConstraint('access_grants_one_grantee', sql`(grantee_user_id is null) <> (grantee_organisation_id is null)`)
        .execute();
      await db.schema.createIndex('access_grants_subject').on('access_grants').columns(['subject_type', 'subject_id']).execute();
      await db.schema.createIndex('access_grants_user').on('access_grants').column('grantee_user_id').execute();
      await db.schema.createIndex('access_grants_org').on('access_grants').column('grantee_organisation_id').execute();
    },
  },
  {
    name: '2026-11-27-11-accounts-sessions',
    async up(db, caps) {
      const t = columnTypes(caps);
      await db.schema
        .createTable('sessions')
        // SHA-256 of the cookie token: a leaked table does not give working sessions.
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('csrf_token', 'text', (c) => c.notNull())
        .addColumn('second_factor_ok', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('address', 'text')
        .addColumn('user_agent', 'text')
        .addColumn('created_at', t.timestamp, (c) => c.notNull())
        .addColumn('last_seen_at', t.timestamp, (c) => c.notNull())
        .addColumn('expires_at', t.timestamp, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('sessions_user').on('sessions').column('user_id').execute();
      await db.schema
        .createTable('login_attempts')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('username', 'text', (c) => c.notNull())
        .addColumn('address', 'text', (c) => c.notNull())
        .addColumn('ok', 'integer', (c) => c.notNull())
        .addColumn('at', t.timestamp, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('login_attempts_user').on('login_attempts').columns(['username', 'at']).execute();
      await db.schema.createIndex('login_attempts_address').on('login_attempts').columns(['address', 'at']).execute();
    },
  },
  {
    name: '2026-11-27-13-accounts-api-keys',
    async up(db, caps) {
      const t = columnTypes(caps);
      await db.schema
        .createTable('api_keys')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('organisation_id', 'text', (c) => c.notNull().references('organisations.id'))
        .addColumn('name', 'text', (c) => c.notNull())
        // SHA-256 of the secret: the key itself is shown once and never stored.
        .addColumn('secret_hash', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_at', t.timestamp, (c) => c.notNull())
        .addColumn('expires_at', t.timestamp, (c) => c.notNull())
        .addColumn('revoked_at', t.timestamp)
        .addColumn('last_used_at', t.timestamp)
        .execute();
    },
  },
  ...accessMigrations,
];
