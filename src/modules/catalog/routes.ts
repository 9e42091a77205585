/**
 * HTTP for the catalog (/api/catalog/*): validate → call the service (which
 * authorizes and reads through the Viewer) → reply. One transaction per request;
 * a refusal (401/403) is audited on its own, since the request's transaction rolls back.
 */
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Db, Tx } from '../../platform/db/database.js';
import { LantaiError } from '../../platform/http/errors.js';
import type { HttpServer } from '../../platform/http/server.js';
import { accountsErrors } from '../accounts/errors.js';
import { organisations } from '../accounts/organisations.js';
import { viewerOf } from '../accounts/routes.js';
import type { Actor, AuditSink } from '../accounts/service.js';
import type { Viewer } from '../accounts/viewer.js';
import type { BlobStore } from '../../platform/storage/blob-store.js';
import { batchRequestSchema, type Batches } from './batch.js';
import type { ArchivalCodes } from './codes.js';
import { catalogErrors } from './errors.js';
import {
  categoryInputSchema,
  categorySchema,
  fondsInputSchema,
  fondsSchema,
  itemDetailSchema,
  itemInputSchema,
  itemPatchSchema,
  itemQuerySchema,
  itemSchema,
  opennessReviewSchema,
  orgCodeEntrySchema,
  orgCodeSchema,
  volumeInputSchema,
  volumeSchema,
} from './model.js';
import * as repo from './repo.js';
import type { OpennessReview } from './review.js';
import { requireArchivist, type CatalogService } from './service.js';

export interface CatalogRouteDeps {
  db: Db;
  audit: AuditSink;
  catalog: CatalogService;
  codes: ArchivalCodes;
  batches: Batches;
  review: OpennessReview;
  zone: Viewer['zone'];
  /** Where kept files' bytes are read from (the primary blob store). */
  files: Pick<BlobStore, 'get'>;
}

const idParams = z.object({ id: z.string().min(1).max(64) });
const okSchema = z.object({ ok: z.literal(true) });
const createdSchema = z.object({ id: z.string() });
const pageSchema = z.object({ items: z.array(itemSchema), total: z.number() });
const codeRequestSchema = z
  .object({
    mode: z.enum(['generate', 'renumber']).default('generate'),
    itemIds: z.array(z.string()).min(1).max(100_000).optional(),
    filter: z.object({ fondsId: z.string(), categoryId: z.string().optional(), year: z.number().int().optional() }).optional(),
    reason: z.string().trim().max(1000).optional(),
  })
  .refine((r) => r.itemIds !== undefined || r.filter !== undefined, '给出档案 id 或筛选条件 / give item ids or a filter');
const codePlanSchema = z.object({
  changes: z.array(z.object({ entityType: z.enum(['record', 'volume']), id: z.string(), title: z.string(), oldCode: z.string().nullable(), newCode: z.string(), classKey: z.string(), number: z.number() })),
  problems: z.array(z.object({ id: z.string(), title: z.string(), zh: z.string(), en: z.string() })),
  unchanged: z.number(),
});
const continuitySchema = z.array(z.object({ classKey: z.string(), count: z.number(), first: z.number(), last: z.number(), gaps: z.array(z.tuple([z.number(), z.number()])), duplicates: z.array(z.number()) }));
const treeSchema = z.array(z.object({ fondsId: z.string(), categoryId: z.string(), year: z.number(), count: z.number() }));
const prefSchema = z.object({ value: z.unknown() });

export function registerCatalogRoutes(app: HttpServer, deps: CatalogRouteDeps): void {
  const { db, audit, catalog, codes, batches, review, zone } = deps;

  function who(request: FastifyRequest): { actor: Actor; viewer: Viewer } {
    const viewer = viewerOf(request, zone);
    const actor: Actor = request.session?.actor ?? { userId: null, username: null, roles: [], organisationId: null, address: request.ip };
    return { actor, viewer };
  }

  /** Writes need a signed-in user; the service decides whether that user may. */
  async function act<T>(request: FastifyRequest, action: string, target: { type: string; id: string | null }, command: (tx: Tx, actor: Actor, viewer: Viewer) => Promise<T>): Promise<T> {
    const { actor, viewer } = who(request);
    try {
      if (!request.session) throw accountsErrors.AUTH_REQUIRED();
      return await db.transaction().execute((tx) => command(tx, actor, viewer));
    } catch (err) {
      if (err instanceof LantaiError && (err.status === 401 || err.status === 403)) {
        await db.transaction().execute((tx) => audit.append(tx, { actor: { ...actor, roles: [...actor.roles] }, action, target, result: 'refused', reason: err.code }));
      }
      throw err;
    }
  }

  const tags = ['catalog'];

  // -- fonds and categories -------------------------------------------------
  app.get('/api/catalog/fonds', { schema: { tags, summary: '全宗列表 / fonds', response: { 200: z.array(fondsSchema) } } }, async () => catalog.listFonds(db));
  app.post('/api/catalog/fonds', { schema: { tags, summary: '新建全宗 / create a fonds', body: fondsInputSchema, response: { 201: createdSchema } } }, async (request, reply) => {
    const id = await act(request, 'catalog.fonds.create', { type: 'fonds', id: null }, (tx, actor) => catalog.createFonds(tx, actor, request.body));
    return reply.code(201).send({ id });
  });
  app.put('/api/catalog/fonds/:id', { schema: { tags, summary: '修改全宗名称、全宗介绍 / update a fonds', params: idParams, body: fondsInputSchema.pick({ name: true, history: true }), response: { 200: okSchema } } }, async (request) => {
    await act(request, 'catalog.fonds.update', { type: 'fonds', id: request.params.id }, (tx, actor) => catalog.updateFonds(tx, actor, request.params.id, request.body));
    return { ok: true as const };
  });
  app.get('/api/catalog/fonds/:id/org-codes', { schema: { tags, summary: '机构（问题）代码 / organisation codes of a fonds', params: idParams, response: { 200: z.array(orgCodeEntrySchema) } } }, async (request) => catalog.listOrgCodes(db, request.params.id));
  app.post('/api/catalog/fonds/:id/org-codes', { schema: { tags, summary: '登记机构（问题）代码 / register an organisation code', params: idParams, body: z.object({ code: orgCodeSchema, name: z.string().trim().min(1).max(100) }), response: { 201: createdSchema } } }, async (request, reply) => {
    const id = await act(request, 'catalog.org-code.create', { type: 'fonds', id: request.params.id }, (tx, actor) => catalog.addOrgCode(tx, actor, request.params.id, request.body));
    return reply.code(201).send({ id });
  });
  app.get('/api/catalog/agencies', { schema: { tags, summary: '立档单位 / filing agencies (for fonds)', response: { 200: z.array(z.object({ id: z.string(), code: z.string().nullable(), name: z.string() })) } } }, async (request) => {
    const { actor } = who(request);
    if (!request.session) throw accountsErrors.AUTH_REQUIRED();
    requireArchivist(actor);
    return (await organisations.agencies(db)).map((a) => ({ id: a.id, code: a.code, name: a.name }));
  });
  app.get('/api/catalog/categories', { schema: { tags, summary: '门类及其档号规则和著录项 / categories with code patterns and fields', response: { 200: z.array(categorySchema) } } }, async () => catalog.listCategories(db));
  app.post('/api/catalog/categories', { schema: { tags, summary: '新建门类 / create a category', body: categoryInputSchema, response: { 201: createdSchema } } }, async (request, reply) => {
    const id = await act(request, 'catalog.category.create', { type: 'category', id: null }, (tx, actor) => catalog.createCategory(tx, actor, request.body));
    return reply.code(201).send({ id });
  });
  app.put('/api/catalog/categories/:id', { schema: { tags, summary: '修改门类 / update a category', params: idParams, body: categoryInputSchema, response: { 200: okSchema } } }, async (request) => {
    await act(request, 'catalog.category.update', { type: 'category', id: request.params.id }, (tx, actor) => catalog.updateCategory(tx, actor, request.params.id, request.body));
    return { ok: true as const };
  });
  app.get('/api/catalog/tree', { schema: { tags, summary: '全宗—门类—年度树及可见条目数 / fonds–category–year tree with counts of what you may see', response: { 200: treeSchema } } }, async (request) => {
    const scoped = repo.scopedItems(db, who(request).viewer);
    const rows = await scoped.clearSelect().select(['r.fonds_id', 'r.category_id', 'r.year', (eb) => eb.fn.countAll<number>().as('n')]).groupBy(['r.fonds_id', 'r.category_id', 'r.year']).execute();
    return rows.map((r) => ({ fondsId: r.fonds_id, categoryId: r.category_id, year: r.year, count: Number(r.n) })).sort((a, b) => b.year - a.year);
  });

  // -- items and volumes ------------------------------------------------------
  app.get('/api/catalog/items', { schema: { tags, summary: '档案条目（分页、筛选、排序）/ items, paged', querystring: itemQuerySchema, response: { 200: pageSchema } } }, async (request) => catalog.listItems(db, who(request).viewer, request.query));
  app.post('/api/catalog/items', { schema: { tags, summary: '著录一件档案 / describe an item', body: itemInputSchema, response: { 201: createdSchema } } }, async (request, reply) => {
    const id = await act(request, 'catalog.item.create', { type: 'record', id: null }, (tx, actor, viewer) => catalog.createItem(tx, actor, viewer, request.body));
    return reply.code(201).send({ id });
  });
  app.get('/api/catalog/items/:id', { schema: { tags, summary: '档案详情（受控档案的查看记入审计）/ one item (views of controlled items are audited)', params: idParams, response: { 200: itemDetailSchema } } }, async (request) => {
    const { actor, viewer } = who(request);
    return db.transaction().execute((tx) => catalog.getItem(tx, actor, viewer, request.params.id));
  });
  // Formats a browser may show inline without running anything; the rest always download.
  const INLINE = new Set(['application/pdf', 'image/png', 'image/jpeg', 'image/tiff', 'image/jp2', 'text/plain', 'audio/mpeg', 'audio/wav', 'video/mp4']);
  app.get('/api/catalog/items/:id/files/:fileId', { schema: { tags, summary: '读取档案文件（须能查看该档案内容；受控档案的读取记入审计；三员不能读取）/ read a record’s file', params: idParams.extend({ fileId: z.string().min(1).max(64) }), querystring: z.object({ download: z.enum(['0', '1']).optional() }) } }, async (request, reply) => {
    const { actor, viewer } = who(request);
    let file: { sha256: string; name: string; mime: string | null; size: number };
    try {
      file = await db.transaction().execute((tx) => catalog.openFile(tx, actor, viewer, request.params.id, request.params.fileId));
    } catch (err) {
      if (err instanceof LantaiError && (err.status === 401 || err.status === 403)) {
        await db.transaction().execute((tx) => audit.append(tx, { actor: { ...actor, roles: [...actor.roles] }, action: 'catalog.file.read', target: { type: 'record_file', id: request.params.fileId }, result: 'refused', reason: err.code }));
      }
      throw err;
    }
    const inline = request.query.download !== '1' && file.mime !== null && INLINE.has(file.mime);
    return reply
      .header('content-type', inline && file.mime ? file.mime : 'application/octet-stream')
      .header('content-length', String(file.size))
      .header('content-disposition', `${inline ? 'inline' : 'attachment'}; filename*=UTF-8''${encodeURIComponent(file.name)}`)
      .header('x-content-type-options', 'nosniff')
      .header('cache-control', 'private, no-store')
      .send(await deps.files.get(file.sha256));
  });
  app.patch('/api/catalog/items/:id', { schema: { tags, summary: '修改著录项（带版本号，防止覆盖他人修改）/ update an item (with its version)', params: idParams, body: itemPatchSchema, response: { 200: okSchema } } }, async (request) => {
    await act(request, 'catalog.item.update', { type: 'record', id: request.params.id }, (tx, actor, viewer) => catalog.updateItem(tx, actor, viewer, request.params.id, request.body));
    return { ok: true as const };
  });
  app.get('/api/catalog/volumes', { schema: { tags, summary: '案卷 / volumes', querystring: z.object({ fondsId: z.string().optional(), categoryId: z.string().optional(), year: z.coerce.number().int().optional() }), response: { 200: z.array(volumeSchema) } } }, async (request) => catalog.listVolumes(db, who(request).viewer, request.query));
  app.post('/api/catalog/volumes', { schema: { tags, summary: '新建案卷 / create a volume', body: volumeInputSchema, response: { 201: createdSchema } } }, async (request, reply) => {
    const id = await act(request, 'catalog.volume.create', { type: 'volume', id: null }, (tx, actor, viewer) => catalog.createVolume(tx, actor, viewer, request.body));
    return reply.code(201).send({ id });
  });

  // -- archival codes ----------------------------------------------------------
  app.post('/api/catalog/codes/preview', { schema: { tags, summary: '档号生成/重编预览 / preview generating or re-numbering codes', body: codeRequestSchema, response: { 200: codePlanSchema } } }, async (request) => {
    const { actor, viewer } = who(request);
    requireArchivist(actor);
    return codes.plan(db, viewer, request.body);
  });
  app.post('/api/catalog/codes/apply', { schema: { tags, summary: '生成或重编档号（一次审计，记录旧档号）/ generate or re-number codes', body: codeRequestSchema, response: { 200: z.object({ batchId: z.string(), changed: z.number(), problems: codePlanSchema.shape.problems }) } } }, async (request) =>
    act(request, 'catalog.codes.apply', { type: 'batch', id: null }, (tx, actor, viewer) => codes.apply(tx, actor, viewer, request.body, request.body.reason ?? (request.body.mode === 'generate' ? '编制档号' : '重编档号'))),
  );
  app.get('/api/catalog/codes/continuity', { schema: { tags, summary: '件号连续性检查 / gaps and duplicates of item numbers', querystring: z.object({ fondsId: z.string(), categoryId: z.string().optional(), year: z.coerce.number().int().optional() }), response: { 200: continuitySchema } } }, async (request) => {
    const { actor, viewer } = who(request);
    requireArchivist(actor);
    return codes.continuity(db, viewer, request.query);
  });

  // -- batches and openness review ---------------------------------------------
  const batchPreviewSchema = z.object({
    affected: z.array(z.object({ id: z.string(), archivalCode: z.string().nullable(), title: z.string(), from: z.string().nullable(), to: z.string().nullable() })),
    refused: z.array(z.object({ id: z.string(), archivalCode: z.string().nullable(), title: z.string(), zh: z.string(), en: z.string() })),
    unchanged: z.number(),
  });
  app.post('/api/catalog/batch/preview', { schema: { tags, summary: '批量修改预览 / preview a batch change', body: batchRequestSchema, response: { 200: batchPreviewSchema } } }, async (request) => {
    const { actor, viewer } = who(request);
    requireArchivist(actor);
    return batches.preview(db, viewer, request.body);
  });
  app.post('/api/catalog/batch/apply', { schema: { tags, summary: '批量修改（保管期限、开放状态、控制标识、调卷）/ apply a batch change', body: batchRequestSchema, response: { 200: z.object({ batchId: z.string(), changed: z.number(), refused: z.number() }) } } }, async (request) =>
    act(request, `catalog.batch.${request.body.change.kind}`, { type: 'batch', id: null }, (tx, actor, viewer) => batches.apply(tx, actor, viewer, request.body)),
  );
  app.get('/api/catalog/review/due', { schema: { tags, summary: '到期待开放审核的档案 / items due for openness review', querystring: itemQuerySchema.omit({ dueBy: true }), response: { 200: pageSchema } } }, async (request) => review.due(db, who(request).viewer, request.query));
  app.post('/api/catalog/review', { schema: { tags, summary: '开放审核（批量）/ decide openness for a batch', body: opennessReviewSchema, response: { 200: z.object({ batchId: z.string(), reviewed: z.number() }) } } }, async (request) =>
    act(request, 'catalog.openness.review', { type: 'batch', id: null }, (tx, actor, viewer) => review.decide(tx, actor, viewer, request.body)),
  );
  app.get('/api/catalog/items/:id/reviews', { schema: { tags, summary: '开放审核记录 / openness review history', params: idParams } }, async (request) => review.history(db, who(request).viewer, request.params.id));

  // -- per-user preferences (column choice) --------------------------------------
  const prefParams = z.object({ key: z.string().regex(/^[a-z0-9.-]{1,64}$/) });
  app.get('/api/catalog/preferences/:key', { schema: { tags, summary: '个人设置（如列选择）/ a personal setting', params: prefParams, response: { 200: prefSchema } } }, async (request) => {
    const userId = request.session?.actor.userId;
    if (!userId) throw accountsErrors.AUTH_REQUIRED();
    const row = await db.selectFrom('catalog_preferences').select('value').where('user_id', '=', userId).where('key', '=', request.params.key).executeTakeFirst();
    return { value: row ? (JSON.parse(row.value) as unknown) : null };
  });
  app.put('/api/catalog/preferences/:key', { schema: { tags, summary: '保存个人设置 / save a personal setting', params: prefParams, body: prefSchema, response: { 200: okSchema } } }, async (request) => {
    const userId = request.session?.actor.userId;
    if (!userId) throw accountsErrors.AUTH_REQUIRED();
    const value = JSON.stringify(request.body.value ?? null);
    if (value.length > 10_000) throw catalogErrors.CATALOG_PREFERENCE_TOO_LARGE();
    const at = new Date().toISOString();
    await db
      .insertInto('catalog_preferences')
      .values({ user_id: userId, key: request.params.key, value, updated_at: at })
      .onConflict((oc) => oc.columns(['user_id', 'key']).doUpdateSet({ value, updated_at: at }))
      .execute();
    return { ok: true as const };
  });
}
