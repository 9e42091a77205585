/**
 * Catalog queries. Every query that returns records (items or volumes) starts from
 * `scopedItems`/`scopedVolumes`, which put the Viewer's rule into the SQL; the
 * functions that read records accept only those scoped queries.
 */
import { sql } from 'kysely';
import type { Executor } from '../../platform/db/database.js';
import { scopeRecords, type Viewer } from '../accounts/viewer.js';
import type { Category, CodePattern, FieldDeclaration, ItemQuery, ItemSummary } from './model.js';
import type { CategoriesTable } from './tables.js';
import './tables.js';

export const ITEM_COLUMNS = { id: 'r.id', classification: 'r.classification', control: 'r.control', openness: 'r.openness', agencyId: 'r.agency_id', volumeId: 'r.volume_id', fondsId: 'r.fonds_id' };
export const VOLUME_COLUMNS = { id: 'v.id', classification: 'v.classification', control: 'v.control', openness: 'v.openness', agencyId: 'v.agency_id', volumeId: 'v.id', fondsId: 'v.fonds_id' };

const SUMMARY_COLUMNS = [
  'r.id',
  'r.fonds_id',
  'f.code as fonds_code',
  'r.category_id',
  'c.code as category_code',
  'r.volume_id',
  'r.agency_id',
  'r.archival_code',
  'r.item_no',
  'r.aggregation_level',
  'r.title',
  'r.responsible',
  'r.date',
  'r.year',
  'r.retention',
  'r.classification',
  'r.secrecy_term',
  'r.control',
  'r.openness',
  'r.openness_due_year',
  'r.org_code',
  'r.combination_type',
  'r.doc_number',
  'r.page_count',
  'r.version',
  'r.updated_at',
] as const;

/** Items the viewer may see, joined with their fonds and category codes. */
export function scopedItems(db: Executor, viewer: Viewer) {
  const base = db
    .selectFrom('records as r')
    .innerJoin('fonds as f', 'f.id', 'r.fonds_id')
    .innerJoin('categories as c', 'c.id', 'r.category_id')
    .select(SUMMARY_COLUMNS);
  return scopeRecords(base, viewer, ITEM_COLUMNS);
}
export type ScopedItems = ReturnType<typeof scopedItems>;

/** Ids, codes and visibility of the items the viewer may see: the narrow form for long lists (exports of a fonds). */
export function scopedItemRefs(db: Executor, viewer: Viewer) {
  return scopeRecords(db.selectFrom('records as r').select(['r.id', 'r.archival_code', 'r.volume_id', 'r.fonds_id']), viewer, ITEM_COLUMNS);
}
type ItemRow = Awaited<ReturnType<ScopedItems['execute']>>[number];

export function toItemSummary(r: ItemRow): ItemSummary {
  return {
    id: r.id,
    fondsId: r.fonds_id,
    fondsCode: r.fonds_code,
    categoryId: r.category_id,
    categoryCode: r.category_code,
    volumeId: r.volume_id,
    agencyId: r.agency_id,
    archivalCode: r.archival_code,
    itemNo: r.item_no,
    aggregationLevel: r.aggregation_level,
    title: r.title,
    responsible: r.responsible,
    date: r.date,
    year: r.year,
    retention: r.retention as ItemSummary['retention'],
    classification: r.classification as ItemSummary['classification'],
    secrecyTerm: r.secrecy_term,
    control: r.control as ItemSummary['control'],
    openness: r.openness as ItemSummary['openness'],
    opennessDueYear: r.openness_due_year,
    orgCode: r.org_code,
    combinationType: r.combination_type,
    docNumber: r.doc_number,
    pageCount: r.page_count,
    visibility: r.visibility,
    version: r.version,
    updatedAt: r.updated_at,
  };
}

const SORT_COLUMN = { archivalCode: 'r.archival_code', date: 'r.date', title: 'r.title', updatedAt: 'r.updated_at', itemNo: 'r.item_no' } as const;

/** Escapes LIKE wildcards so a search for `100%` means those characters. */
function likePattern(q: string): string {
  return `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

type ItemsBuilder = ReturnType<ScopedItems['where']>;

/** Narrows a scoped query by the workbench's filters (filters only narrow, so the result stays scoped). */
export function applyFilters(scoped: ScopedItems, filters: Omit<ItemQuery, 'sort' | 'order' | 'offset' | 'limit'>): ScopedItems {
  let q: ItemsBuilder = scoped;
  if (filters.fondsId) q = q.where('r.fonds_id', '=', filters.fondsId);
  if (filters.categoryId) q = q.where('r.category_id', '=', filters.categoryId);
  if (filters.year !== undefined) q = q.where('r.year', '=', filters.year);
  if (filters.volumeId) q = q.where('r.volume_id', '=', filters.volumeId);
  if (filters.retention) q = q.where('r.retention', '=', filters.retention);
  if (filters.openness) q = q.where('r.openness', '=', filters.openness);
  if (filters.classification) q = q.where('r.classification', '=', filters.classification);
  if (filters.uncoded === true) q = q.where('r.archival_code', 'is', null);
  if (filters.uncoded === false) q = q.where('r.archival_code', 'is not', null);
  if (filters.dueBy !== undefined) q = q.where('r.openness_due_year', '<=', filters.dueBy).where('r.openness', '<>', '开放');
  if (filters.q) {
    const pattern = likePattern(filters.q);
    const like = (column: 'r.title' | 'r.archival_code' | 'r.doc_number') => sql<boolean>`${sql.ref(column)} like ${pattern} escape '\\'`;
    q = q.where(() => sql<boolean>`(${like('r.title')} or ${like('r.archival_code')} or ${like('r.doc_number')})`);
  }
  return q as ScopedItems;
}

/** One page of items and the number of all that match, both within the viewer's scope. */
export async function listItems(scoped: ScopedItems, query: ItemQuery): Promise<{ items: ItemSummary[]; total: number }> {
  const filtered = applyFilters(scoped, query);
  const column = SORT_COLUMN[query.sort];
  // Uncoded items sort after coded ones in either direction; the id breaks ties so pages never overlap.
  const page = await filtered
    .orderBy(sql`${sql.ref(column)} is null`)
    .orderBy(column, query.order)
    .orderBy('r.id', query.order)
    .offset(query.offset)
    .limit(query.limit)
    .execute();
  const counted = await filtered.clearSelect().select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return { items: page.map(toItemSummary), total: Number(counted.n) };
}

/** The items with these ids that the viewer may see. */
export async function itemsByIds(scoped: ScopedItems, ids: readonly string[]): Promise<ItemSummary[]> {
  if (ids.length === 0) return [];
  const out: ItemSummary[] = [];
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await scoped.where('r.id', 'in', ids.slice(i, i + 500)).execute();
    out.push(...rows.map(toItemSummary));
  }
  return out;
}

/** Every column of one item the viewer may see. */
export async function itemRow(db: Executor, scoped: ScopedItems, id: string) {
  const summary = await scoped.where('r.id', '=', id).executeTakeFirst();
  if (!summary) return null;
  const full = await db.selectFrom('records').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  return { summary: toItemSummary(summary), full };
}

export async function itemFiles(db: Executor, recordId: string) {
  const rows = await db.selectFrom('record_files').selectAll().where('record_id', '=', recordId).orderBy('position').execute();
  return rows.map((f) => ({ id: f.id, name: f.name, size: Number(f.size), role: f.role, position: f.position, pageCount: f.page_count, mime: f.mime, sha256: f.sha256 }));
}

export async function codeHistory(db: Executor, entityId: string) {
  const rows = await db.selectFrom('archival_code_changes').selectAll().where('entity_id', '=', entityId).orderBy('changed_at').orderBy('id').execute();
  return rows.map((r) => ({ oldCode: r.old_code, newCode: r.new_code, reason: r.reason, changedBy: r.changed_by, changedAt: r.changed_at }));
}

// ---------------------------------------------------------------------------
// Volumes
export function scopedVolumes(db: Executor, viewer: Viewer) {
  const base = db
    .selectFrom('volumes as v')
    .select(['v.id', 'v.fonds_id', 'v.category_id', 'v.archival_code', 'v.volume_no', 'v.title', 'v.year', 'v.retention', 'v.org_code', 'v.classification', 'v.control', 'v.openness', 'v.agency_id'])
    .select((eb) => eb.selectFrom('records').whereRef('records.volume_id', '=', 'v.id').select((e) => e.fn.countAll<number>().as('n')).as('item_count'));
  return scopeRecords(base, viewer, VOLUME_COLUMNS);
}
export type ScopedVolumes = ReturnType<typeof scopedVolumes>;

// ---------------------------------------------------------------------------
// Categories
export function toCategory(row: CategoriesTable): Category {
  return {
    id: row.id,
    code: row.code,
    name: row.name,
    parentId: row.parent_id,
    arrangement: row.arrangement,
    pattern: JSON.parse(row.pattern) as CodePattern,
    fields: JSON.parse(row.fields) as FieldDeclaration[],
    openAfterYears: row.open_after_years,
    enabled: row.enabled === 1,
  };
}

export async function listCategories(db: Executor): Promise<Category[]> {
  const rows = await db.selectFrom('categories').selectAll().orderBy('position').orderBy('code').execute();
  return rows.map(toCategory);
}

export async function getCategory(db: Executor, id: string): Promise<Category | null> {
  const row = await db.selectFrom('categories').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toCategory(row) : null;
}

/** The largest item number used in each of these classes. */
export async function maxItemNumbers(db: Executor, classKeys: readonly string[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (let i = 0; i < classKeys.length; i += 500) {
    const rows = await db
      .selectFrom('records')
      .select(['class_key', (eb) => eb.fn.max<number>('item_no').as('n')])
      .where('class_key', 'in', classKeys.slice(i, i + 500))
      .groupBy('class_key')
      .execute();
    for (const r of rows) if (r.class_key !== null) out.set(r.class_key, Number(r.n));
  }
  return out;
}
