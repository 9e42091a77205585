import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DIALECTS } from '../../platform/db/test-support/databases.js';
import { createCatalogFixture, type CatalogFixture, type Session } from '../catalog/test-support/fixture.js';
import { makeFixtureFiles, type FixtureFiles } from './test-support/files.js';
import { EICAR, startTestClamd, TEST_SIGNATURE, type TestClamd } from '../../platform/scan/test-support/clamd.js';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe.each(DIALECTS)('hand-over over HTTP on %s', (dialect) => {
  let f: CatalogFixture;
  let files: FixtureFiles;
  let dir = '';
  let WS = '';
  let clamd: TestClamd;

  const meta = (n: number, overrides: Record<string, unknown> = {}) => ({
    title: `关于第${n}项工作的通知`, responsible: '演示市人民政府办公室', date: `202403${String(n).padStart(2, '0')}`, year: 2024, retention: 'Y', classification: '非密', pageCount: 1,
    archivalCode: `J001-WS·2024-Y-${String(n).padStart(4, '0')}`, ...overrides,
  });

  async function createDraft(s: Session, declaredItems: number, title = '2024年度文书档案移交'): Promise<string> {
    const res = await f.call(s, 'POST', '/api/transfers', { fondsId: f.fondsId, categoryId: WS, title, yearFrom: 2024, yearTo: 2024, declaredItems, opennessOpinion: '建议到期开放' });
    expect(res.statusCode, res.body).toBe(201);
    return res.json().id;
  }

  /** Uploads in chunks of `chunk` bytes, each with its SHA-256, as the web client does. */
  async function upload(s: Session, transferId: string, filePath: string, bytes: Buffer, chunk = 64 * 1024) {
    const started = await f.call(s, 'POST', `/api/transfers/${transferId}/uploads`, { path: filePath, size: bytes.length, sha256: sha256(bytes) });
    expect(started.statusCode, started.body).toBe(200);
    let state = started.json();
    while (!state.complete) {
      const piece = bytes.subarray(state.received, Math.min(bytes.length, state.received + chunk));
      const res = await f.call(s, 'PUT', `/api/transfers/${transferId}/uploads/${state.id}?offset=${state.received}`, piece, { 'content-type': 'application/octet-stream', 'x-chunk-sha256': sha256(piece) });
      expect(res.statusCode, res.body).toBe(200);
      state = res.json();
      if (bytes.length === 0) break;
    }
    return state;
  }

  async function checked(s: Session, transferId: string) {
    await vi.waitFor(async () => expect((await f.call(s, 'GET', `/api/transfers/${transferId}`)).json().status).toBe('checked'), { timeout: 60_000, interval: 200 });
    return (await f.call(s, 'GET', `/api/transfers/${transferId}/report`)).json();
  }

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'lantai-transfer-'));
    files = await makeFixtureFiles(dir);
    clamd = await startTestClamd(path.join(dir, 'clamd'));
    f = await createCatalogFixture(dialect, { LANTAI_CLAMD_SOCKET: clamd.socket });
    WS = f.categories.WS as string;
    f.t.app.startWorkers();
  }, 180_000);
  afterAll(async () => {
    await f?.close();
    await clamd?.stop();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('takes a clerk’s hand-over from upload to a report with one failing item, then a corrected new version passes', { timeout: 120_000 }, async () => {
    const clerk = f.sessions.clerk;
    const id = await createDraft(clerk, 3);
    await upload(clerk, id, '2024/0001/通知.pdf', files.pdf, 4096);
    await upload(clerk, id, '2024/0002/说明.xml', files.xml);
    await upload(clerk, id, '2024/0003/扫描.png', files.png);
    const items = [
      { metadata: meta(1), files: [{ path: '2024/0001/通知.pdf', role: '正本', sha256: sha256(files.pdf) }] },
      { metadata: meta(2), files: [{ path: '2024/0002/说明.xml', role: '正本' }] },
      { metadata: meta(3, { date: '20240230' }), files: [{ path: '2024/0003/扫描.png', role: '扫描件' }] },
    ];
    expect((await f.call(clerk, 'POST', `/api/transfers/${id}/items`, { items })).statusCode).toBe(201);
    expect((await f.call(clerk, 'POST', `/api/transfers/${id}/submit`)).statusCode).toBe(200);
    const report = await checked(clerk, id);
    expect(report.summary).toMatchObject({ items: 3, files: 3, passedItems: 2 });
    const failing = report.items.filter((i: { result: string }) => i.result === '不通过');
    expect(failing.map((i: { position: number }) => i.position)).toEqual([3]);
    expect(failing[0].findings).toEqual(expect.arrayContaining([expect.objectContaining({ checkId: 'YJ-ZS-03', result: '不通过', message: '日期不存在' })]));
    // The clerk follows the check and reads the items back as given.
    expect((await f.call(clerk, 'GET', `/api/transfers/${id}/check-job`)).json()).toMatchObject({ status: 'succeeded' });
    const given = (await f.call(clerk, 'GET', `/api/transfers/${id}/items`)).json();
    expect(given[2]).toMatchObject({ metadata: expect.objectContaining({ date: '20240230' }), files: [expect.objectContaining({ path: '2024/0003/扫描.png' })], result: '不通过' });
    expect((await f.call(clerk, 'GET', `/api/transfers/${id}/files`)).json().map((x: { path: string }) => x.path)).toEqual(['2024/0001/通知.pdf', '2024/0002/说明.xml', '2024/0003/扫描.png']);
    expect(report.package).toEqual(expect.arrayContaining([expect.objectContaining({ checkId: 'YJ-WZ-01', result: '通过' }), expect.objectContaining({ checkId: 'YJ-WZ-05', result: '通过' })]));
    expect(report.package).toEqual(expect.arrayContaining([expect.objectContaining({ checkId: 'YJ-AQ-03', message: expect.stringContaining('由 立档单位档案员（演示）（clerk） 办理') })]));
    const pdfFindings = report.items[0].findings;
    expect(pdfFindings).toEqual(expect.arrayContaining([expect.objectContaining({ checkId: 'YJ-ZS-01', result: '通过' }), expect.objectContaining({ checkId: 'YJ-KY-03', result: '通过', message: expect.stringMatching(/^PDF 结构完好，1 页/) })]));
    const html = await f.call(clerk, 'GET', `/api/transfers/${id}/report?format=html`);
    expect(html.body).toContain('合格率 66.7%');

    // The archive returns it; the agency corrects the date in a new version and submits again.
    const archivist = f.sessions.archivist;
    expect((await f.call(archivist, 'POST', `/api/transfers/${id}/return`, { reason: '第3件日期有误', items: { [failing[0].id]: '日期不存在' } })).statusCode).toBe(200);
    const next = await f.call(clerk, 'POST', `/api/transfers/${id}/new-version`);
    expect(next.statusCode, next.body).toBe(201);
    const v2 = next.json().id;
    expect((await f.call(clerk, 'POST', `/api/transfers/${id}/new-version`)).json()).toMatchObject({ code: 'TRANSFER_NEWER_VERSION' });
    const v2report = (await f.call(clerk, 'GET', `/api/transfers/${v2}/report`)).json();
    const third = v2report.items.find((i: { position: number }) => i.position === 3);
    expect((await f.call(clerk, 'PUT', `/api/transfers/${v2}/items/${third.id}`, { metadata: meta(3), files: [{ path: '2024/0003/扫描.png', role: '扫描件' }] })).statusCode).toBe(200);
    await f.call(clerk, 'POST', `/api/transfers/${v2}/submit`);
    const clean = await checked(archivist, v2);
    expect(clean.summary).toMatchObject({ items: 3, passedItems: 3, passRate: 100 });
    expect((await f.call(archivist, 'GET', `/api/transfers/${v2}`)).json()).toMatchObject({ version: 2, previousId: id });
    const receipt = await f.call(clerk, 'GET', `/api/transfers/${v2}/receipt`);
    expect(receipt.body).toContain('电子档案移交接收登记表');
    expect(receipt.body).toContain('合格率 100%');
    expect(receipt.body).toContain('3 件，3 个文件');
  });

  it('resumes an interrupted upload, refuses a damaged chunk and a wrong file digest, keeping nothing half-done', async () => {
    const clerk = f.sessions.clerk;
    const id = await createDraft(clerk, 1, '续传测试');
    const bytes = files.pdf;
    const start = (await f.call(clerk, 'POST', `/api/transfers/${id}/uploads`, { path: 'a/通知.pdf', size: bytes.length, sha256: sha256(bytes) })).json();
    const half = Math.floor(bytes.length / 2);
    const first = bytes.subarray(0, half);
    expect((await f.call(clerk, 'PUT', `/api/transfers/${id}/uploads/${start.id}?offset=0`, first, { 'content-type': 'application/octet-stream', 'x-chunk-sha256': sha256(first) })).json().received).toBe(half);
    // A chunk whose digest does not match is refused, and the server still has exactly the first half.
    const rest = bytes.subarray(half);
    const damaged = await f.call(clerk, 'PUT', `/api/transfers/${id}/uploads/${start.id}?offset=${half}`, rest, { 'content-type': 'application/octet-stream', 'x-chunk-sha256': sha256(first) });
    expect(damaged.json().code).toBe('TRANSFER_CHUNK_DIGEST');
    // Resuming at the wrong offset is refused with the right one.
    const wrong = await f.call(clerk, 'PUT', `/api/transfers/${id}/uploads/${start.id}?offset=0`, rest, { 'content-type': 'application/octet-stream' });
    expect(wrong.json()).toMatchObject({ code: 'TRANSFER_UPLOAD_OFFSET' });
    expect(wrong.json().message).toContain(String(half));
    const again = (await f.call(clerk, 'POST', `/api/transfers/${id}/uploads`, { path: 'a/通知.pdf', size: bytes.length, sha256: sha256(bytes) })).json();
    expect(again).toMatchObject({ id: start.id, received: half });
    const done = await f.call(clerk, 'PUT', `/api/transfers/${id}/uploads/${start.id}?offset=${half}`, rest, { 'content-type': 'application/octet-stream', 'x-chunk-sha256': sha256(rest) });
    expect(done.json()).toMatchObject({ complete: true, received: bytes.length });
    const stored = await f.t.app.database.db.selectFrom('transfer_files').selectAll().where('id', '=', done.json().fileId).executeTakeFirstOrThrow();
    expect(stored.sha256).toBe(sha256(bytes));
    expect(await fs.readFile(stored.staged_path)).toEqual(bytes);

    const liar = (await f.call(clerk, 'POST', `/api/transfers/${id}/uploads`, { path: 'b.pdf', size: bytes.length, sha256: '0'.repeat(64) })).json();
    const refused = await f.call(clerk, 'PUT', `/api/transfers/${id}/uploads/${liar.id}?offset=0`, bytes, { 'content-type': 'application/octet-stream' });
    expect(refused.json().code).toBe('TRANSFER_DIGEST_MISMATCH');
    expect((await f.call(clerk, 'GET', `/api/transfers/${id}/uploads/${liar.id}`)).json()).toMatchObject({ received: 0, complete: false });
    const over = (await f.call(clerk, 'POST', `/api/transfers/${id}/uploads`, { path: 'c.pdf', size: 10 })).json();
    expect((await f.call(clerk, 'PUT', `/api/transfers/${id}/uploads/${over.id}?offset=0`, bytes, { 'content-type': 'application/octet-stream' })).json().code).toBe('TRANSFER_UPLOAD_OVERFLOW');
    for (const bad of ['../etc/passwd', '/abs.pdf', 'C:/x.pdf', 'a\\b.pdf', 'a//b.pdf']) {
      expect((await f.call(clerk, 'POST', `/api/transfers/${id}/uploads`, { path: bad, size: 1 })).json().code, bad).toBe('TRANSFER_PATH_INVALID');
    }
  });

  it('fails encrypted PDFs, entity bombs, empty files, lying extensions, the EICAR string and a wrong declared count', { timeout: 120_000 }, async () => {
    const clerk = f.sessions.clerk;
    const id = await createDraft(clerk, 7, '坏文件');
    await upload(clerk, id, 'x/eicar.txt', Buffer.from(EICAR));
    await upload(clerk, id, 'x/scan300.tif', files.scan300);
    await upload(clerk, id, 'x/scan150.jpg', files.scan150);
    await upload(clerk, id, 'x/blank.png', files.blank);
    await upload(clerk, id, 'x/last-line.png', files.lastLine);
    await upload(clerk, id, 'x/加密.pdf', files.encryptedPdf);
    await upload(clerk, id, 'x/bomb.xml', files.billionLaughs);
    await upload(clerk, id, 'x/empty.pdf', Buffer.alloc(0));
    await upload(clerk, id, 'x/image.pdf', files.png);
    const items = [
      { metadata: meta(11), files: [{ path: 'x/加密.pdf' }] },
      { metadata: meta(12), files: [{ path: 'x/bomb.xml' }] },
      { metadata: meta(13), files: [{ path: 'x/empty.pdf' }, { path: 'x/missing.pdf' }] },
      { metadata: meta(14), files: [{ path: 'x/image.pdf' }] },
      { metadata: meta(15), files: [{ path: 'x/eicar.txt' }] },
      { metadata: meta(16, { pageCount: 4 }), files: [{ path: 'x/scan300.tif' }, { path: 'x/scan150.jpg' }, { path: 'x/blank.png' }, { path: 'x/last-line.png' }] },
    ];
    await f.call(clerk, 'POST', `/api/transfers/${id}/items`, { items });
    await f.call(clerk, 'POST', `/api/transfers/${id}/submit`);
    const report = await checked(clerk, id);
    const of = (position: number, checkId: string) => report.items.find((i: { position: number }) => i.position === position).findings.find((x: { checkId: string; result: string }) => x.checkId === checkId && x.result !== '通过');
    expect(of(1, 'YJ-KY-03')).toMatchObject({ result: '不通过', message: expect.stringContaining('加密') });
    expect(of(2, 'YJ-KY-03')).toMatchObject({ result: '不通过', message: expect.stringContaining('实体') });
    expect(of(3, 'YJ-KY-03')).toMatchObject({ result: '不通过', message: '空文件（0 字节）' });
    expect(of(4, 'YJ-ZS-09')).toMatchObject({ result: '不通过', message: expect.stringContaining('PNG') });
    expect(of(5, 'YJ-AQ-01')).toMatchObject({ result: '不通过', message: expect.stringContaining(TEST_SIGNATURE) });
    const scans = report.items.find((i: { position: number }) => i.position === 6).findings.filter((x: { checkId: string }) => x.checkId === 'YJ-KY-04');
    expect(scans).toEqual(expect.arrayContaining([
      expect.objectContaining({ file: 'x/scan300.tif', result: '通过', message: expect.stringContaining('300 dpi') }),
      expect.objectContaining({ file: 'x/scan150.jpg', result: '不通过', message: expect.stringContaining('150 dpi 低于要求的 200 dpi') }),
      expect.objectContaining({ file: 'x/blank.png', result: '警告', message: expect.stringContaining('空白页') }),
      expect.objectContaining({ file: 'x/last-line.png', result: '通过', message: expect.stringContaining('300 dpi') }),
    ]));
    expect(of(6, 'YJ-ZS-12')).toBeUndefined();
    const pagesOk = report.items.find((i: { position: number }) => i.position === 6).findings.find((x: { checkId: string }) => x.checkId === 'YJ-ZS-12');
    expect(pagesOk).toMatchObject({ result: '通过', message: '共 4 页，与著录一致' });
    const clean = report.items.find((i: { position: number }) => i.position === 1).findings.find((x: { checkId: string }) => x.checkId === 'YJ-AQ-01');
    expect(clean).toMatchObject({ result: '通过', message: expect.stringMatching(/未发现病毒（ClamAV \d/) });
    // The report says how current the virus check was: the private clamd holds only a custom signature.
    expect(report.summary.virusDatabase.zh).toMatch(/^ClamAV [\d.]+，特征库版本未知（仅自定义特征库）/);
    expect(report.package).toEqual(expect.arrayContaining([
      expect.objectContaining({ checkId: 'YJ-WZ-01', result: '不通过' }),
      expect.objectContaining({ checkId: 'YJ-WZ-05', result: '不通过', message: expect.stringContaining('缺少 1 个文件') }),
      expect.objectContaining({ checkId: 'YJ-WZ-04', result: '不通过' }),
    ]));
  });

  it('does not get stuck when a clerk submits while a self-check is still queued', { timeout: 60_000 }, async () => {
    const clerk = f.sessions.clerk;
    const id = await createDraft(clerk, 1, '自检后提交');
    await upload(clerk, id, 'a.pdf', files.pdf);
    await f.call(clerk, 'POST', `/api/transfers/${id}/items`, { items: [{ metadata: meta(21), files: [{ path: 'a.pdf' }] }] });
    const self = (await f.call(clerk, 'POST', `/api/transfers/${id}/self-check`)).json().jobId;
    const submitted = (await f.call(clerk, 'POST', `/api/transfers/${id}/submit`)).json().jobId;
    expect(submitted).not.toBe(self);
    const report = await checked(clerk, id);
    expect(report.summary).toMatchObject({ draft: false, items: 1 });
  });

  it('shows an agency’s hand-overs to that agency and the archive only, and audits the refusals', async () => {
    const id = await createDraft(f.sessions.clerk, 0, '本单位');
    expect((await f.call(f.sessions.otherClerk, 'GET', `/api/transfers/${id}`)).statusCode).toBe(403);
    expect((await f.call(f.sessions.otherClerk, 'GET', `/api/transfers/${id}/report`)).statusCode).toBe(403);
    expect((await f.call(f.sessions.otherClerk, 'GET', `/api/transfers/${id}/items`)).statusCode).toBe(403);
    expect((await f.call(f.sessions.otherClerk, 'GET', `/api/transfers/${id}/check-job`)).statusCode).toBe(403);
    expect((await f.call(f.sessions.otherClerk, 'POST', `/api/transfers/${id}/uploads`, { path: 'x.pdf', size: 1 })).statusCode).toBe(403);
    expect((await f.call(f.sessions.citizen, 'GET', `/api/transfers/${id}`)).statusCode).toBe(403);
    expect((await f.call(f.anonymous, 'GET', `/api/transfers/${id}`)).statusCode).toBe(401);
    const lists = (await f.call(f.sessions.otherClerk, 'GET', `/api/transfers?agencyId=${f.agencyId}`)).json();
    expect(lists.map((t: { id: string }) => t.id)).not.toContain(id);
    expect((await f.call(f.sessions.archivist, 'GET', `/api/transfers/${id}`)).statusCode).toBe(200);
    // A clerk cannot hand over another agency's fonds.
    const foreign = await f.call(f.sessions.otherClerk, 'POST', '/api/transfers', { fondsId: f.fondsId, categoryId: WS, title: 'x', yearFrom: 2024, yearTo: 2024, declaredItems: 1 });
    expect(foreign.json().code).toBe('TRANSFER_FONDS_AGENCY');
    const refused = await f.t.app.database.db.selectFrom('audit_entries').select(['action', 'actor_username']).where('result', '=', 'refused').where('target_id', '=', id).execute();
    expect(refused.map((r) => r.actor_username)).toEqual(expect.arrayContaining(['clerk2', 'citizen']));
  });
});
