/**
 * Records for exports that carry their content (BagIt bags of a record, a volume,
 * a hand-over or a fonds): which records the viewer may see with their content,
 * and their descriptions, read through the Viewer. A record the viewer may see
 * only as a catalog entry, or not at all, is never in such an export, and nothing
 * here says that it exists. Part of the catalog service (service.ts spreads these in).
 */
import type { Executor } from '../../platform/db/database.js';
import type { Organisations } from '../accounts/organisations.js';
import type { Viewer } from '../accounts/viewer.js';
import { catalogErrors } from './errors.js';
import type { ItemDetail } from './model.js';
import * as repo from './repo.js';

/** What an export writes of a record's description (DA/T 46 elements and where it belongs). */
export type RecordDescription = Pick<
  ItemDetail,
  'id' | 'fondsId' | 'fondsCode' | 'volumeId' | 'archivalCode' | 'title' | 'responsible' | 'date' | 'docNumber' | 'retention' | 'classification' | 'control' | 'openness' | 'pageCount' | 'agencyName' | 'subjectTerms' | 'keywords' | 'remarks'
>;

/** The records an export asks for: some records by id, a volume's, or a fonds'. */
export type RecordSelection = { recordIds: readonly string[] } | { volumeId: string } | { fondsId: string };

export interface RecordRef {
  id: string;
  archivalCode: string | null;
}

const CHUNK = 500;

/** Coded records first, by code, then the uncoded ones; the id breaks ties. */
function byCode(a: RecordRef, b: RecordRef): number {
  if ((a.archivalCode === null) !== (b.archivalCode === null)) return a.archivalCode === null ? 1 : -1;
  if (a.archivalCode !== b.archivalCode) return (a.archivalCode ?? '') < (b.archivalCode ?? '') ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

export function recordExports(deps: { organisations: Organisations }) {
  return {
    /** The selected records the viewer may see with their content, in 档号 order. */
    async contentRecords(db: Executor, viewer: Viewer, selection: RecordSelection): Promise<RecordRef[]> {
      const rows: Array<{ id: string; archival_code: string | null; visibility: 'catalog' | 'content' }> = [];
      if ('recordIds' in selection) {
        const ids = [...new Set(selection.recordIds)];
        for (let i = 0; i < ids.length; i += CHUNK) rows.push(...(await repo.scopedItemRefs(db, viewer).where('r.id', 'in', ids.slice(i, i + CHUNK)).execute()));
      } else if ('volumeId' in selection) {
        rows.push(...(await repo.scopedItemRefs(db, viewer).where('r.volume_id', '=', selection.volumeId).execute()));
      } else {
        rows.push(...(await repo.scopedItemRefs(db, viewer).where('r.fonds_id', '=', selection.fondsId).execute()));
      }
      return rows.filter((r) => r.visibility === 'content').map((r) => ({ id: r.id, archivalCode: r.archival_code })).sort(byCode);
    },

    /** The descriptions of these records, in the order given, leaving out any the viewer may not (or no longer) see with content. */
    async describeRecords(db: Executor, viewer: Viewer, ids: readonly string[]): Promise<RecordDescription[]> {
      const summaries = new Map((await repo.itemsByIds(repo.scopedItems(db, viewer), ids)).filter((s) => s.visibility === 'content').map((s) => [s.id, s]));
      if (summaries.size === 0) return [];
      const visible = [...summaries.keys()];
      const extra = new Map<string, { subject_terms: string | null; keywords: string | null; remarks: string | null }>();
      for (let i = 0; i < visible.length; i += CHUNK) {
        for (const r of await db.selectFrom('records').select(['id', 'subject_terms', 'keywords', 'remarks']).where('id', 'in', visible.slice(i, i + CHUNK)).execute()) extra.set(r.id, r);
      }
      const agencies = await deps.organisations.find(db, [...summaries.values()].map((s) => s.agencyId));
      return ids.flatMap((id) => {
        const s = summaries.get(id);
        if (!s) return [];
        const more = extra.get(id);
        return [{
          id: s.id, fondsId: s.fondsId, fondsCode: s.fondsCode, volumeId: s.volumeId, archivalCode: s.archivalCode, title: s.title, responsible: s.responsible, date: s.date, docNumber: s.docNumber,
          retention: s.retention, classification: s.classification, control: s.control, openness: s.openness, pageCount: s.pageCount, agencyName: agencies.get(s.agencyId)?.name ?? '',
          subjectTerms: more?.subject_terms ?? null, keywords: more?.keywords ?? null, remarks: more?.remarks ?? null,
        }];
      });
    },

    /** A record the viewer may see, by id or 档号; CATALOG_ITEM_NOT_FOUND otherwise. */
    async findRecord(db: Executor, viewer: Viewer, idOrCode: string): Promise<RecordRef> {
      const row = await repo.scopedItemRefs(db, viewer).where((eb) => eb.or([eb('r.id', '=', idOrCode), eb('r.archival_code', '=', idOrCode)])).executeTakeFirst();
      if (!row) throw catalogErrors.CATALOG_ITEM_NOT_FOUND({ id: idOrCode });
      return { id: row.id, archivalCode: row.archival_code };
    },

    /** A volume the viewer may see, by id or 档号, with its fonds' code; CATALOG_VOLUME_NOT_FOUND otherwise. */
    async findVolume(db: Executor, viewer: Viewer, idOrCode: string): Promise<{ id: string; archivalCode: string | null; title: string; fondsId: string; fondsCode: string }> {
      const row = await repo.scopedVolumes(db, viewer).where((eb) => eb.or([eb('v.id', '=', idOrCode), eb('v.archival_code', '=', idOrCode)])).executeTakeFirst();
      if (!row) throw catalogErrors.CATALOG_VOLUME_NOT_FOUND({ id: idOrCode });
      const fonds = await db.selectFrom('fonds').select('code').where('id', '=', row.fonds_id).executeTakeFirstOrThrow();
      return { id: row.id, archivalCode: row.archival_code, title: row.title, fondsId: row.fonds_id, fondsCode: fonds.code };
    },

    /** A fonds by id or 全宗号; CATALOG_FONDS_NOT_FOUND otherwise. Fonds are public: their records are what the Viewer scopes. */
    async findFonds(db: Executor, idOrCode: string): Promise<{ id: string; code: string; name: string }> {
      const row = await db.selectFrom('fonds').select(['id', 'code', 'name']).where((eb) => eb.or([eb('id', '=', idOrCode), eb('code', '=', idOrCode)])).executeTakeFirst();
      if (!row) throw catalogErrors.CATALOG_FONDS_NOT_FOUND({ id: idOrCode });
      return row;
    },
  };
}
