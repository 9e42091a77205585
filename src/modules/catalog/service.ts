/**
 * Catalog rules: fonds, categories, organisation codes, items and volumes.
 * Archivists describe; everyone reads through the Viewer. Archival codes,
 * batches and openness review live in codes.ts, batch.ts and review.ts.
 */
import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { Executor, Tx } from '../../platform/db/database.js';
import { classificationRank } from '../accounts/model.js';
import type { Organisations } from '../accounts/organisations.js';
import type { Actor, AuditSink } from '../accounts/service.js';
import type { Viewer } from '../accounts/viewer.js';
import { catalogErrors } from './errors.js';
import { checkItem, type ItemContext, type Problem } from './item-rules.js';
import {
  categoryInputSchema,
  itemInputSchema,
  type Category,
  type CategoryInput,
  type Fonds,
  type FondsInput,
  type ItemDetail,
  type ItemInput,
  type ItemPatch,
  type ItemQuery,
  type VolumeInput,
} from './model.js';
import * as repo from './repo.js';
import { inputOf, rowOf } from './item-rows.js';
import { recordFiles } from './record-files.js';
import { recordExports } from './record-exports.js';
import { searchFeed } from './search-feed.js';

export interface CatalogSettings {
  /** 涉密 installation (LANTAI_CLASSIFIED): may hold classified items. */
  classified: boolean;
  /** Width of fonds codes by this archive's convention (4 by default). */
  fondsCodeWidth: number;
}

export interface CatalogDeps {
  audit: AuditSink;
  organisations: Organisations;
  settings: CatalogSettings;
}

/** A change of archival codes, for modules that keep codes (search, exports). */
export interface CodeChange {
  entityType: 'record' | 'volume';
  id: string;
  oldCode: string | null;
  newCode: string | null;
}
export type CodeChangeListener = (tx: Tx, changes: readonly CodeChange[]) => Promise<void>;
/** Records created or changed in any way (description, openness, codes, files), inside the changing transaction. */
export type RecordsChangedListener = (tx: Tx, recordIds: readonly string[]) => Promise<void>;

const ARCHIVIST_ACTIONS = { zh: '著录和整理档案', en: 'describe and arrange records' };

export function requireArchivist(actor: Actor, action = ARCHIVIST_ACTIONS): void {
  if (!actor.roles.includes('archivist')) throw catalogErrors.CATALOG_FORBIDDEN({ action: action.zh, actionEn: action.en });
}

/** The first problem of a failed check as the error the API returns. */
export function problemError(p: Problem) {
  switch (p.code) {
    case 'CATALOG_CLASSIFIED_REFUSED':
      return catalogErrors.CATALOG_CLASSIFIED_REFUSED({ classification: String(p.value) });
    case 'CATALOG_CLEARANCE':
      return catalogErrors.CATALOG_CLEARANCE({ classification: String(p.value) });
    case 'CATALOG_SECRECY_TERM_REQUIRED':
      return catalogErrors.CATALOG_SECRECY_TERM_REQUIRED({ classification: '涉密' });
    default:
      return catalogErrors.CATALOG_FIELD_INVALID({ label: p.field, problem: p.zh, labelEn: p.field, problemEn: p.en }, { field: p.field, code: p.code, problems: [p] });
  }
}

export function createCatalogService(deps: CatalogDeps) {
  const { audit, organisations, settings } = deps;
  const listeners: CodeChangeListener[] = [];
  const recordListeners: RecordsChangedListener[] = [];
  const notifyRecordsChanged = async (tx: Tx, ids: readonly string[]): Promise<void> => {
    if (ids.length === 0) return;
    for (const listener of recordListeners) await listener(tx, ids);
  };
  const now = () => new Date().toISOString();
  const log = (tx: Tx, actor: Actor, action: string, target: { type: string; id: string | null; label?: string }, details?: Record<string, unknown>) =>
    audit.append(tx, { actor: { ...actor, roles: [...actor.roles] }, action, target, result: 'ok', details });

  async function requireFonds(db: Executor, id: string) {
    const row = await db.selectFrom('fonds').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw catalogErrors.CATALOG_FONDS_NOT_FOUND({ id });
    return row;
  }

  async function requireCategory(db: Executor, id: string): Promise<Category> {
    const category = await repo.getCategory(db, id);
    if (!category) throw catalogErrors.CATALOG_CATEGORY_NOT_FOUND({ id });
    return category;
  }

  async function requireAgency(db: Executor, id: string) {
    const org = (await organisations.find(db, [id])).get(id);
    if (!org || org.kind !== 'agency') throw catalogErrors.CATALOG_AGENCY_INVALID({ id });
    return org;
  }

  async function orgCodesOf(db: Executor, fondsId: string): Promise<Set<string>> {
    const rows = await db.selectFrom('org_codes').select('code').where('fonds_id', '=', fondsId).execute();
    return new Set(rows.map((r) => r.code));
  }

  /** What checkItem needs to know about an item's surroundings. */
  async function contextFor(db: Executor, viewer: Viewer, input: Pick<ItemInput, 'fondsId' | 'categoryId' | 'volumeId'>): Promise<ItemContext> {
    const fonds = await requireFonds(db, input.fondsId);
    const category = await requireCategory(db, input.categoryId);
    let volume: ItemContext['volume'] = null;
    if (input.volumeId) {
      const v = await repo.scopedVolumes(db, viewer).where('v.id', '=', input.volumeId).executeTakeFirst();
      if (!v) throw catalogErrors.CATALOG_VOLUME_NOT_FOUND({ id: input.volumeId });
      volume = { id: v.id, fondsId: v.fonds_id, categoryId: v.category_id, year: v.year, retention: v.retention, archivalCode: v.archival_code, volumeNo: v.volume_no, orgCode: v.org_code };
    }
    return {
      fonds: { id: fonds.id, code: fonds.code, agencyId: fonds.agency_id },
      category,
      volume,
      orgCodes: await orgCodesOf(db, fonds.id),
      classified: settings.classified,
      clearanceRank: classificationRank(viewer.clearance),
    };
  }

  async function assertCodeFree(db: Executor, code: string | null, exceptId: string | null): Promise<void> {
    if (code === null) return;
    const taken = await db.selectFrom('records').select('id').where('archival_code', '=', code).executeTakeFirst();
    const takenByVolume = await db.selectFrom('volumes').select('id').where('archival_code', '=', code).executeTakeFirst();
    if ((taken && taken.id !== exceptId) || takenByVolume) throw catalogErrors.CATALOG_CODE_DUPLICATE({ code });
  }

  const service = {
    ...recordFiles({ audit, notifyRecordsChanged }),
    ...searchFeed(),
    ...recordExports({ organisations }),
    settings,
    contextFor,
    rowOf,

    /** Modules that keep archival codes (search, exports) hear of every change, inside the changing transaction. */
    onCodesChanged(listener: CodeChangeListener): void {
      listeners.push(listener);
    },
    hasCodeListeners: () => listeners.length > 0,
    /** Modules that keep copies of records (the search index) hear of every created or changed record. */
    onRecordsChanged(listener: RecordsChangedListener): void {
      recordListeners.push(listener);
    },
    notifyRecordsChanged,
    async notifyCodeChanges(tx: Tx, changes: readonly CodeChange[]): Promise<void> {
      if (changes.length === 0) return;
      for (const listener of listeners) await listener(tx, changes);
    },

    // -- fonds -------------------------------------------------------------
    async listFonds(db: Executor): Promise<Fonds[]> {
      const rows = await db.selectFrom('fonds').selectAll().orderBy('code').execute();
      const orgs = await organisations.find(db, rows.map((r) => r.agency_id));
      return rows.map((r) => ({ id: r.id, code: r.code, name: r.name, agencyId: r.agency_id, agencyName: orgs.get(r.agency_id)?.name ?? '', history: r.history, createdAt: r.created_at }));
    },

    /** One fonds, or FONDS_NOT_FOUND. */
    async getFonds(db: Executor, id: string): Promise<{ id: string; code: string; name: string; agencyId: string }> {
      const row = await requireFonds(db, id);
      return { id: row.id, code: row.code, name: row.name, agencyId: row.agency_id };
    },

    async createFonds(tx: Tx, actor: Actor, input: FondsInput): Promise<string> {
      requireArchivist(actor);
      if (input.code.length !== settings.fondsCodeWidth) throw catalogErrors.CATALOG_FONDS_CODE_WIDTH({ code: input.code, width: settings.fondsCodeWidth });
      await requireAgency(tx, input.agencyId);
      if (await tx.selectFrom('fonds').select('id').where('code', '=', input.code).executeTakeFirst()) throw catalogErrors.CATALOG_FONDS_CODE_TAKEN({ code: input.code });
      const id = uuidv7();
      const at = now();
      await tx.insertInto('fonds').values({ id, code: input.code, name: input.name, agency_id: input.agencyId, history: input.history, created_at: at, updated_at: at }).execute();
      await log(tx, actor, 'catalog.fonds.create', { type: 'fonds', id, label: `${input.code} ${input.name}` });
      return id;
    },

    async updateFonds(tx: Tx, actor: Actor, id: string, input: Pick<FondsInput, 'name' | 'history'>): Promise<void> {
      requireArchivist(actor);
      const before = await requireFonds(tx, id);
      await tx.updateTable('fonds').set({ name: input.name, history: input.history, updated_at: now() }).where('id', '=', id).execute();
      await log(tx, actor, 'catalog.fonds.update', { type: 'fonds', id, label: before.code }, { name: [before.name, input.name] });
    },

    async listOrgCodes(db: Executor, fondsId: string) {
      const rows = await db.selectFrom('org_codes').selectAll().where('fonds_id', '=', fondsId).orderBy('code').execute();
      return rows.map((r) => ({ id: r.id, fondsId: r.fonds_id, code: r.code, name: r.name }));
    },

    async addOrgCode(tx: Tx, actor: Actor, fondsId: string, input: { code: string; name: string }): Promise<string> {
      requireArchivist(actor);
      const fonds = await requireFonds(tx, fondsId);
      const existing = await tx.selectFrom('org_codes').select('id').where('fonds_id', '=', fondsId).where('code', '=', input.code).executeTakeFirst();
      if (existing) return existing.id;
      const id = uuidv7();
      await tx.insertInto('org_codes').values({ id, fonds_id: fondsId, code: input.code, name: input.name }).execute();
      await log(tx, actor, 'catalog.org-code.create', { type: 'fonds', id: fondsId, label: `${fonds.code} ${input.code} ${input.name}` });
      return id;
    },

    // -- categories --------------------------------------------------------
    listCategories: (db: Executor) => repo.listCategories(db),
    getCategory: requireCategory,

    async createCategory(tx: Tx, actor: Actor, input: CategoryInput): Promise<string> {
      requireArchivist(actor);
      const parsed = categoryInputSchema.parse(input);
      if (await tx.selectFrom('categories').select('id').where('code', '=', parsed.code).executeTakeFirst()) throw catalogErrors.CATALOG_CATEGORY_CODE_TAKEN({ code: parsed.code });
      if (parsed.parentId) await requireCategory(tx, parsed.parentId);
      const id = uuidv7();
      const position = await tx.selectFrom('categories').select((eb) => eb.fn.max<number>('position').as('p')).executeTakeFirst();
      await tx
        .insertInto('categories')
        .values({ id, code: parsed.code, name: parsed.name, parent_id: parsed.parentId, arrangement: parsed.arrangement, pattern: JSON.stringify(parsed.pattern), fields: JSON.stringify(parsed.fields), open_after_years: parsed.openAfterYears, position: Number(position?.p ?? 0) + 1, enabled: 1 })
        .execute();
      await log(tx, actor, 'catalog.category.create', { type: 'category', id, label: `${parsed.code} ${parsed.name}` });
      return id;
    },

    async updateCategory(tx: Tx, actor: Actor, id: string, input: CategoryInput): Promise<void> {
      requireArchivist(actor);
      const before = await requireCategory(tx, id);
      const parsed = categoryInputSchema.parse(input);
      if (parsed.code !== before.code) {
        const used = await tx.selectFrom('records').select('id').where('category_id', '=', id).limit(1).executeTakeFirst();
        if (used) throw catalogErrors.CATALOG_CATEGORY_CODE_TAKEN({ code: `${before.code}（已有档案，代码不可更改）` });
      }
      await tx
        .updateTable('categories')
        .set({ code: parsed.code, name: parsed.name, arrangement: parsed.arrangement, pattern: JSON.stringify(parsed.pattern), fields: JSON.stringify(parsed.fields), open_after_years: parsed.openAfterYears })
        .where('id', '=', id)
        .execute();
      await log(tx, actor, 'catalog.category.update', { type: 'category', id, label: parsed.code }, { before: { name: before.name, pattern: before.pattern, openAfterYears: before.openAfterYears } });
    },

    // -- items -------------------------------------------------------------
    async createItem(tx: Tx, actor: Actor, viewer: Viewer, raw: unknown): Promise<string> {
      requireArchivist(actor);
      const input = itemInputSchema.parse(raw);
      const ctx = await contextFor(tx, viewer, input);
      const checked = checkItem(input, ctx);
      if (!checked.ok) throw problemError(checked.problems[0] as Problem);
      await assertCodeFree(tx, checked.item.archivalCode, null);
      const id = uuidv7();
      await tx.insertInto('records').values(rowOf(id, checked.item, ctx, actor, now())).execute();
      if (checked.item.archivalCode) {
        await tx.insertInto('archival_code_changes').values({ id: uuidv7(), entity_type: 'record', entity_id: id, old_code: null, new_code: checked.item.archivalCode, reason: '著录', batch_id: null, changed_by: actor.userId, changed_at: now() }).execute();
        await service.notifyCodeChanges(tx, [{ entityType: 'record', id, oldCode: null, newCode: checked.item.archivalCode }]);
      }
      await notifyRecordsChanged(tx, [id]);
      await log(tx, actor, 'catalog.item.create', { type: 'record', id, label: checked.item.archivalCode ?? input.title.slice(0, 40) });
      return id;
    },

    /**
     * Many items at once, as accession creates them: the rules of `createItem`, with the context
     * read once per fonds, category and volume, codes checked in one query, rows written in
     * chunks, and one audit entry for the batch (`reason` says where they came from).
     * All or nothing inside the caller's transaction. Returns the ids in input order.
     */
    async createItems(tx: Tx, actor: Actor, viewer: Viewer, raws: readonly unknown[], reason: { action: string; label: string }): Promise<string[]> {
      requireArchivist(actor);
      const contexts = new Map<string, ItemContext>();
      const checkedItems = [];
      for (const raw of raws) {
        const input = itemInputSchema.parse(raw);
        const key = `${input.fondsId}|${input.categoryId}|${input.volumeId ?? ''}`;
        let ctx = contexts.get(key);
        if (!ctx) contexts.set(key, (ctx = await contextFor(tx, viewer, input)));
        const checked = checkItem(input, ctx);
        if (!checked.ok) throw problemError(checked.problems[0] as Problem);
        checkedItems.push({ item: checked.item, ctx });
      }
      const codes = checkedItems.map((c) => c.item.archivalCode).filter((c): c is string => c !== null);
      if (new Set(codes).size !== codes.length) throw catalogErrors.CATALOG_CODE_DUPLICATE({ code: codes.find((c, i) => codes.indexOf(c) !== i) ?? '' });
      for (let i = 0; i < codes.length; i += 500) {
        const chunk = codes.slice(i, i + 500);
        const taken = (await tx.selectFrom('records').select('archival_code').where('archival_code', 'in', chunk).executeTakeFirst()) ?? (await tx.selectFrom('volumes').select('archival_code').where('archival_code', 'in', chunk).executeTakeFirst());
        if (taken?.archival_code) throw catalogErrors.CATALOG_CODE_DUPLICATE({ code: taken.archival_code });
      }
      const at = now();
      const ids = checkedItems.map(() => uuidv7());
      const rows = checkedItems.map((c, i) => rowOf(ids[i] as string, c.item, c.ctx, actor, at));
      for (let i = 0; i < rows.length; i += 200) await tx.insertInto('records').values(rows.slice(i, i + 200)).execute();
      const changes = checkedItems.flatMap((c, i) => (c.item.archivalCode ? [{ id: uuidv7(), entity_type: 'record' as const, entity_id: ids[i] as string, old_code: null, new_code: c.item.archivalCode, reason: reason.label, batch_id: null, changed_by: actor.userId, changed_at: at }] : []));
      for (let i = 0; i < changes.length; i += 500) await tx.insertInto('archival_code_changes').values(changes.slice(i, i + 500)).execute();
      await service.notifyCodeChanges(tx, changes.map((c) => ({ entityType: 'record' as const, id: c.entity_id, oldCode: null, newCode: c.new_code })));
      await notifyRecordsChanged(tx, ids);
      await log(tx, actor, reason.action, { type: 'record', id: null, label: reason.label }, { items: ids.length, first: codes[0] ?? null, last: codes.at(-1) ?? null });
      return ids;
    },


    async updateItem(tx: Tx, actor: Actor, viewer: Viewer, id: string, patch: ItemPatch): Promise<void> {
      requireArchivist(actor);
      const found = await repo.itemRow(tx, repo.scopedItems(tx, viewer), id);
      if (!found) throw catalogErrors.CATALOG_ITEM_NOT_FOUND({ id });
      const { full } = found;
      if (full.version !== patch.version) throw catalogErrors.CATALOG_VERSION_CONFLICT({ current: full.version });
      const { version: _version, ...changes } = patch;
      const merged = itemInputSchema.parse({ ...inputOf(full), ...changes, archivalCode: full.archival_code });
      const ctx = await contextFor(tx, viewer, merged);
      const checked = checkItem(merged, ctx);
      if (!checked.ok) throw problemError(checked.problems[0] as Problem);
      const row = rowOf(id, checked.item, ctx, actor, now());
      const { id: _id, created_at: _c, created_by: _b, version: _v, openness_reviewed_at: _r, ...set } = row;
      await tx.updateTable('records').set({ ...set, version: full.version + 1 }).where('id', '=', id).execute();
      await notifyRecordsChanged(tx, [id]);
      const changed = Object.keys(changes).filter((k) => JSON.stringify((changes as Record<string, unknown>)[k]) !== JSON.stringify((inputOf(full) as Record<string, unknown>)[k]));
      await log(tx, actor, 'catalog.item.update', { type: 'record', id, label: full.archival_code ?? full.title.slice(0, 40) }, { fields: changed });
    },

    /** One item with its files and code history; views of controlled items are audited. */
    async getItem(tx: Tx, actor: Actor, viewer: Viewer, id: string): Promise<ItemDetail> {
      const found = await repo.itemRow(tx, repo.scopedItems(tx, viewer), id);
      if (!found) throw catalogErrors.CATALOG_ITEM_NOT_FOUND({ id });
      const { summary, full } = found;
      const orgs = await organisations.find(tx, [full.agency_id]);
      const content = summary.visibility === 'content';
      if (full.openness !== '开放' || full.control !== null) {
        await log(tx, actor, 'catalog.item.view', { type: 'record', id, label: full.archival_code ?? undefined }, { openness: full.openness, control: full.control, visibility: summary.visibility });
      }
      return {
        ...summary,
        agencyName: orgs.get(full.agency_id)?.name ?? '',
        agencyOpennessOpinion: full.agency_openness_opinion,
        docType: full.doc_type,
        urgency: full.urgency,
        mainRecipients: full.main_recipients,
        copyRecipients: full.copy_recipients,
        subjectTerms: full.subject_terms,
        keywords: full.keywords,
        // A catalog-only viewer sees the description (题名, 档号, …) but not the abstract or the files.
        abstract: content ? full.abstract : null,
        remarks: full.remarks,
        extensions: JSON.parse(full.extensions) as ItemDetail['extensions'],
        createdAt: full.created_at,
        files: content ? await repo.itemFiles(tx, id) : [],
        codeHistory: await repo.codeHistory(tx, id),
      };
    },

    listItems: (db: Executor, viewer: Viewer, query: ItemQuery) => repo.listItems(repo.scopedItems(db, viewer), query),

    // -- volumes -----------------------------------------------------------
    async createVolume(tx: Tx, actor: Actor, viewer: Viewer, input: VolumeInput): Promise<string> {
      requireArchivist(actor);
      const fonds = await requireFonds(tx, input.fondsId);
      const category = await requireCategory(tx, input.categoryId);
      if (category.arrangement !== 'volume') throw catalogErrors.CATALOG_ARRANGEMENT({ category: category.name, arrangement: '件', arrangementEn: 'item', hint: '不能组卷', hintEn: 'volumes are not used' });
      if (!settings.classified && input.classification !== '非密') throw catalogErrors.CATALOG_CLASSIFIED_REFUSED({ classification: input.classification });
      if (classificationRank(input.classification) > classificationRank(viewer.clearance)) throw catalogErrors.CATALOG_CLEARANCE({ classification: input.classification });
      if (input.classification !== '非密' && !input.secrecyTerm) throw catalogErrors.CATALOG_SECRECY_TERM_REQUIRED({ classification: input.classification });
      if (input.orgCode && !(await orgCodesOf(tx, fonds.id)).has(input.orgCode)) throw catalogErrors.CATALOG_ORG_CODE_UNKNOWN({ code: input.orgCode, fonds: fonds.code });
      const id = uuidv7();
      const at = now();
      await tx
        .insertInto('volumes')
        .values({ id, fonds_id: fonds.id, category_id: category.id, agency_id: fonds.agency_id, archival_code: null, volume_no: null, year: input.year, retention: input.retention, org_code: input.orgCode, title: input.title, classification: input.classification, secrecy_term: input.secrecyTerm, control: input.control, openness: input.openness, remarks: input.remarks, created_at: at, updated_at: at, version: 1 })
        .execute();
      await log(tx, actor, 'catalog.volume.create', { type: 'volume', id, label: input.title.slice(0, 40) });
      return id;
    },

    async listVolumes(db: Executor, viewer: Viewer, filters: { fondsId?: string; categoryId?: string; year?: number }) {
      let q = repo.scopedVolumes(db, viewer);
      if (filters.fondsId) q = q.where('v.fonds_id', '=', filters.fondsId) as typeof q;
      if (filters.categoryId) q = q.where('v.category_id', '=', filters.categoryId) as typeof q;
      if (filters.year !== undefined) q = q.where('v.year', '=', filters.year) as typeof q;
      const rows = await q.orderBy(nullsLast('v.archival_code')).orderBy('v.archival_code').orderBy('v.id').limit(2000).execute();
      return rows.map((v) => ({
        id: v.id,
        fondsId: v.fonds_id,
        categoryId: v.category_id,
        archivalCode: v.archival_code,
        volumeNo: v.volume_no,
        title: v.title,
        year: v.year,
        retention: v.retention as VolumeInput['retention'],
        orgCode: v.org_code,
        classification: v.classification as VolumeInput['classification'],
        control: v.control as VolumeInput['control'],
        openness: v.openness as VolumeInput['openness'],
        itemCount: Number(v.item_count ?? 0),
        visibility: v.visibility,
      }));
    },
  };
  return service;
}

function nullsLast(column: string) {
  return sql`${sql.ref(column)} is null`;
}

export type CatalogService = ReturnType<typeof createCatalogService>;
