/**
 * The names facets and hits show for the ids the index holds: fonds, categories and
 * agencies, kept for a few seconds. Read on every search they were three statements on
 * pooled connections (the fonds and category lists, and the agencies by id), about 1.5 ms of
 * a 22 ms search at 100,000 items. A kept list is read again at once when it lacks an id
 * asked for (a fonds, category or agency added since), so what can show late, by at most
 * LABELS_KEPT_MS on each app node, is only a rename.
 */
import type { Database } from '../../platform/db/database.js';
import type { Organisations } from '../accounts/organisations.js';

export interface Named {
  code: string;
  name: string;
}
/** The fonds and categories, by id. */
export interface Lists {
  fonds: Map<string, Named>;
  categories: Map<string, Named>;
}
export interface LabelSources {
  listFonds(db: Database['db']): Promise<Array<{ id: string } & Named>>;
  listCategories(db: Database['db']): Promise<Array<{ id: string } & Named>>;
}

/** How long names are kept before they are read again. */
export const LABELS_KEPT_MS = 10_000;

const holdsAll = (map: Map<string, Named>, ids: Iterable<string>) => {
  for (const id of ids) if (!map.has(id)) return false;
  return true;
};

export function createLabels(catalog: LabelSources, organisations: Organisations) {
  let kept: { lists: Promise<Lists>; until: number } | null = null;
  const agencyNames = new Map<string, { name: string; until: number }>();

  async function readLists(db: Database['db']): Promise<Lists> {
    const [fonds, categories] = await Promise.all([catalog.listFonds(db), catalog.listCategories(db)]);
    return { fonds: new Map(fonds.map((f) => [f.id, f])), categories: new Map(categories.map((c) => [c.id, c])) };
  }

  return {
    /** The fonds and categories, holding every id asked for that exists. */
    async lists(db: Database['db'], fondsIds: Iterable<string>, categoryIds: Iterable<string>): Promise<Lists> {
      const now = Date.now();
      if (kept !== null && kept.until > now) {
        const lists = await kept.lists.catch(() => null);
        if (lists !== null && holdsAll(lists.fonds, fondsIds) && holdsAll(lists.categories, categoryIds)) return lists;
      }
      const lists = readLists(db);
      kept = { lists, until: now + LABELS_KEPT_MS };
      return lists;
    },

    /** The names of the agencies among `ids` that exist. */
    async agencies(db: Database['db'], ids: readonly string[]): Promise<Map<string, string>> {
      const now = Date.now();
      const stale = ids.filter((id) => (agencyNames.get(id)?.until ?? 0) <= now);
      if (stale.length > 0) {
        const found = await organisations.find(db, stale);
        for (const id of stale) {
          const agency = found.get(id);
          if (agency) agencyNames.set(id, { name: agency.name, until: now + LABELS_KEPT_MS });
          else agencyNames.delete(id);
        }
      }
      const names = new Map<string, string>();
      for (const id of ids) {
        const kept = agencyNames.get(id);
        if (kept) names.set(id, kept.name);
      }
      return names;
    },
  };
}

export type Labels = ReturnType<typeof createLabels>;
