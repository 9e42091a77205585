/**
 * HTTP for account administration (/api/accounts/*): organisations, accounts,
 * roles and clearances, filing-API keys, access grants. Each route: validate →
 * authorize (in the service, after 三员分立) → command → present; a refusal is
 * audited in its own transaction (audited-command.ts).
 */
import { z } from 'zod';
import type { FastifyRequest } from 'fastify';
import type { Db, Tx } from '../../platform/db/database.js';
import type { HttpServer } from '../../platform/http/server.js';
import type { ApiKeys } from './api-keys.js';
import { auditedCommand } from './audited-command.js';
import { accountsErrors } from './errors.js';
import { apiKeyViewSchema, classificationSchema, grantFilterSchema, grantViewSchema, organisationKindSchema, roleSchema, usernameSchema } from './model.js';
import { actorOf, requireSignedIn } from './request-session.js';
import type { AccountsService, Actor, AuditSink } from './service.js';

const userBody = z.object({
  username: usernameSchema,
  displayName: z.string().trim().min(1).max(100),
  organisationId: z.string().min(1).max(64),
  password: z.string().min(1).max(200),
});
const idParams = z.object({ id: z.string().min(1).max(64) });
const ok = z.object({ ok: z.literal(true) });

/** Lists of accounts are for the system admin (who manages them) and the security admin (who grants to them). */
function requireAdminReader(request: FastifyRequest): void {
  const s = requireSignedIn(request);
  if (!s.viewer.roles.some((r) => r === 'system_admin' || r === 'security_admin')) {
    throw accountsErrors.FORBIDDEN_ROLE({ role: '当前用户', roleEn: 'user', action: '查看账号列表 / list accounts' });
  }
}

export function registerAdminRoutes(app: HttpServer, deps: { db: Db; accounts: AccountsService; apiKeys: ApiKeys; audit: AuditSink }): void {
  const { db, accounts, apiKeys, audit } = deps;
  /** Runs a command in one transaction; a refusal is audited on its own. */
  const act = <T>(request: FastifyRequest, action: string, target: { type: string; id: string | null }, command: (tx: Tx, actor: Actor) => Promise<T>): Promise<T> =>
    auditedCommand({ db, audit }, actorOf(request), action, target, command);

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
    const issued = await act(request, 'accounts.api-key.issue', { type: 'organisation', id: request.body.organisationId }, (tx, actor) => apiKeys.issue(tx, actor, request.body));
    return reply.status(201).send(issued);
  });

  app.delete('/api/accounts/api-keys/:id', { schema: { tags: ['accounts'], summary: '吊销接口密钥（系统管理员）/ revoke an API key', params: idParams, response: { 200: ok } } }, async (request) => {
    requireSignedIn(request);
    await act(request, 'accounts.api-key.revoke', { type: 'api_key', id: request.params.id }, (tx, actor) => apiKeys.revoke(tx, actor, request.params.id));
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

  app.get('/api/accounts/grants', { schema: { tags: ['accounts'], summary: '利用权限列表，含已过期和已撤销的（安全保密管理员）/ access grants, active, expired and revoked (security admin)', querystring: grantFilterSchema, response: { 200: z.array(grantViewSchema) } } }, async (request) => {
    requireSignedIn(request);
    return act(request, 'accounts.grant.list', { type: 'grant', id: null }, (tx, actor) => accounts.listGrants(tx, actor, request.query));
  });

  app.get('/api/accounts/api-keys', { schema: { tags: ['accounts'], summary: '移交接口密钥列表，不含密钥本身（系统管理员）/ filing-API keys, never the secret (system admin)', response: { 200: z.array(apiKeyViewSchema) } } }, async (request) => {
    requireSignedIn(request);
    return act(request, 'accounts.api-key.list', { type: 'api_key', id: null }, (tx, actor) => apiKeys.list(tx, actor));
  });
}
