/**
 * Reading access copies (thumbnails and page previews) of a record's files. The same
 * rule as reading the file itself (catalog.openFile): the viewer must see the record's
 * content, the three admins never do, and previews of controlled records are audited.
 * A record the viewer sees only as a catalog entry shows no thumbnail.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Db } from '../../platform/db/database.js';
import { LantaiError } from '../../platform/http/errors.js';
import type { HttpServer } from '../../platform/http/server.js';
import type { BlobStore } from '../../platform/storage/blob-store.js';
import { viewerOf } from '../accounts/request-session.js';
import type { Actor, AuditSink } from '../accounts/service.js';
import type { Viewer } from '../accounts/viewer.js';
import { catalogErrors } from '../catalog/errors.js';
import type { CatalogService } from '../catalog/service.js';
import { accessCopiesOf } from './access-copies.js';

export interface AccessCopyRouteDeps {
  db: Db;
  catalog: CatalogService;
  audit: AuditSink;
  zone: Viewer['zone'];
  files: Pick<BlobStore, 'get'>;
}

const fileParams = z.object({ id: z.string().min(1).max(64), fileId: z.string().min(1).max(64) });
const previewsSchema = z.array(z.object({ fileId: z.string(), thumbnail: z.boolean(), pages: z.array(z.object({ page: z.number(), width: z.number(), height: z.number() })) }));

export function registerAccessCopyRoutes(app: HttpServer, deps: AccessCopyRouteDeps): void {
  const { db, catalog } = deps;
  const tags = ['preservation'];

  function who(request: FastifyRequest): { actor: Actor; viewer: Viewer } {
    const actor: Actor = request.session?.actor ?? { userId: null, username: null, roles: [], organisationId: null, address: request.ip };
    return { actor, viewer: viewerOf(request, deps.zone) };
  }

  async function serve(request: FastifyRequest, params: { id: string; fileId: string }, reply: FastifyReply, kind: 'thumbnail' | 'page', page: number) {
    const { actor, viewer } = who(request);
    const { id, fileId } = params;
    let copy: { sha256: string; size: number } | undefined;
    try {
      copy = await db.transaction().execute(async (tx) => {
        await catalog.openFile(tx, actor, viewer, id, fileId, 'preview');
        const row = await tx.selectFrom('access_copies').select(['sha256', 'size']).where('file_id', '=', fileId).where('kind', '=', kind).where('page', '=', page).executeTakeFirst();
        return row ? { sha256: row.sha256, size: Number(row.size) } : undefined;
      });
    } catch (err) {
      if (err instanceof LantaiError && (err.status === 401 || err.status === 403)) {
        await db.transaction().execute((tx) => deps.audit.append(tx, { actor: { ...actor, roles: [...actor.roles] }, action: 'catalog.file.preview', target: { type: 'record_file', id: fileId }, result: 'refused', reason: err.code }));
      }
      throw err;
    }
    if (!copy) throw catalogErrors.CATALOG_PREVIEW_NOT_FOUND({ id, fileId, page });
    return reply
      .header('content-type', 'image/jpeg')
      .header('content-length', String(copy.size))
      .header('x-content-type-options', 'nosniff')
      .header('cache-control', 'private, no-store')
      .send(await deps.files.get(copy.sha256));
  }

  app.get('/api/catalog/items/:id/previews', { schema: { tags, summary: '档案文件的利用副本（缩略图、页面预览）清单；不能查看内容时为空 / the access copies of a record’s files (empty when its content is not visible)', params: z.object({ id: z.string().min(1).max(64) }), response: { 200: previewsSchema } } }, async (request) => {
    // No view entry here: the list says only which previews exist, and the item page that asks has
    // recorded the view already; each thumbnail or page read of a controlled record is audited.
    const fileIds = await catalog.visibleFileIds(db, who(request).viewer, request.params.id);
    if (fileIds === null) return [];
    const copies = await accessCopiesOf(db, request.params.id);
    return fileIds.map((fileId) => {
      const mine = copies.filter((c) => c.file_id === fileId);
      return { fileId, thumbnail: mine.some((c) => c.kind === 'thumbnail'), pages: mine.filter((c) => c.kind === 'page').map((c) => ({ page: c.page, width: c.width, height: c.height })) };
    });
  });

  app.get('/api/catalog/items/:id/files/:fileId/thumbnail', { schema: { tags, summary: '文件缩略图（须能查看档案内容；受控档案记入审计）/ a file’s thumbnail', params: fileParams } }, (request, reply) => serve(request, request.params, reply, 'thumbnail', 1));

  app.get('/api/catalog/items/:id/files/:fileId/pages/:page', { schema: { tags, summary: '文件页面预览（JPEG，长边 1600 像素）/ a page preview of a file', params: fileParams.extend({ page: z.coerce.number().int().min(1).max(100_000) }) } }, (request, reply) => serve(request, request.params, reply, 'page', request.params.page));
}
