/**
 * A record's preservation metadata for archive staff: its files' preservation
 * records and the event timeline (JSON for the item page), and the same as
 * PREMIS 3.0 XML. The record must be visible to the viewer (catalog.getItem).
 */
import { z } from 'zod';
import type { HttpServer } from '../../platform/http/server.js';
import type { Db } from '../../platform/db/database.js';
import { accountsErrors } from '../accounts/errors.js';
import { viewerOf } from '../accounts/request-session.js';
import type { Viewer } from '../accounts/viewer.js';
import type { CatalogService } from '../catalog/service.js';
import { premisXml } from './premis.js';
import { recordBagZip } from './bag.js';
import { findArchive } from '../accounts/organisations.js';
import { catalogErrors } from '../catalog/errors.js';
import type { BlobStore } from '../../platform/storage/blob-store.js';
import { EVENT_TYPES, type PreservationService } from './service.js';

export interface PreservationRouteDeps {
  db: Db;
  catalog: CatalogService;
  preservation: PreservationService;
  zone: Viewer['zone'];
  files: Pick<BlobStore, 'get'>;
  version: string;
}

const params = z.object({ id: z.string().min(1).max(64) });
const agentSchema = z.object({ role: z.enum(['implementer', 'executing program', 'tool']), name: z.string(), id: z.string().nullable().optional(), version: z.string().nullable().optional() });
const preservationSchema = z.object({
  files: z.array(z.object({ id: z.string(), sha256: z.string(), sm3: z.string(), size: z.number(), mime: z.string().nullable(), puid: z.string().nullable(), formatName: z.string().nullable(), formatVersion: z.string().nullable(), creatingApplication: z.string().nullable(), originalName: z.string(), originalPath: z.string(), createdAt: z.string() })),
  events: z.array(z.object({ id: z.string(), subjectType: z.enum(['file', 'record']), subjectId: z.string(), type: z.enum(EVENT_TYPES), at: z.string(), outcome: z.enum(['success', 'warning', 'failure', 'not checked']), detail: z.string(), agents: z.array(agentSchema) })),
});

export function registerPreservationRoutes(app: HttpServer, deps: PreservationRouteDeps): void {
  const { db, catalog, preservation } = deps;
  const tags = ['preservation'];

  /** The record as the viewer sees it, for archive staff only; `content` when its files are read too. */
  async function visibleRecord(request: Parameters<typeof viewerOf>[0], id: string, content = false) {
    if (!request.session) throw accountsErrors.AUTH_REQUIRED();
    const actor = request.session.actor;
    if (!actor.roles.includes('archivist')) throw accountsErrors.FORBIDDEN_ROLE({ role: '当前用户', roleEn: 'user', action: '查看保存记录 / see preservation records' });
    const item = await db.transaction().execute((tx) => catalog.getItem(tx, actor, viewerOf(request, deps.zone), id));
    if (content && item.visibility !== 'content') throw catalogErrors.CATALOG_ITEM_NOT_FOUND({ id });
    return item;
  }

  app.get('/api/catalog/items/:id/preservation', { schema: { tags, summary: '档案的保存记录：文件摘要、格式（PRONOM）与事件时间线 / preservation records and event timeline', params, response: { 200: preservationSchema } } }, async (request) => {
    await visibleRecord(request, request.params.id);
    const files = await preservation.files(db, request.params.id);
    return {
      files: files.map((f) => ({ id: f.id, sha256: f.sha256, sm3: f.sm3, size: Number(f.size), mime: f.mime, puid: f.puid, formatName: f.format_name, formatVersion: f.format_version, creatingApplication: f.creating_application, originalName: f.original_name, originalPath: f.original_path, createdAt: f.created_at })),
      events: (await preservation.timeline(db, request.params.id)).map((e) => ({ ...e, agents: [...e.agents] })),
    };
  });

  app.get('/api/catalog/items/:id/bag.zip', { schema: { tags, summary: '导出档案的 BagIt 包（RFC 8493：原始文件、SHA-256 与 SM3 清单、DA/T 46 著录 XML、PREMIS）/ the record as a BagIt bag (zip)', params } }, async (request, reply) => {
    const item = await visibleRecord(request, request.params.id, true);
    const archive = await findArchive(db);
    const root = (item.archivalCode ?? item.id).replace(/[\\/:*?"<>|]/g, '_');
    const stream = recordBagZip({ item, agencyName: item.agencyName, files: await preservation.files(db, item.id), events: await preservation.timeline(db, item.id), open: (sha) => deps.files.get(sha), software: `Lantai ${deps.version}`, archiveName: archive?.name ?? 'Lantai' }, root);
    return reply.header('content-type', 'application/zip').header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(`${root}.zip`)}`).send(stream);
  });

  app.get('/api/catalog/items/:id/premis.xml', { schema: { tags, summary: '导出 PREMIS 3.0 保存元数据 / PREMIS 3.0 XML', params } }, async (request, reply) => {
    const item = await visibleRecord(request, request.params.id);
    const xml = premisXml({ id: item.id, archivalCode: item.archivalCode, title: item.title }, await preservation.files(db, item.id), await preservation.timeline(db, item.id));
    return reply.header('content-type', 'application/xml; charset=utf-8').header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(`${item.archivalCode ?? item.id}.premis.xml`)}`).send(xml);
  });
}
