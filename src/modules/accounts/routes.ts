/**
 * HTTP for signing in: the hook that resolves every request's session or API key
 * (with CSRF, second-factor and forced-password-change gates) and /api/auth/*.
 * Account administration (/api/accounts/*) is in admin-routes.ts, organisation
 * scopes and the access policy in access-routes.ts. Each route: validate →
 * authorize (in the service) → command → present. Refusals (401/403) are audited
 * in their own transaction, since the action's transaction rolls back.
 */
import { z } from 'zod';
import type { FastifyRequest } from 'fastify';
import type { Db, Tx } from '../../platform/db/database.js';
import type { HttpServer } from '../../platform/http/server.js';
import type { AccessPolicyStore } from './access-policy.js';
import { registerAccessRoutes } from './access-routes.js';
import { registerAdminRoutes } from './admin-routes.js';
import type { AgencyScopes } from './agency-scopes.js';
import { FILING_API_PREFIX, type ApiKeys } from './api-keys.js';
import type { Auth, SecondFactor, SessionContext } from './auth.js';
import { auditedCommand } from './audited-command.js';
import { accountsErrors } from './errors.js';
import { actorOf, requireSignedIn } from './request-session.js';
import type { AccountsService, Actor, AuditSink } from './service.js';
import type { Viewer } from './viewer.js';

// Other modules and app.ts take these from here.
export { auditActorOf, auditReviewerOf, isArchiveStaff, viewerOf } from './request-session.js';

export const SESSION_COOKIE = 'lantai_session';

export interface AccountsRouteDeps {
  db: Db;
  auth: Auth;
  apiKeys: ApiKeys;
  accounts: AccountsService;
  scopes: AgencyScopes;
  policy: AccessPolicyStore;
  audit: AuditSink;
  secureCookies: boolean;
  zone: Viewer['zone'];
}

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const OPEN_WHILE_PASSWORD_MUST_CHANGE = new Set(['/api/auth/session', '/api/auth/password', '/api/auth/logout', '/api/auth/totp/enrol', '/api/auth/totp/verify']);
const OPEN_BEFORE_SECOND_FACTOR = new Set(['/api/auth/session', '/api/auth/logout', '/api/auth/totp/enrol', '/api/auth/totp/verify']);

/** The platform's job endpoints: staff and admins may follow jobs; only the system admin and archivists cancel them. */
function guardJobs(method: string, session: SessionContext): void {
  const roles = session.viewer.roles;
  const staff = roles.some((r) => r === 'system_admin' || r === 'archivist' || r === 'reading_room' || r === 'approver' || r === 'security_admin' || r === 'auditor');
  const mayCancel = roles.some((r) => r === 'system_admin' || r === 'archivist');
  if (!staff || (method !== 'GET' && !mayCancel)) {
    throw accountsErrors.FORBIDDEN_ROLE({ role: '当前用户', roleEn: 'user', action: method === 'GET' ? '查看作业 / view jobs' : '取消作业 / cancel jobs' });
  }
}

const ok = z.object({ ok: z.literal(true) });

export function registerAccountsRoutes(app: HttpServer, deps: AccountsRouteDeps): void {
  const { db, auth, accounts, audit } = deps;
  app.decorateRequest('session', null);
  app.decorateRequest('apiKey', null);

  app.addHook('onRequest', async (request) => {
    const bearer = /^Bearer (lt_\S+)$/.exec(request.headers.authorization ?? '')?.[1];
    if (bearer) {
      // An OA system's key: its agency, and the filing API only.
      if (!request.url.startsWith(FILING_API_PREFIX)) throw accountsErrors.API_KEY_SCOPE();
      request.apiKey = await deps.apiKeys.authenticate(db, bearer);
      return;
    }
    const token = request.cookies[SESSION_COOKIE];
    if (!token && request.url.startsWith('/api/jobs/')) throw accountsErrors.AUTH_REQUIRED();
    if (!token || !request.url.startsWith('/api/')) return;
    request.session = await auth.session(token, request.ip);
    if (MUTATING.has(request.method) && request.headers['x-csrf-token'] !== request.session.csrfToken) {
      throw accountsErrors.AUTH_CSRF();
    }
    const path = request.url.split('?')[0] ?? '';
    if (path.startsWith('/api/jobs/')) guardJobs(request.method, request.session);
    const second = request.session.secondFactor;
    if ((second === 'verify' || second === 'enrol') && !OPEN_BEFORE_SECOND_FACTOR.has(path)) {
      throw second === 'verify' ? accountsErrors.TOTP_REQUIRED() : accountsErrors.TOTP_ENROL_REQUIRED();
    }
    if (request.session.mustChangePassword && !OPEN_WHILE_PASSWORD_MUST_CHANGE.has(path)) throw accountsErrors.AUTH_PASSWORD_CHANGE_REQUIRED();
  });

  /** Runs a command in one transaction; a refusal is audited on its own. */
  const act = <T>(request: FastifyRequest, action: string, target: { type: string; id: string | null }, command: (tx: Tx, actor: Actor) => Promise<T>): Promise<T> =>
    auditedCommand({ db, audit }, actorOf(request), action, target, command);


  const sessionReply = (s: { csrfToken: string; mustChangePassword: boolean; secondFactor: SecondFactor }, user: { id: string; username: string; displayName: string; roles: readonly string[]; organisationId: string | null }) => ({
    csrfToken: s.csrfToken,
    mustChangePassword: s.mustChangePassword,
    secondFactor: s.secondFactor,
    user: { ...user, roles: [...user.roles] },
  });
  const sessionSchema = z.object({
    csrfToken: z.string(),
    mustChangePassword: z.boolean(),
    secondFactor: z.enum(['not-needed', 'ok', 'verify', 'enrol']),
    user: z.object({ id: z.string(), username: z.string(), displayName: z.string(), roles: z.array(z.string()), organisationId: z.string().nullable() }),
  });

  app.post('/api/auth/login', { schema: { tags: ['accounts'], summary: '登录 / sign in', body: z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(200) }), response: { 200: sessionSchema } } }, async (request, reply) => {
    const signedIn = await auth.login({ ...request.body, address: request.ip, userAgent: request.headers['user-agent'] ?? null });
    reply.setCookie(SESSION_COOKIE, signedIn.token, { path: '/', httpOnly: true, sameSite: 'strict', secure: deps.secureCookies });
    const s = await auth.session(signedIn.token, request.ip);
    return sessionReply(s, { id: s.viewer.userId ?? '', username: s.actor.username ?? '', displayName: s.displayName, roles: s.viewer.roles, organisationId: s.viewer.organisationId });
  });

  app.get('/api/auth/session', { schema: { tags: ['accounts'], summary: '当前会话 / the current session', response: { 200: sessionSchema } } }, async (request) => {
    const s = requireSignedIn(request);
    return sessionReply(s, { id: s.viewer.userId ?? '', username: s.actor.username ?? '', displayName: s.displayName, roles: s.viewer.roles, organisationId: s.viewer.organisationId });
  });

  app.post('/api/auth/logout', { schema: { tags: ['accounts'], summary: '退出（可退出所有设备）/ sign out, optionally everywhere', body: z.object({ everywhere: z.boolean().default(false) }).default({ everywhere: false }), response: { 200: ok } } }, async (request, reply) => {
    const s = requireSignedIn(request);
    await auth.logout(s.sessionId, request.body.everywhere, s.actor);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return { ok: true as const };
  });

  app.post('/api/auth/totp/enrol', { schema: { tags: ['accounts'], summary: '绑定动态口令验证器 / enrol a TOTP authenticator', response: { 200: z.object({ uri: z.string(), qrDataUrl: z.string() }) } } }, async (request) => auth.beginTotp(requireSignedIn(request)));

  app.post('/api/auth/totp/verify', { schema: { tags: ['accounts'], summary: '验证动态口令 / pass the TOTP check (also confirms enrolment)', body: z.object({ code: z.string().max(10) }), response: { 200: ok } } }, async (request) => {
    await auth.verifyTotp(requireSignedIn(request), request.body.code);
    return { ok: true as const };
  });

  app.post('/api/auth/password', { schema: { tags: ['accounts'], summary: '修改本人密码 / change your password', body: z.object({ current: z.string().min(1).max(200), next: z.string().min(1).max(200) }), response: { 200: ok } } }, async (request) => {
    const s = requireSignedIn(request);
    await act(request, 'accounts.user.change-password', { type: 'user', id: s.viewer.userId }, (tx, actor) => accounts.changeOwnPassword(tx, actor, request.body.current, request.body.next));
    return { ok: true as const };
  });

  registerAdminRoutes(app, { db, accounts, apiKeys: deps.apiKeys, audit });
  registerAccessRoutes(app, { db, audit, scopes: deps.scopes, policy: deps.policy });
}
