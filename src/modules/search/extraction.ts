/**
 * The text extraction job: one accepted file's text, page by page (extract/extract.ts:
 * text layers, markup, OCR of scans with tesseract chi_sim+eng), kept in
 * search_file_pages and recorded as a PREMIS event; then the record is marked for
 * re-indexing. Failures are recorded and never block the index: a file that cannot be
 * read (damaged, encrypted, unsupported) is recorded once and left; a transient one
 * (a tool missing or timing out) is retried by the job queue.
 */
import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import type { Db } from '../../platform/db/database.js';
import type { JobContext } from '../../platform/jobs/model.js';
import type { BlobStore } from '../../platform/storage/blob-store.js';
import type { PremisAgent, PreservationService } from '../preservation/service.js';
import { extractText, type Extraction } from './extract/extract.js';
import type { ExtractPayload, Indexer } from './indexer.js';

export interface ExtractionDeps {
  db: Db;
  store: Pick<BlobStore, 'get'> & Partial<Pick<BlobStore, 'localPath'>>;
  preservation: Pick<PreservationService, 'addEvents'>;
  indexer: Pick<Indexer, 'markDirty'>;
  tmpDir: string;
  version: string;
}

/** Reasons that will not change by trying again. */
const PERMANENT = new Set(['unsupported', 'damaged', 'encrypted', 'too-large']);

export function createExtraction(deps: ExtractionDeps) {
  const { db } = deps;
  const lantai: PremisAgent = { role: 'executing program', name: 'Lantai 兰台', version: deps.version };

  async function withLocalFile<T>(sha256: string, signal: AbortSignal, use: (file: string) => Promise<T>): Promise<T> {
    const local = deps.store.localPath?.(sha256);
    if (local) return use(local);
    const work = path.join(deps.tmpDir, `extract-${randomUUID()}`);
    await fs.mkdir(work, { recursive: true });
    try {
      const file = path.join(work, 'original');
      await pipeline(await deps.store.get(sha256), createWriteStream(file), { signal });
      return await use(file);
    } finally {
      await fs.rm(work, { recursive: true, force: true });
    }
  }

  async function record(payload: ExtractPayload, result: { ok: true; extraction: Extraction } | { ok: false; reason: string; message: string; permanent: boolean }): Promise<void> {
    const at = new Date().toISOString();
    await db.transaction().execute(async (tx) => {
      const before = await tx.selectFrom('search_extractions').select('attempts').where('file_id', '=', payload.fileId).executeTakeFirst();
      const attempts = (before?.attempts ?? 0) + 1;
      await tx.deleteFrom('search_extractions').where('file_id', '=', payload.fileId).execute();
      if (result.ok) {
        const { extraction } = result;
        await tx.deleteFrom('search_file_pages').where('file_id', '=', payload.fileId).execute();
        const pages = extraction.pages.filter((p) => p.text.trim() !== '');
        for (let i = 0; i < pages.length; i += 200) {
          await tx
            .insertInto('search_file_pages')
            .values(pages.slice(i, i + 200).map((p) => ({ file_id: payload.fileId, page: p.page, method: p.method, text: p.text })))
            .execute();
        }
        await tx.insertInto('search_extractions').values({ file_id: payload.fileId, record_id: payload.recordId, status: 'done', tool: extraction.tool, tool_version: extraction.toolVersion, pages: extraction.pages.length, ocr_pages: extraction.ocrPages, attempts, error: null, updated_at: at }).execute();
        const chars = pages.reduce((n, p) => n + p.text.length, 0);
        const ocr = extraction.ocrPages > 0 ? `，其中 ${extraction.ocrPages} 页经文字识别（OCR）` : '';
        await deps.preservation.addEvents(tx, [
          { subjectType: 'file', subjectId: payload.fileId, recordId: payload.recordId, type: 'creation', at, outcome: 'success', detail: `提取全文供检索：${extraction.pages.length} 页，${chars} 字${ocr}；原件未改动`, agents: [lantai, { role: 'tool', name: extraction.tool, version: extraction.toolVersion }] },
        ]);
      } else {
        await tx.insertInto('search_extractions').values({ file_id: payload.fileId, record_id: payload.recordId, status: result.reason === 'unsupported' ? 'unsupported' : 'failed', tool: null, tool_version: null, pages: 0, ocr_pages: 0, attempts, error: `${result.reason}: ${result.message}`.slice(0, 500), updated_at: at }).execute();
        await deps.preservation.addEvents(tx, [
          { subjectType: 'file', subjectId: payload.fileId, recordId: payload.recordId, type: 'creation', at, outcome: 'failure', detail: `未能提取全文（${payload.mime ?? '未知格式'}）：${result.reason}${result.permanent ? '' : '，将重试'}`, agents: [lantai] },
        ]);
      }
      await deps.indexer.markDirty(tx, [payload.recordId]);
    });
  }

  return {
    /** The job handler: extract, keep, mark for indexing; throws (for a retry) only on transient failures. */
    async run(payload: ExtractPayload, ctx: Pick<JobContext, 'signal'>): Promise<void> {
      try {
        const extraction = await withLocalFile(payload.sha256, ctx.signal, (file) => extractText({ path: file, name: payload.name, mime: payload.mime }, { signal: ctx.signal, tmpDir: deps.tmpDir }));
        await record(payload, { ok: true, extraction });
      } catch (err) {
        if (ctx.signal.aborted) throw err;
        const reason = (err as { reason?: string }).reason ?? 'error';
        const message = ((err as Error).message ?? String(err)).split('\n')[0] ?? '';
        const permanent = PERMANENT.has(reason);
        await record(payload, { ok: false, reason, message, permanent });
        if (!permanent) throw err;
      }
    },
  };
}

export type TextExtraction = ReturnType<typeof createExtraction>;
