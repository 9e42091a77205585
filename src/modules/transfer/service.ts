/**
 * Hand-over lifecycle: draft → submitted → checking → checked → accepted | returned,
 * and a returned hand-over corrected and submitted again as a new version.
 *
 * Who may do what: an agency clerk creates, fills, self-checks and submits its own
 * agency's hand-overs and sees only those; an archivist sees every hand-over,
 * registers offline ones (on a carrier) and decides (accept or return). Every
 * step is audited in the step's own transaction; refusals by the route.
 */
import { v7 as uuidv7 } from 'uuid';
import type { Executor, Tx } from '../../platform/db/database.js';
import type { JobQueue } from '../../platform/jobs/queue.js';
import type { Organisations } from '../accounts/organisations.js';
import type { Actor, AuditSink } from '../accounts/service.js';
import type { CatalogService } from '../catalog/service.js';
import { transferErrors } from './errors.js';
import { STATUS_LABELS, transferInputSchema, type Carrier, type TransferInput, type TransferItemInput, type TransferSummary } from './model.js';
import type { TransferChannel, TransfersTable } from './tables.js';

export const CHECK_JOB = 'transfer.check';

export interface TransferDeps {
  audit: AuditSink;
  jobs: JobQueue;
  catalog: CatalogService;
  organisations: Organisations;
}

const isArchivist = (actor: Actor) => actor.roles.includes('archivist');
const isClerk = (actor: Actor) => actor.roles.includes('agency_clerk');

/** Refuses anyone who is neither an archivist nor a clerk of the hand-over's agency. */
export function assertMayRead(actor: Actor, transfer: Pick<TransfersTable, 'id' | 'agency_id'>): void {
  if (isArchivist(actor)) return;
  if (isClerk(actor) && actor.organisationId === transfer.agency_id) return;
  if (isClerk(actor)) throw transferErrors.TRANSFER_AGENCY_ONLY();
  throw transferErrors.TRANSFER_FORBIDDEN({ who: '当前用户', action: '查看移交', actionEn: 'see hand-overs' });
}

function assertState(transfer: Pick<TransfersTable, 'status'>, allowed: readonly TransfersTable['status'][], action: { zh: string; en: string }): void {
  if (!allowed.includes(transfer.status)) {
    throw transferErrors.TRANSFER_STATE({ state: STATUS_LABELS[transfer.status].zh, stateEn: STATUS_LABELS[transfer.status].en, action: action.zh, actionEn: action.en });
  }
}

export function createTransferService(deps: TransferDeps) {
  const { audit, jobs, catalog, organisations } = deps;
  const now = () => new Date().toISOString();
  const log = (tx: Tx, actor: Actor, action: string, id: string, label: string, details?: Record<string, unknown>) =>
    audit.append(tx, { actor: { ...actor, roles: [...actor.roles] }, action, target: { type: 'transfer', id, label }, result: 'ok', details });

  async function load(db: Executor, actor: Actor, id: string): Promise<TransfersTable> {
    const row = await db.selectFrom('transfers').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw transferErrors.TRANSFER_NOT_FOUND({ id });
    assertMayRead(actor, row);
    return row;
  }

  async function summaries(db: Executor, rows: TransfersTable[]): Promise<TransferSummary[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const items = await db.selectFrom('transfer_items').select(['transfer_id', (eb) => eb.fn.countAll<number>().as('n')]).where('transfer_id', 'in', ids).groupBy('transfer_id').execute();
    const files = await db.selectFrom('transfer_files').select(['transfer_id', (eb) => eb.fn.countAll<number>().as('n'), (eb) => eb.fn.sum<number>('size').as('bytes')]).where('transfer_id', 'in', ids).groupBy('transfer_id').execute();
    const orgs = await organisations.find(db, rows.map((r) => r.agency_id));
    return rows.map((r) => {
      const f = files.find((x) => x.transfer_id === r.id);
      return {
        id: r.id,
        agencyId: r.agency_id,
        agencyName: orgs.get(r.agency_id)?.name ?? '',
        fondsId: r.fonds_id,
        categoryId: r.category_id,
        title: r.title,
        yearFrom: r.year_from,
        yearTo: r.year_to,
        declaredItems: r.declared_items,
        opennessOpinion: r.openness_opinion,
        channel: r.channel,
        carrier: r.carrier ? (JSON.parse(r.carrier) as Carrier) : null,
        status: r.status,
        version: r.version,
        previousId: r.previous_id,
        items: Number(items.find((x) => x.transfer_id === r.id)?.n ?? 0),
        files: Number(f?.n ?? 0),
        bytes: Number(f?.bytes ?? 0),
        summary: r.summary ? (JSON.parse(r.summary) as unknown) : null,
        returnReason: r.return_reason,
        createdAt: r.created_at,
        submittedAt: r.submitted_at,
        checkedAt: r.checked_at,
        decidedAt: r.decided_at,
      };
    });
  }

  const service = {
    load,

    /** A new draft. Clerks hand over for their own agency; archivists register offline hand-overs for any. */
    async create(tx: Tx, actor: Actor, raw: TransferInput, channel: TransferChannel, idempotencyKey: string | null = null): Promise<{ id: string; created: boolean }> {
      const input = transferInputSchema.parse(raw);
      let agencyId: string;
      if (channel === 'offline') {
        if (!isArchivist(actor)) throw transferErrors.TRANSFER_FORBIDDEN({ who: '只有档案业务人员', action: '登记离线移交', actionEn: 'register offline hand-overs' });
        if (!input.carrier) throw transferErrors.TRANSFER_FORBIDDEN({ who: '离线移交', action: '缺少载体信息', actionEn: 'register an offline hand-over without its carrier' });
        agencyId = input.agencyId ?? '';
      } else {
        if (!isClerk(actor) || !actor.organisationId) throw transferErrors.TRANSFER_FORBIDDEN({ who: '只有立档单位档案员', action: '发起在线移交', actionEn: 'start online hand-overs' });
        if (input.agencyId && input.agencyId !== actor.organisationId) throw transferErrors.TRANSFER_AGENCY_ONLY();
        agencyId = actor.organisationId;
      }
      if (idempotencyKey) {
        const existing = await tx.selectFrom('transfers').select(['id', 'title', 'fonds_id']).where('agency_id', '=', agencyId).where('idempotency_key', '=', idempotencyKey).executeTakeFirst();
        if (existing) {
          if (existing.title !== input.title || existing.fonds_id !== input.fondsId) throw transferErrors.TRANSFER_IDEMPOTENCY_CONFLICT({ key: idempotencyKey });
          return { id: existing.id, created: false };
        }
      }
      const fonds = await catalog.getFonds(tx, input.fondsId);
      if (fonds.agencyId !== agencyId) throw transferErrors.TRANSFER_FONDS_AGENCY({ fonds: fonds.code });
      await catalog.getCategory(tx, input.categoryId);
      const id = uuidv7();
      const at = now();
      await tx
        .insertInto('transfers')
        .values({
          id, agency_id: agencyId, fonds_id: fonds.id, category_id: input.categoryId, title: input.title, year_from: input.yearFrom, year_to: input.yearTo, declared_items: input.declaredItems,
          openness_opinion: input.opennessOpinion, channel, carrier: input.carrier ? JSON.stringify(input.carrier) : null, status: 'draft', version: 1, previous_id: null, idempotency_key: idempotencyKey,
          summary: null, return_reason: null, created_by: actor.userId, created_at: at, updated_at: at, submitted_at: null, checked_at: null, decided_at: null, decided_by: null,
        })
        .execute();
      await log(tx, actor, 'transfer.create', id, input.title, { channel, fonds: fonds.code, declaredItems: input.declaredItems });
      return { id, created: true };
    },

    /** Adds described items to a draft (from the web form, a spreadsheet, the filing API or a package). */
    async addItems(tx: Tx, actor: Actor, transferId: string, items: readonly TransferItemInput[]): Promise<string[]> {
      const transfer = await load(tx, actor, transferId);
      assertState(transfer, ['draft'], { zh: '添加条目', en: 'given items' });
      const last = await tx.selectFrom('transfer_items').select((eb) => eb.fn.max<number>('position').as('p')).where('transfer_id', '=', transferId).executeTakeFirst();
      let position = Number(last?.p ?? 0);
      const ids: string[] = [];
      const rows = items.map((item) => {
        const id = uuidv7();
        ids.push(id);
        const title = typeof item.metadata.title === 'string' ? item.metadata.title.slice(0, 500) : '';
        const code = typeof item.metadata.archivalCode === 'string' ? item.metadata.archivalCode.slice(0, 100) : null;
        return { id, transfer_id: transferId, position: ++position, metadata: JSON.stringify(item.metadata), title, archival_code: code, openness_opinion: item.openness_opinion ?? null, declared_files: JSON.stringify(item.files), result: null, return_reason: null };
      });
      for (let i = 0; i < rows.length; i += 500) await tx.insertInto('transfer_items').values(rows.slice(i, i + 500)).execute();
      await tx.updateTable('transfers').set({ updated_at: now() }).where('id', '=', transferId).execute();
      await log(tx, actor, 'transfer.items.add', transferId, transfer.title, { count: items.length });
      return ids;
    },

    async list(db: Executor, actor: Actor, filters: { status?: TransfersTable['status']; agencyId?: string }): Promise<TransferSummary[]> {
      if (!isArchivist(actor) && !isClerk(actor)) throw transferErrors.TRANSFER_FORBIDDEN({ who: '当前用户', action: '查看移交', actionEn: 'see hand-overs' });
      let q = db.selectFrom('transfers').selectAll().orderBy('created_at', 'desc').limit(500);
      // Clerks see their own agency only, whatever they ask for.
      if (!isArchivist(actor)) q = q.where('agency_id', '=', actor.organisationId ?? '');
      else if (filters.agencyId) q = q.where('agency_id', '=', filters.agencyId);
      if (filters.status) q = q.where('status', '=', filters.status);
      return summaries(db, await q.execute());
    },

    /** The items of a hand-over as given (for correcting a draft), with their check results. */
    async items(db: Executor, actor: Actor, id: string) {
      await load(db, actor, id);
      const rows = await db.selectFrom('transfer_items').selectAll().where('transfer_id', '=', id).orderBy('position').execute();
      return rows.map((r) => ({ id: r.id, position: r.position, metadata: JSON.parse(r.metadata) as Record<string, unknown>, openness_opinion: r.openness_opinion, files: JSON.parse(r.declared_files) as TransferItemInput['files'], result: r.result, returnReason: r.return_reason }));
    },

    /** The files received, with where they belong. */
    async files(db: Executor, actor: Actor, id: string) {
      await load(db, actor, id);
      const rows = await db.selectFrom('transfer_files').select(['id', 'item_id', 'path', 'size', 'sha256', 'sm3', 'mime', 'role', 'received_at']).where('transfer_id', '=', id).orderBy('path').execute();
      return rows.map((r) => ({ id: r.id, itemId: r.item_id, path: r.path, size: Number(r.size), sha256: r.sha256, sm3: r.sm3, mime: r.mime, role: r.role, receivedAt: r.received_at }));
    },

    /** The check job of a hand-over, for its progress (clerks may not read the job queue itself). */
    async checkJob(db: Executor, actor: Actor, id: string) {
      const row = await load(db, actor, id);
      return row.check_job_id ? jobs.get(db, row.check_job_id) : null;
    },

    async get(db: Executor, actor: Actor, id: string): Promise<TransferSummary> {
      const [summary] = await summaries(db, [await load(db, actor, id)]);
      return summary as TransferSummary;
    },

    /** Runs the checks on a draft without submitting it (自检). */
    async selfCheck(tx: Tx, actor: Actor, id: string): Promise<string> {
      const transfer = await load(tx, actor, id);
      assertState(transfer, ['draft'], { zh: '自检', en: 'self-checked' });
      const { id: jobId } = await jobs.enqueue(tx, CHECK_JOB, { transferId: id, draft: true }, { dedupeKey: `${CHECK_JOB}:${id}:draft` });
      await tx.updateTable('transfers').set({ check_job_id: jobId }).where('id', '=', id).execute();
      await log(tx, actor, 'transfer.self-check', id, transfer.title);
      return jobId;
    },

    async submit(tx: Tx, actor: Actor, id: string): Promise<string> {
      const transfer = await load(tx, actor, id);
      assertState(transfer, ['draft'], { zh: '提交', en: 'submitted' });
      const items = await tx.selectFrom('transfer_items').select((eb) => eb.fn.countAll<number>().as('n')).where('transfer_id', '=', id).executeTakeFirstOrThrow();
      if (Number(items.n) === 0) throw transferErrors.TRANSFER_EMPTY();
      const open = await tx.selectFrom('transfer_uploads').select('path').where('transfer_id', '=', id).where('status', '=', 'open').limit(5).execute();
      if (open.length > 0) throw transferErrors.TRANSFER_UPLOAD_INCOMPLETE({ count: open.length, paths: open.map((o) => o.path).join('、') });
      const at = now();
      await tx.updateTable('transfers').set({ status: 'submitted', submitted_at: at, updated_at: at }).where('id', '=', id).execute();
      const { id: jobId } = await jobs.enqueue(tx, CHECK_JOB, { transferId: id, draft: false }, { dedupeKey: `${CHECK_JOB}:${id}` });
      await tx.updateTable('transfers').set({ check_job_id: jobId }).where('id', '=', id).execute();
      await log(tx, actor, 'transfer.submit', id, transfer.title, { items: Number(items.n) });
      return jobId;
    },

    /** The archive returns a checked hand-over, with a reason and optionally one per item. */
    async returnTransfer(tx: Tx, actor: Actor, id: string, reason: string, itemReasons: Record<string, string> = {}): Promise<void> {
      if (!isArchivist(actor)) throw transferErrors.TRANSFER_FORBIDDEN({ who: '只有档案业务人员', action: '退回移交', actionEn: 'return hand-overs' });
      const transfer = await load(tx, actor, id);
      assertState(transfer, ['checked'], { zh: '退回', en: 'returned' });
      if (reason.trim() === '') throw transferErrors.TRANSFER_RETURN_REASON();
      const at = now();
      for (const [itemId, why] of Object.entries(itemReasons)) {
        const updated = await tx.updateTable('transfer_items').set({ return_reason: why.slice(0, 1000) }).where('id', '=', itemId).where('transfer_id', '=', id).executeTakeFirst();
        if (Number(updated.numUpdatedRows) === 0) throw transferErrors.TRANSFER_ITEM_NOT_FOUND({ id: itemId });
      }
      await tx.updateTable('transfers').set({ status: 'returned', return_reason: reason.slice(0, 2000), decided_at: at, decided_by: actor.userId, updated_at: at }).where('id', '=', id).execute();
      await log(tx, actor, 'transfer.return', id, transfer.title, { reason, items: Object.keys(itemReasons).length });
    },

    /** A returned hand-over copied into a new draft (version + 1) for the agency to correct; the old one stays as history. */
    async resubmitAsNewVersion(tx: Tx, actor: Actor, id: string): Promise<string> {
      const old = await load(tx, actor, id);
      if (!isClerk(actor)) throw transferErrors.TRANSFER_FORBIDDEN({ who: '只有立档单位档案员', action: '重新移交', actionEn: 'hand over again' });
      assertState(old, ['returned'], { zh: '重新移交', en: 'handed over again' });
      const newer = await tx.selectFrom('transfers').select('id').where('previous_id', '=', id).executeTakeFirst();
      if (newer) throw transferErrors.TRANSFER_NEWER_VERSION({ id: newer.id });
      const newId = uuidv7();
      const at = now();
      await tx.insertInto('transfers').values({ ...old, id: newId, check_job_id: null, status: 'draft', version: old.version + 1, previous_id: old.id, idempotency_key: null, summary: null, return_reason: null, created_by: actor.userId, created_at: at, updated_at: at, submitted_at: null, checked_at: null, decided_at: null, decided_by: null }).execute();
      const items = await tx.selectFrom('transfer_items').selectAll().where('transfer_id', '=', id).orderBy('position').execute();
      const itemIds = new Map(items.map((i) => [i.id, uuidv7()]));
      for (let i = 0; i < items.length; i += 500) {
        await tx.insertInto('transfer_items').values(items.slice(i, i + 500).map((it) => ({ ...it, id: itemIds.get(it.id) as string, transfer_id: newId, result: null, return_reason: null }))).execute();
      }
      const files = await tx.selectFrom('transfer_files').selectAll().where('transfer_id', '=', id).execute();
      for (let i = 0; i < files.length; i += 500) {
        // Staged bytes are never changed in place, so the new version points at the same staged files.
        await tx.insertInto('transfer_files').values(files.slice(i, i + 500).map((f) => ({ ...f, id: uuidv7(), transfer_id: newId, item_id: f.item_id ? (itemIds.get(f.item_id) ?? null) : null }))).execute();
      }
      await log(tx, actor, 'transfer.new-version', newId, old.title, { previous: id, version: old.version + 1 });
      return newId;
    },

    /** Replaces an item's description in a draft (the clerk's correction). */
    async updateItem(tx: Tx, actor: Actor, transferId: string, itemId: string, item: TransferItemInput): Promise<void> {
      const transfer = await load(tx, actor, transferId);
      assertState(transfer, ['draft'], { zh: '修改条目', en: 'edited' });
      const title = typeof item.metadata.title === 'string' ? item.metadata.title.slice(0, 500) : '';
      const code = typeof item.metadata.archivalCode === 'string' ? item.metadata.archivalCode.slice(0, 100) : null;
      const updated = await tx
        .updateTable('transfer_items')
        .set({ metadata: JSON.stringify(item.metadata), title, archival_code: code, openness_opinion: item.openness_opinion ?? null, declared_files: JSON.stringify(item.files), result: null })
        .where('id', '=', itemId)
        .where('transfer_id', '=', transferId)
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) === 0) throw transferErrors.TRANSFER_ITEM_NOT_FOUND({ id: itemId });
      await log(tx, actor, 'transfer.item.update', transferId, transfer.title, { item: itemId });
    },
  };
  return service;
}

export type TransferService = ReturnType<typeof createTransferService>;
