/**
 * Accession: a checked hand-over becomes preserved holdings (AIP).
 *
 * In this order (DESIGN.md "Accept"):
 *  (a) every file's bytes go into the primary blob store — `adopt` links the staged
 *      file where the filesystem allows (no second copy), identical bytes are kept
 *      once, and the digests are recomputed and compared with those taken at
 *      receipt; a file already in the store (an earlier, interrupted accept) is
 *      only checked. The format of each file is identified from its content.
 *  (b) one database transaction creates the catalog records and their files, the
 *      preservation records and PREMIS events, the audit entry, and moves the
 *      hand-over to accepted — guarded by its status, so a second accept (or two
 *      archivists at once) finds it accepted and gets a conflict.
 * A crash in (a) leaves blobs nothing points at, which `gc(isReferenced)` removes
 * later; a crash in (b) rolls back: the state before or the state after, never half.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import pLimit from 'p-limit';
import type { Db, Tx } from '../../platform/db/database.js';
import { identifyPreservationFormat, type PreservationFormat } from '../../platform/formats/pronom.js';
import type { PdfInspector } from '../../platform/pdf/inspector.js';
import type { BlobStore } from '../../platform/storage/blob-store.js';
import type { Actor, AuditSink } from '../accounts/service.js';
import type { Viewer } from '../accounts/viewer.js';
import type { CatalogService } from '../catalog/service.js';
import type { EventOutcome, PremisAgent, PreservationEventInput, PreservationService } from '../preservation/service.js';
import { transferErrors } from './errors.js';
import { STATUS_LABELS } from './model.js';

export interface AccessionDeps {
  db: Db;
  audit: AuditSink;
  catalog: CatalogService;
  preservation: PreservationService;
  store: BlobStore;
  pdf: PdfInspector;
  /** Lantai's version, for the events' executing-program agent. */
  version: string;
  /** Jobs that follow an accept (access copies, …), queued inside its transaction. */
  followUps?: ReadonlyArray<(tx: Tx, transferId: string) => Promise<void>>;
}

export interface AcceptProgress {
  /** storing: bytes into the store and formats identified, file by file; recording: the one transaction. */
  phase: 'storing' | 'recording';
  done: number;
  total: number;
}

export interface AcceptResult {
  records: number;
  files: number;
  bytes: number;
}

const OUTCOME: Record<string, EventOutcome> = { 通过: 'success', 警告: 'warning', 不通过: 'failure', 未检测: 'not checked' };

export function createAccession(deps: AccessionDeps) {
  const { db } = deps;

  return {
    /** `progress` hears each stored file, then the start of the transaction (for progress bars, and for the crash-loop test's kills). */
    async accept(actor: Actor, viewer: Viewer, transferId: string, progress?: (p: AcceptProgress) => void): Promise<AcceptResult> {
      if (!actor.roles.includes('archivist')) throw transferErrors.TRANSFER_FORBIDDEN({ who: '只有档案业务人员', action: '接收移交', actionEn: 'accept hand-overs' });
      const transfer = await db.selectFrom('transfers').selectAll().where('id', '=', transferId).executeTakeFirst();
      if (!transfer) throw transferErrors.TRANSFER_NOT_FOUND({ id: transferId });
      const notAcceptable = () => transferErrors.TRANSFER_STATE({ state: STATUS_LABELS[transfer.status].zh, stateEn: STATUS_LABELS[transfer.status].en, action: '接收', actionEn: 'accepted' });
      if (transfer.status !== 'checked') throw notAcceptable();
      const items = await db.selectFrom('transfer_items').selectAll().where('transfer_id', '=', transferId).orderBy('position').execute();
      const failed = items.filter((i) => i.result === '不通过');
      if (failed.length > 0) throw transferErrors.TRANSFER_ACCEPT_FAILED_ITEMS({ count: failed.length, positions: failed.slice(0, 10).map((i) => i.position).join('、') + (failed.length > 10 ? '…' : '') });
      const files = await db.selectFrom('transfer_files').selectAll().where('transfer_id', '=', transferId).where('item_id', 'is not', null).orderBy('position').execute();

      // (a) Bytes into the store, verified, and each file's format from its content.
      const formats = new Map<string, PreservationFormat>();
      let stored = 0;
      // Enough at once that the digest threads (one per core) always have a file while others wait on fsync.
      const limit = pLimit(Math.max(4, os.availableParallelism() * 4));
      await Promise.all(
        files.map((f) =>
          limit(async () => {
            const digests = { sha256: f.sha256, sm3: f.sm3, size: Number(f.size) };
            const held = await deps.store.stat(f.sha256);
            if (!held) {
              try {
                await deps.store.adopt(f.staged_path, digests, { verify: true, deferSync: true });
              } catch (err) {
                const code = (err as { code?: string }).code ?? 'ERROR';
                throw transferErrors.TRANSFER_ACCEPT_BYTES({ path: f.path, reason: code === 'BLOB_DIGEST_MISMATCH' || code === 'BLOB_SIZE_MISMATCH' ? '摘要值或大小不符' : '无法读取', reasonEn: code });
              }
            } else if (held.size !== digests.size) throw transferErrors.TRANSFER_ACCEPT_BYTES({ path: f.path, reason: '存储中的副本大小不符', reasonEn: 'stored copy has another size' });
            formats.set(f.id, await identifyPreservationFormat(f.staged_path, f.path, { pdf: deps.pdf }));
            stored += 1;
            progress?.({ phase: 'storing', done: stored, total: files.length });
          }),
        ),
      );

      // One flush makes the whole batch durable before anything refers to it.
      await deps.store.sync();

      // What the checks found per file, for the validation and virus-check events.
      const checkRows = await db.selectFrom('transfer_check_results').select(['file_id', 'check_id', 'result', 'evidence']).where('transfer_id', '=', transferId).where('check_id', 'in', ['YJ-KY-03', 'YJ-AQ-01']).where('file_id', 'is not', null).execute();
      const checkOf = new Map(checkRows.map((r) => [`${r.file_id}:${r.check_id}`, { result: r.result, message: (JSON.parse(r.evidence) as { message?: string }).message ?? '' }]));

      // (b) One transaction.
      const person: PremisAgent = { role: 'implementer', name: actor.username ?? '系统', id: actor.userId };
      const lantai: PremisAgent = { role: 'executing program', name: 'Lantai 兰台', version: deps.version };
      const filesByItem = new Map<string, typeof files>();
      for (const f of files) {
        const list = filesByItem.get(f.item_id as string);
        if (list) list.push(f);
        else filesByItem.set(f.item_id as string, [f]);
      }
      let bytes = 0;
      progress?.({ phase: 'recording', done: 0, total: items.length });
      await db.transaction().execute(async (tx) => {
        const at = new Date().toISOString();
        const moved = await tx.updateTable('transfers').set({ status: 'accepted', decided_at: at, decided_by: actor.userId, updated_at: at }).where('id', '=', transferId).where('status', '=', 'checked').executeTakeFirst();
        if (Number(moved.numUpdatedRows) !== 1) {
          const now = await tx.selectFrom('transfers').select('status').where('id', '=', transferId).executeTakeFirstOrThrow();
          throw transferErrors.TRANSFER_STATE({ state: STATUS_LABELS[now.status].zh, stateEn: STATUS_LABELS[now.status].en, action: '接收', actionEn: 'accepted' });
        }
        const events: PreservationEventInput[] = [];
        // Set-based: the records in one go (one audit entry for them, besides the accept's), then their files.
        const recordIds = await deps.catalog.createItems(
          tx, actor, viewer,
          items.map((item) => ({ ...(JSON.parse(item.metadata) as Record<string, unknown>), fondsId: transfer.fonds_id, categoryId: transfer.category_id, volumeId: null })),
          { action: 'catalog.item.accession', label: `接收进馆：${transfer.title}（第 ${transfer.version} 版）` },
        );
        const kept = items.flatMap((item, i) => (filesByItem.get(item.id) ?? []).map((f) => ({ f, recordId: recordIds[i] as string, format: formats.get(f.id) as PreservationFormat })));
        const name = (p: string) => p.split('/').pop() ?? p;
        const fileIds = await deps.catalog.attachFiles(tx, actor, kept.map(({ f, recordId, format }) => ({ recordId, sha256: f.sha256, sm3: f.sm3, size: Number(f.size), name: name(f.path), role: f.role, position: f.position, pageCount: null, mime: format.mime })));
        await deps.preservation.recordFiles(tx, kept.map(({ f, recordId, format }, i) => ({ fileId: fileIds[i] as string, recordId, transferId, digests: { sha256: f.sha256, sm3: f.sm3, size: Number(f.size) }, format, originalName: name(f.path), originalPath: f.path, at })));
        for (const [i, { f, recordId, format }] of kept.entries()) {
          const fileId = fileIds[i] as string;
          bytes += Number(f.size);
          const on = (type: PreservationEventInput['type'], outcome: EventOutcome, detail: string, tool?: PremisAgent): PreservationEventInput => ({ subjectType: 'file', subjectId: fileId, recordId, type, at, outcome, detail, agents: tool ? [person, lantai, tool] : [person, lantai] });
          const validation = checkOf.get(`${f.id}:YJ-KY-03`);
          const virus = checkOf.get(`${f.id}:YJ-AQ-01`);
          events.push(
            on('ingestion', 'success', `随移交批次“${transfer.title}”（第 ${transfer.version} 版，${transfer.channel}）接收，原路径 ${f.path}，接收于 ${f.received_at}`),
            on('message digest calculation', 'success', `SHA-256 ${f.sha256}；SM3 ${f.sm3}；${Number(f.size)} 字节（接收时计算，入库时复核一致）`),
            on('format identification', format.kind ? 'success' : 'failure', `${format.formatName ?? format.label}${format.version ? ` ${format.version}` : ''}${format.puid ? `（PRONOM ${format.puid}）` : ''}${format.mime ? `，${format.mime}` : ''}`, { role: 'tool', name: format.identifiedBy }),
            on('validation', OUTCOME[validation?.result ?? '未检测'] ?? 'not checked', `四性检测 YJ-KY-03：${validation?.result ?? '未检测'}${validation?.message ? `，${validation.message}` : ''}`),
            on('virus check', OUTCOME[virus?.result ?? '未检测'] ?? 'not checked', `四性检测 YJ-AQ-01：${virus?.result ?? '未检测'}${virus?.message ? `，${virus.message}` : ''}`, { role: 'tool', name: 'ClamAV clamd' }),
          );
        }
        for (const [i, item] of items.entries()) {
          const recordId = recordIds[i] as string;
          events.push({ subjectType: 'record', subjectId: recordId, recordId, type: 'accession', at, outcome: 'success', detail: `接收进馆：移交批次“${transfer.title}”第 ${item.position} 件，${(filesByItem.get(item.id) ?? []).length} 个文件`, agents: [person, lantai] });
        }
        await deps.preservation.addEvents(tx, events);
        for (const followUp of deps.followUps ?? []) await followUp(tx, transferId);
        await deps.audit.append(tx, { actor: { ...actor, roles: [...actor.roles] }, action: 'transfer.accept', target: { type: 'transfer', id: transferId, label: transfer.title }, result: 'ok', details: { records: items.length, files: files.length, bytes } });
      });
      // The staged copies are links to (or copies of) what the store now holds: free the staging area.
      // A crash right here leaves them behind, harmless; the accepted hand-over no longer reads them.
      await Promise.all(files.map((f) => fs.rm(f.staged_path, { force: true }).catch(() => undefined)));
      return { records: items.length, files: files.length, bytes };
    },
  };
}

export type Accession = ReturnType<typeof createAccession>;
