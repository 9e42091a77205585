/**
 * Openness review (开放审核, 档案法 art. 27 and 30): 25 years after its date (or its
 * category's earlier term) an item becomes due for review; it is never opened by
 * the passing of time alone. Archivists decide in batches — open, keep controlled,
 * or postpone to a later year — with a reason; each decision is kept per item with
 * the reviewer, the date and the agency's opinion given at hand-over.
 */
import { v7 as uuidv7 } from 'uuid';
import type { Executor, Tx } from '../../platform/db/database.js';
import type { Actor, AuditSink } from '../accounts/service.js';
import type { Viewer } from '../accounts/viewer.js';
import { catalogErrors } from './errors.js';
import type { ItemQuery, OpennessReviewInput } from './model.js';
import * as repo from './repo.js';
import { requireArchivist } from './service.js';

/** Years until a kept-controlled item is due again, unless the reviewer says otherwise. */
export const DEFAULT_REVIEW_AGAIN_YEARS = 5;

export function createOpennessReview(deps: { audit: AuditSink; now?: () => Date; notifyRecordsChanged: (tx: Tx, ids: readonly string[]) => Promise<void> }) {
  const { audit } = deps;
  const now = deps.now ?? (() => new Date());

  return {
    /** Items due for review by this year (not 开放), oldest due first. */
    async due(db: Executor, viewer: Viewer, query: Omit<ItemQuery, 'dueBy'>) {
      return repo.listItems(repo.scopedItems(db, viewer), { ...query, dueBy: now().getFullYear() });
    },

    async history(db: Executor, viewer: Viewer, itemId: string) {
      const visible = await repo.itemsByIds(repo.scopedItems(db, viewer), [itemId]);
      if (visible.length === 0) throw catalogErrors.CATALOG_ITEM_NOT_FOUND({ id: itemId });
      const rows = await db.selectFrom('openness_reviews').selectAll().where('record_id', '=', itemId).orderBy('reviewed_at').execute();
      return rows.map((r) => ({ id: r.id, previous: r.previous, decision: r.decision, reason: r.reason, agencyOpinion: r.agency_opinion, reviewerId: r.reviewer_id, reviewedAt: r.reviewed_at, batchId: r.batch_id }));
    },

    async decide(tx: Tx, actor: Actor, viewer: Viewer, input: OpennessReviewInput): Promise<{ batchId: string; reviewed: number }> {
      requireArchivist(actor, { zh: '进行开放审核', en: 'review openness' });
      const items = await repo.itemsByIds(repo.scopedItems(tx, viewer), input.itemIds);
      if (items.length === 0) throw catalogErrors.CATALOG_BATCH_EMPTY();
      const at = now();
      const year = at.getFullYear();
      for (const item of items) {
        if (item.opennessDueYear > year) throw catalogErrors.CATALOG_REVIEW_NOT_DUE({ code: item.archivalCode ?? item.title, due: item.opennessDueYear });
      }
      const opinions = new Map<string, string | null>();
      for (let i = 0; i < items.length; i += 500) {
        const rows = await tx.selectFrom('records').select(['id', 'agency_openness_opinion']).where('id', 'in', items.slice(i, i + 500).map((x) => x.id)).execute();
        for (const r of rows) opinions.set(r.id, r.agency_openness_opinion);
      }
      const batchId = uuidv7();
      const iso = at.toISOString();
      const openness = input.decision === '开放' ? '开放' : '控制';
      const nextDue = input.decision === '开放' ? null : year + (input.reviewAgainIn ?? DEFAULT_REVIEW_AGAIN_YEARS);
      for (let i = 0; i < items.length; i += 500) {
        const chunk = items.slice(i, i + 500).map((x) => x.id);
        await tx
          .updateTable('records')
          .set((eb) => ({ openness, openness_reviewed_at: iso, ...(nextDue !== null ? { openness_due_year: nextDue } : {}), updated_at: iso, version: eb('version', '+', 1) }))
          .where('id', 'in', chunk)
          .execute();
      }
      await deps.notifyRecordsChanged(tx, items.map((x) => x.id));
      for (let i = 0; i < items.length; i += 200) {
        await tx
          .insertInto('openness_reviews')
          .values(items.slice(i, i + 200).map((x) => ({ id: uuidv7(), record_id: x.id, previous: x.openness, decision: input.decision, reason: input.reason, agency_opinion: opinions.get(x.id) ?? null, reviewer_id: actor.userId, reviewed_at: iso, batch_id: batchId })))
          .execute();
      }
      await audit.append(tx, {
        actor: { ...actor, roles: [...actor.roles] },
        action: 'catalog.openness.review',
        target: { type: 'batch', id: batchId, label: `${input.decision} ${items.length} 条` },
        result: 'ok',
        details: { decision: input.decision, reason: input.reason, reviewed: items.length, nextDue, items: items.slice(0, 50).map((x) => x.archivalCode ?? x.id) },
      });
      return { batchId, reviewed: items.length };
    },
  };
}

export type OpennessReview = ReturnType<typeof createOpennessReview>;
