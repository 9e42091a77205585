/**
 * Batch operations on items (批量修改): retention, openness, control marking, moving
 * between volumes. Each is previewed (what changes, what is refused and why) and
 * applied as one audited operation.
 *
 * Retention and openness are appraisal decisions: changing them in a batch records a
 * reason. Moving items between volumes clears their in-volume numbers (the codes are
 * then generated again in the new volume) and records the old codes.
 */
import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import type { Executor, Tx } from '../../platform/db/database.js';
import type { Actor, AuditSink } from '../accounts/service.js';
import type { Viewer } from '../accounts/viewer.js';
import { catalogErrors } from './errors.js';
import { controlSchema, opennessSchema, retentionSchema, type ItemSummary } from './model.js';
import * as repo from './repo.js';
import { requireArchivist, type CatalogService } from './service.js';

export const MAX_BATCH = 20_000;

export const batchChangeSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('retention'), value: retentionSchema }),
  z.object({ kind: z.literal('openness'), value: opennessSchema }),
  z.object({ kind: z.literal('control'), value: controlSchema.nullable() }),
  z.object({ kind: z.literal('volume'), value: z.string().nullable() }),
]);
export type BatchChange = z.infer<typeof batchChangeSchema>;

export const batchRequestSchema = z.object({
  itemIds: z.array(z.string()).min(1).max(MAX_BATCH),
  change: batchChangeSchema,
  reason: z.string().trim().min(1, '须写明理由 / give a reason').max(1000),
});
export type BatchRequest = z.infer<typeof batchRequestSchema>;

export interface BatchPreview {
  change: BatchChange;
  affected: Array<{ id: string; archivalCode: string | null; title: string; from: string | null; to: string | null }>;
  refused: Array<{ id: string; archivalCode: string | null; title: string; zh: string; en: string }>;
  unchanged: number;
}

function currentValue(item: ItemSummary, change: BatchChange): string | null {
  switch (change.kind) {
    case 'retention':
      return item.retention;
    case 'openness':
      return item.openness;
    case 'control':
      return item.control;
    case 'volume':
      return item.volumeId;
  }
}

export function createBatches(deps: { catalog: CatalogService; audit: AuditSink }) {
  const { audit } = deps;

  async function preview(db: Executor, viewer: Viewer, request: BatchRequest): Promise<BatchPreview> {
    const items = await repo.itemsByIds(repo.scopedItems(db, viewer), request.itemIds);
    if (items.length === 0) throw catalogErrors.CATALOG_BATCH_EMPTY();
    const out: BatchPreview = { change: request.change, affected: [], refused: [], unchanged: 0 };
    let volume: { id: string; fonds_id: string; category_id: string; year: number; retention: string } | undefined;
    if (request.change.kind === 'volume' && request.change.value !== null) {
      volume = await repo.scopedVolumes(db, viewer).where('v.id', '=', request.change.value).executeTakeFirst();
      if (!volume) throw catalogErrors.CATALOG_VOLUME_NOT_FOUND({ id: request.change.value });
    }
    for (const item of items) {
      const from = currentValue(item, request.change);
      const to = request.change.value;
      if (from === to) {
        out.unchanged += 1;
        continue;
      }
      if (volume && (volume.fonds_id !== item.fondsId || volume.category_id !== item.categoryId || volume.year !== item.year || volume.retention !== item.retention)) {
        out.refused.push({ id: item.id, archivalCode: item.archivalCode, title: item.title, zh: '案卷与档案的全宗、门类、年度或保管期限不一致', en: 'the volume differs in fonds, category, year or retention' });
        continue;
      }
      out.affected.push({ id: item.id, archivalCode: item.archivalCode, title: item.title, from, to });
    }
    return out;
  }

  return {
    preview,

    async apply(tx: Tx, actor: Actor, viewer: Viewer, request: BatchRequest): Promise<{ batchId: string; changed: number; refused: number }> {
      requireArchivist(actor);
      const result = await preview(tx, viewer, request);
      const batchId = uuidv7();
      const at = new Date().toISOString();
      const ids = result.affected.map((a) => a.id);
      const codeChanges: Array<{ id: string; oldCode: string | null }> = [];
      for (let i = 0; i < ids.length; i += 500) {
        const chunk = ids.slice(i, i + 500);
        const base = tx.updateTable('records').where('id', 'in', chunk);
        switch (request.change.kind) {
          case 'retention':
            // A coded item's code carries its retention, so its code is cleared for re-coding and recorded.
            await base.set((eb) => ({ retention: request.change.value as string, updated_at: at, version: eb('version', '+', 1) })).execute();
            break;
          case 'openness':
            await base.set((eb) => ({ openness: request.change.value as string, updated_at: at, version: eb('version', '+', 1) })).execute();
            break;
          case 'control':
            await base.set((eb) => ({ control: request.change.value, updated_at: at, version: eb('version', '+', 1) })).execute();
            break;
          case 'volume':
            await base.set((eb) => ({ volume_id: request.change.value, aggregation_level: request.change.value ? '卷内文件' : '件', archival_code: null, class_key: null, item_no: null, updated_at: at, version: eb('version', '+', 1) })).execute();
            break;
        }
      }
      await deps.catalog.notifyRecordsChanged(tx, ids);
      if (request.change.kind === 'retention' || request.change.kind === 'volume') {
        for (const a of result.affected) if (a.archivalCode !== null) codeChanges.push({ id: a.id, oldCode: a.archivalCode });
        if (request.change.kind === 'retention' && codeChanges.length > 0) {
          for (let i = 0; i < codeChanges.length; i += 500) {
            await tx.updateTable('records').set({ archival_code: null, class_key: null, item_no: null }).where('id', 'in', codeChanges.slice(i, i + 500).map((c) => c.id)).execute();
          }
        }
        for (let i = 0; i < codeChanges.length; i += 200) {
          await tx
            .insertInto('archival_code_changes')
            .values(codeChanges.slice(i, i + 200).map((c) => ({ id: uuidv7(), entity_type: 'record' as const, entity_id: c.id, old_code: c.oldCode, new_code: null, reason: `${request.change.kind === 'volume' ? '调卷' : '调整保管期限'}：${request.reason}`, batch_id: batchId, changed_by: actor.userId, changed_at: at })))
            .execute();
        }
        await deps.catalog.notifyCodeChanges(tx, codeChanges.map((c) => ({ entityType: 'record', id: c.id, oldCode: c.oldCode, newCode: null })));
      }
      await audit.append(tx, {
        actor: { ...actor, roles: [...actor.roles] },
        action: `catalog.batch.${request.change.kind}`,
        target: { type: 'batch', id: batchId, label: `${ids.length} 条` },
        result: 'ok',
        details: { value: request.change.value, reason: request.reason, changed: ids.length, refused: result.refused.length, codesCleared: codeChanges.length, sample: result.affected.slice(0, 20).map((a) => [a.archivalCode ?? a.id, a.from, a.to]) },
      });
      return { batchId, changed: ids.length, refused: result.refused.length };
    },
  };
}

export type Batches = ReturnType<typeof createBatches>;
