/**
 * Who a request speaks for, as the accounts module's sign-in hook (routes.ts)
 * leaves it on the request: the session or nobody, the filing agency of an API
 * key, and the Viewer and audit actor derived from them. Other modules' routes
 * ask here rather than read the session themselves.
 */
import type { FastifyRequest } from 'fastify';
import type { ApiKeyPrincipal } from './api-keys.js';
import type { SessionContext } from './auth.js';
import { accountsErrors } from './errors.js';
import { ARCHIVE_STAFF_ROLES, isAdminRole } from './model.js';
import type { Actor } from './service.js';
import { anonymousViewer, type Viewer } from './viewer.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in session, or null for anonymous requests (set by the accounts module). */
    session: SessionContext | null;
    /** The filing agency an API key stands for, on /api/filing/ routes only. */
    apiKey: ApiKeyPrincipal | null;
  }
}

/** The Viewer of a request: the session's, or an anonymous visitor of this zone. */
export function viewerOf(request: FastifyRequest, zone: Viewer['zone']): Viewer {
  return request.session?.viewer ?? anonymousViewer(zone);
}

export function actorOf(request: FastifyRequest): Actor {
  return request.session?.actor ?? { userId: null, username: null, roles: [], organisationId: null, address: request.ip };
}

export function requireSignedIn(request: FastifyRequest): SessionContext {
  if (!request.session) throw accountsErrors.AUTH_REQUIRED();
  return request.session;
}

/** The audit reviewer a request speaks for (三员分立: the auditor reviews the two admins, the security admin ordinary users). */
export function auditReviewerOf(request: FastifyRequest): 'auditor' | 'security_admin' | null {
  const roles = requireSignedIn(request).viewer.roles;
  return roles.includes('auditor') ? 'auditor' : roles.includes('security_admin') ? 'security_admin' : null;
}

/** The actor of a request as the audit log records it. */
export function auditActorOf(request: FastifyRequest): Actor & { roles: string[] } {
  const actor = actorOf(request);
  return { ...actor, roles: [...actor.roles] };
}

/**
 * Whether the request comes from the archive's own staff or one of its admins,
 * who may see how the installation runs (database, stores, paths); visitors,
 * agencies' clerks and government users may not.
 */
export function isArchiveStaff(request: FastifyRequest): boolean {
  return request.session?.viewer.roles.some((r) => isAdminRole(r) || ARCHIVE_STAFF_ROLES.includes(r)) ?? false;
}
