/**
 * What the search module indexes of each record, handed out by the catalog (which owns
 * the records): the description, the Viewer's fields and the files. Part of the catalog
 * service (service.ts spreads these in). Not scoped by a Viewer: the index stores every
 * record with its visibility fields and applies the Viewer when it answers.
 */
import type { Executor } from '../../platform/db/database.js';

export interface FeedFile {
  id: string;
  name: string;
  mime: string | null;
  sha256: string;
  size: number;
  position: number;
}

export interface FeedRecord {
  id: string;
  fondsId: string;
  categoryId: string;
  agencyId: string;
  volumeId: string | null;
  classification: string;
  control: string | null;
  openness: string;
  year: number;
  retention: string;
  date: string;
  archivalCode: string | null;
  title: string;
  responsible: string;
  docNumber: string | null;
  /** Keywords, subject terms, abstract, recipients, remarks and the category's own fields, one per line. */
  other: string;
  files: FeedFile[];
}

export function searchFeed() {
  return {
    /** The records of `ids` that exist, with their files in order. */
    async searchFeed(db: Executor, ids: readonly string[]): Promise<FeedRecord[]> {
      if (ids.length === 0) return [];
      const rows = await db.selectFrom('records').selectAll().where('id', 'in', ids).execute();
      const files = await db.selectFrom('record_files').select(['id', 'record_id', 'name', 'mime', 'sha256', 'size', 'position']).where('record_id', 'in', ids).orderBy('record_id').orderBy('position').execute();
      const byRecord = new Map<string, FeedFile[]>();
      for (const f of files) {
        const list = byRecord.get(f.record_id) ?? [];
        list.push({ id: f.id, name: f.name, mime: f.mime, sha256: f.sha256, size: Number(f.size), position: f.position });
        byRecord.set(f.record_id, list);
      }
      return rows.map((r) => {
        let extensions: string[] = [];
        try {
          extensions = Object.values(JSON.parse(r.extensions) as Record<string, unknown>).filter((v): v is string | number => typeof v === 'string' || typeof v === 'number').map(String);
        } catch {
          extensions = [];
        }
        const other = [r.keywords, r.subject_terms, r.abstract, r.main_recipients, r.copy_recipients, r.doc_type, r.remarks, ...extensions].filter((v): v is string => typeof v === 'string' && v.trim() !== '').join('\n');
        return {
          id: r.id,
          fondsId: r.fonds_id,
          categoryId: r.category_id,
          agencyId: r.agency_id,
          volumeId: r.volume_id,
          classification: r.classification,
          control: r.control,
          openness: r.openness,
          year: r.year,
          retention: r.retention,
          date: r.date,
          archivalCode: r.archival_code,
          title: r.title,
          responsible: r.responsible,
          docNumber: r.doc_number,
          other,
          files: byRecord.get(r.id) ?? [],
        };
      });
    },

    /** Record ids in id order after `after` (a rebuild's cursor), optionally of one fonds. */
    async recordIdsForIndex(db: Executor, options: { after: string | null; fondsId?: string | null; limit: number }): Promise<string[]> {
      let q = db.selectFrom('records').select('id').orderBy('id').limit(options.limit);
      if (options.after !== null) q = q.where('id', '>', options.after);
      if (options.fondsId) q = q.where('fonds_id', '=', options.fondsId);
      return (await q.execute()).map((r) => r.id);
    },

    /** How many records a rebuild covers (for its progress bar). */
    async countRecordsForIndex(db: Executor, fondsId?: string | null): Promise<number> {
      let q = db.selectFrom('records').select((eb) => eb.fn.countAll<number>().as('n'));
      if (fondsId) q = q.where('fonds_id', '=', fondsId);
      return Number((await q.executeTakeFirstOrThrow()).n);
    },
  };
}
