/**
 * A record's preservation metadata for archive staff: its files' preservation
 * records and the event timeline (JSON for the item page), and the same as
 * PREMIS 3.0 XML. The record must be visible to the viewer (catalog.getItem).
 * BagIt bags of a record, a volume, a hand-over or a fonds, as zip or tar, for
 * archivists (bag-export.ts decides what goes in and audits it).
 */
import { z } from 'zod';
import type { HttpServer } from '../../platform/http/server.js';
import type { Db } from '../../platform/db/database.js';
import { accountsErrors } from '../accounts/errors.js';
import { actorOf, viewerOf } from '../accounts/request-session.js';
import type { AuditSink } from '../accounts/service.js';
import type { Viewer } from '../accounts/viewer.js';
import type { CatalogService } from '../catalog/service.js';
import type { BlobStore } from '../../platform/storage/blob-store.js';
import { createBagExport, type BagExportDeps, type BagSubjectType } from './bag-export.js';
import { tarBag, zipBag } from './bag-sinks.js';
import { premisXml } from './premis.js';
import { EVENT_TYPES, type PreservationService } from './service.js';

export interface PreservationRouteDeps {
  db: Db;
  catalog: CatalogService;
  preservation: PreservationService;
  zone: Viewer['zone'];
  files: Pick<BlobStore, 'get'>;
  version: string;
  audit: AuditSink;
  /** Hand-overs, for the bag of the records accepted from one. */
  transfers: BagExportDeps['transfers'];
}

const params = z.object({ id: z.string().min(1).max(64) });

/** The subjects a bag is made of, where their routes live, and what the API docs say of them. */
const BAG_ROUTES: ReadonlyArray<{ type: BagSubjectType; path: string; zh: string; en: string }> = [
  { type: 'record', path: '/api/catalog/items/:id', zh: '导出档案的 BagIt 包（RFC 8493：原始文件、SHA-256 与 SM3 清单、DA/T 46 著录 XML、PREMIS）', en: 'the record as a BagIt bag' },
  { type: 'volume', path: '/api/catalog/volumes/:id', zh: '导出案卷的 BagIt 包（卷内您可查看内容的档案，每件一个目录）', en: 'the records of a volume you may see, as one BagIt bag (a folder per record)' },
  { type: 'transfer', path: '/api/transfers/:id', zh: '导出移交批次接收入库的档案的 BagIt 包（您可查看内容的档案，每件一个目录）', en: 'the records accepted from a hand-over that you may see, as one BagIt bag' },
  { type: 'fonds', path: '/api/catalog/fonds/:id', zh: '导出全宗的 BagIt 包（您可查看内容的档案，每件一个目录）', en: 'the records of a fonds you may see, as one BagIt bag' },
];
const agentSchema = z.object({ role: z.enum(['implementer', 'executing program', 'tool']), name: z.string(), id: z.string().nullable().optional(), version: z.string().nullable().optional() });
const preservationSchema = z.object({
  files: z.array(z.object({ id: z.string(), sha256: z.string(), sm3: z.string(), size: z.number(), mime: z.string().nullable(), puid: z.string().nullable(), formatName: z.string().nullable(), formatVersion: z.string().nullable(), creatingApplication: z.string().nullable(), originalName: z.string(), originalPath: z.string(), createdAt: z.string() })),
  events: z.array(z.object({ id: z.string(), subjectType: z.enum(['file', 'record']), subjectId: z.string(), type: z.enum(EVENT_TYPES), at: z.string(), outcome: z.enum(['success', 'warning', 'failure', 'not checked']), detail: z.string(), agents: z.array(agentSchema) })),
});

export function registerPreservationRoutes(app: HttpServer, deps: PreservationRouteDeps): void {
  const { db, catalog, preservation } = deps;
  const tags = ['preservation'];

  /** The record as the viewer sees it, for archive staff only. */
  async function visibleRecord(request: Parameters<typeof viewerOf>[0], id: string) {
    if (!request.session) throw accountsErrors.AUTH_REQUIRED();
    const actor = request.session.actor;
    if (!actor.roles.includes('archivist')) throw accountsErrors.FORBIDDEN_ROLE({ role: '当前用户', roleEn: 'user', action: '查看保存记录 / see preservation records' });
    return db.transaction().execute((tx) => catalog.getItem(tx, actor, viewerOf(request, deps.zone), id));
  }

  app.get('/api/catalog/items/:id/preservation', { schema: { tags, summary: '档案的保存记录：文件摘要、格式（PRONOM）与事件时间线 / preservation records and event timeline', params, response: { 200: preservationSchema } } }, async (request) => {
    await visibleRecord(request, request.params.id);
    const files = await preservation.files(db, request.params.id);
    return {
      files: files.map((f) => ({ id: f.id, sha256: f.sha256, sm3: f.sm3, size: Number(f.size), mime: f.mime, puid: f.puid, formatName: f.format_name, formatVersion: f.format_version, creatingApplication: f.creating_application, originalName: f.original_name, originalPath: f.original_path, createdAt: f.created_at })),
      events: (await preservation.timeline(db, request.params.id)).map((e) => ({ ...e, agents: [...e.agents] })),
    };
  });

  // BagIt exports: one route per subject and format, all archivists only and audited (bag-export.ts).
  const bags = createBagExport({ db, audit: deps.audit, catalog, preservation, transfers: deps.transfers, files: deps.files, version: deps.version });
  for (const route of BAG_ROUTES) {
    for (const format of ['zip', 'tar'] as const) {
      const summary = `${route.zh}（${format}）/ ${route.en} (${format})`;
      app.get(`${route.path}/bag.${format}`, { schema: { tags, summary, params } }, async (request, reply) => {
        const plan = await bags.plan(actorOf(request), viewerOf(request, deps.zone), { type: route.type, id: request.params.id }, format);
        const { stream, sink } = format === 'zip' ? zipBag(plan.root) : tarBag(plan.root);
        // The reply streams what the writer puts in; a failure on the way ends the stream with it (and is audited).
        bags.write(plan, sink).catch((err: unknown) => request.log.error({ err, subject: plan.target }, 'bag export failed'));
        return reply
          .header('content-type', format === 'zip' ? 'application/zip' : 'application/x-tar')
          .header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(`${plan.root}.${format}`)}`)
          .header('cache-control', 'private, no-store')
          .send(stream);
      });
    }
  }

  app.get('/api/catalog/items/:id/premis.xml', { schema: { tags, summary: '导出 PREMIS 3.0 保存元数据 / PREMIS 3.0 XML', params } }, async (request, reply) => {
    const item = await visibleRecord(request, request.params.id);
    const xml = premisXml({ id: item.id, archivalCode: item.archivalCode, title: item.title }, await preservation.files(db, item.id), await preservation.timeline(db, item.id));
    return reply.header('content-type', 'application/xml; charset=utf-8').header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(`${item.archivalCode ?? item.id}.premis.xml`)}`).send(xml);
  });
}
