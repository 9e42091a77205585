/**
 * HTTP for what the security admin sets beyond roles, clearances and grants:
 * staff users' organisation scopes (/api/accounts/scopes, …/users/:id/scopes)
 * and the access policy (/api/accounts/access-policy). Validate → authorize (in
 * agency-scopes.ts and access-policy.ts: security admin only) → command → present;
 * a refusal is audited in its own transaction (audited-command.ts).
 */
import { z } from 'zod';
import type { FastifyRequest } from 'fastify';
import type { Db, Tx } from '../../platform/db/database.js';
import type { HttpServer } from '../../platform/http/server.js';
import type { AccessPolicyStore } from './access-policy.js';
import type { AgencyScopes } from './agency-scopes.js';
import { auditedCommand } from './audited-command.js';
import { accessPolicyPatchSchema, accessPolicySchema, accessPolicyViewSchema, agencyScopeSchema } from './model.js';
import { actorOf, requireSignedIn } from './request-session.js';
import type { Actor, AuditSink } from './service.js';

const idParams = z.object({ id: z.string().min(1).max(64) });
const ok = z.object({ ok: z.literal(true) });

export function registerAccessRoutes(app: HttpServer, deps: { db: Db; audit: AuditSink; scopes: AgencyScopes; policy: AccessPolicyStore }): void {
  const { db, audit, scopes, policy } = deps;
  /** Runs a command in one transaction; a refusal is audited on its own. */
  const act = <T>(request: FastifyRequest, action: string, target: { type: string; id: string | null }, command: (tx: Tx, actor: Actor) => Promise<T>): Promise<T> =>
    auditedCommand({ db, audit }, actorOf(request), action, target, command);

  app.get('/api/accounts/scopes', {
    schema: {
      tags: ['accounts'],
      summary: '业务范围：限定档案馆工作人员负责的立档单位（安全保密管理员）/ organisation scopes of archive staff (security admin)',
      querystring: z.object({ userId: z.string().min(1).max(64).optional() }),
      response: { 200: z.array(agencyScopeSchema) },
    },
  }, async (request) => {
    requireSignedIn(request);
    return act(request, 'accounts.scope.list', { type: 'user', id: request.query.userId ?? null }, (tx, actor) => scopes.list(tx, actor, request.query));
  });

  app.put('/api/accounts/users/:id/scopes', {
    schema: {
      tags: ['accounts'],
      summary: '设置业务范围，空列表表示全部立档单位（安全保密管理员）/ set a staff user’s organisation scope; empty for every agency (security admin)',
      params: idParams,
      body: z.object({ agencyIds: z.array(z.string().min(1).max(64)).max(500) }),
      response: { 200: ok },
    },
  }, async (request) => {
    requireSignedIn(request);
    await act(request, 'accounts.user.scopes', { type: 'user', id: request.params.id }, (tx, actor) => scopes.set(tx, actor, request.params.id, request.body.agencyIds));
    return { ok: true as const };
  });

  app.get('/api/accounts/access-policy', { schema: { tags: ['accounts'], summary: '访问策略（安全保密管理员）/ the access policy (security admin)', response: { 200: accessPolicyViewSchema } } }, async (request) => {
    requireSignedIn(request);
    return act(request, 'accounts.policy.view', { type: 'access_policy', id: null }, (tx, actor) => policy.view(tx, actor));
  });

  app.put('/api/accounts/access-policy', { schema: { tags: ['accounts'], summary: '设置访问策略（安全保密管理员）/ set the access policy (security admin)', body: accessPolicyPatchSchema, response: { 200: accessPolicySchema } } }, async (request) => {
    requireSignedIn(request);
    const updated = await act(request, 'accounts.policy.update', { type: 'access_policy', id: null }, (tx, actor) => policy.update(tx, actor, request.body));
    // After the commit, so no request on this node reads the old policy into its copy again.
    policy.invalidate();
    return updated;
  });
}
