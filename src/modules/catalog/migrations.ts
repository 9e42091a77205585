/** Tables of the catalog module, and the conventional categories of 《机关档案管理规定》 (2018). */
import { sql, type Kysely } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { Migration } from '../../platform/db/migrations.js';
import { columnTypes } from '../../platform/db/migrations.js';
import { DAT13_VOLUME_PATTERN, DAT22_ITEM_PATTERN } from './archival-code.js';
import type { FieldDeclaration } from './model.js';

const CHECK_CLASSIFICATION = sql`classification in ('非密','秘密','机密','绝密')`;
const CHECK_OPENNESS = sql`openness in ('开放','控制','待定')`;
const CHECK_CONTROL = sql`control is null or control in ('内部','限制')`;
const CHECK_RETENTION = sql`retention in ('Y','D30','D10','C','D')`;

/** The categories an archive starts with; 专业 and 社交媒体 get codes the archive sets. */
const STANDARD_CATEGORIES: Array<{ code: string; name: string; arrangement: 'item' | 'volume'; fields?: FieldDeclaration[] }> = [
  { code: 'WS', name: '文书', arrangement: 'item' },
  { code: 'KJ', name: '科技', arrangement: 'volume', fields: [{ key: 'projectName', label: '项目名称', labelEn: 'Project', type: 'text', required: false, maxLength: 200 }] },
  { code: 'RS', name: '人事', arrangement: 'volume' },
  { code: 'KU', name: '会计', arrangement: 'volume', fields: [{ key: 'voucherRange', label: '凭证起止号', labelEn: 'Voucher numbers', type: 'text', required: false, maxLength: 60 }] },
  {
    code: 'ZP',
    name: '照片',
    arrangement: 'item',
    fields: [
      { key: 'photographer', label: '摄影者', labelEn: 'Photographer', type: 'text', required: true, maxLength: 100 },
      { key: 'place', label: '地点', labelEn: 'Place', type: 'text', required: false, maxLength: 200 },
      { key: 'people', label: '人物', labelEn: 'People', type: 'text', required: false, maxLength: 500 },
    ],
  },
  { code: 'LY', name: '录音', arrangement: 'item', fields: [{ key: 'durationSeconds', label: '时长（秒）', labelEn: 'Duration (s)', type: 'integer', required: false }] },
  { code: 'LX', name: '录像', arrangement: 'item', fields: [{ key: 'durationSeconds', label: '时长（秒）', labelEn: 'Duration (s)', type: 'integer', required: false }] },
  { code: 'SJ', name: '业务数据', arrangement: 'item' },
  { code: 'YJ', name: '公务电子邮件', arrangement: 'item' },
  { code: 'WY', name: '网页信息', arrangement: 'item' },
  { code: 'SW', name: '实物', arrangement: 'item', fields: [{ key: 'material', label: '材质', labelEn: 'Material', type: 'text', required: false, maxLength: 60 }] },
];

async function describedColumns(db: Kysely<unknown>, table: string, caps: Parameters<Migration['up']>[1]) {
  const t = columnTypes(caps);
  return db.schema
    .createTable(table)
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('fonds_id', 'text', (c) => c.notNull().references('fonds.id'))
    .addColumn('category_id', 'text', (c) => c.notNull().references('categories.id'))
    .addColumn('agency_id', 'text', (c) => c.notNull().references('organisations.id'))
    .addColumn('archival_code', t.sortableText, (c) => c.unique())
    .addColumn('year', 'integer', (c) => c.notNull())
    .addColumn('retention', 'text', (c) => c.notNull().check(CHECK_RETENTION))
    .addColumn('org_code', 'text')
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('classification', 'text', (c) => c.notNull().check(CHECK_CLASSIFICATION))
    .addColumn('secrecy_term', 'text')
    .addColumn('control', 'text', (c) => c.check(CHECK_CONTROL))
    .addColumn('openness', 'text', (c) => c.notNull().check(CHECK_OPENNESS))
    .addColumn('remarks', 'text')
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1));
}

export const catalogMigrations: Migration[] = [
  {
    name: '2026-11-28-20-catalog',
    async up(db, caps) {
      const t = columnTypes(caps);
      await db.schema
        .createTable('fonds')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('code', 'text', (c) => c.notNull().unique())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('agency_id', 'text', (c) => c.notNull().references('organisations.id'))
        .addColumn('history', 'text')
        .addColumn('created_at', t.timestamp, (c) => c.notNull())
        .addColumn('updated_at', t.timestamp, (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('categories')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('code', 'text', (c) => c.notNull().unique())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('parent_id', 'text', (c) => c.references('categories.id'))
        .addColumn('arrangement', 'text', (c) => c.notNull().check(sql`arrangement in ('item','volume')`))
        .addColumn('pattern', t.json, (c) => c.notNull())
        .addColumn('fields', t.json, (c) => c.notNull())
        .addColumn('open_after_years', 'integer', (c) => c.notNull().defaultTo(25))
        .addColumn('position', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
        .execute();
      await db.schema
        .createTable('org_codes')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('fonds_id', 'text', (c) => c.notNull().references('fonds.id'))
        .addColumn('code', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addUniqueConstraint('org_codes_fonds_code', ['fonds_id', 'code'])
        .execute();

      await (await describedColumns(db, 'volumes', caps)).addColumn('volume_no', 'integer').execute();
      await db.schema.createIndex('volumes_listing').on('volumes').columns(['fonds_id', 'category_id', 'year', 'archival_code']).execute();

      await (await describedColumns(db, 'records', caps))
        .addColumn('volume_id', 'text', (c) => c.references('volumes.id'))
        .addColumn('class_key', t.sortableText)
        .addColumn('item_no', 'integer')
        .addColumn('aggregation_level', 'text', (c) => c.notNull())
        .addColumn('responsible', 'text', (c) => c.notNull())
        .addColumn('date', 'text', (c) => c.notNull())
        .addColumn('openness_due_year', 'integer', (c) => c.notNull())
        .addColumn('openness_reviewed_at', t.timestamp)
        .addColumn('agency_openness_opinion', 'text')
        .addColumn('combination_type', 'text', (c) => c.notNull())
        .addColumn('doc_number', 'text')
        .addColumn('doc_type', 'text')
        .addColumn('urgency', 'text')
        .addColumn('main_recipients', 'text')
        .addColumn('copy_recipients', 'text')
        .addColumn('page_count', 'integer')
        .addColumn('subject_terms', 'text')
        .addColumn('keywords', 'text')
        .addColumn('abstract', 'text')
        .addColumn('extensions', t.json, (c) => c.notNull())
        .addColumn('created_by', 'text')
        .addCheckConstraint('records_secrecy_term', sql`classification = '非密' or secrecy_term is not null`)
        .execute();
      // The workbench's page: fonds + category + year, sorted by code (issue bench: 1,000,000 items).
      await db.schema.createIndex('records_listing').on('records').columns(['fonds_id', 'category_id', 'year', 'archival_code']).execute();
      await db.schema.createIndex('records_class').on('records').columns(['class_key', 'item_no']).execute();
      await db.schema.createIndex('records_volume').on('records').columns(['volume_id', 'item_no']).execute();
      await db.schema.createIndex('records_openness_due').on('records').columns(['openness_due_year', 'openness']).execute();
      await db.schema.createIndex('records_agency').on('records').columns(['agency_id']).execute();

      await db.schema
        .createTable('record_files')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('record_id', 'text', (c) => c.notNull().references('records.id'))
        .addColumn('sha256', 'text', (c) => c.notNull())
        .addColumn('sm3', 'text', (c) => c.notNull())
        .addColumn('size', 'bigint', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('position', 'integer', (c) => c.notNull())
        .addColumn('page_count', 'integer')
        .addColumn('mime', 'text')
        .addColumn('created_at', t.timestamp, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('record_files_record').on('record_files').columns(['record_id', 'position']).execute();
      await db.schema.createIndex('record_files_sha256').on('record_files').column('sha256').execute();

      await db.schema
        .createTable('archival_code_changes')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('entity_type', 'text', (c) => c.notNull())
        .addColumn('entity_id', 'text', (c) => c.notNull())
        .addColumn('old_code', 'text')
        .addColumn('new_code', 'text')
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('batch_id', 'text')
        .addColumn('changed_by', 'text')
        .addColumn('changed_at', t.timestamp, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('archival_code_changes_entity').on('archival_code_changes').columns(['entity_id', 'changed_at']).execute();

      await db.schema
        .createTable('openness_reviews')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('record_id', 'text', (c) => c.notNull().references('records.id'))
        .addColumn('previous', 'text', (c) => c.notNull())
        .addColumn('decision', 'text', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('agency_opinion', 'text')
        .addColumn('reviewer_id', 'text')
        .addColumn('reviewed_at', t.timestamp, (c) => c.notNull())
        .addColumn('batch_id', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('openness_reviews_record').on('openness_reviews').columns(['record_id', 'reviewed_at']).execute();

      await db.schema
        .createTable('catalog_import_mappings')
        .addColumn('agency_id', 'text', (c) => c.notNull())
        .addColumn('category_id', 'text', (c) => c.notNull())
        .addColumn('mapping', t.json, (c) => c.notNull())
        .addColumn('updated_at', t.timestamp, (c) => c.notNull())
        .addPrimaryKeyConstraint('catalog_import_mappings_pk', ['agency_id', 'category_id'])
        .execute();
      await db.schema
        .createTable('catalog_imports')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('fonds_id', 'text', (c) => c.notNull().references('fonds.id'))
        .addColumn('category_id', 'text', (c) => c.notNull().references('categories.id'))
        .addColumn('file_name', 'text', (c) => c.notNull())
        .addColumn('sheet', 'text')
        .addColumn('columns', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('total_rows', 'integer', (c) => c.notNull())
        .addColumn('error_rows', 'integer', (c) => c.notNull())
        .addColumn('created_by', 'text')
        .addColumn('created_at', t.timestamp, (c) => c.notNull())
        .addColumn('applied_at', t.timestamp)
        .execute();
      await db.schema
        .createTable('catalog_import_rows')
        .addColumn('import_id', 'text', (c) => c.notNull().references('catalog_imports.id'))
        .addColumn('row_no', 'integer', (c) => c.notNull())
        .addColumn('raw', 'text', (c) => c.notNull())
        .addColumn('data', t.json)
        .addColumn('problems', 'text')
        .addPrimaryKeyConstraint('catalog_import_rows_pk', ['import_id', 'row_no'])
        .execute();
      await db.schema
        .createTable('catalog_preferences')
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('updated_at', t.timestamp, (c) => c.notNull())
        .addPrimaryKeyConstraint('catalog_preferences_pk', ['user_id', 'key'])
        .execute();

      let position = 0;
      for (const c of STANDARD_CATEGORIES) {
        await sql`insert into categories (id, code, name, parent_id, arrangement, pattern, fields, open_after_years, position, enabled)
          values (${uuidv7()}, ${c.code}, ${c.name}, null, ${c.arrangement}, ${JSON.stringify(c.arrangement === 'item' ? DAT22_ITEM_PATTERN : DAT13_VOLUME_PATTERN)},
                  ${JSON.stringify(c.fields ?? [])}, 25, ${position++}, 1)`.execute(db);
      }
    },
  },
];
