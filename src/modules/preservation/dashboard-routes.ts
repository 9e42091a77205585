/**
 * HTTP of the 保存 section of the workbench: the storage dashboard
 * (GET /api/preservation/dashboard) and the format risk registry (format-risk-routes.ts).
 * app.ts registers both with this one call.
 */
import type { Db } from '../../platform/db/database.js';
import type { HttpServer } from '../../platform/http/server.js';
import type { BlobStore } from '../../platform/storage/blob-store.js';
import { viewerOf } from '../accounts/request-session.js';
import type { AuditSink } from '../accounts/service.js';
import type { Viewer } from '../accounts/viewer.js';
import { createStorageDashboard } from './dashboard.js';
import { dashboardSchema } from './dashboard-model.js';
import { createFormatRisks } from './format-risk.js';
import { auditedRead, registerFormatRiskRoutes } from './format-risk-routes.js';
import type { Fixity } from './fixity.js';

export interface PreservationDashboardRouteDeps {
  db: Db;
  audit: AuditSink;
  /** Every store by name, primary included (app.stores.all). */
  stores: ReadonlyMap<string, Pick<BlobStore, 'name' | 'kind' | 'health'>>;
  /** The open alerts (fixity.openAlerts). */
  alerts: Pick<Fixity, 'openAlerts'>;
  zone: Viewer['zone'];
}

/**
 * Registers the storage dashboard and the format risk registry.
 * @example
 * registerPreservationDashboardRoutes(http, { db, audit, stores: stores.all, alerts: fixity, zone: config.zone });
 */
export function registerPreservationDashboardRoutes(app: HttpServer, deps: PreservationDashboardRouteDeps): void {
  const risks = createFormatRisks({ audit: deps.audit });
  const dashboard = createStorageDashboard({ stores: deps.stores, alerts: deps.alerts, risks });
  registerFormatRiskRoutes(app, { db: deps.db, audit: deps.audit, risks, zone: deps.zone });

  app.get('/api/preservation/dashboard', {
    schema: {
      tags: ['preservation'],
      summary: '存储概览：各存储库容量与状态、月度增长、按格式和年度的馆藏、固定性审计、副本滞后、风险文件与告警、离线介质（档案馆业务人员、系统管理员；系统管理员看不到档案题名）/ the storage dashboard: stores, growth, holdings by format and year, audits, replica lag, files at risk, alerts, offline volumes (archivists and the system admin, who sees no record titles)',
      response: { 200: dashboardSchema },
    },
  }, (request) => auditedRead(deps, request, 'preservation.dashboard.view', { type: 'dashboard', id: null }, (actor) => dashboard.read(deps.db, actor, viewerOf(request, deps.zone))));
}
