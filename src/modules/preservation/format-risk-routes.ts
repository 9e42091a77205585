/**
 * HTTP of the format risk registry (format-risk.ts): read the registry, judge a format,
 * list the holdings in formats at risk. Validate → authorize (in the service) → command
 * → present; the judgement runs in one transaction with its audit entry, and every
 * refusal, of a read too, is audited in a transaction of its own.
 */
import type { FastifyRequest } from 'fastify';
import type { Db } from '../../platform/db/database.js';
import { LantaiError } from '../../platform/http/errors.js';
import type { HttpServer } from '../../platform/http/server.js';
import { auditedCommand } from '../accounts/audited-command.js';
import { actorOf, viewerOf } from '../accounts/request-session.js';
import type { Actor, AuditSink } from '../accounts/service.js';
import type { Viewer } from '../accounts/viewer.js';
import { FORMAT_RISK_SET_ACTION, type FormatRisks } from './format-risk.js';
import { formatRegistrySchema, formatRiskInputSchema, formatRiskSchema, holdingsQuerySchema, holdingsSchema } from './format-risk-model.js';

export interface FormatRiskRouteDeps {
  db: Db;
  audit: AuditSink;
  risks: FormatRisks;
  zone: Viewer['zone'];
}

/**
 * Runs a read outside any transaction (SQLite transactions take the write lock); a
 * refusal (401/403) is audited in a transaction of its own, as auditedCommand does for writes.
 */
export async function auditedRead<T>(deps: { db: Db; audit: AuditSink }, request: FastifyRequest, action: string, target: { type: string; id: string | null }, read: (actor: Actor) => Promise<T>): Promise<T> {
  const actor = actorOf(request);
  try {
    return await read(actor);
  } catch (err) {
    if (err instanceof LantaiError && (err.status === 401 || err.status === 403)) {
      await deps.db.transaction().execute((tx) => deps.audit.append(tx, { actor: { ...actor, roles: [...actor.roles] }, action, target, result: 'refused', reason: err.code }));
    }
    throw err;
  }
}

export function registerFormatRiskRoutes(app: HttpServer, deps: FormatRiskRouteDeps): void {
  const { db, risks } = deps;
  const tags = ['preservation'];

  app.get('/api/preservation/formats', {
    schema: {
      tags,
      summary: '格式风险登记：馆藏文件的格式（PRONOM）、文件数、容量、所在全宗与风险状态（档案馆工作人员、系统管理员）/ the format risk registry: formats held, files, bytes and fonds, with their risk status',
      response: { 200: formatRegistrySchema },
    },
  }, (request) => auditedRead(deps, request, 'preservation.format-risk.list', { type: 'format', id: null }, (actor) => risks.registry(db, actor)));

  app.put('/api/preservation/formats', {
    schema: {
      tags,
      summary: '设置格式的风险状态（正常、关注、高风险）与说明（档案馆业务人员，记入审计）/ set a format’s risk status and note (archivists; audited)',
      body: formatRiskInputSchema,
      response: { 200: formatRiskSchema },
    },
  }, (request) => auditedCommand(deps, actorOf(request), FORMAT_RISK_SET_ACTION, { type: 'format', id: request.body.format }, (tx, actor) => risks.set(tx, actor, request.body)));

  app.get('/api/preservation/formats/holdings', {
    schema: {
      tags,
      summary: '以高风险或关注格式保存的档案（分页；只列出您可以查看的档案）/ records kept in formats at risk or watched, paged (only those you may see)',
      querystring: holdingsQuerySchema,
      response: { 200: holdingsSchema },
    },
  }, (request) => auditedRead(deps, request, 'preservation.format-risk.holdings', { type: 'format', id: request.query.format ?? null }, (actor) => risks.holdings(db, actor, viewerOf(request, deps.zone), request.query)));
}
