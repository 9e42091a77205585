/**
 * Organisation scopes: the security admin may restrict an archive-staff user
 * (archivist, reading-room staff, approver) to the filing agencies they are
 * responsible for. A user without scope rows keeps the staff privilege over every
 * agency; with rows, only over those agencies' records — elsewhere they see what
 * any signed-in user sees (grants still apply). The Viewer applies the scope
 * (viewer.ts); this file stores it, loads it with the session, and holds the rules
 * for changing it: security admin only, never for themselves, agencies only,
 * staff users only, every change audited.
 */
import type { Executor, Tx } from '../../platform/db/database.js';
import { accountsErrors } from './errors.js';
import { ARCHIVE_STAFF_ROLES, type AgencyScope, type Role } from './model.js';
import { requireRole, type Actor, type AuditSink } from './service.js';
import './tables.js';

/** The agencies an archive-staff user is scoped to, for the Viewer; null when no scope is set (every agency). */
export async function agencyScopesOf(db: Executor, userId: string): Promise<string[] | null> {
  const rows = await db.selectFrom('user_agency_scopes').select('agency_id').where('user_id', '=', userId).orderBy('agency_id').execute();
  return rows.length === 0 ? null : rows.map((r) => r.agency_id);
}


export function createAgencyScopes(deps: { audit: AuditSink }) {
  return {
    /** Security admin only: the users with a scope and their agencies, or one user's (an empty list: no scope). */
    async list(db: Executor, actor: Actor, filter: { userId?: string }): Promise<AgencyScope[]> {
      requireRole(actor, ['security_admin'], '查看业务范围 / list organisation scopes');
      let query = db.selectFrom('user_agency_scopes').select(['user_id', 'agency_id']).orderBy('user_id').orderBy('agency_id');
      if (filter.userId) query = query.where('user_id', '=', filter.userId);
      const byUser = new Map<string, string[]>();
      for (const r of await query.execute()) byUser.set(r.user_id, [...(byUser.get(r.user_id) ?? []), r.agency_id]);
      if (filter.userId && !byUser.has(filter.userId)) return [{ userId: filter.userId, agencyIds: [] }];
      return [...byUser].map(([userId, agencyIds]) => ({ userId, agencyIds }));
    },

    /**
     * Security admin only, never for themselves: replaces a staff user's scope with
     * these filing agencies; an empty list lifts the scope (every agency again).
     * Takes effect at the user's next request, as the Viewer is built per request.
     */
    async set(tx: Tx, actor: Actor, userId: string, agencyIds: readonly string[]): Promise<void> {
      requireRole(actor, ['security_admin'], '设置业务范围 / set organisation scope');
      if (actor.userId === userId) throw accountsErrors.SELF_GRANT();
      const user = await tx.selectFrom('users').select(['id', 'username']).where('id', '=', userId).executeTakeFirst();
      if (!user) throw accountsErrors.USER_NOT_FOUND({ id: userId });
      const wanted = [...new Set(agencyIds)].sort();
      if (wanted.length > 0) {
        const roles = (await tx.selectFrom('user_roles').select('role').where('user_id', '=', userId).execute()).map((r) => r.role as Role);
        if (!roles.some((r) => ARCHIVE_STAFF_ROLES.includes(r))) throw accountsErrors.SCOPE_STAFF_ONLY({ username: user.username });
        const agencies = await tx.selectFrom('organisations').select('id').where('id', 'in', wanted).where('kind', '=', 'agency').execute();
        const missing = wanted.find((id) => !agencies.some((a) => a.id === id));
        if (missing !== undefined) throw accountsErrors.SCOPE_AGENCY_ONLY({ id: missing });
      }
      const before = (await agencyScopesOf(tx, userId)) ?? [];
      await tx.deleteFrom('user_agency_scopes').where('user_id', '=', userId).execute();
      if (wanted.length > 0) {
        const at = new Date().toISOString();
        await tx.insertInto('user_agency_scopes').values(wanted.map((agencyId) => ({ user_id: userId, agency_id: agencyId, granted_by: actor.userId ?? 'lantai', granted_at: at }))).execute();
      }
      await deps.audit.append(tx, { actor: { ...actor, roles: [...actor.roles] }, action: 'accounts.user.scopes', target: { type: 'user', id: userId, label: user.username }, result: 'ok', details: { before, after: wanted } });
    },
  };
}

export type AgencyScopes = ReturnType<typeof createAgencyScopes>;
