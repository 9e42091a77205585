/**
 * Generating and re-numbering archival codes (编制档号), always previewed first and
 * applied as one audited operation that records every old code (档号变更记录) and
 * tells the modules that keep codes.
 *
 * Item numbers restart in each lowest class (DA/T 22-2015 §6.3): the code without its
 * item number. New numbers continue after the largest in the class, in date order;
 * re-numbering closes gaps by numbering the whole class again from 1 in its current order.
 * Items of volume-arranged categories are numbered within their volume (卷内顺序号),
 * and a volume without a code gets one first (案卷号, continuing in its class).
 */
import { v7 as uuidv7 } from 'uuid';
import type { Executor, Tx } from '../../platform/db/database.js';
import type { Actor, AuditSink } from '../accounts/service.js';
import type { Viewer } from '../accounts/viewer.js';
import { checkContinuity, classKeyOf, CodePartMissing, formatArchivalCode, formatVolumeCode, type CodeParts, type ContinuityReport } from './archival-code.js';
import { catalogErrors } from './errors.js';
import type { Category, Retention } from './model.js';
import * as repo from './repo.js';
import { requireArchivist, type CatalogService, type CodeChange } from './service.js';

export const MAX_CODE_BATCH = 100_000;

export interface CodeRequest {
  mode: 'generate' | 'renumber';
  itemIds?: string[];
  /** Instead of ids: every visible item of a fonds (and optionally category and year). */
  filter?: { fondsId: string; categoryId?: string; year?: number };
}

export interface CodePlanEntry {
  entityType: 'record' | 'volume';
  id: string;
  title: string;
  oldCode: string | null;
  newCode: string;
  classKey: string;
  number: number;
}

export interface CodePlan {
  changes: CodePlanEntry[];
  /** Items that cannot be coded, with why (missing organisation code, volume not yet coded, …). */
  problems: Array<{ id: string; title: string; zh: string; en: string }>;
  unchanged: number;
}

interface Target {
  id: string;
  title: string;
  date: string;
  fonds_code: string;
  category_id: string;
  volume_id: string | null;
  year: number;
  retention: string;
  org_code: string | null;
  archival_code: string | null;
  item_no: number | null;
  class_key: string | null;
}

const SEGMENT_ZH = { fonds: '全宗号', category: '门类代码', year: '年度', retention: '保管期限', org: '机构（问题）代码', volume: '案卷号', item: '件号' } as const;

export function createArchivalCodes(deps: { catalog: CatalogService; audit: AuditSink }) {
  const { catalog, audit } = deps;

  async function targets(db: Executor, viewer: Viewer, request: CodeRequest): Promise<string[]> {
    let scoped = repo.scopedItems(db, viewer);
    if (request.itemIds) {
      const visible = await repo.itemsByIds(scoped, request.itemIds);
      return visible.map((i) => i.id);
    }
    if (!request.filter) throw catalogErrors.CATALOG_BATCH_EMPTY();
    scoped = repo.applyFilters(scoped, request.filter);
    const rows = await scoped.clearSelect().select('r.id').limit(MAX_CODE_BATCH + 1).execute();
    return rows.map((r) => r.id);
  }

  async function loadTargets(db: Executor, ids: readonly string[]): Promise<Target[]> {
    const out: Target[] = [];
    for (let i = 0; i < ids.length; i += 500) {
      const rows = await db
        .selectFrom('records as r')
        .innerJoin('fonds as f', 'f.id', 'r.fonds_id')
        .select(['r.id', 'r.title', 'r.date', 'f.code as fonds_code', 'r.category_id', 'r.volume_id', 'r.year', 'r.retention', 'r.org_code', 'r.archival_code', 'r.item_no', 'r.class_key'])
        .where('r.id', 'in', ids.slice(i, i + 500))
        .execute();
      out.push(...rows);
    }
    return out;
  }

  /** Works out the new codes; writes nothing. */
  async function plan(db: Executor, viewer: Viewer, request: CodeRequest): Promise<CodePlan> {
    const ids = await targets(db, viewer, request);
    if (ids.length === 0) throw catalogErrors.CATALOG_BATCH_EMPTY();
    if (ids.length > MAX_CODE_BATCH) throw catalogErrors.CATALOG_BATCH_TOO_LARGE({ max: MAX_CODE_BATCH });
    const categories = new Map((await catalog.listCategories(db)).map((c) => [c.id, c]));
    const problems: CodePlan['problems'] = [];
    const changes: CodePlanEntry[] = [];
    let selected = await loadTargets(db, ids);
    let unchanged = 0;

    // Volumes first: items in a volume without a code need its code.
    const volumeIds = [...new Set(selected.map((t) => t.volume_id).filter((v): v is string => v !== null))];
    const volumeCodes = new Map<string, { code: string | null; no: number | null }>();
    if (volumeIds.length > 0) {
      const volumes = await db.selectFrom('volumes as v').innerJoin('fonds as f', 'f.id', 'v.fonds_id').select(['v.id', 'v.fonds_id', 'v.title', 'v.created_at', 'f.code as fonds_code', 'v.category_id', 'v.year', 'v.retention', 'v.org_code', 'v.archival_code', 'v.volume_no']).where('v.id', 'in', volumeIds).orderBy('v.created_at').orderBy('v.id').execute();
      const nextVolume = new Map<string, number>();
      for (const v of volumes) {
        if (v.archival_code !== null) {
          volumeCodes.set(v.id, { code: v.archival_code, no: v.volume_no });
          continue;
        }
        const category = categories.get(v.category_id) as Category;
        const parts: CodeParts = { fondsCode: v.fonds_code, categoryCode: category.code, year: v.year, retention: v.retention as Retention, orgCode: v.org_code, volumeNo: 0, itemNo: null };
        let prefix: string;
        try {
          prefix = formatVolumeCode(category.pattern.filter((s) => s.segment !== 'volume'), parts);
        } catch (err) {
          if (!(err instanceof CodePartMissing)) throw err;
          problems.push({ id: v.id, title: v.title, zh: `案卷缺少${SEGMENT_ZH[err.segment]}`, en: `the volume lacks its ${err.segment}` });
          continue;
        }
        const no = (nextVolume.get(prefix) ?? (await maxVolumeNo(db, category, v))) + 1;
        nextVolume.set(prefix, no);
        const code = formatVolumeCode(category.pattern, { ...parts, volumeNo: no });
        volumeCodes.set(v.id, { code, no });
        changes.push({ entityType: 'volume', id: v.id, title: v.title, oldCode: null, newCode: code, classKey: prefix, number: no });
      }
    }

    if (request.mode === 'generate') {
      const uncoded = selected.filter((t) => t.archival_code === null);
      unchanged = selected.length - uncoded.length;
      selected = uncoded;
    } else {
      // Re-numbering takes in every item of the classes touched, so the class has no gaps afterwards.
      const classKeys = [...new Set(selected.map((t) => t.class_key).filter((k): k is string => k !== null))];
      const known = new Set(selected.map((t) => t.id));
      for (let i = 0; i < classKeys.length; i += 500) {
        const more = await db.selectFrom('records').select('id').where('class_key', 'in', classKeys.slice(i, i + 500)).execute();
        const extra = more.map((m) => m.id).filter((id) => !known.has(id));
        selected.push(...(await loadTargets(db, extra)));
      }
    }

    // Work out each item's class, then number within it.
    const byClass = new Map<string, Array<{ t: Target; parts: CodeParts; category: Category }>>();
    for (const t of selected) {
      const category = categories.get(t.category_id) as Category;
      const volume = t.volume_id ? volumeCodes.get(t.volume_id) : undefined;
      if (category.arrangement === 'volume' && !volume?.code) {
        problems.push({ id: t.id, title: t.title, zh: '按卷整理的档案须先组卷（案卷需有档号）', en: 'items of volume-arranged categories need a coded volume' });
        continue;
      }
      const parts: CodeParts = { fondsCode: t.fonds_code, categoryCode: category.code, year: t.year, retention: t.retention as Retention, orgCode: t.org_code, volumeNo: volume?.no ?? null, itemNo: 0 };
      let key: string;
      try {
        key = classKeyOf(category.pattern, parts);
      } catch (err) {
        if (!(err instanceof CodePartMissing)) throw err;
        problems.push({ id: t.id, title: t.title, zh: `缺少${SEGMENT_ZH[err.segment]}`, en: `missing ${err.segment}` });
        continue;
      }
      const list = byClass.get(key) ?? [];
      list.push({ t, parts, category });
      byClass.set(key, list);
    }
    const maxima = request.mode === 'generate' ? await repo.maxItemNumbers(db, [...byClass.keys()]) : new Map<string, number>();
    for (const [key, list] of [...byClass].sort(([a], [b]) => (a < b ? -1 : 1))) {
      list.sort((a, b) => (request.mode === 'renumber' ? (a.t.item_no ?? Infinity) - (b.t.item_no ?? Infinity) : 0) || (a.t.date < b.t.date ? -1 : a.t.date > b.t.date ? 1 : 0) || (a.t.id < b.t.id ? -1 : 1));
      let n = maxima.get(key) ?? 0;
      for (const { t, parts, category } of list) {
        n += 1;
        const newCode = formatArchivalCode(category.pattern, { ...parts, itemNo: n });
        if (newCode === t.archival_code) {
          unchanged += 1;
          continue;
        }
        changes.push({ entityType: 'record', id: t.id, title: t.title, oldCode: t.archival_code, newCode, classKey: key, number: n });
      }
    }
    return { changes, problems, unchanged };
  }

  async function maxVolumeNo(db: Executor, category: Category, v: { fonds_id: string; category_id: string; year: number; retention: string; org_code: string | null }): Promise<number> {
    // Volume numbers restart per class: same fonds, category, year, retention and (if the pattern has it) organisation code.
    let q = db.selectFrom('volumes').select((eb) => eb.fn.max<number>('volume_no').as('n')).where('fonds_id', '=', v.fonds_id).where('category_id', '=', v.category_id).where('year', '=', v.year).where('retention', '=', v.retention);
    if (category.pattern.some((s) => s.segment === 'org')) q = v.org_code === null ? q.where('org_code', 'is', null) : q.where('org_code', '=', v.org_code);
    const row = await q.executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  return {
    plan,

    /** Applies a plan worked out again inside the transaction (so it cannot be stale). */
    async apply(tx: Tx, actor: Actor, viewer: Viewer, request: CodeRequest, reason: string, options: { oldCodes?: ReadonlyMap<string, string | null> } = {}): Promise<{ batchId: string; changed: number; problems: CodePlan['problems'] }> {
      requireArchivist(actor);
      const { changes, problems } = await plan(tx, viewer, request);
      const batchId = uuidv7();
      const at = new Date().toISOString();
      const records = changes.filter((c) => c.entityType === 'record');
      const volumes = changes.filter((c) => c.entityType === 'volume');
      // Clear the old codes first, so swapping two items' numbers does not trip the unique index.
      for (let i = 0; i < records.length; i += 500) {
        await tx.updateTable('records').set({ archival_code: null }).where('id', 'in', records.slice(i, i + 500).map((c) => c.id)).execute();
      }
      for (const v of volumes) await tx.updateTable('volumes').set({ archival_code: v.newCode, volume_no: v.number, updated_at: at }).where('id', '=', v.id).execute();
      for (const c of records) {
        await tx.updateTable('records').set((eb) => ({ archival_code: c.newCode, class_key: c.classKey, item_no: c.number, updated_at: at, version: eb('version', '+', 1) })).where('id', '=', c.id).execute();
      }
      for (let i = 0; i < changes.length; i += 200) {
        await tx
          .insertInto('archival_code_changes')
          // `oldCodes` names codes the records had before they were records (an agency's, when re-coded at accept).
          .values(changes.slice(i, i + 200).map((c) => ({ id: uuidv7(), entity_type: c.entityType, entity_id: c.id, old_code: options.oldCodes?.get(c.id) ?? c.oldCode, new_code: c.newCode, reason, batch_id: batchId, changed_by: actor.userId, changed_at: at })))
          .execute();
      }
      await catalog.notifyRecordsChanged(tx, records.map((c) => c.id));
      await catalog.notifyCodeChanges(tx, changes.map((c): CodeChange => ({ entityType: c.entityType, id: c.id, oldCode: c.oldCode, newCode: c.newCode })));
      await audit.append(tx, {
        actor: { ...actor, roles: [...actor.roles] },
        action: request.mode === 'generate' ? 'catalog.codes.generate' : 'catalog.codes.renumber',
        target: { type: 'batch', id: batchId, label: `${changes.length} 条` },
        result: 'ok',
        details: { reason, changed: changes.length, volumes: volumes.length, skipped: problems.length, filter: request.filter ?? null, sample: changes.slice(0, 20).map((c) => [c.oldCode, c.newCode]) },
      });
      return { batchId, changed: changes.length, problems };
    },

    /** Gaps and duplicates of item numbers per class, over the items the viewer may see. */
    async continuity(db: Executor, viewer: Viewer, filter: { fondsId: string; categoryId?: string; year?: number }): Promise<ContinuityReport[]> {
      const scoped = repo.applyFilters(repo.scopedItems(db, viewer), filter);
      const rows = await scoped.clearSelect().select(['r.class_key', 'r.item_no']).where('r.class_key', 'is not', null).execute();
      return checkContinuity(rows.filter((r) => r.item_no !== null).map((r) => ({ classKey: r.class_key as string, itemNo: r.item_no as number })));
    },
  };
}

export type ArchivalCodes = ReturnType<typeof createArchivalCodes>;
