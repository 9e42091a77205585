/**
 * HTTP for sign-in and account administration. Each route: validate → authorize
 * (in the service) → command → present. Refusals (401/403) are audited in their own
 * transaction, since the action's transaction rolls back.
 */
import { z } from 'zod';
import type { FastifyRequest } from 'fastify';
import type { Db, Tx } from '../../platform/db/database.js';
import { LantaiError } from '../../platform/http/errors.js';
import type { HttpServer } from '../../platform/http/server.js';
import { FILING_API_PREFIX, type ApiKeyPrincipal, type ApiKeys } from './api-keys.js';
import type { Auth, SecondFactor, SessionContext } from './auth.js';
import { accountsErrors } from './errors.js';
import { classificationSchema, organisationKindSchema, roleSchema } from './model.js';
import type { AccountsService, Actor, AuditSink } from './service.js';
import { anonymousViewer, type Viewer } from './viewer.js';

export const SESSION_COOKIE = 'lantai_session';

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in session, or null for anonymous requests (set by the accounts module). */
    session: SessionContext | null;
    /** The filing agency an API key stands for, on /api/filing/ routes only. */
    apiKey: ApiKeyPrincipal | null;
  }
}

export interface AccountsRouteDeps {
  db: Db;
  auth: Auth;
  apiKeys: ApiKeys;
  accounts: AccountsService;
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

/** The Viewer of a request: the session's, or an anonymous visitor of this zone. */
export function viewerOf(request: FastifyRequest, zone: Viewer['zone']): Viewer {
  return request.session?.viewer ?? anonymousViewer(zone);
}

function actorOf(request: FastifyRequest): Actor {
  return request.session?.actor ?? { userId: null, username: null, roles: [], organisationId: null, address: request.ip };
}

/** The audit reviewer a request speaks for (三员分立: the auditor reviews the two admins, the security admin ordinary users). */
export function auditReviewerOf(request: FastifyRequest): 'auditor' | 'security_admin' | null {
  if (!request.session) throw accountsErrors.AUTH_REQUIRED();
  const roles = request.session.viewer.roles;
  return roles.includes('auditor') ? 'auditor' : roles.includes('security_admin') ? 'security_admin' : null;
}

/** The actor of a request as the audit log records it. */
export function auditActorOf(request: FastifyRequest): Actor & { roles: string[] } {
  const actor = actorOf(request);
  return { ...actor, roles: [...actor.roles] };
}

const userBody = z.object({
  username: z.string().regex(/^[A-Za-z0-9_.-]{3,64}$/, '3–64 letters, digits, _ . -'),
  displayName: z.string().trim().min(1).max(100),
  organisationId: z.string().min(1).max(64),
  password: z.string().min(1).max(200),
});
const idParams = z.object({ id: z.string().min(1).max(64) });
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
  async function act<T>(request: FastifyRequest, action: string, target: { type: string; id: string | null }, command: (tx: Tx, actor: Actor) => Promise<T>): Promise<T> {
    const actor = actorOf(request);
    try {
      return await db.transaction().execute((tx) => command(tx, actor));
    } catch (err) {
      if (err instanceof LantaiError && (err.status === 401 || err.status === 403)) {
        await db.transaction().execute((tx) => audit.append(tx, { actor: { ...actor, roles: [...actor.roles] }, action, target, result: 'refused', reason: err.code }));
      }
      throw err;
    }
  }

  const requireSignedIn = (request: FastifyRequest): SessionContext => {
    if (!request.session) throw accountsErrors.AUTH_REQUIRED();
    return request.session;
  };
  /** Lists of accounts are for the system admin (who manages them) and the security admin (who grants to them). */
  const requireAdminReader = (request: FastifyRequest): void => {
    const s = requireSignedIn(request);
    if (!s.viewer.roles.some((r) => r === 'system_admin' || r === 'security_admin')) {
      throw accountsErrors.FORBIDDEN_ROLE({ role: '当前用户', roleEn: 'user', action: '查看账号列表 / list accounts' });
    }
  };

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

  app.get('/api/accounts/organisations', { schema: { tags: ['accounts'], summary: '单位列表（系统管理员、安全保密管理员）/ organisations', response: { 200: z.array(z.object({ id: z.string(), kind: z.string(), code: z.string().nullable(), name: z.string(), disabled: z.boolean() })) } } }, async (request) => {
    requireAdminReader(request);
    const rows = await db.selectFrom('organisations').select(['id', 'kind', 'code', 'name', 'disabled']).orderBy('kind').orderBy('code').execute();
    return rows.map((r) => ({ ...r, disabled: r.disabled === 1 }));
  });

  app.get('/api/accounts/users', { schema: { tags: ['accounts'], summary: '账号列表（系统管理员、安全保密管理员）/ accounts with roles and clearance', response: { 200: z.array(z.object({ id: z.string(), username: z.string(), displayName: z.string(), organisationId: z.string(), organisationName: z.string(), roles: z.array(z.string()), clearance: z.string(), disabled: z.boolean(), mustChangePassword: z.boolean(), totpEnabled: z.boolean() })) } } }, async (request) => {
    requireAdminReader(request);
    const users = await db.selectFrom('users').innerJoin('organisations', 'organisations.id', 'users.organisation_id').select(['users.id', 'users.username', 'users.display_name', 'users.organisation_id', 'organisations.name as organisation_name', 'users.clearance', 'users.disabled', 'users.must_change_password', 'users.totp_enabled']).orderBy('users.username').execute();
    const roles = await db.selectFrom('user_roles').select(['user_id', 'role']).execute();
    return users.map((u) => ({
      id: u.id, username: u.username, displayName: u.display_name, organisationId: u.organisation_id, organisationName: u.organisation_name,
      roles: roles.filter((r) => r.user_id === u.id).map((r) => r.role).sort(), clearance: u.clearance, disabled: u.disabled === 1, mustChangePassword: u.must_change_password === 1, totpEnabled: u.totp_enabled === 1,
    }));
  });

  app.post('/api/accounts/organisations', { schema: { tags: ['accounts'], summary: '新建单位（系统管理员）/ create an organisation', body: z.object({ kind: organisationKindSchema, code: z.string().max(32).nullable().default(null), name: z.string().trim().min(1).max(200), parentId: z.string().max(64).nullable().default(null) }), response: { 201: z.object({ id: z.string() }) } } }, async (request, reply) => {
    requireSignedIn(request);
    const id = await act(request, 'accounts.organisation.create', { type: 'organisation', id: null }, (tx, actor) => accounts.createOrganisation(tx, actor, request.body));
    return reply.status(201).send({ id });
  });

  app.post('/api/accounts/users', { schema: { tags: ['accounts'], summary: '新建账号（系统管理员）/ create an account', body: userBody, response: { 201: z.object({ id: z.string() }) } } }, async (request, reply) => {
    requireSignedIn(request);
    const id = await act(request, 'accounts.user.create', { type: 'user', id: null }, (tx, actor) => accounts.createUser(tx, actor, request.body));
    return reply.status(201).send({ id });
  });

  for (const [path, disabled] of [['disable', true], ['enable', false]] as const) {
    app.post(`/api/accounts/users/:id/${path}`, { schema: { tags: ['accounts'], summary: `${disabled ? '停用' : '启用'}账号（系统管理员）/ ${path} an account`, params: idParams, response: { 200: ok } } }, async (request) => {
      requireSignedIn(request);
      await act(request, `accounts.user.${path}`, { type: 'user', id: request.params.id }, (tx, actor) => accounts.setDisabled(tx, actor, request.params.id, disabled));
      return { ok: true as const };
    });
  }

  app.post('/api/accounts/users/:id/reset-password', { schema: { tags: ['accounts'], summary: '重置密码（系统管理员）/ reset a password', params: idParams, body: z.object({ temporaryPassword: z.string().min(1).max(200) }), response: { 200: ok } } }, async (request) => {
    requireSignedIn(request);
    await act(request, 'accounts.user.reset-password', { type: 'user', id: request.params.id }, (tx, actor) => accounts.resetPassword(tx, actor, request.params.id, request.body.temporaryPassword));
    return { ok: true as const };
  });

  app.put('/api/accounts/users/:id/roles', { schema: { tags: ['accounts'], summary: '设置角色（安全保密管理员）/ set roles', params: idParams, body: z.object({ roles: z.array(roleSchema).max(9) }), response: { 200: ok } } }, async (request) => {
    requireSignedIn(request);
    await act(request, 'accounts.user.roles', { type: 'user', id: request.params.id }, (tx, actor) => accounts.setRoles(tx, actor, request.params.id, request.body.roles));
    return { ok: true as const };
  });

  app.post('/api/accounts/api-keys', { schema: { tags: ['accounts'], summary: '为立档单位签发移交接口密钥（系统管理员；密钥只显示一次）/ issue a filing-API key to an agency (shown once)', body: z.object({ organisationId: z.string().min(1).max(64), name: z.string().trim().min(1).max(100), days: z.number().int().min(1).max(366).default(365) }), response: { 201: z.object({ id: z.string(), key: z.string(), expiresAt: z.string() }) } } }, async (request, reply) => {
    requireSignedIn(request);
    const issued = await act(request, 'accounts.api-key.issue', { type: 'organisation', id: request.body.organisationId }, (tx, actor) => deps.apiKeys.issue(tx, actor, request.body));
    return reply.status(201).send(issued);
  });

  app.delete('/api/accounts/api-keys/:id', { schema: { tags: ['accounts'], summary: '吊销接口密钥（系统管理员）/ revoke an API key', params: idParams, response: { 200: ok } } }, async (request) => {
    requireSignedIn(request);
    await act(request, 'accounts.api-key.revoke', { type: 'api_key', id: request.params.id }, (tx, actor) => deps.apiKeys.revoke(tx, actor, request.params.id));
    return { ok: true as const };
  });

  app.put('/api/accounts/users/:id/clearance', { schema: { tags: ['accounts'], summary: '设置涉密等级（安全保密管理员）/ set clearance', params: idParams, body: z.object({ clearance: classificationSchema }), response: { 200: ok } } }, async (request) => {
    requireSignedIn(request);
    await act(request, 'accounts.user.clearance', { type: 'user', id: request.params.id }, (tx, actor) => accounts.setClearance(tx, actor, request.params.id, request.body.clearance));
    return { ok: true as const };
  });

  app.post('/api/accounts/grants', {
    schema: {
      tags: ['accounts'],
      summary: '授予利用权限（安全保密管理员）/ grant access to a record, volume or fonds',
      body: z.object({ userId: z.string().max(64).optional(), organisationId: z.string().max(64).optional(), subjectType: z.enum(['record', 'volume', 'fonds']), subjectId: z.string().min(1).max(64), level: z.enum(['catalog', 'content']), expiresAt: z.iso.datetime().nullable().default(null) }).refine((b) => Boolean(b.userId) !== Boolean(b.organisationId), 'exactly one of userId and organisationId'),
      response: { 201: z.object({ id: z.string() }) },
    },
  }, async (request, reply) => {
    requireSignedIn(request);
    const id = await act(request, 'accounts.grant.create', { type: request.body.subjectType, id: request.body.subjectId }, (tx, actor) => accounts.grantAccess(tx, actor, request.body));
    return reply.status(201).send({ id });
  });

  app.delete('/api/accounts/grants/:id', { schema: { tags: ['accounts'], summary: '撤销利用权限（安全保密管理员）/ revoke a grant', params: idParams, response: { 200: ok } } }, async (request) => {
    requireSignedIn(request);
    await act(request, 'accounts.grant.revoke', { type: 'grant', id: request.params.id }, (tx, actor) => accounts.revokeAccess(tx, actor, request.params.id));
    return { ok: true as const };
  });
}
