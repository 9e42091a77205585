/** Queries over access grants (accounts module). */
import type { Executor } from '../../platform/db/database.js';
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
