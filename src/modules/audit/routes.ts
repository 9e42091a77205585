/**
 * Reviewing the security audit log over HTTP: validate → authorize → query → reply.
 * The 三员 split holds here as in the service: the security admin reads ordinary
 * users' entries, the auditor the two other admins'; nobody else reads any. Every
 * review, export, verification and refusal is itself audited (and so reviewed by
 * the other side). Verifying the chain is the auditor's.
 *
 * Who is asking is the accounts module's business: the caller passes callbacks that
 * map a request to its reviewer class and to its actor.
 */
import { Readable } from 'node:stream';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Db } from '../../platform/db/database.js';
import { LantaiError } from '../../platform/http/errors.js';
import type { HttpServer } from '../../platform/http/server.js';
import { auditErrors } from './errors.js';
import { auditEntrySchema, reviewFiltersSchema, reviewPageSchema, type AuditActor, type AuditEntry, type ReviewerClass } from './model.js';
import type { AuditLog } from './service.js';

export interface AuditRouteDeps {
  db: Db;
  audit: AuditLog;
}

export interface AuditRouteAccess {
  /** The reviewer class of the signed-in user, or null if they may not review. May throw (e.g. AUTH_REQUIRED). */
  currentReviewer(request: FastifyRequest): ReviewerClass | null;
  /** Who is asking, as the audit log records it. */
  currentActor(request: FastifyRequest): AuditActor;
}

const querystring = reviewFiltersSchema.extend(reviewPageSchema.shape).extend({ format: z.enum(['json', 'csv']).default('json') });

const verifyReportSchema = z.object({
  ok: z.boolean(),
  entries: z.number(),
  archivedThrough: z.number(),
  checkpointsChecked: z.number(),
  anchoredThrough: z.number().nullable(),
  firstBroken: z.object({ seq: z.number(), id: z.string().nullable(), kind: z.string(), zh: z.string(), en: z.string() }).nullable(),
});

export function registerAuditRoutes(app: HttpServer, deps: AuditRouteDeps, access: AuditRouteAccess): void {
  const { db, audit } = deps;

  /** The reviewer class, or the refusal audited and thrown (a sign-in demanded by currentReviewer included). */
  async function authorize(request: FastifyRequest, action: string, details: Record<string, unknown>, allowed: readonly ReviewerClass[] = ['security_admin', 'auditor']): Promise<{ reviewer: ReviewerClass; actor: AuditActor }> {
    const actor = access.currentActor(request);
    let reviewer: ReviewerClass | null;
    let refusal: unknown = auditErrors.AUDIT_REVIEW_FORBIDDEN();
    try {
      reviewer = access.currentReviewer(request);
    } catch (err) {
      reviewer = null;
      refusal = err;
    }
    if (reviewer && allowed.includes(reviewer)) return { reviewer, actor };
    const reason = refusal instanceof LantaiError ? refusal.code : 'AUDIT_REVIEW_FORBIDDEN';
    await db.transaction().execute((tx) => audit.append(tx, { actor, action, target: null, result: 'refused', reason, details }));
    throw refusal;
  }

  // The reply is JSON entries or a CSV stream, so it is typed here rather than derived from one response schema.
  app.get<{ Querystring: z.infer<typeof querystring>; Reply: AuditEntry[] | Readable }>(
    '/api/audit/entries',
    {
      schema: {
        tags: ['audit'],
        summary: '审计记录：安全保密管理员查看普通用户的，安全审计员查看系统管理员和安全保密管理员的 / audit entries, split between the security admin and the auditor',
        description:
          'JSON: newest first, `limit` at a time; continue with `before` = the smallest seq shown. ' +
          '`format=csv`: every matching entry, oldest first (UTF-8 with a byte-order mark; `limit` and `before` do not apply).',
        querystring,
        response: { 200: z.array(auditEntrySchema).describe('format=json; format=csv answers text/csv') },
      },
    },
    async (request, reply) => {
      const { format, limit, before, ...filters } = request.query;
      const action = format === 'csv' ? 'audit.export' : 'audit.review';
      const { reviewer, actor } = await authorize(request, action, { filters });
      if (format === 'csv') {
        // Audited before the first byte goes out: an export that fails halfway still shows.
        await db.transaction().execute((tx) => audit.append(tx, { actor, action, target: null, result: 'ok', details: { reviewer, filters } }));
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', 'attachment; filename="audit-entries.csv"')
          .send(Readable.from(audit.exportCsv(db, reviewer, filters)));
      }
      const page = await audit.query(db, reviewer, filters, { limit, before });
      await db.transaction().execute((tx) => audit.append(tx, { actor, action, target: null, result: 'ok', details: { reviewer, filters, before: before ?? null, count: page.entries.length } }));
      return page.entries;
    },
  );

  app.get(
    '/api/audit/verify',
    {
      schema: {
        tags: ['audit'],
        summary: '校验审计链与库外签名检查点（安全审计员）/ verify the chain against the signed checkpoints (auditor)',
        response: { 200: verifyReportSchema },
      },
    },
    async (request) => {
      const { actor } = await authorize(request, 'audit.verify', {}, ['auditor']);
      const report = await audit.verify(db);
      await db.transaction().execute((tx) => audit.append(tx, { actor, action: 'audit.verify', target: null, result: 'ok', details: { ok: report.ok, entries: report.entries, firstBroken: report.firstBroken?.seq ?? null } }));
      return report;
    },
  );
}
