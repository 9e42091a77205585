/**
 * The storage dashboard over HTTP on both databases, with a primary and a replica store:
 * holdings accepted for real and replicated by the job, a real fixity audit of the
 * primary, and then what the dashboard must report put straight into the tables (a
 * failed audit of the replica, an at-risk alert, a copy missing on the replica, offline
 * volumes, a file accepted in another month). Every number on the dashboard is checked
 * against those rows; the system admin's dashboard carries no record title; a scoped
 * archivist sees only the records in scope behind a file at risk; others are refused.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DIALECTS } from '../../platform/db/test-support/databases.js';
import { createCatalogFixture, type CatalogFixture, type Session } from '../catalog/test-support/fixture.js';
import type { Dashboard } from './dashboard-model.js';
import { keptHandOver, scopedArchivist } from './test-support/format-risk-fixture.js';
import type { KeptRecord } from './test-support/hand-overs.js';

const bytes = [
  Buffer.from(`关于二〇二三年档案工作的总结\n${'全年接收档案、整理编目、提供利用。\n'.repeat(30)}`),
  Buffer.from('<?xml version="1.0" encoding="UTF-8"?>\n<说明><题名>二〇二四年移交说明</题名></说明>\n'),
  Buffer.from(`关于二〇二四年档案工作的通知\n${'各单位：请按要求做好档案归档和移交工作。\n'.repeat(12)}`),
];
const OLD_MONTH = '2020-01';

describe.each(DIALECTS)('the storage dashboard on %s', (dialect) => {
  let f: CatalogFixture;
  let dir = '';
  let records: KeptRecord[] = [];
  let shas: string[] = [];
  let scoped: Session;
  let auditedRun = '';
  let failedRun = '';
  const now = new Date();

  const db = () => f.t.app.database.db;
  const dashboard = async (s: Session): Promise<Dashboard> => {
    const res = await f.call(s, 'GET', '/api/preservation/dashboard');
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as Dashboard;
  };

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'lantai-dashboard-'));
    f = await createCatalogFixture(dialect, { LANTAI_STORES: `primary=${path.join(dir, 'primary')},replica1=${path.join(dir, 'replica1')}` });
    f.t.app.startWorkers();
    const meta = (n: number, year: number, title: string) => ({ title, responsible: '演示市人民政府办公室', date: `${year}0305`, year, retention: 'Y', classification: '非密', openness: '控制', archivalCode: `J001-WS·${year}-Y-${String(n).padStart(4, '0')}` });
    records = await keptHandOver(f, {
      clerk: f.sessions.clerk, fondsId: f.fondsId, categoryId: f.categories.WS as string, title: '保存概览批次', years: [2023, 2024],
      items: [
        { metadata: meta(1, 2023, '关于二〇二三年档案工作的总结'), file: { name: '总结.txt', bytes: bytes[0] as Buffer } },
        { metadata: meta(1, 2024, '二〇二四年移交说明'), file: { name: '说明.xml', bytes: bytes[1] as Buffer } },
        { metadata: meta(2, 2024, '关于二〇二四年档案工作的通知'), file: { name: '通知.txt', bytes: bytes[2] as Buffer } },
      ],
    });
    const files = await db().selectFrom('preservation_files').select(['record_id', 'sha256']).where('record_id', 'in', records.map((r) => r.id)).execute();
    shas = records.map((r) => files.find((x) => x.record_id === r.id)?.sha256 as string);
    await vi.waitFor(async () => expect((await db().selectFrom('jobs').select('status').where('type', '=', 'preservation.replicate').executeTakeFirstOrThrow()).status).toBe('succeeded'), { timeout: 60_000, interval: 200 });
    // Text and XML get no access copies, so the referenced blobs are exactly the three files.
    expect(await db().selectFrom('access_copies').select('id').execute()).toEqual([]);

    const audit = await f.t.app.services.fixity.audit('primary', { startedBy: 'test' });
    expect(audit).toMatchObject({ status: 'completed', blobs: 3, ok: 3 });
    auditedRun = audit.id;

    const at = (minutesAgo: number) => new Date(now.getTime() - minutesAgo * 60_000).toISOString();
    const archivist = (await db().selectFrom('users').select('id').where('username', '=', 'archivist').executeTakeFirstOrThrow()).id;
    failedRun = uuidv7();
    await db().insertInto('fixity_runs').values({ id: failedRun, store: 'replica1', status: 'failed', sample_percent: 100, algorithms: 'sha256,sm3', cursor: '', blobs: 0, bytes: 0, ok: 0, missing: 0, damaged: 0, repaired: 0, at_risk: 0, detail: '存储库无法访问：connect ECONNREFUSED', started_by: 'schedule', started_at: at(90), heartbeat_at: at(90), finished_at: at(89) }).execute();
    await db().insertInto('preservation_alerts').values([
      { id: uuidv7(), kind: 'store-unreachable', store: 'replica1', sha256: null, message: '存储库 replica1 无法访问：connect ECONNREFUSED', created_at: at(89), resolved_at: null },
      { id: uuidv7(), kind: 'at-risk', store: 'replica1', sha256: shas[1] as string, message: '文件处于风险中：存储库 replica1 的副本损坏，且没有可用于修复的完好副本（涉及 1 件档案）', created_at: at(30), resolved_at: null },
      { id: uuidv7(), kind: 'at-risk', store: 'primary', sha256: shas[0] as string, message: '已解决的旧告警', created_at: at(600), resolved_at: at(500) },
    ]).execute();
    await db().updateTable('blob_copies').set({ status: 'missing', detail: '副本缺失；无法修复' }).where('store', '=', 'replica1').where('sha256', '=', shas[2] as string).execute();
    await db().updateTable('preservation_files').set({ created_at: `${OLD_MONTH}-15T08:00:00.000Z` }).where('record_id', '=', (records[0] as KeptRecord).id).execute();
    await db().insertInto('media_volumes').values([
      { id: uuidv7(), label: 'LANTAI-2024-001', set_label: 'LANTAI-2024-S01', position: 1, capacity: 25e9, bytes: 4096, files: 3, records: 3, status: 'written', planned_at: at(120), planned_by: archivist, written_at: at(110), written_by: archivist, location: '档案库房 3 号柜', iso_sha256: null, last_verified_at: at(100), last_verify_result: 'ok', last_verify_details: '{}' },
      { id: uuidv7(), label: 'LANTAI-2024-002', set_label: 'LANTAI-2024-S01', position: 2, capacity: 25e9, bytes: 0, files: 0, records: 0, status: 'planned', planned_at: at(120), planned_by: archivist, written_at: null, written_by: null, location: null, iso_sha256: null, last_verified_at: null, last_verify_result: null, last_verify_details: null },
    ]).execute();
    const judged = await f.call(f.sessions.archivist, 'PUT', '/api/preservation/formats', { format: 'fmt/101', status: 'watch', note: null });
    expect(judged.statusCode, judged.body).toBe(200);
    scoped = await scopedArchivist(f, 'archivist-j002', f.otherAgencyId);
  }, 240_000);
  afterAll(async () => {
    await f?.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('reports each store’s health and copies, the totals, growth by month, formats with their judgement, and holdings by year', async () => {
    const d = await dashboard(f.sessions.archivist);
    const [b0, b1, b2] = bytes as [Buffer, Buffer, Buffer];
    expect(d.totals).toEqual({ records: 3, files: 3, bytes: b0.length + b1.length + b2.length, blobs: 3, blobBytes: b0.length + b1.length + b2.length });
    expect(d.stores.map((s) => [s.name, s.kind, s.primary, s.ok])).toEqual([['primary', 'folder', true, true], ['replica1', 'folder', false, true]]);
    for (const s of d.stores) expect(s.freeBytes).toBeGreaterThan(0);
    expect(d.stores[0]?.copies).toEqual({ ok: 3, repaired: 0, missing: 0, damaged: 0, unreachable: 0 });
    expect(d.stores[1]?.copies).toEqual({ ok: 2, repaired: 0, missing: 1, damaged: 0, unreachable: 0 });
    const thisMonth = (await db().selectFrom('preservation_files').select('created_at').where('record_id', '=', (records[1] as KeptRecord).id).executeTakeFirstOrThrow()).created_at.slice(0, 7);
    expect(d.growth).toEqual([{ month: OLD_MONTH, files: 1, bytes: b0.length }, { month: thisMonth, files: 2, bytes: b1.length + b2.length }]);
    expect(d.formats).toEqual([
      { format: 'x-fmt/111', name: expect.any(String), version: null, status: 'ok', files: 2, bytes: b0.length + b2.length },
      { format: 'fmt/101', name: expect.any(String), version: '1.0', status: 'watch', files: 1, bytes: b1.length },
    ]);
    expect(d.years).toEqual([{ year: 2023, records: 1, files: 1, bytes: b0.length }, { year: 2024, records: 2, files: 2, bytes: b1.length + b2.length }]);
  });

  it('reports the last audits of each store with their failures, and what each replica still lacks', async () => {
    const d = await dashboard(f.sessions.archivist);
    expect(d.audits.map((a) => [a.id, a.store, a.status])).toEqual([[auditedRun, 'primary', 'completed'], [failedRun, 'replica1', 'failed']]);
    expect(d.audits[0]).toMatchObject({ blobs: 3, ok: 3, missing: 0, damaged: 0, atRisk: 0, startedBy: 'test', finishedAt: expect.any(String) });
    expect(d.auditFailures.map((a) => a.id)).toEqual([failedRun]);
    expect(d.auditFailures[0]?.detail).toContain('ECONNREFUSED');
    expect(d.replicaLag).toEqual([{ store: 'replica1', blobs: 1, bytes: (bytes[2] as Buffer).length }]);
  });

  it('lists the files at risk with the records behind them, the open alerts newest first, and the offline volumes with their last verification', async () => {
    const d = await dashboard(f.sessions.archivist);
    expect(d.atRisk.blobs).toBe(1);
    expect(d.atRisk.alerts).toEqual([{ id: expect.any(String), store: 'replica1', sha256: shas[1], message: expect.stringContaining('文件处于风险中'), createdAt: expect.any(String), records: [{ id: records[1]?.id, archivalCode: records[1]?.archivalCode, title: '二〇二四年移交说明' }] }]);
    expect(d.alerts.map((a) => a.kind)).toEqual(['at-risk', 'store-unreachable']);
    expect(d.volumes).toEqual([
      { id: expect.any(String), label: 'LANTAI-2024-001', set: 'LANTAI-2024-S01', status: 'written', bytes: 4096, files: 3, writtenAt: expect.any(String), location: '档案库房 3 号柜', lastVerifiedAt: expect.any(String), lastVerifyResult: 'ok' },
      { id: expect.any(String), label: 'LANTAI-2024-002', set: 'LANTAI-2024-S01', status: 'planned', bytes: 0, files: 0, writtenAt: null, location: null, lastVerifiedAt: null, lastVerifyResult: null },
    ]);
  });

  it('gives the system admin the storage and the alerts without a single record title or code', async () => {
    const d = await dashboard(f.sessions.sysadmin);
    expect(d.stores).toHaveLength(2);
    expect(d.totals.files).toBe(3);
    expect(d.atRisk.blobs).toBe(1);
    expect(d.atRisk.alerts[0]?.records).toEqual([]);
    const body = JSON.stringify(d);
    for (const r of records) {
      expect(body).not.toContain(r.title);
      expect(body).not.toContain(r.archivalCode as string);
    }
  });

  it('shows a scoped archivist only the records in scope behind a file at risk, and refuses everyone else, audited', async () => {
    expect((await dashboard(scoped)).atRisk.alerts[0]?.records).toEqual([]);
    for (const [s, status] of [[f.sessions.clerk, 403], [f.sessions.reader, 403], [f.sessions.citizen, 403], [f.anonymous, 401]] as const) {
      const res = await f.call(s, 'GET', '/api/preservation/dashboard');
      expect(res.statusCode, res.body).toBe(status);
    }
    const refusals = await db().selectFrom('audit_entries').select(['actor_username', 'result', 'reason']).where('action', '=', 'preservation.dashboard.view').orderBy('seq').execute();
    expect(refusals).toEqual([
      { actor_username: 'clerk', result: 'refused', reason: 'FORBIDDEN_ROLE' },
      { actor_username: 'reader', result: 'refused', reason: 'FORBIDDEN_ROLE' },
      { actor_username: 'citizen', result: 'refused', reason: 'FORBIDDEN_ROLE' },
      { actor_username: null, result: 'refused', reason: 'AUTH_REQUIRED' },
    ]);
  });
});
