/**
 * Reviewing the security audit log over HTTP. The split of 三员分立 holds here too:
 * the security admin sees ordinary users' entries, the auditor the two other admins';
 * nobody else sees any. Every review is itself audited.
 */
import { z } from 'zod';
import type { Db } from '../../platform/db/database.js';
import type { HttpServer } from '../../platform/http/server.js';
import { accountsErrors } from '../accounts/errors.js';
import '../accounts/routes.js';
import type { AuditLog } from './service.js';

const entrySchema = z.object({
  seq: z.number(),
  id: z.string(),
  at: z.string(),
  actorUsername: z.string().nullable(),
  actorClass: z.string(),
  actorAddress: z.string().nullable(),
  action: z.string(),
  targetType: z.string().nullable(),
  targetId: z.string().nullable(),
  targetLabel: z.string().nullable(),
  result: z.string(),
  reason: z.string().nullable(),
});

const csvCell = (v: unknown) => {
  const text = v === null || v === undefined ? '' : String(v);
  // Quote always; neutralise spreadsheet formulas (CSV injection).
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return `"${safe.replace(/"/g, '""')}"`;
};

export function registerAuditRoutes(app: HttpServer, deps: { db: Db; audit: AuditLog }): void {
  app.get(
    '/api/audit/entries',
    {
      schema: {
        tags: ['audit'],
        summary: '审计记录（安全保密管理员看普通用户，安全审计员看两位管理员）/ audit entries, split by reviewer',
        querystring: z.object({ action: z.string().max(100).optional(), actor: z.string().max(64).optional(), limit: z.coerce.number().int().min(1).max(1000).default(100), format: z.enum(['json', 'csv']).default('json') }),
        response: { 200: z.union([z.array(entrySchema), z.string()]) },
      },
    },
    async (request, reply) => {
      const session = request.session;
      if (!session) throw accountsErrors.AUTH_REQUIRED();
      const reviewer = session.viewer.roles.includes('auditor') ? 'auditor' : session.viewer.roles.includes('security_admin') ? 'security_admin' : null;
      const actor = { ...session.actor, roles: [...session.actor.roles] };
      if (!reviewer) {
        await deps.db.transaction().execute((tx) => deps.audit.append(tx, { actor, action: 'audit.review', target: null, result: 'refused', reason: 'FORBIDDEN_ROLE' }));
        throw accountsErrors.FORBIDDEN_ROLE({ role: '当前用户', roleEn: 'user', action: '查看审计记录 / review the audit log' });
      }
      const { format, ...filters } = request.query;
      const rows = await deps.audit.review(deps.db, reviewer, filters);
      await deps.db.transaction().execute((tx) => deps.audit.append(tx, { actor, action: 'audit.review', target: null, result: 'ok', details: { ...filters, format, count: rows.length } }));
      const entries = rows.map((r) => ({ seq: r.seq, id: r.id, at: r.at, actorUsername: r.actor_username, actorClass: r.actor_class, actorAddress: r.actor_address, action: r.action, targetType: r.target_type, targetId: r.target_id, targetLabel: r.target_label, result: r.result, reason: r.reason }));
      if (format === 'json') return entries;
      const header = ['序号 seq', '时间 at', '用户 user', '类别 class', '地址 address', '操作 action', '对象类型 target type', '对象 target', '名称 label', '结果 result', '原因 reason'];
      const lines = entries.map((e) => [e.seq, e.at, e.actorUsername, e.actorClass, e.actorAddress, e.action, e.targetType, e.targetId, e.targetLabel, e.result, e.reason].map(csvCell).join(','));
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="audit-entries.csv"')
        .send(`\uFEFF${[header.map(csvCell).join(','), ...lines].join('\r\n')}\r\n`);
    },
  );

  app.get('/api/audit/verify', { schema: { tags: ['audit'], summary: '校验审计链（安全审计员）/ verify the audit chain (auditor)', response: { 200: z.object({ ok: z.boolean(), entries: z.number(), checkpointsChecked: z.number(), firstBroken: z.object({ seq: z.number(), id: z.string().nullable(), zh: z.string(), en: z.string() }).nullable() }) } } }, async (request) => {
    const session = request.session;
    if (!session) throw accountsErrors.AUTH_REQUIRED();
    if (!session.viewer.roles.includes('auditor')) throw accountsErrors.FORBIDDEN_ROLE({ role: '当前用户', roleEn: 'user', action: '校验审计链 / verify the audit chain' });
    return deps.audit.verify(deps.db);
  });
}
