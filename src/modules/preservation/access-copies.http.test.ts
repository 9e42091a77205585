/**
 * Access copies on both databases: accepting a hand-over queues a job (in the accept's
 * transaction) that renders thumbnails and page previews with the real tools — a
 * two-page PDF through pdftoppm, a TIFF scan through sharp, a JPEG 2000 through
 * OpenJPEG, an MP4 through ffmpeg — while the originals stay byte for byte; the
 * previews are read under the same rules as the files (Viewer, audited for controlled
 * records, never by the admins); a file the renderer cannot read gets a failure event.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DIALECTS } from '../../platform/db/test-support/databases.js';
import { createCatalogFixture, type CatalogFixture, type Session } from '../catalog/test-support/fixture.js';
import { makeFixtureFiles, type FixtureFiles } from '../transfer/test-support/files.js';
import { PAGE_PX, THUMBNAIL_PX } from './access-copies.js';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe.each(DIALECTS)('access copies on %s', (dialect) => {
  let f: CatalogFixture;
  let files: FixtureFiles;
  let extra: { twoPages: Buffer; jp2: Buffer; mp4: Buffer };
  let dir = '';
  let records: Array<{ id: string; title: string; fileId: string; name: string; sha256: string }> = [];
  let transferId = '';

  async function upload(s: Session, id: string, filePath: string, bytes: Buffer) {
    const started = (await f.call(s, 'POST', `/api/transfers/${id}/uploads`, { path: filePath, size: bytes.length, sha256: sha256(bytes) })).json();
    const res = await f.call(s, 'PUT', `/api/transfers/${id}/uploads/${started.id}?offset=0`, bytes, { 'content-type': 'application/octet-stream', 'x-chunk-sha256': sha256(bytes) });
    expect(res.statusCode, res.body).toBe(200);
  }

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'lantai-access-'));
    files = await makeFixtureFiles(dir);
    const at = (name: string) => path.join(dir, name);
    await fs.writeFile(at('one.pdf'), files.pdf);
    execFileSync('qpdf', ['--empty', '--pages', at('one.pdf'), at('one.pdf'), '--', at('two.pdf')]);
    await fs.writeFile(at('page.png'), files.png);
    execFileSync('opj_compress', ['-i', at('page.png'), '-o', at('scan.jp2')], { stdio: 'ignore' });
    execFileSync('ffmpeg', ['-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc=duration=2:size=320x240:rate=10', '-c:v', 'mpeg4', at('meeting.mp4')]);
    extra = { twoPages: await fs.readFile(at('two.pdf')), jp2: await fs.readFile(at('scan.jp2')), mp4: await fs.readFile(at('meeting.mp4')) };

    f = await createCatalogFixture(dialect);
    f.t.app.startWorkers();
    const clerk = f.sessions.clerk;
    const uploads: Array<[string, Buffer, string]> = [
      ['通知.pdf', extra.twoPages, '正本'],
      ['扫描.tif', files.scan300, '扫描件'],
      ['图纸.jp2', extra.jp2, '正本'],
      ['会议.mp4', extra.mp4, '正本'],
      ['说明.xml', files.xml, '正本'],
    ];
    const created = await f.call(clerk, 'POST', '/api/transfers', { fondsId: f.fondsId, categoryId: f.categories.WS, title: '利用副本批次', yearFrom: 2024, yearTo: 2024, declaredItems: uploads.length });
    transferId = created.json().id as string;
    for (const [name, bytes] of uploads) await upload(clerk, transferId, `批次/${name}`, bytes);
    const items = uploads.map(([name, , role], i) => ({
      metadata: { title: `第${i + 1}件 ${name}`, responsible: '演示市人民政府办公室', date: '20240305', year: 2024, retention: 'Y', classification: '非密', archivalCode: `J001-WS·2024-Y-${String(i + 1).padStart(4, '0')}` },
      files: [{ path: `批次/${name}`, role }],
    }));
    expect((await f.call(clerk, 'POST', `/api/transfers/${transferId}/items`, { items })).statusCode).toBe(201);
    expect((await f.call(clerk, 'POST', `/api/transfers/${transferId}/submit`)).statusCode).toBe(200);
    await vi.waitFor(async () => expect((await f.call(clerk, 'GET', `/api/transfers/${transferId}`)).json().status).toBe('checked'), { timeout: 90_000, interval: 200 });
    const accepted = await f.call(f.sessions.archivist, 'POST', `/api/transfers/${transferId}/accept`);
    expect(accepted.statusCode, accepted.body).toBe(200);
    const db = f.t.app.database.db;
    const rows = await db.selectFrom('records as r').innerJoin('record_files as k', 'k.record_id', 'r.id').select(['r.id', 'r.title', 'k.id as fileId', 'k.name', 'k.sha256']).where('r.archival_code', 'like', 'J001-WS·2024-Y-%').orderBy('r.archival_code').execute();
    records = rows;
    expect(records.map((r) => r.name)).toEqual(uploads.map(([name]) => name));
  }, 240_000);

  afterAll(async () => {
    await f?.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  const byName = (name: string) => records.find((r) => r.name === name) as (typeof records)[number];
  const jpegSize = async (bytes: Buffer) => {
    const meta = await sharp(bytes).metadata();
    return { format: meta.format, width: meta.width ?? 0, height: meta.height ?? 0 };
  };

  it('renders a thumbnail and page previews per format in a job queued by the accept, and leaves the originals as they were', { timeout: 120_000 }, async () => {
    const db = f.t.app.database.db;
    const job = await db.selectFrom('jobs').select(['status', 'payload']).where('type', '=', 'preservation.access-copies').executeTakeFirstOrThrow();
    expect(JSON.parse(job.payload as string)).toEqual({ transferId });
    await vi.waitFor(async () => expect((await db.selectFrom('jobs').select('status').where('type', '=', 'preservation.access-copies').executeTakeFirstOrThrow()).status).toBe('succeeded'), { timeout: 90_000, interval: 250 });

    const archivist = f.sessions.archivist;
    const previews = async (name: string) => {
      const res = await f.call(archivist, 'GET', `/api/catalog/items/${byName(name).id}/previews`);
      expect(res.statusCode, res.body).toBe(200);
      return res.json()[0] as { fileId: string; thumbnail: boolean; pages: Array<{ page: number; width: number; height: number }> };
    };
    // The two-page PDF: both pages, long side 1600 px, and a thumbnail.
    const pdf = await previews('通知.pdf');
    expect(pdf).toMatchObject({ fileId: byName('通知.pdf').fileId, thumbnail: true });
    expect(pdf.pages.map((p) => p.page)).toEqual([1, 2]);
    for (const page of [1, 2]) {
      const res = await f.call(archivist, 'GET', `/api/catalog/items/${byName('通知.pdf').id}/files/${byName('通知.pdf').fileId}/pages/${page}`);
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('image/jpeg');
      const size = await jpegSize(res.rawPayload);
      expect(size.format).toBe('jpeg');
      expect(Math.max(size.width, size.height)).toBe(PAGE_PX);
    }
    // The scan and the JPEG 2000: one page each, never enlarged; the video: a thumbnail only.
    expect((await previews('扫描.tif')).pages).toEqual([{ page: 1, width: 600, height: 800 }]);
    expect((await previews('图纸.jp2')).pages).toHaveLength(1);
    expect(await previews('会议.mp4')).toMatchObject({ thumbnail: true, pages: [] });
    expect(await previews('说明.xml')).toMatchObject({ thumbnail: false, pages: [] });
    for (const name of ['通知.pdf', '扫描.tif', '图纸.jp2', '会议.mp4']) {
      const res = await f.call(archivist, 'GET', `/api/catalog/items/${byName(name).id}/files/${byName(name).fileId}/thumbnail`);
      expect(res.statusCode, name).toBe(200);
      const size = await jpegSize(res.rawPayload);
      expect(size.format).toBe('jpeg');
      expect(Math.max(size.width, size.height)).toBeLessThanOrEqual(THUMBNAIL_PX);
      expect(Math.max(size.width, size.height)).toBeGreaterThan(50);
    }
    const none = await f.call(archivist, 'GET', `/api/catalog/items/${byName('说明.xml').id}/files/${byName('说明.xml').fileId}/thumbnail`);
    expect(none.statusCode).toBe(404);
    expect(none.json()).toMatchObject({ code: 'CATALOG_PREVIEW_NOT_FOUND' });

    // Originals untouched: the kept bytes still hash to what the catalog recorded at accession.
    for (const r of records) {
      const original = await f.call(archivist, 'GET', `/api/catalog/items/${r.id}/files/${r.fileId}?download=1`);
      expect(sha256(original.rawPayload)).toBe(r.sha256);
    }
    // One PREMIS creation event per rendered file, naming the tool.
    // (Text extraction for search records its own creation events, of the text, not of copies.)
    const events = (await db.selectFrom('preservation_events').select(['subject_id', 'outcome', 'detail', 'agents']).where('event_type', '=', 'creation').where('record_id', 'in', records.map((r) => r.id)).execute()).filter((e) => e.detail.includes('利用副本'));
    expect(events.map((e) => e.subject_id).sort()).toEqual(['通知.pdf', '扫描.tif', '图纸.jp2', '会议.mp4'].map((n) => byName(n).fileId).sort());
    const pdfEvent = events.find((e) => e.subject_id === byName('通知.pdf').fileId);
    expect(pdfEvent).toMatchObject({ outcome: 'success', detail: expect.stringContaining('页面预览 2 页') });
    expect(JSON.parse(pdfEvent?.agents ?? '[]')).toContainEqual(expect.objectContaining({ role: 'tool', name: 'pdftoppm (Poppler)', version: expect.stringMatching(/\d+\.\d+/) }));
  });

  it('serves previews under the file rules: the agency (audited, the record is controlled), not another agency, not the public, never an admin', { timeout: 60_000 }, async () => {
    const r = byName('扫描.tif');
    const url = `/api/catalog/items/${r.id}/files/${r.fileId}/thumbnail`;
    await vi.waitFor(async () => expect((await f.call(f.sessions.archivist, 'GET', url)).statusCode).toBe(200), { timeout: 60_000, interval: 250 });
    const db = f.t.app.database.db;
    const before = await db.selectFrom('audit_entries').select('id').where('action', '=', 'catalog.file.preview').where('result', '=', 'ok').execute();
    // Listing the previews records no view (the item page did); reading one does.
    const views = () => db.selectFrom('audit_entries').select('id').where('action', '=', 'catalog.item.view').execute();
    const viewsBefore = (await views()).length;
    expect((await f.call(f.sessions.clerk, 'GET', `/api/catalog/items/${r.id}/previews`)).json()).toEqual([expect.objectContaining({ fileId: r.fileId, thumbnail: true })]);
    expect(await views()).toHaveLength(viewsBefore);
    expect((await f.call(f.sessions.clerk, 'GET', url)).statusCode).toBe(200);
    const after = await db.selectFrom('audit_entries').select(['actor_username', 'target_id']).where('action', '=', 'catalog.file.preview').where('result', '=', 'ok').execute();
    expect(after).toHaveLength(before.length + 1);
    expect(after).toContainEqual({ actor_username: 'clerk', target_id: r.fileId });

    for (const [who, session] of [['another agency', f.sessions.otherClerk], ['a citizen', f.sessions.citizen], ['anonymous', f.anonymous]] as const) {
      const res = await f.call(session, 'GET', url);
      expect(res.statusCode, who).toBe(404);
      expect(res.headers['content-type'], who).not.toBe('image/jpeg');
      const pages = await f.call(session, 'GET', `/api/catalog/items/${r.id}/files/${r.fileId}/pages/1`);
      expect(pages.statusCode, who).toBe(404);
      const list = await f.call(session, 'GET', `/api/catalog/items/${r.id}/previews`);
      expect(list.statusCode, who).toBe(200);
      expect(list.json(), who).toEqual([]);
    }
    const admin = await f.call(f.sessions.sysadmin, 'GET', url);
    expect(admin.statusCode).toBe(403);
    expect(admin.json()).toMatchObject({ code: 'CATALOG_FILE_ADMIN' });
    const refused = await db.selectFrom('audit_entries').select(['actor_username']).where('action', '=', 'catalog.file.preview').where('result', '=', 'refused').execute();
    expect(refused).toContainEqual({ actor_username: 'sysadmin' });
  });

  it('records a failure event when a renderer cannot read a file, and carries on with the others', { timeout: 60_000 }, async () => {
    const db = f.t.app.database.db;
    const xml = byName('说明.xml');
    const tif = byName('扫描.tif');
    // A file taken for a PDF that is not one (as a wrong identification would leave it), beside one already done.
    await db.updateTable('record_files').set({ mime: 'application/pdf' }).where('id', '=', xml.fileId).execute();
    const result = await f.t.app.services.accessCopies.run({ fileIds: [xml.fileId, tif.fileId] }, { signal: new AbortController().signal, progress: async () => undefined });
    expect(result).toEqual({ files: 1, copies: 0 });
    const failed = (await db.selectFrom('preservation_events').select(['outcome', 'detail']).where('subject_id', '=', xml.fileId).where('event_type', '=', 'creation').execute()).filter((e) => e.detail.includes('利用副本'));
    expect(failed).toEqual([{ outcome: 'failure', detail: expect.stringMatching(/^未能生成利用副本（application\/pdf）：/) }]);
    expect(await db.selectFrom('access_copies').select('id').where('file_id', '=', xml.fileId).execute()).toEqual([]);
  });
});
