/**
 * buildApp(config): wires the platform and the modules once. `lantai serve`,
 * `lantai worker`, the CLI commands and the tests all build the app here.
 */
import fs from 'node:fs';
import path from 'node:path';
import pino, { type Logger } from 'pino';
import type { Config } from './config.js';
import { openDatabase, type Database } from './platform/db/database.js';
import { migrateToLatest, type Migration, type MigrationReport } from './platform/db/migrations.js';
import { platformMigrations } from './platform/db/migrations/platform.js';
import { createJobQueue, type JobQueue } from './platform/jobs/queue.js';
import { startRunner, type Runner } from './platform/jobs/runner.js';
import { createHttpServer, defaultWebRoot, type HttpServer } from './platform/http/server.js';
import { registerPlatformRoutes } from './platform/http/platform-routes.js';
import { openStores, type Stores } from './platform/storage/stores.js';
import { closeDigestWorkers } from './platform/storage/digest.js';
import { closeFileDigestPool } from './platform/storage/file-digest.js';
import { accountsMigrations } from './modules/accounts/migrations.js';
import { auditMigrations } from './modules/audit/migrations.js';
import { createCheckpointSink } from './modules/audit/checkpoints.js';
import { createAuditLog, registerAuditJobs, type AuditLog } from './modules/audit/service.js';
import { createAccountsService, type AccountsService } from './modules/accounts/service.js';
import { createAccessPolicy, type AccessPolicyStore } from './modules/accounts/access-policy.js';
import { createAgencyScopes } from './modules/accounts/agency-scopes.js';
import { createAuth, type Auth } from './modules/accounts/auth.js';
import { createTotpSecretBox } from './modules/accounts/totp-secrets.js';
import { sealTotpSecretsMigration } from './modules/accounts/totp-secrets-migration.js';
import { createApiKeys, type ApiKeys } from './modules/accounts/api-keys.js';
import { auditActorOf, auditReviewerOf, isArchiveStaff, registerAccountsRoutes } from './modules/accounts/routes.js';
import { registerAuditRoutes } from './modules/audit/routes.js';
import { catalogMigrations } from './modules/catalog/migrations.js';
import { createCatalogService, type CatalogService } from './modules/catalog/service.js';
import { createArchivalCodes, type ArchivalCodes } from './modules/catalog/codes.js';
import { createBatches } from './modules/catalog/batch.js';
import { createOpennessReview } from './modules/catalog/review.js';
import { registerCatalogRoutes } from './modules/catalog/routes.js';
import { registerCatalogImportRoutes } from './modules/catalog/import-routes.js';
import { createCatalogImport } from './modules/catalog/import/service.js';
import { transferMigrations } from './modules/transfer/migrations.js';
import { preservationMigrations } from './modules/preservation/migrations.js';
import { mediaMigrations } from './modules/preservation/media-migrations.js';
import { formatRiskMigrations } from './modules/preservation/format-risk-migrations.js';
import { canExtract } from './modules/search/extract/extract.js';
import { createExtraction } from './modules/search/extraction.js';
import { createIndexer, EXTRACT_JOB, INDEX_JOB, type ExtractPayload, type Indexer } from './modules/search/indexer.js';
import { searchMigrations } from './modules/search/migrations.js';
import { registerSearchRoutes } from './modules/search/routes.js';
import { createSearchService, type SearchService } from './modules/search/service.js';
import { closeTokenizerPool } from './modules/search/tokenize-pool.js';
import { CHECK_JOB, createTransferService, type TransferService } from './modules/transfer/service.js';
import { createUploads } from './modules/transfer/uploads.js';
import { createPdfInspector } from './platform/pdf/inspector.js';
import { createPreservationService, type PreservationService } from './modules/preservation/service.js';
import { registerPreservationRoutes } from './modules/preservation/routes.js';
import { ACCESS_COPIES_JOB, createAccessCopies, type AccessCopies, type AccessCopiesPayload } from './modules/preservation/access-copies.js';
import { registerAccessCopyRoutes } from './modules/preservation/access-routes.js';
import { registerPreservationDashboardRoutes } from './modules/preservation/dashboard-routes.js';
import { createFixity, FIXITY_JOB, type Fixity } from './modules/preservation/fixity.js';
import { createReplication, GC_JOB, REPLICATE_JOB, type Replication } from './modules/preservation/replication.js';
import { BACKUP_JOB, scheduledBackup } from './modules/preservation/backup-job.js';
import { createAccession, type Accession } from './modules/transfer/accept.js';
import { createCheckRunner } from './modules/transfer/checks/run-checks.js';
import { ARCHIVAL_FORMATS } from './platform/formats/identify.js';
import { createClamd } from './platform/scan/clamd.js';
import { registerTransferRoutes } from './modules/transfer/routes.js';
import { createPackageIntake } from './modules/transfer/packages/intake.js';
import { createCarrierIntake } from './modules/transfer/packages/carrier.js';
import { organisations } from './modules/accounts/organisations.js';

function readVersion(): string {
  // src/app.ts and dist/src/app.js sit one and two levels below package.json.
  for (const candidate of ['../package.json', '../../package.json']) {
    const file = new URL(candidate, import.meta.url);
    if (fs.existsSync(file)) return (JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string }).version;
  }
  return '0.0.0';
}

export const VERSION = readVersion();

/** Every migration, platform first, then each module's (in dependency order). */
export const MIGRATIONS: readonly Migration[] = [...platformMigrations, ...accountsMigrations, ...auditMigrations, ...catalogMigrations, ...transferMigrations, ...preservationMigrations, ...mediaMigrations, ...formatRiskMigrations, ...searchMigrations];

export interface App {
  config: Readonly<Config>;
  log: Logger;
  database: Database;
  stores: Stores;
  jobs: JobQueue;
  http: HttpServer;
  services: { audit: AuditLog; accounts: AccountsService; accessPolicy: AccessPolicyStore; apiKeys: ApiKeys; auth: Auth; catalog: CatalogService; archivalCodes: ArchivalCodes; transfers: TransferService; preservation: PreservationService; accession: Accession; accessCopies: AccessCopies; fixity: Fixity; replication: Replication; search: SearchService; indexer: Indexer };
  /** Starts leasing and running jobs in this process. */
  startWorkers(options?: { types?: string[] }): Runner;
  close(): Promise<void>;
}

export interface BuildOptions {
  log?: Logger;
  /** Run migrations before anything else (default true). */
  migrate?: boolean;
  /** Folder of the built web UI; defaults to web/dist beside the code. */
  webRoot?: string;
}

export function createLogger(config: Pick<Config, 'logLevel'>): Logger {
  return pino({ level: config.logLevel, base: { app: 'lantai' } });
}

/**
 * Brings the database schema up to date (`lantai migrate`, and `serve` at start),
 * with the migrations that need a key kept outside the database (sealing TOTP secrets).
 */
export async function migrate(database: Database, keys: Pick<Config, 'totpKeyFile'>): Promise<MigrationReport> {
  return migrateToLatest(database, [...MIGRATIONS, sealTotpSecretsMigration(createTotpSecretBox({ keyFile: keys.totpKeyFile }))]);
}

export async function buildApp(config: Readonly<Config>, options: BuildOptions = {}): Promise<App> {
  const log = options.log ?? createLogger(config);
  const database = await openDatabase(config.database);
  let stores: Stores | undefined;
  let runner: Runner | undefined;
  try {
    if (options.migrate ?? true) {
      const report = await migrate(database, config);
      if (report.applied.length > 0) log.info({ applied: report.applied }, 'database migrated');
    }
    stores = await openStores(config);
    const jobs = createJobQueue();
    const http = await createHttpServer({ log, version: VERSION, webRoot: options.webRoot ?? defaultWebRoot() });
    registerPlatformRoutes(http, {
      database,
      stores,
      jobs,
      meta: { name: '兰台 Lantai', version: VERSION, demo: config.demo, zone: config.zone, classified: config.classified },
      mayReadHealthDetail: isArchiveStaff,
    });
    const audit = createAuditLog({ caps: database.caps, checkpoints: createCheckpointSink({ file: config.auditCheckpointFile, keyFile: config.auditKeyFile }), jobs });
    const accessPolicy = createAccessPolicy({ audit, configuredSessionIdleMinutes: config.sessionIdleMinutes });
    const accounts = createAccountsService({ audit, policy: accessPolicy });
    const auth = createAuth({ db: database.db, audit, settings: { zone: config.zone, idleMinutes: config.sessionIdleMinutes, require2fa: config.require2fa }, totpSecrets: createTotpSecretBox({ keyFile: config.totpKeyFile }), policy: accessPolicy });
    const apiKeys = createApiKeys({ audit });
    registerAccountsRoutes(http, { db: database.db, auth, apiKeys, accounts, scopes: createAgencyScopes({ audit }), policy: accessPolicy, audit, secureCookies: config.baseUrl.startsWith('https:'), zone: config.zone });
    registerAuditRoutes(http, { db: database.db, audit }, { currentReviewer: auditReviewerOf, currentActor: auditActorOf });
    // Anchors the audit chain outside the database: right after an append finds a checkpoint due, and every ten minutes.
    registerAuditJobs(jobs, { db: database.db, audit });
    const catalog = createCatalogService({ audit, organisations, settings: { classified: config.classified, fondsCodeWidth: config.fondsCodeWidth } });
    const archivalCodes = createArchivalCodes({ catalog, audit });
    registerCatalogImportRoutes(http, { db: database.db, audit, catalog, imports: createCatalogImport({ db: database.db, caps: database.caps, catalog, audit }), zone: config.zone });
    registerCatalogRoutes(http, { db: database.db, audit, catalog, codes: archivalCodes, batches: createBatches({ catalog, audit }), review: createOpennessReview({ audit, notifyRecordsChanged: catalog.notifyRecordsChanged }), zone: config.zone, files: stores.primary });
    const transfers = createTransferService({ audit, jobs, catalog, organisations });
    const pdfInspector = createPdfInspector();
    const preservation = createPreservationService();
    const virusScanner = config.clamdSocket ? createClamd({ socket: config.clamdSocket }) : null;
    jobs.define(CHECK_JOB, createCheckRunner({ db: database.db, catalog, classified: config.classified, settings: { archivalFormats: ARCHIVAL_FORMATS, minDpi: config.scanMinDpi, virusScanner, clamavDbDir: config.clamavDbDir, pdf: pdfInspector } }), { concurrency: 1 });
    const stagingDir = path.join(config.dataDir, 'staging');
    const accessCopies = createAccessCopies({ db: database.db, jobs, store: stores.primary, preservation, tmpDir: path.join(config.dataDir, 'tmp'), maxPages: config.previewMaxPages, version: VERSION });
    jobs.define(ACCESS_COPIES_JOB, (payload: AccessCopiesPayload, ctx) => accessCopies.run(payload, ctx), { concurrency: 1 });
    const replication = createReplication({ db: database.db, jobs, stores: stores.all, preservation, version: VERSION });
    jobs.define(REPLICATE_JOB, (payload: { transferId: string }, ctx) => replication.run(payload, ctx), { concurrency: 1, maxAttempts: 20 });
    jobs.define(GC_JOB, () => replication.gc(), { concurrency: 1 });
    jobs.schedule(GC_JOB, '30 4 * * *');
    const fixity = createFixity({ db: database.db, stores: stores.all, preservation, algorithms: config.fixityAlgorithms, maxMbps: config.fixityMaxMbps, version: VERSION });
    // One job type per store, so each store keeps its own schedule (LANTAI_FIXITY_CRON tiers).
    for (const name of stores.all.keys()) {
      const type = `${FIXITY_JOB}.${name}`;
      jobs.define(type, async (_payload, ctx) => fixity.audit(name, { startedBy: 'schedule', signal: ctx.signal, onProgress: (p) => void ctx.progress({ done: p.blobs, unit: 'files', message: `审计存储库 ${name}` }) }), { concurrency: 1 });
      jobs.schedule(type, config.fixityCron[name] ?? '0 1 * * *');
    }
    if (config.backupDir) {
      jobs.define(BACKUP_JOB, scheduledBackup({ db: database.db, audit, database: config.database, stores: stores.all, dir: config.backupDir, publicKeyFile: config.backupPublicKeyFile, tmpDir: path.join(config.dataDir, 'tmp'), version: VERSION }), { concurrency: 1, maxAttempts: 3 });
      jobs.schedule(BACKUP_JOB, config.backupCron);
    }
    const accession = createAccession({ db: database.db, audit, catalog, preservation, store: stores.primary, pdf: pdfInspector, codes: archivalCodes, version: VERSION, followUps: [(tx, transferId) => accessCopies.enqueue(tx, { transferId }), (tx, transferId) => replication.enqueue(tx, transferId)] });
    registerTransferRoutes(http, {
      db: database.db,
      audit,
      transfers,
      uploads: createUploads({ db: database.db, audit, transfers, stagingDir }),
      intake: createPackageIntake({ db: database.db, transfers, stagingDir, getCategory: (db, id) => catalog.getCategory(db, id) }),
      carriers: createCarrierIntake({ db: database.db, transfers, stagingDir, carrierRoot: config.carrierRoot, getCategory: (db, id) => catalog.getCategory(db, id) }),
      jobs,
      accession,
      zone: config.zone,
    });
    registerPreservationRoutes(http, { db: database.db, catalog, preservation, zone: config.zone, files: stores.primary, version: VERSION, audit, transfers });
    registerAccessCopyRoutes(http, { db: database.db, catalog, audit, zone: config.zone, files: stores.primary });
    registerPreservationDashboardRoutes(http, { db: database.db, audit, stores: stores.all, alerts: fixity, zone: config.zone });
    // Search: every record change marks it dirty in its own transaction; one job drains the list
    // (and a scheduled one every five minutes catches a mark made as a drain finished).
    const indexer = createIndexer({ database, jobs, feed: catalog, canExtract });
    catalog.onRecordsChanged((tx, ids) => indexer.markDirty(tx, ids));
    jobs.define(INDEX_JOB, (_payload, ctx) => indexer.drain({ signal: ctx.signal, onProgress: (done) => void ctx.progress({ done, unit: 'items', message: '更新检索索引' }) }), { concurrency: 1, dedupe: 'pending' });
    jobs.schedule(INDEX_JOB, '*/5 * * * *');
    const extraction = createExtraction({ db: database.db, store: stores.primary, preservation, indexer, tmpDir: path.join(config.dataDir, 'tmp'), version: VERSION });
    jobs.define(EXTRACT_JOB, (payload: ExtractPayload, ctx) => extraction.run(payload, ctx), { concurrency: 2, maxAttempts: 3 });
    const search = createSearchService({ database, catalog, organisations });
    registerSearchRoutes(http, { search, zone: config.zone, anonymousPerMinute: config.searchRateLimit });
    const opened = stores;
    return {
      config,
      log,
      database,
      stores: opened,
      jobs,
      http,
      services: { audit, accounts, accessPolicy, apiKeys, auth, catalog, archivalCodes, transfers, preservation, accession, accessCopies, fixity, replication, search, indexer },
      startWorkers(workerOptions = {}) {
        runner = startRunner({ database, queue: jobs, log: log.child({ component: 'jobs' }), types: workerOptions.types });
        return runner;
      },
      async close() {
        await http.close();
        await runner?.stop();
        await opened.close();
        await database.close();
        await closeDigestWorkers();
        await closeFileDigestPool();
        await closeTokenizerPool();
        await pdfInspector.close();
      },
    };
  } catch (err) {
    await stores?.close().catch(() => undefined);
    await database.close().catch(() => undefined);
    throw err;
  }
}
