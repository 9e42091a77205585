/**
 * The security audit log's tables. Append-only by construction: triggers refuse
 * UPDATE and DELETE of entries on both databases, so even a bug (or a person with
 * the application's database account) cannot edit history without first dropping
 * the trigger — which the hash chain and its anchors then expose.
 *
 * The one controlled exit is archiving (archive.ts): the DELETE trigger lets a row
 * go only when its seq lies inside a segment recorded in audit_archived_segments,
 * and that table is itself append-only. Recording a segment needs no secret, but a
 * segment record carries its manifest signed with the checkpoint key, which lives
 * outside the database; verify rejects an unsigned or forged one, so a segment
 * invented to unlock deletes is reported, not trusted.
 */
import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { Migration } from '../../platform/db/migrations.js';
import { columnTypes } from '../../platform/db/migrations.js';

export const GENESIS_HASH = '0'.repeat(64);

export const auditMigrations: Migration[] = [
  {
    name: '2026-11-27-12-audit-log',
    async up(db, caps) {
      const t = columnTypes(caps);
      await db.schema
        .createTable('audit_entries')
        .addColumn('seq', 'integer', (c) => c.primaryKey())
        .addColumn('id', 'text', (c) => c.notNull().unique())
        .addColumn('at', t.timestamp, (c) => c.notNull())
        .addColumn('actor_user_id', 'text')
        .addColumn('actor_username', 'text')
        .addColumn('actor_organisation_id', 'text')
        .addColumn('actor_roles', 'text', (c) => c.notNull())
        .addColumn('actor_class', 'text', (c) => c.notNull())
        .addColumn('actor_address', 'text')
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('target_type', 'text')
        .addColumn('target_id', 'text')
        .addColumn('target_label', 'text')
        .addColumn('result', 'text', (c) => c.notNull().check(sql`result in ('ok','refused','failed')`))
        .addColumn('reason', 'text')
        .addColumn('details', 'text', (c) => c.notNull())
        .addColumn('prev_hash', 'text', (c) => c.notNull())
        .addColumn('hash', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('audit_entries_class_at').on('audit_entries').columns(['actor_class', 'at']).execute();
      await db.schema.createIndex('audit_entries_action').on('audit_entries').column('action').execute();
      await db.schema
        .createTable('audit_chain_head')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addColumn('hash', 'text', (c) => c.notNull())
        .execute();
      await db.insertInto('audit_chain_head' as never).values({ id: 1, seq: 0, hash: GENESIS_HASH } as never).execute();
      if (caps.dialect === 'sqlite') {
        await sql`create trigger audit_entries_no_update before update on audit_entries begin select raise(abort, 'audit entries are append-only'); end`.execute(db);
        await sql`create trigger audit_entries_no_delete before delete on audit_entries begin select raise(abort, 'audit entries are append-only'); end`.execute(db);
      } else {
        await sql`create function audit_entries_append_only() returns trigger language plpgsql as $$ begin raise exception 'audit entries are append-only'; end $$`.execute(db);
        await sql`create trigger audit_entries_no_update before update or delete on audit_entries for each row execute function audit_entries_append_only()`.execute(db);
      }
    },
  },
  {
    // Archiving detaches old entries (lantai audit-log archive): the delete trigger lets
    // through only rows covered by a recorded, verified segment, and never updates.
    name: '2026-11-27-14-audit-archive',
    async up(db, caps) {
      const t = columnTypes(caps);
      await db.schema
        .createTable('audit_archived_segments')
        .addColumn('to_seq', 'integer', (c) => c.primaryKey())
        .addColumn('from_seq', 'integer', (c) => c.notNull())
        .addColumn('head_hash', 'text', (c) => c.notNull())
        .addColumn('file_sha256', 'text', (c) => c.notNull())
        .addColumn('file_sm3', 'text', (c) => c.notNull())
        .addColumn('archived_by', 'text')
        .addColumn('archived_at', t.timestamp, (c) => c.notNull())
        .execute();
      if (caps.dialect === 'sqlite') {
        await sql`drop trigger audit_entries_no_delete`.execute(db);
        await sql`create trigger audit_entries_no_delete before delete on audit_entries when old.seq > (select coalesce(max(to_seq), 0) from audit_archived_segments) begin select raise(abort, 'audit entries are append-only'); end`.execute(db);
      } else {
        await sql`drop trigger audit_entries_no_update on audit_entries`.execute(db);
        await sql`create trigger audit_entries_no_update before update on audit_entries for each row execute function audit_entries_append_only()`.execute(db);
        await sql`create function audit_entries_delete_archived_only() returns trigger language plpgsql as $$ begin if old.seq > (select coalesce(max(to_seq), 0) from audit_archived_segments) then raise exception 'audit entries are append-only'; end if; return old; end $$`.execute(db);
        await sql`create trigger audit_entries_no_delete before delete on audit_entries for each row execute function audit_entries_delete_archived_only()`.execute(db);
      }
    },
  },
  {
    name: '2026-11-27-15-audit-anchors',
    async up(db, caps) {
      const t = columnTypes(caps);
      // chain_id: names this log in its checkpoints and segments, so a checkpoint file
      // shared by mistake with another database is reported as such;
      // count: entries held in the table (appends add, archiving subtracts);
      // checkpoint_*: when the chain was last anchored, to tell append a checkpoint is due.
      await db.schema.alterTable('audit_chain_head').addColumn('chain_id', 'text', (c) => c.notNull().defaultTo('')).execute();
      await db.schema.alterTable('audit_chain_head').addColumn('count', 'integer', (c) => c.notNull().defaultTo(0)).execute();
      await db.schema.alterTable('audit_chain_head').addColumn('checkpoint_seq', 'integer', (c) => c.notNull().defaultTo(0)).execute();
      await db.schema.alterTable('audit_chain_head').addColumn('checkpoint_at', t.timestamp).execute();
      await sql`update audit_chain_head set chain_id = ${uuidv7()}, count = (select count(*) from audit_entries)`.execute(db);
      // The signed manifest written beside the segment file, verbatim (null: an unsigned segment, which verify reports).
      await db.schema.alterTable('audit_archived_segments').addColumn('manifest', 'text').execute();
      if (caps.dialect === 'sqlite') {
        await sql`create trigger audit_segments_no_update before update on audit_archived_segments begin select raise(abort, 'archived audit segments are append-only'); end`.execute(db);
        await sql`create trigger audit_segments_no_delete before delete on audit_archived_segments begin select raise(abort, 'archived audit segments are append-only'); end`.execute(db);
        await sql`create trigger audit_chain_head_forward before update on audit_chain_head when new.seq < old.seq or new.id <> old.id or new.chain_id <> old.chain_id begin select raise(abort, 'the audit chain head only moves forward'); end`.execute(db);
        await sql`create trigger audit_chain_head_no_delete before delete on audit_chain_head begin select raise(abort, 'the audit chain head only moves forward'); end`.execute(db);
      } else {
        await sql`create function audit_refuse_change() returns trigger language plpgsql as $$ begin raise exception '% is append-only', tg_table_name; end $$`.execute(db);
        // Row triggers do not fire on TRUNCATE; a statement trigger does.
        await sql`create trigger audit_entries_no_truncate before truncate on audit_entries for each statement execute function audit_refuse_change()`.execute(db);
        await sql`create trigger audit_segments_no_change before update or delete on audit_archived_segments for each row execute function audit_refuse_change()`.execute(db);
        await sql`create trigger audit_segments_no_truncate before truncate on audit_archived_segments for each statement execute function audit_refuse_change()`.execute(db);
        await sql`create function audit_chain_head_forward() returns trigger language plpgsql as $$
          begin
            if tg_op = 'DELETE' or new.seq < old.seq or new.id <> old.id or new.chain_id <> old.chain_id then raise exception 'the audit chain head only moves forward'; end if;
            return new;
          end $$`.execute(db);
        await sql`create trigger audit_chain_head_forward before update or delete on audit_chain_head for each row execute function audit_chain_head_forward()`.execute(db);
        await sql`create trigger audit_chain_head_no_truncate before truncate on audit_chain_head for each statement execute function audit_refuse_change()`.execute(db);
      }
    },
  },
];
