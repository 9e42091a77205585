/**
 * Organisations as other modules may read them (DESIGN.md: a module never reads
 * another's tables, so the accounts module hands this out).
 */
import type { Executor } from '../../platform/db/database.js';
import type { OrganisationKind } from './model.js';
import './tables.js';

export interface OrganisationRef {
  id: string;
  kind: OrganisationKind;
  code: string | null;
  name: string;
  disabled: boolean;
}

/** The organisations with these ids (missing ids are absent from the map). */
export async function findOrganisations(db: Executor, ids: readonly string[]): Promise<Map<string, OrganisationRef>> {
  const out = new Map<string, OrganisationRef>();
  const unique = [...new Set(ids)];
  for (let i = 0; i < unique.length; i += 500) {
    const rows = await db.selectFrom('organisations').select(['id', 'kind', 'code', 'name', 'disabled']).where('id', 'in', unique.slice(i, i + 500)).execute();
    for (const r of rows) out.set(r.id, { id: r.id, kind: r.kind, code: r.code, name: r.name, disabled: r.disabled === 1 });
  }
  return out;
}

/** Every filing agency, by name. */
export async function listAgencies(db: Executor): Promise<OrganisationRef[]> {
  const rows = await db.selectFrom('organisations').select(['id', 'kind', 'code', 'name', 'disabled']).where('kind', '=', 'agency').orderBy('name').execute();
  return rows.map((r) => ({ id: r.id, kind: r.kind, code: r.code, name: r.name, disabled: r.disabled === 1 }));
}

/** The archive this installation serves (its one organisation of kind 'archive'). */
export async function findArchive(db: Executor): Promise<OrganisationRef | null> {
  const r = await db.selectFrom('organisations').select(['id', 'kind', 'code', 'name', 'disabled']).where('kind', '=', 'archive').orderBy('created_at').executeTakeFirst();
  return r ? { id: r.id, kind: r.kind, code: r.code, name: r.name, disabled: r.disabled === 1 } : null;
}

/** Display names of users (as reports name the people who did something), by id. */
export async function findUserNames(db: Executor, ids: readonly string[]): Promise<Map<string, string>> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Map();
  const rows = await db.selectFrom('users').select(['id', 'username', 'display_name']).where('id', 'in', unique.slice(0, 500)).execute();
  return new Map(rows.map((r) => [r.id, `${r.display_name}（${r.username}）`]));
}

export type Organisations = { find: typeof findOrganisations; agencies: typeof listAgencies; archive: typeof findArchive };
export const organisations: Organisations = { find: findOrganisations, agencies: listAgencies, archive: findArchive };
