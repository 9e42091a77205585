/**
 * HTTP for hand-overs: the agency's workbench and the archive's queue under
 * /api/transfers, and the filing API for agencies' OA systems under
 * /api/filing/transfers (an API key of the agency; an Idempotency-Key header makes
 * a retried call return the first hand-over instead of making a second).
 * One transaction per request; refusals (401/403) are audited on their own.
 */
import type { FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Db, Tx } from '../../platform/db/database.js';
import { LantaiError } from '../../platform/http/errors.js';
import type { HttpServer } from '../../platform/http/server.js';
import type { Viewer } from '../accounts/viewer.js';
import { viewerOf } from '../accounts/request-session.js';
import type { Accession } from './accept.js';
import type { JobQueue } from '../../platform/jobs/queue.js';
import { accountsErrors } from '../accounts/errors.js';
import { organisations } from '../accounts/organisations.js';
import type { Actor, AuditSink } from '../accounts/service.js';
import { transferInputSchema, transferItemInputSchema, transferSummarySchema } from './model.js';
import { buildReport, receiptHtml, reportHtml } from './report.js';
import type { TransferService } from './service.js';
import type { Uploads } from './uploads.js';
import type { PackageIntake } from './packages/intake.js';
import type { CarrierIntake } from './packages/carrier.js';

export interface TransferRouteDeps {
  db: Db;
  audit: AuditSink;
  transfers: TransferService;
  uploads: Uploads;
  intake: PackageIntake;
  carriers: CarrierIntake;
  /** To wake this process's job runner once a submit has committed. */
  jobs: Pick<JobQueue, 'nudge'>;
  accession: Accession;
  zone: Viewer['zone'];
}

const idParams = z.object({ id: z.string().min(1).max(64) });
const uploadState = z.object({ id: z.string(), path: z.string(), size: z.number(), received: z.number(), complete: z.boolean(), chunkSize: z.number(), fileId: z.string().nullable() });
const itemsBody = z.object({ items: z.array(transferItemInputSchema).min(1).max(10_000) });
/** A PUT may carry the rest of a file in one request (the CLI does); the web client sends chunkSize pieces. */
const CHUNK_LIMIT = 2 ** 40;

/** The example the filing API's documentation shows (copy, paste, change the ids). */
const FILING_EXAMPLE = {
  transfer: { fondsId: '<全宗 id>', categoryId: '<门类 id>', title: '2024年度文书档案移交', yearFrom: 2024, yearTo: 2024, declaredItems: 1, opennessOpinion: '建议到期开放' },
  items: [
    {
      metadata: { title: '关于做好2024年档案工作的通知', responsible: '某市人民政府办公室', date: '20240315', year: 2024, retention: 'Y', classification: '非密', docNumber: '某府办发〔2024〕12号', pageCount: 3 },
      files: [{ path: '2024/0001/正文.pdf', role: '正本', sha256: '<文件的 SHA-256>' }],
    },
  ],
};

export function registerTransferRoutes(app: HttpServer, deps: TransferRouteDeps): void {
  const { db, audit, transfers, uploads, intake } = deps;
  const tags = ['transfer'];

  /** The person, or for the filing API the agency's key standing in for its clerk. */
  function actorOf(request: FastifyRequest): Actor {
    if (request.apiKey) return { userId: null, username: `apikey:${request.apiKey.keyId}`, roles: ['agency_clerk'], organisationId: request.apiKey.organisationId, address: request.ip };
    if (!request.session) throw accountsErrors.AUTH_REQUIRED();
    return request.session.actor;
  }

  async function act<T>(request: FastifyRequest, action: string, id: string | null, command: (actor: Actor) => Promise<T>): Promise<T> {
    let actor: Actor = { userId: null, username: null, roles: [], organisationId: null, address: request.ip };
    try {
      actor = actorOf(request);
      return await command(actor);
    } catch (err) {
      if (err instanceof LantaiError && (err.status === 401 || err.status === 403)) {
        await db.transaction().execute((tx) => audit.append(tx, { actor: { ...actor, roles: [...actor.roles] }, action, target: { type: 'transfer', id }, result: 'refused', reason: err.code }));
      }
      throw err;
    }
  }
  const inTx = <T>(fn: (tx: Tx) => Promise<T>) => db.transaction().execute(fn);

  for (const prefix of ['/api/transfers', '/api/filing/transfers']) {
    const filing = prefix.startsWith('/api/filing');
    const docs = (zh: string) => (filing ? `${zh}（移交接口，API 密钥）` : zh);
    app.post(`${prefix}`, { schema: { tags, summary: docs('新建移交批次 / create a hand-over'), body: transferInputSchema, response: { 201: z.object({ id: z.string() }) } } }, async (request, reply) => {
      const channel = filing ? 'api' : request.body.carrier ? 'offline' : 'web';
      const { id } = await act(request, 'transfer.create', null, (actor) => inTx((tx) => transfers.create(tx, actor, request.body, channel)));
      return reply.code(201).send({ id });
    });
    app.get(`${prefix}/:id`, { schema: { tags, summary: docs('移交批次 / a hand-over'), params: idParams, response: { 200: transferSummarySchema } } }, async (request) =>
      act(request, 'transfer.view', request.params.id, (actor) => transfers.get(db, actor, request.params.id)),
    );
    app.post(`${prefix}/:id/items`, { schema: { tags, summary: docs('添加档案条目及其文件清单 / add items with their files'), params: idParams, body: itemsBody, response: { 201: z.object({ ids: z.array(z.string()) }) } } }, async (request, reply) => {
      const ids = await act(request, 'transfer.items.add', request.params.id, (actor) => inTx((tx) => transfers.addItems(tx, actor, request.params.id, request.body.items)));
      return reply.code(201).send({ ids });
    });
    app.post(`${prefix}/:id/uploads`, { schema: { tags, summary: docs('开始（或续传）上传一个文件 / start or resume a file upload'), params: idParams, body: z.object({ path: z.string().min(1).max(1000), size: z.number().int().min(0), sha256: z.string().regex(/^[0-9a-fA-F]{64}$/).optional() }), response: { 200: uploadState } } }, async (request) =>
      act(request, 'transfer.upload.start', request.params.id, (actor) => inTx((tx) => uploads.start(tx, actor, request.params.id, request.body))),
    );
    app.get(`${prefix}/:id/uploads/:uploadId`, { schema: { tags, summary: docs('上传进度（续传从 received 开始）/ upload state: resume at received'), params: idParams.extend({ uploadId: z.string() }), response: { 200: uploadState } } }, async (request) =>
      act(request, 'transfer.upload.view', request.params.id, (actor) => uploads.status(actor, request.params.id, request.params.uploadId)),
    );
    app.post(`${prefix}/:id/package`, { schema: { tags, summary: docs('把已上传的压缩包（zip/tar，BagIt 或带目录表格）展开为本批次的文件和条目 / unpack an uploaded package into files and items'), params: idParams, body: z.object({ fileId: z.string() }), response: { 200: z.object({ files: z.number(), items: z.number(), kind: z.enum(['bagit', 'catalog', 'files', 'eep']) }) } } }, async (request) =>
      act(request, 'transfer.package', request.params.id, (actor) => intake.intake(actor, request.params.id, request.body.fileId)),
    );
    app.post(`${prefix}/:id/submit`, { schema: { tags, summary: docs('提交移交，开始四性检测 / submit: the four-property checks start'), params: idParams, response: { 200: z.object({ jobId: z.string() }) } } }, async (request) => {
      const jobId = await act(request, 'transfer.submit', request.params.id, (actor) => inTx((tx) => transfers.submit(tx, actor, request.params.id)));
      deps.jobs.nudge();
      return { jobId };
    });
  }

  // Chunks come as raw bodies, streamed to disk (never buffered whole).
  app.register(async (scope) => {
    scope.addContentTypeParser('application/octet-stream', { bodyLimit: CHUNK_LIMIT }, (_request, payload, done) => done(null, payload));
    const s = scope.withTypeProvider<ZodTypeProvider>();
    for (const prefix of ['/api/transfers', '/api/filing/transfers']) {
      s.put(
        `${prefix}/:id/uploads/:uploadId`,
        {
          bodyLimit: CHUNK_LIMIT,
          schema: {
            tags,
            summary: '上传一个分片（请求体为原始字节，offset 为服务器已收到的字节数，X-Chunk-SHA256 为分片摘要）/ upload one chunk at offset',
            params: idParams.extend({ uploadId: z.string() }),
            querystring: z.object({ offset: z.coerce.number().int().min(0) }),
            response: { 200: uploadState },
          },
        },
        async (request) => {
          const header = request.headers['x-chunk-sha256'];
          const chunkSha = typeof header === 'string' && /^[0-9a-fA-F]{64}$/.test(header) ? header : null;
          return act(request, 'transfer.upload.chunk', request.params.id, (actor) => uploads.writeChunk(actor, request.params.id, request.params.uploadId, request.query.offset, request.body as AsyncIterable<Uint8Array>, chunkSha));
        },
      );
    }
  });

  app.get('/api/transfers', { schema: { tags, summary: '移交批次列表（立档单位只见本单位）/ hand-overs (clerks see their own agency’s)', querystring: z.object({ status: z.enum(['draft', 'submitted', 'checking', 'checked', 'accepted', 'returned']).optional(), agencyId: z.string().optional() }), response: { 200: z.array(transferSummarySchema) } } }, async (request) =>
    act(request, 'transfer.list', null, (actor) => transfers.list(db, actor, request.query)),
  );
  app.get('/api/transfers/:id/items', { schema: { tags, summary: '移交条目（著录项和文件清单，用于修改草稿）/ the items as given', params: idParams } }, async (request) =>
    act(request, 'transfer.items.view', request.params.id, (actor) => transfers.items(db, actor, request.params.id)),
  );
  app.get('/api/transfers/:id/files', { schema: { tags, summary: '已接收的文件 / files received', params: idParams } }, async (request) =>
    act(request, 'transfer.files.view', request.params.id, (actor) => transfers.files(db, actor, request.params.id)),
  );
  app.get('/api/transfers/:id/check-job', { schema: { tags, summary: '检测进度（立档单位也可查看本单位的）/ progress of the check', params: idParams } }, async (request) =>
    act(request, 'transfer.check.view', request.params.id, (actor) => transfers.checkJob(db, actor, request.params.id)),
  );
  app.post('/api/transfers/:id/self-check', { schema: { tags, summary: '自检：提交前先检测草稿 / check a draft before submitting', params: idParams, response: { 200: z.object({ jobId: z.string() }) } } }, async (request) => {
    const jobId = await act(request, 'transfer.self-check', request.params.id, (actor) => inTx((tx) => transfers.selfCheck(tx, actor, request.params.id)));
    deps.jobs.nudge();
    return { jobId };
  });
  app.post('/api/transfers/:id/carrier', { schema: { tags, summary: '离线移交：读取已挂载的载体（光盘、硬盘）/ offline hand-over: read a mounted carrier', params: idParams, body: z.object({ path: z.string().min(1).max(1000) }), response: { 200: z.object({ files: z.number(), items: z.number(), extra: z.array(z.string()) }) } } }, async (request) =>
    act(request, 'transfer.carrier', request.params.id, (actor) => deps.carriers.readCarrier(actor, request.params.id, request.body.path)),
  );
  app.put('/api/transfers/:id/items/:itemId', { schema: { tags, summary: '修改草稿中的条目 / correct an item of a draft', params: idParams.extend({ itemId: z.string() }), body: transferItemInputSchema, response: { 200: z.object({ ok: z.literal(true) }) } } }, async (request) => {
    await act(request, 'transfer.item.update', request.params.id, (actor) => inTx((tx) => transfers.updateItem(tx, actor, request.params.id, request.params.itemId, request.body)));
    return { ok: true as const };
  });
  app.get('/api/transfers/:id/report', { schema: { tags, summary: '四性检测报告（JSON，或 format=html 可打印）/ the check report, JSON or printable HTML', params: idParams, querystring: z.object({ format: z.enum(['json', 'html']).default('json') }) } }, async (request, reply) => {
    const report = await act(request, 'transfer.report', request.params.id, async (actor) => buildReport(db, await transfers.load(db, actor, request.params.id)));
    if (request.query.format === 'html') return reply.header('content-type', 'text/html; charset=utf-8').send(reportHtml(report));
    return report;
  });
  app.get('/api/transfers/:id/receipt', { schema: { tags, summary: '电子档案移交接收登记表（可打印）/ the hand-over register, printable', params: idParams } }, async (request, reply) => {
    const html = await act(request, 'transfer.receipt', request.params.id, async (actor) => {
      const row = await transfers.load(db, actor, request.params.id);
      const summary = await transfers.get(db, actor, request.params.id);
      const archive = await organisations.archive(db);
      const carrier = summary.carrier ? `${summary.carrier.type} ${summary.carrier.label}（编号 ${summary.carrier.number}）` : null;
      return receiptHtml(await buildReport(db, row), { agencyName: summary.agencyName, archiveName: archive?.name ?? '', title: summary.title, years: summary.yearFrom === summary.yearTo ? String(summary.yearFrom) : `${summary.yearFrom}—${summary.yearTo}`, items: summary.items, files: summary.files, bytes: summary.bytes, channel: summary.channel, carrier, submittedAt: summary.submittedAt, decidedAt: summary.decidedAt });
    });
    return reply.header('content-type', 'text/html; charset=utf-8').send(html);
  });
  app.post('/api/transfers/:id/return', { schema: { tags, summary: '退回移交（写明理由，可逐条说明）/ return a hand-over with reasons', params: idParams, body: z.object({ reason: z.string().trim().min(1).max(2000), items: z.record(z.string(), z.string().max(1000)).default({}) }), response: { 200: z.object({ ok: z.literal(true) }) } } }, async (request) => {
    await act(request, 'transfer.return', request.params.id, (actor) => inTx((tx) => transfers.returnTransfer(tx, actor, request.params.id, request.body.reason, request.body.items)));
    return { ok: true as const };
  });
  const acceptBody = z
    .object({
      itemIds: z.array(z.string().min(1).max(64)).max(100_000).optional().describe('要接收的条目（缺省为全部）；其余条目随理由退回立档单位 / items to accept (all when absent); the rest go back'),
      returnReason: z.string().trim().max(2000).optional().describe('其余条目的退回理由 / why the other items go back'),
      recode: z.boolean().optional().describe('按本馆规则重新编制档号，立档单位档号记入档号变更记录 / re-code with the archive’s next numbers'),
    })
    // A POST without a body (the whole hand-over, as before) arrives as null.
    .nullish();
  const acceptResult = z.object({ records: z.number(), files: z.number(), bytes: z.number(), returned: z.number(), returnedTransferId: z.string().nullable(), recoded: z.number() });
  app.post('/api/transfers/:id/accept/preview', { schema: { tags, summary: '接收预览：将建立的档案、重新编制的档号与退回的条目（不写入）/ preview an accept: records, codes, items going back (nothing written)', params: idParams, body: acceptBody, response: { 200: acceptResult.extend({ codes: z.array(z.object({ position: z.number(), title: z.string(), agencyCode: z.string().nullable(), newCode: z.string().nullable() })) }) } } }, async (request) =>
    act(request, 'transfer.accept', request.params.id, (actor) => deps.accession.preview(actor, viewerOf(request, deps.zone), request.params.id, request.body ?? {})),
  );
  app.post('/api/transfers/:id/accept', { schema: { tags, summary: '接收进馆（全部或所选条目，其余退回；可重新编制档号）：文件入库、建立档案条目、保存记录与事件 / accept all or chosen items (the rest returned), optionally re-coded', params: idParams, body: acceptBody, response: { 200: acceptResult } } }, async (request) =>
    act(request, 'transfer.accept', request.params.id, (actor) => deps.accession.accept(actor, viewerOf(request, deps.zone), request.params.id, request.body ?? {})),
  );
  app.post('/api/transfers/:id/new-version', { schema: { tags, summary: '退回后修改并重新移交（生成新版本草稿）/ correct a returned hand-over as a new version', params: idParams, response: { 201: z.object({ id: z.string() }) } } }, async (request, reply) => {
    const id = await act(request, 'transfer.new-version', request.params.id, (actor) => inTx((tx) => transfers.resubmitAsNewVersion(tx, actor, request.params.id)));
    return reply.code(201).send({ id });
  });

  app.post(
    '/api/filing/transfers/package',
    {
      schema: {
        tags,
        summary: '移交接口：一次提交批次和条目（OA 系统用，支持 Idempotency-Key 防重复）/ filing API: a hand-over and its items in one call, idempotent',
        description: `在请求头带上 Authorization: Bearer <立档单位的 API 密钥> 和 Idempotency-Key: <本次移交的唯一编号>；重试同一请求不会产生第二个批次。文件随后用 /api/filing/transfers/{id}/uploads 上传，最后 POST /api/filing/transfers/{id}/submit。\n\n示例 / Example:\n\n\`\`\`json\n${JSON.stringify(FILING_EXAMPLE, null, 2)}\n\`\`\``,
        headers: z.object({ 'idempotency-key': z.string().min(8).max(200).optional() }),
        body: z.object({ transfer: transferInputSchema, items: z.array(transferItemInputSchema).max(10_000).default([]) }),
        response: { 200: z.object({ id: z.string(), created: z.boolean() }) },
      },
    },
    async (request) =>
      act(request, 'transfer.create', null, (actor) =>
        inTx(async (tx) => {
          const result = await transfers.create(tx, actor, request.body.transfer, 'api', request.headers['idempotency-key'] ?? null);
          if (result.created && request.body.items.length > 0) await transfers.addItems(tx, actor, result.id, request.body.items);
          return result;
        }),
      ),
  );
}
