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
 *
 * The archivist may accept a selection of the items: the rest go back to the agency
 * in the same transaction as a returned hand-over of their own (with the reason), which
 * the agency corrects and hands over again as usual. The agency's archival codes are
 * kept unless the archivist re-codes at accept: then the records get the archive's next
 * numbers in their classes and the agency's codes go into the code history. `preview`
 * runs the same transaction without the bytes and rolls it back, so what it shows is
 * exactly what the accept would do (or the error it would give).
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import pLimit from 'p-limit';
import type { Selectable } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { Db, Tx } from '../../platform/db/database.js';
import { identifyPreservationFormat, type PreservationFormat } from '../../platform/formats/pronom.js';
import type { PdfInspector } from '../../platform/pdf/inspector.js';
import type { BlobStore } from '../../platform/storage/blob-store.js';
import type { Actor, AuditSink } from '../accounts/service.js';
import type { Viewer } from '../accounts/viewer.js';
import type { ArchivalCodes } from '../catalog/codes.js';
import type { CatalogService } from '../catalog/service.js';
import type { EventOutcome, PremisAgent, PreservationEventInput, PreservationService } from '../preservation/service.js';
import { transferErrors } from './errors.js';
import { STATUS_LABELS, type CheckResult } from './model.js';
import { summarise, type CheckSummary, type StoredFinding } from './checks/run-checks.js';
import type { TransferFilesTable, TransferItemsTable, TransfersTable } from './tables.js';

export interface AccessionDeps {
  db: Db;
  audit: AuditSink;
  catalog: CatalogService;
  preservation: PreservationService;
  store: BlobStore;
  pdf: PdfInspector;
  /** Lantai's version, for the events' executing-program agent. */
  version: string;
  codes: Pick<ArchivalCodes, 'apply'>;
  /** Jobs that follow an accept (access copies, …), queued inside its transaction. */
  followUps?: ReadonlyArray<(tx: Tx, transferId: string) => Promise<void>>;
}

export interface AcceptProgress {
  /** storing: bytes into the store and formats identified, file by file; recording: the one transaction. */
  phase: 'storing' | 'recording';
  done: number;
  total: number;
}

export interface AcceptOptions {
  /** The items to accept (transfer_items ids); all when absent. */
  itemIds?: readonly string[];
  /** The reason the other items go back to the agency (needed when some do). */
  returnReason?: string;
  /** Give the records the archive's next codes instead of the agency's. */
  recode?: boolean;
}

export interface AcceptResult {
  records: number;
  files: number;
  bytes: number;
  /** Items sent back, and the returned hand-over that holds them. */
  returned: number;
  returnedTransferId: string | null;
  /** Records whose code changed at accept (re-coding). */
  recoded: number;
}

export interface AcceptPreview extends AcceptResult {
  codes: Array<{ position: number; title: string; agencyCode: string | null; newCode: string | null }>;
}

class PreviewRollback extends Error {
  constructor(readonly preview: AcceptPreview) {
    super('preview');
  }
}

const OUTCOME: Record<string, EventOutcome> = { 通过: 'success', 警告: 'warning', 不通过: 'failure', 未检测: 'not checked' };

export function createAccession(deps: AccessionDeps) {
  const { db } = deps;

  type TransferRow = Selectable<TransfersTable>;
  type ItemRow = Selectable<TransferItemsTable>;
  type FileRow = Selectable<TransferFilesTable>;

  /** The hand-over, its items split into those accepted and those going back, and the accepted items' files. */
  async function load(actor: Actor, transferId: string, options: AcceptOptions) {
    if (!actor.roles.includes('archivist')) throw transferErrors.TRANSFER_FORBIDDEN({ who: '只有档案业务人员', action: '接收移交', actionEn: 'accept hand-overs' });
    const transfer = await db.selectFrom('transfers').selectAll().where('id', '=', transferId).executeTakeFirst();
    if (!transfer) throw transferErrors.TRANSFER_NOT_FOUND({ id: transferId });
    if (transfer.status !== 'checked') throw transferErrors.TRANSFER_STATE({ state: STATUS_LABELS[transfer.status].zh, stateEn: STATUS_LABELS[transfer.status].en, action: '接收', actionEn: 'accepted' });
    const all = await db.selectFrom('transfer_items').selectAll().where('transfer_id', '=', transferId).orderBy('position').execute();
    let chosen = all;
    if (options.itemIds) {
      const wanted = new Set(options.itemIds);
      const known = new Set(all.map((i) => i.id));
      const unknown = options.itemIds.find((id) => !known.has(id));
      if (unknown) throw transferErrors.TRANSFER_ITEM_NOT_FOUND({ id: unknown });
      chosen = all.filter((i) => wanted.has(i.id));
    }
    if (chosen.length === 0) throw transferErrors.TRANSFER_ACCEPT_NOTHING();
    const failed = chosen.filter((i) => i.result === '不通过');
    if (failed.length > 0) throw transferErrors.TRANSFER_ACCEPT_FAILED_ITEMS({ count: failed.length, positions: failed.slice(0, 10).map((i) => i.position).join('、') + (failed.length > 10 ? '…' : '') });
    const chosenIds = new Set(chosen.map((i) => i.id));
    const rest = all.filter((i) => !chosenIds.has(i.id));
    if (rest.length > 0 && !options.returnReason?.trim()) throw transferErrors.TRANSFER_RETURN_REASON();
    const files = (await db.selectFrom('transfer_files').selectAll().where('transfer_id', '=', transferId).where('item_id', 'is not', null).orderBy('position').execute()).filter((f) => chosenIds.has(f.item_id as string));
    return { transfer, chosen, rest, files };
  }

  /** The rest of the items, with their files, as a returned hand-over for the agency to correct and send again. */
  async function returnRest(tx: Tx, actor: Actor, transfer: TransferRow, rest: readonly ItemRow[], reason: string, at: string): Promise<string> {
    const id = uuidv7();
    await tx.insertInto('transfers').values({ ...transfer, id, check_job_id: null, status: 'returned', title: `${transfer.title}（退回部分）`.slice(0, 500), declared_items: rest.length, previous_id: transfer.id, idempotency_key: null, return_reason: reason.slice(0, 2000), created_at: at, updated_at: at, decided_at: at, decided_by: actor.userId }).execute();
    const itemIds = new Map(rest.map((i) => [i.id, uuidv7()]));
    for (let i = 0; i < rest.length; i += 500) {
      await tx.insertInto('transfer_items').values(rest.slice(i, i + 500).map((it) => ({ ...it, id: itemIds.get(it.id) as string, transfer_id: id }))).execute();
    }
    const files = await tx.selectFrom('transfer_files').selectAll().where('transfer_id', '=', transfer.id).where('item_id', 'in', [...itemIds.keys()]).execute();
    const fileIds = new Map(files.map((f) => [f.id, uuidv7()]));
    for (let i = 0; i < files.length; i += 500) {
      // Staged bytes are never changed in place: the returned hand-over points at the same staged files.
      await tx.insertInto('transfer_files').values(files.slice(i, i + 500).map((f) => ({ ...f, id: (fileIds.get(f.id) as string), transfer_id: id, item_id: itemIds.get(f.item_id as string) ?? null }))).execute();
    }
    // The findings about these items and their files go with them, so the agency sees what to correct,
    // and the returned hand-over's summary counts only what it holds.
    const findings = (await tx.selectFrom('transfer_check_results').selectAll().where('transfer_id', '=', transfer.id).where((eb) => eb.or([eb('item_id', 'in', [...itemIds.keys()]), eb('file_id', 'in', [...fileIds.keys(), ''])])).execute()).map((r) => ({ ...r, id: uuidv7(), transfer_id: id, item_id: r.item_id ? (itemIds.get(r.item_id) ?? null) : null, file_id: r.file_id ? (fileIds.get(r.file_id) ?? null) : null }));
    for (let i = 0; i < findings.length; i += 500) await tx.insertInto('transfer_check_results').values(findings.slice(i, i + 500)).execute();
    const previous = transfer.summary ? (JSON.parse(transfer.summary) as CheckSummary) : null;
    const summary: CheckSummary = {
      ...summarise(findings.map((r) => ({ checkId: r.check_id as StoredFinding['checkId'], itemId: r.item_id, fileId: r.file_id, result: r.result as CheckResult, evidence: r.evidence, message: '' })), { draft: false, items: rest.length, files: files.length, bytes: files.reduce((n, f) => n + Number(f.size), 0) }),
      checkedAt: previous?.checkedAt ?? at,
      virusDatabase: previous?.virusDatabase ?? null,
    };
    await tx.updateTable('transfers').set({ summary: JSON.stringify(summary) }).where('id', '=', id).execute();
    return id;
  }

  /** (b): everything the accept writes, in the caller's transaction. */
  async function record(tx: Tx, actor: Actor, viewer: Viewer, loaded: Awaited<ReturnType<typeof load>>, options: AcceptOptions, formats: ReadonlyMap<string, PreservationFormat> | null) {
    const { transfer, chosen: items, rest, files } = loaded;
    const transferId = transfer.id;
    const at = new Date().toISOString();
    const moved = await tx.updateTable('transfers').set({ status: 'accepted', decided_at: at, decided_by: actor.userId, updated_at: at }).where('id', '=', transferId).where('status', '=', 'checked').executeTakeFirst();
    if (Number(moved.numUpdatedRows) !== 1) {
      const now = await tx.selectFrom('transfers').select('status').where('id', '=', transferId).executeTakeFirstOrThrow();
      throw transferErrors.TRANSFER_STATE({ state: STATUS_LABELS[now.status].zh, stateEn: STATUS_LABELS[now.status].en, action: '接收', actionEn: 'accepted' });
    }
    const metadata = items.map((item) => JSON.parse(item.metadata) as Record<string, unknown>);
    const agencyCodes = metadata.map((m) => (typeof m.archivalCode === 'string' && m.archivalCode.trim() !== '' ? m.archivalCode.trim() : null));
    // Set-based: the records in one go (one audit entry for them, besides the accept's), then their files.
    const recordIds = await deps.catalog.createItems(
      tx, actor, viewer,
      metadata.map((m) => ({ ...m, ...(options.recode ? { archivalCode: null } : {}), fondsId: transfer.fonds_id, categoryId: transfer.category_id, volumeId: null })),
      { action: 'catalog.item.accession', label: `接收进馆：${transfer.title}（第 ${transfer.version} 版）` },
    );
    let recoded = 0;
    if (options.recode) {
      const oldCodes = new Map(recordIds.map((id, i) => [id, agencyCodes[i] ?? null]));
      recoded = (await deps.codes.apply(tx, actor, viewer, { mode: 'generate', itemIds: recordIds }, `接收时重新编制档号（移交批次“${transfer.title}”）`, { oldCodes })).changed;
    }
    const returnedTransferId = rest.length > 0 ? await returnRest(tx, actor, transfer, rest, options.returnReason ?? '', at) : null;
    const bytes = files.reduce((n, f) => n + Number(f.size), 0);
    if (formats === null) {
      // Preview: what the codes would be, then roll back.
      const codes = await tx.selectFrom('records').select(['id', 'archival_code']).where('id', 'in', recordIds.length > 0 ? recordIds : ['']).execute();
      const codeOf = new Map(codes.map((c) => [c.id, c.archival_code]));
      throw new PreviewRollback({
        records: items.length, files: files.length, bytes, returned: rest.length, returnedTransferId: null, recoded,
        codes: items.map((item, i) => ({ position: item.position, title: item.title, agencyCode: agencyCodes[i] ?? null, newCode: codeOf.get(recordIds[i] as string) ?? null })),
      });
    }

    const person: PremisAgent = { role: 'implementer', name: actor.username ?? '系统', id: actor.userId };
    const lantai: PremisAgent = { role: 'executing program', name: 'Lantai 兰台', version: deps.version };
    const filesByItem = new Map<string, FileRow[]>();
    for (const f of files) {
      const list = filesByItem.get(f.item_id as string);
      if (list) list.push(f);
      else filesByItem.set(f.item_id as string, [f]);
    }
    // What the checks found per file, for the validation and virus-check events.
    const checkRows = await tx.selectFrom('transfer_check_results').select(['file_id', 'check_id', 'result', 'evidence']).where('transfer_id', '=', transferId).where('check_id', 'in', ['YJ-KY-03', 'YJ-AQ-01']).where('file_id', 'is not', null).execute();
    const checkOf = new Map(checkRows.map((r) => [`${r.file_id}:${r.check_id}`, { result: r.result, message: (JSON.parse(r.evidence) as { message?: string }).message ?? '' }]));
    const kept = items.flatMap((item, i) => (filesByItem.get(item.id) ?? []).map((f, n) => ({ f, position: n + 1, recordId: recordIds[i] as string, format: formats.get(f.id) as PreservationFormat })));
    const name = (p: string) => p.split('/').pop() ?? p;
    const fileIds = await deps.catalog.attachFiles(tx, actor, kept.map(({ f, position, recordId, format }) => ({ recordId, sha256: f.sha256, sm3: f.sm3, size: Number(f.size), name: name(f.path), role: f.role, position, pageCount: null, mime: format.mime })));
    await deps.preservation.recordFiles(tx, kept.map(({ f, recordId, format }, i) => ({ fileId: fileIds[i] as string, recordId, transferId, digests: { sha256: f.sha256, sm3: f.sm3, size: Number(f.size) }, format, originalName: name(f.path), originalPath: f.path, at })));
    const events: PreservationEventInput[] = [];
    for (const [i, { f, recordId, format }] of kept.entries()) {
      const fileId = fileIds[i] as string;
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
      const code = agencyCodes[i];
      events.push({ subjectType: 'record', subjectId: recordId, recordId, type: 'accession', at, outcome: 'success', detail: `接收进馆：移交批次“${transfer.title}”第 ${item.position} 件，${(filesByItem.get(item.id) ?? []).length} 个文件${options.recode && code ? `；立档单位档号 ${code} 已按本馆规则重新编制` : ''}`, agents: [person, lantai] });
    }
    await deps.preservation.addEvents(tx, events);
    for (const followUp of deps.followUps ?? []) await followUp(tx, transferId);
    await deps.audit.append(tx, { actor: { ...actor, roles: [...actor.roles] }, action: 'transfer.accept', target: { type: 'transfer', id: transferId, label: transfer.title }, result: 'ok', details: { records: items.length, files: files.length, bytes, returned: rest.length, returnedTransferId, recoded } });
    return { records: items.length, files: files.length, bytes, returned: rest.length, returnedTransferId, recoded };
  }

  return {
    /** `progress` hears each stored file, then the start of the transaction (for progress bars, and for the crash-loop test's kills). */
    async accept(actor: Actor, viewer: Viewer, transferId: string, options: AcceptOptions = {}, progress?: (p: AcceptProgress) => void): Promise<AcceptResult> {
      const loaded = await load(actor, transferId, options);
      const { files } = loaded;

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

      // (b) One transaction.
      progress?.({ phase: 'recording', done: 0, total: loaded.chosen.length });
      const result = await db.transaction().execute((tx) => record(tx, actor, viewer, loaded, options, formats));
      // The staged copies of accepted files are links to (or copies of) what the store now holds: free them.
      // Returned items keep theirs. A crash right here leaves them behind, harmless.
      await Promise.all(files.map((f) => fs.rm(f.staged_path, { force: true }).catch(() => undefined)));
      return result;
    },

    /** What accepting with these options would do (records, codes, items going back), or the error it would give; writes nothing. */
    async preview(actor: Actor, viewer: Viewer, transferId: string, options: AcceptOptions = {}): Promise<AcceptPreview> {
      const loaded = await load(actor, transferId, options);
      try {
        await db.transaction().execute((tx) => record(tx, actor, viewer, loaded, options, null));
      } catch (err) {
        if (err instanceof PreviewRollback) return err.preview;
        throw err;
      }
      throw new Error('accept preview did not roll back');
    },
  };
}

export type Accession = ReturnType<typeof createAccession>;
