/** Queries over access grants (accounts module). */
import type { Executor } from '../../platform/db/database.js';
import { credentialStatus, type GrantFilter, type GrantView } from './model.js';
import type { ViewerGrant } from './viewer.js';
import './tables.js';

/** The unexpired, unrevoked grants to a user or to their organisation, for the Viewer. */
export async function activeGrants(db: Executor, userId: string, organisationId: string | null, now: Date = new Date()): Promise<ViewerGrant[]> {
  const at = now.toISOString();
  const rows = await db
    .selectFrom('access_grants')
    .select(['subject_type', 'subject_id', 'level', 'expires_at'])
    .where('revoked_at', 'is', null)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', at)]))
    .where((eb) => (organisationId ? eb.or([eb('grantee_user_id', '=', userId), eb('grantee_organisation_id', '=', organisationId)]) : eb('grantee_user_id', '=', userId)))
    .execute();
  return rows.map((r) => ({ subjectType: r.subject_type, subjectId: r.subject_id, level: r.level, expiresAt: r.expires_at }));
}

/** Every grant, active or not, newest first, with the names of grantee, granter and revoker: one query. */
export function grantListQuery(db: Executor, filter: GrantFilter) {
  let query = db
    .selectFrom('access_grants as g')
    .leftJoin('users as grantee_user', 'grantee_user.id', 'g.grantee_user_id')
    .leftJoin('organisations as grantee_org', 'grantee_org.id', 'g.grantee_organisation_id')
    .leftJoin('users as granter', 'granter.id', 'g.granted_by')
    .leftJoin('users as revoker', 'revoker.id', 'g.revoked_by')
    .select([
      'g.id', 'g.grantee_user_id', 'g.grantee_organisation_id', 'g.subject_type', 'g.subject_id', 'g.level', 'g.expires_at', 'g.granted_by', 'g.granted_at', 'g.revoked_at', 'g.revoked_by',
      'grantee_user.username as grantee_username', 'grantee_user.display_name as grantee_display_name', 'grantee_org.name as grantee_org_name', 'granter.username as granter_username', 'revoker.username as revoker_username',
    ]);
  if (filter.granteeUserId) query = query.where('g.grantee_user_id', '=', filter.granteeUserId);
  if (filter.granteeOrganisationId) query = query.where('g.grantee_organisation_id', '=', filter.granteeOrganisationId);
  return query.orderBy('g.granted_at', 'desc').orderBy('g.id', 'desc').limit(filter.limit);
}

export async function listGrants(db: Executor, filter: GrantFilter, now: Date = new Date()): Promise<GrantView[]> {
  const rows = await grantListQuery(db, filter).execute();
  return rows.map((r) => ({
    id: r.id,
    grantee: r.grantee_user_id !== null
      ? { kind: 'user' as const, id: r.grantee_user_id, name: r.grantee_display_name, username: r.grantee_username }
      : { kind: 'organisation' as const, id: r.grantee_organisation_id ?? '', name: r.grantee_org_name, username: null },
    subjectType: r.subject_type,
    subjectId: r.subject_id,
    level: r.level,
    expiresAt: r.expires_at,
    grantedAt: r.granted_at,
    grantedBy: { id: r.granted_by, username: r.granter_username },
    revokedAt: r.revoked_at,
    revokedBy: r.revoked_by === null ? null : { id: r.revoked_by, username: r.revoker_username },
    status: credentialStatus(r.revoked_at, r.expires_at, now),
  }));
}
