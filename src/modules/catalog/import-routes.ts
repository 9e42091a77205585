/**
 * HTTP for catalog import and export: templates, check → fix → apply, xlsx and
 * print views. The file comes as the raw request body (no multipart), so a
 * client — the web wizard, curl, an agency's script — sends it as it is.
 */
import type { FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Db, Tx } from '../../platform/db/database.js';
import { LantaiError } from '../../platform/http/errors.js';
import type { HttpServer } from '../../platform/http/server.js';
import { accountsErrors } from '../accounts/errors.js';
import { viewerOf } from '../accounts/routes.js';
import type { Actor, AuditSink } from '../accounts/service.js';
import type { Viewer } from '../accounts/viewer.js';
import { catalogErrors } from './errors.js';
import { catalogTemplate, exportXlsx, printCatalog } from './export.js';
import type { CatalogImport } from './import/service.js';
import { IMPORT_FIELDS } from './import/mapping.js';
import { itemQuerySchema } from './model.js';
import { requireArchivist, type CatalogService } from './service.js';

export const IMPORT_BODY_LIMIT = 64 * 1024 * 1024;
const FILE_TYPES = ['application/octet-stream', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'text/csv'];

export interface CatalogImportRouteDeps {
  db: Db;
  audit: AuditSink;
  catalog: CatalogService;
  imports: CatalogImport;
  zone: Viewer['zone'];
}

const problemSchema = z.object({ row: z.number(), column: z.string(), field: z.string(), value: z.string(), severity: z.enum(['error', 'warning']), problem: z.string(), problemEn: z.string(), suggestion: z.string() });
const summarySchema = z.object({
  id: z.string(),
  status: z.enum(['checking', 'checked', 'applied', 'failed']),
  fileName: z.string(),
  sheet: z.string().nullable(),
  totalRows: z.number(),
  errorRows: z.number(),
  columns: z.array(z.object({ header: z.string(), field: z.string().nullable() })),
  problems: z.array(problemSchema),
});
const mappingFieldSchema = z.union([z.enum(IMPORT_FIELDS), z.string().regex(/^extensions\.[a-z][a-zA-Z0-9]{0,39}$/), z.null()]);
const exportQuery = itemQuerySchema.omit({ offset: true, limit: true });

/** `归档文件目录.xlsx` for Content-Disposition, with an ASCII fallback. */
function attachment(name: string): string {
  return `attachment; filename="catalog.${name.split('.').pop() ?? 'bin'}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

export function registerCatalogImportRoutes(app: HttpServer, deps: CatalogImportRouteDeps): void {
  const { db, audit, catalog, imports, zone } = deps;
  const tags = ['catalog'];

  function who(request: FastifyRequest): { actor: Actor; viewer: Viewer } {
    if (!request.session) throw accountsErrors.AUTH_REQUIRED();
    return { actor: request.session.actor, viewer: viewerOf(request, zone) };
  }

  async function refusedAudited<T>(request: FastifyRequest, action: string, run: (actor: Actor, viewer: Viewer) => Promise<T>): Promise<T> {
    const actor: Actor = request.session?.actor ?? { userId: null, username: null, roles: [], organisationId: null, address: request.ip };
    try {
      const { viewer } = who(request);
      return await run(actor, viewer);
    } catch (err) {
      if (err instanceof LantaiError && (err.status === 401 || err.status === 403)) {
        await db.transaction().execute((tx: Tx) => audit.append(tx, { actor: { ...actor, roles: [...actor.roles] }, action, target: { type: 'import', id: null }, result: 'refused', reason: err.code }));
      }
      throw err;
    }
  }

  app.get('/api/catalog/import/template', { schema: { tags, summary: '下载门类目录模板（xlsx）/ the category’s catalog template', querystring: z.object({ categoryId: z.string() }) } }, async (request, reply) => {
    const category = await catalog.getCategory(db, request.query.categoryId);
    const bytes = await catalogTemplate(category);
    return reply.header('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet').header('content-disposition', attachment(`${category.name}目录模板.xlsx`)).send(bytes);
  });

  app.register(async (scope) => {
    scope.addContentTypeParser(FILE_TYPES, { parseAs: 'buffer', bodyLimit: IMPORT_BODY_LIMIT }, (_request, body, done) => done(null, body));
    const s = scope.withTypeProvider<ZodTypeProvider>();
    s.post(
      '/api/catalog/imports',
      {
        bodyLimit: IMPORT_BODY_LIMIT,
        schema: {
          tags,
          summary: '导入检查：上传目录文件（xlsx 或 CSV，UTF-8/GBK）作为请求体，逐行报告问题，不写入目录 / check a catalog file (raw body), row-by-row report',
          querystring: z.object({ fondsId: z.string(), categoryId: z.string(), fileName: z.string().max(200).default('目录.xlsx'), mapping: z.string().max(10_000).optional() }),
          response: { 200: summarySchema },
        },
      },
      async (request) => {
        const bytes = request.body;
        if (!Buffer.isBuffer(bytes)) throw catalogErrors.CATALOG_IMPORT_FORMAT({ reason: '请把文件内容作为请求体上传（Content-Type: application/octet-stream）', reasonEn: 'send the file as the request body (Content-Type: application/octet-stream)' });
        let mapping: Record<string, string | null> | undefined;
        if (request.query.mapping) {
          let json: unknown;
          try {
            json = JSON.parse(request.query.mapping);
          } catch {
            json = null;
          }
          const parsed = z.record(z.string(), mappingFieldSchema).safeParse(json);
          if (!parsed.success) throw catalogErrors.CATALOG_IMPORT_FORMAT({ reason: '列对应（mapping）应为 {"表头": "字段"} 形式的 JSON', reasonEn: 'mapping must be JSON {"header": "field"}' });
          mapping = parsed.data;
        }
        return refusedAudited(request, 'catalog.import.check', (actor, viewer) => imports.check(actor, viewer, { fondsId: request.query.fondsId, categoryId: request.query.categoryId, fileName: request.query.fileName, bytes, mapping: mapping as never }));
      },
    );
  });

  app.get('/api/catalog/imports/:id', { schema: { tags, summary: '导入检查报告 / an import’s report', params: z.object({ id: z.string() }), response: { 200: summarySchema } } }, async (request) =>
    // The report quotes cell values: it is for archivists, like the import itself.
    refusedAudited(request, 'catalog.import.report', (actor) => {
      requireArchivist(actor, { zh: '查看导入报告', en: 'read import reports' });
      return imports.summary(db, request.params.id);
    }),
  );
  app.patch('/api/catalog/imports/:id/rows/:row', { schema: { tags, summary: '修正一行并重新检查 / correct a row and check it again', params: z.object({ id: z.string(), row: z.coerce.number().int().min(1) }), body: z.object({ values: z.record(z.string(), z.string().max(4000)) }), response: { 200: summarySchema } } }, async (request) =>
    refusedAudited(request, 'catalog.import.fix', (actor, viewer) => imports.fixRow(actor, viewer, request.params.id, request.params.row, request.body.values)),
  );
  app.post('/api/catalog/imports/:id/apply', { schema: { tags, summary: '应用导入（全部成功或全部不写入）/ apply an import, all rows or none', params: z.object({ id: z.string() }), response: { 200: z.object({ imported: z.number() }) } } }, async (request) =>
    refusedAudited(request, 'catalog.import.apply', (actor) => db.transaction().execute((tx) => imports.apply(tx, actor, request.params.id))),
  );

  app.get('/api/catalog/export.xlsx', { schema: { tags, summary: '导出目录（xlsx，仅含您可见的条目）/ export the catalog you may see as xlsx', querystring: exportQuery } }, async (request, reply) => {
    const { actor, viewer } = who(request);
    const stream = exportXlsx(db, viewer, request.query, async (rows) => {
      await db.transaction().execute((tx) => audit.append(tx, { actor: { ...actor, roles: [...actor.roles] }, action: 'catalog.export', target: { type: 'catalog', id: request.query.fondsId ?? null }, result: 'ok', details: { rows, filters: request.query, format: 'xlsx' } }));
    });
    return reply.header('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet').header('content-disposition', attachment('归档文件目录.xlsx')).send(stream);
  });

  app.get('/api/catalog/print', { schema: { tags, summary: '打印归档文件目录和备考表（A4 HTML）/ print view of the catalog with its 备考表', querystring: exportQuery } }, async (request, reply) => {
    const { actor, viewer } = who(request);
    const fonds = request.query.fondsId ? (await catalog.listFonds(db)).find((f) => f.id === request.query.fondsId) : undefined;
    const category = request.query.categoryId ? await catalog.getCategory(db, request.query.categoryId) : undefined;
    const { html, rows } = await printCatalog(db, viewer, request.query, { fonds: fonds ? `${fonds.code} ${fonds.name}` : '全部', category: category ? category.name : '全部', year: request.query.year ? String(request.query.year) : '全部' });
    await db.transaction().execute((tx) => audit.append(tx, { actor: { ...actor, roles: [...actor.roles] }, action: 'catalog.export', target: { type: 'catalog', id: request.query.fondsId ?? null }, result: 'ok', details: { rows, filters: request.query, format: 'print' } }));
    return reply.header('content-type', 'text/html; charset=utf-8').send(html);
  });
}
