/**
 * The names facets and hits show for the ids the index holds: fonds, categories and
 * agencies, kept for a few seconds. Read on every search they were three statements on
 * pooled connections (the fonds and category lists, and the agencies by id), about 1.5 ms of
 * a 22 ms search at 100,000 items. A kept list is read again when it lacks an id asked for
 * (a fonds, category or agency added since) and is more than LABELS_RETRY_MS old, so an id
 * that names nothing (a fonds deleted from the catalog while its items are still indexed)
 * costs a read a second, not one every search. What can show late, by at most
 * LABELS_KEPT_MS on each app node, is a rename; a new name shows within LABELS_RETRY_MS.
 */
import type { Database } from '../../platform/db/database.js';
import type { Organisations } from '../accounts/organisations.js';

export interface Named {
  code: string;
  name: string;
}
/** The fonds and categories, by id. */
interface Lists {
  fonds: Map<string, Named>;
  categories: Map<string, Named>;
}
export interface LabelSources {
  listFonds(db: Database['db']): Promise<Array<{ id: string } & Named>>;
  listCategories(db: Database['db']): Promise<Array<{ id: string } & Named>>;
}

/** How long names are kept before they are read again. */
export const LABELS_KEPT_MS = 10_000;
/** How soon names lacking an id asked for are read again. */
export const LABELS_RETRY_MS = 1_000;

const holdsAll = (map: Map<string, Named>, ids: Iterable<string>) => {
  for (const id of ids) if (!map.has(id)) return false;
  return true;
};

export function createLabels(catalog: LabelSources, organisations: Organisations) {
  let kept: { lists: Promise<Lists>; read: number } | null = null;
  /** Each agency's name (null: none found), and when it was read. */
  const agencyNames = new Map<string, { name: string | null; read: number }>();
  const fresh = (read: number, now: number, complete: boolean) => now - read < (complete ? LABELS_KEPT_MS : LABELS_RETRY_MS);

  async function readLists(db: Database['db']): Promise<Lists> {
    const [fonds, categories] = await Promise.all([catalog.listFonds(db), catalog.listCategories(db)]);
    return { fonds: new Map(fonds.map((f) => [f.id, f])), categories: new Map(categories.map((c) => [c.id, c])) };
  }

  return {
    /** The fonds and categories, holding every id asked for that exists. */
    async lists(db: Database['db'], fondsIds: Iterable<string>, categoryIds: Iterable<string>): Promise<Lists> {
      const now = Date.now();
      if (kept !== null && fresh(kept.read, now, true)) {
        const { read } = kept;
        const lists = await kept.lists.catch(() => null);
        if (lists !== null && (fresh(read, now, false) || (holdsAll(lists.fonds, fondsIds) && holdsAll(lists.categories, categoryIds)))) return lists;
      }
      const lists = readLists(db);
      kept = { lists, read: now };
      return lists;
    },

    /** The names of the agencies among `ids` that exist. */
    async agencies(db: Database['db'], ids: readonly string[]): Promise<Map<string, string>> {
      const now = Date.now();
      const stale = ids.filter((id) => {
        const known = agencyNames.get(id);
        return known === undefined || !fresh(known.read, now, known.name !== null);
      });
      if (stale.length > 0) {
        const found = await organisations.find(db, stale);
        for (const id of stale) agencyNames.set(id, { name: found.get(id)?.name ?? null, read: now });
      }
      const names = new Map<string, string>();
      for (const id of ids) {
        const name = agencyNames.get(id)?.name;
        if (name) names.set(id, name);
      }
      return names;
    },
  };
}
