/**
 * The storage dashboard (保存 › 存储概览) for archivists and the system admin: each
 * store's health and free space, growth by month, holdings by format and year, the last
 * audits of each store and their failures, replica lag, files at risk and the open
 * alerts, and the offline volumes with their last verification (GB/T 18894's
 * regular checks of stored records, made visible).
 *
 * Storage is the system admin's to run, records are not (三员分立): the records behind a
 * file at risk are read through the Viewer, which gives the admin none, so the admin's
 * dashboard carries no record title.
 */
import type { Executor } from '../../platform/db/database.js';
import type { BlobStore } from '../../platform/storage/blob-store.js';
import type { Role } from '../accounts/model.js';
import type { Actor } from '../accounts/service.js';
import type { Viewer } from '../accounts/viewer.js';
import { scopedItems } from '../catalog/repo.js';
import type { Dashboard } from './dashboard-model.js';
import * as repo from './dashboard-repo.js';
import { formatsHeld } from './format-risk-repo.js';
import { requireRole, type FormatRisks } from './format-risk.js';
import type { Fixity } from './fixity.js';

/** Who sees the dashboard: archivists, and the system admin (without record titles). */
export const DASHBOARD_READERS: readonly Role[] = ['archivist', 'system_admin'];
const AUDITS_PER_STORE = 5;
const CHUNK = 500;

export interface DashboardDeps {
  stores: ReadonlyMap<string, Pick<BlobStore, 'name' | 'kind' | 'health'>>;
  alerts: Pick<Fixity, 'openAlerts'>;
  risks: Pick<FormatRisks, 'statuses'>;
}

/** Free bytes from a folder store's health detail (`… (12.3 GB free)`); the BlobStore contract has no number for it. */
export function freeBytesOf(detail: string): number | null {
  const match = /\(([\d.]+) GB free\)/.exec(detail);
  return match?.[1] ? Math.round(Number(match[1]) * 1e9) : null;
}

export function createStorageDashboard(deps: DashboardDeps) {
  /** The records (that the viewer may see) keeping each blob. */
  async function recordsAtRisk(db: Executor, viewer: Viewer, sha256s: readonly string[]) {
    const keeping = await repo.recordsKeeping(db, sha256s);
    const ids = [...new Set(keeping.map((k) => k.recordId))];
    const seen = new Map<string, { id: string; archivalCode: string | null; title: string }>();
    for (let i = 0; i < ids.length; i += CHUNK) {
      for (const r of await scopedItems(db, viewer).where('r.id', 'in', ids.slice(i, i + CHUNK)).execute()) seen.set(r.id, { id: r.id, archivalCode: r.archival_code, title: r.title });
    }
    const bySha = new Map<string, Array<{ id: string; archivalCode: string | null; title: string }>>();
    for (const k of keeping) {
      const record = seen.get(k.recordId);
      if (record) bySha.set(k.sha256, [...(bySha.get(k.sha256) ?? []), record]);
    }
    return bySha;
  }

  return {
    async read(db: Executor, actor: Actor, viewer: Viewer): Promise<Dashboard> {
      requireRole(actor, DASHBOARD_READERS, '查看存储概览 / see the storage dashboard');
      const stores = [...deps.stores.values()];
      const replicas = stores.filter((s) => s.name !== 'primary');
      const [health, totals, blobs, copies, growth, held, statuses, years, audits, auditFailures, lag, alerts, volumes] = await Promise.all([
        Promise.all(stores.map((s) => s.health().catch((err: Error) => ({ ok: false, detail: err.message })))),
        repo.keptTotals(db),
        repo.blobTotals(db),
        repo.copyStates(db),
        repo.growthByMonth(db),
        formatsHeld(db),
        deps.risks.statuses(db),
        repo.holdingsByYear(db),
        repo.lastAudits(db, AUDITS_PER_STORE),
        repo.lastAudits(db, AUDITS_PER_STORE, true),
        Promise.all(replicas.map(async (s) => ({ store: s.name, ...(await repo.blobTotals(db, s.name)) }))),
        deps.alerts.openAlerts(db),
        repo.offlineVolumes(db),
      ]);
      const atRiskAlerts = alerts.filter((a) => a.kind === 'at-risk');
      const records = await recordsAtRisk(db, viewer, atRiskAlerts.flatMap((a) => (a.sha256 ? [a.sha256] : [])));
      const copiesOf = (store: string, status: string) => copies.find((c) => c.store === store && c.status === status)?.n ?? 0;
      return {
        generatedAt: new Date().toISOString(),
        totals: { ...totals, blobs: blobs.blobs, blobBytes: blobs.bytes },
        stores: stores.map((s, i) => {
          const h = health[i] ?? { ok: false, detail: '' };
          return {
            name: s.name, kind: s.kind, primary: s.name === 'primary', ok: h.ok, detail: h.detail, freeBytes: h.ok ? freeBytesOf(h.detail) : null,
            copies: { ok: copiesOf(s.name, 'ok'), repaired: copiesOf(s.name, 'repaired'), missing: copiesOf(s.name, 'missing'), damaged: copiesOf(s.name, 'damaged'), unreachable: copiesOf(s.name, 'unreachable') },
          };
        }),
        growth,
        formats: held.map((f) => ({ format: f.format, name: f.name, version: f.version, status: statuses.get(f.format) ?? 'ok', files: f.files, bytes: f.bytes })),
        years,
        audits,
        auditFailures,
        replicaLag: lag,
        atRisk: {
          blobs: new Set(atRiskAlerts.map((a) => a.sha256)).size,
          alerts: atRiskAlerts.map((a) => ({ id: a.id, store: a.store, sha256: a.sha256, message: a.message, createdAt: a.created_at, records: a.sha256 ? (records.get(a.sha256) ?? []) : [] })),
        },
        alerts: alerts.map((a) => ({ id: a.id, kind: a.kind, store: a.store, sha256: a.sha256, message: a.message, createdAt: a.created_at })),
        volumes,
      };
    },
  };
}

export type StorageDashboard = ReturnType<typeof createStorageDashboard>;
