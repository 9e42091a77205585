/**
 * Accession over HTTP on both databases: a checked hand-over becomes catalog records
 * with their files in the blob store, preservation records (PRONOM formats) and
 * PREMIS events; a second accept, or two at once, gives one result and a conflict;
 * a failing accept leaves the hand-over as it was, and its adopted blobs are
 * collected by gc because nothing refers to them.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { SaxesParser } from 'saxes';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DIALECTS } from '../../platform/db/test-support/databases.js';
import { createCatalogFixture, type CatalogFixture, type Session } from '../catalog/test-support/fixture.js';
import { makeFixtureFiles, type FixtureFiles } from './test-support/files.js';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe.each(DIALECTS)('accession over HTTP on %s', (dialect) => {
  let f: CatalogFixture;
  let files: FixtureFiles;
  let dir = '';
  let WS = '';
  let next = 100;

  const meta = (n: number) => ({ title: `关于第${n}项工作的通知`, responsible: '演示市人民政府办公室', date: '20240305', year: 2024, retention: 'Y', classification: '非密', archivalCode: `J001-WS·2024-Y-${String(n).padStart(4, '0')}` });

  async function upload(s: Session, transferId: string, filePath: string, bytes: Buffer) {
    const started = (await f.call(s, 'POST', `/api/transfers/${transferId}/uploads`, { path: filePath, size: bytes.length, sha256: sha256(bytes) })).json();
    const res = await f.call(s, 'PUT', `/api/transfers/${transferId}/uploads/${started.id}?offset=0`, bytes, { 'content-type': 'application/octet-stream', 'x-chunk-sha256': sha256(bytes) });
    expect(res.statusCode, res.body).toBe(200);
  }

  /** A clean three-item hand-over (PDF, XML, scanned PNG), submitted and checked; returns its id and item numbers. */
  async function checkedHandOver(title: string, pdf = files.pdf): Promise<{ id: string; numbers: number[] }> {
    const clerk = f.sessions.clerk;
    const numbers = [next++, next++, next++];
    const created = await f.call(clerk, 'POST', '/api/transfers', { fondsId: f.fondsId, categoryId: WS, title, yearFrom: 2024, yearTo: 2024, declaredItems: 3 });
    const id = created.json().id as string;
    await upload(clerk, id, `${title}/通知.pdf`, pdf);
    await upload(clerk, id, `${title}/说明.xml`, files.xml);
    await upload(clerk, id, `${title}/扫描.tif`, files.scan300);
    const items = [
      { metadata: meta(numbers[0] as number), files: [{ path: `${title}/通知.pdf`, role: '正本' }] },
      { metadata: meta(numbers[1] as number), files: [{ path: `${title}/说明.xml`, role: '正本' }] },
      { metadata: meta(numbers[2] as number), files: [{ path: `${title}/扫描.tif`, role: '扫描件' }] },
    ];
    expect((await f.call(clerk, 'POST', `/api/transfers/${id}/items`, { items })).statusCode).toBe(201);
    expect((await f.call(clerk, 'POST', `/api/transfers/${id}/submit`)).statusCode).toBe(200);
    await vi.waitFor(async () => expect((await f.call(clerk, 'GET', `/api/transfers/${id}`)).json().status).toBe('checked'), { timeout: 60_000, interval: 200 });
    return { id, numbers };
  }

  const db = () => f.t.app.database.db;
  const recordsOf = (numbers: number[]) => db().selectFrom('records').select(['id', 'archival_code', 'title']).where('archival_code', 'in', numbers.map((n) => meta(n).archivalCode)).orderBy('archival_code').execute();

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'lantai-accept-'));
    files = await makeFixtureFiles(dir);
    f = await createCatalogFixture(dialect);
    WS = f.categories.WS as string;
    f.t.app.startWorkers();
  }, 180_000);
  afterAll(async () => {
    await f?.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('turns a checked hand-over into records, stored files, preservation records and PREMIS events, in one step', { timeout: 120_000 }, async () => {
    const { id, numbers } = await checkedHandOver('第一批');
    const res = await f.call(f.sessions.archivist, 'POST', `/api/transfers/${id}/accept`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ records: 3, files: 3, bytes: files.pdf.length + files.xml.length + files.scan300.length, returned: 0, returnedTransferId: null, recoded: 0 });
    expect((await f.call(f.sessions.archivist, 'GET', `/api/transfers/${id}`)).json().status).toBe('accepted');

    const records = await recordsOf(numbers);
    expect(records.map((r) => r.archival_code)).toEqual(numbers.map((n) => meta(n).archivalCode));
    const kept = await db().selectFrom('record_files').selectAll().where('record_id', 'in', records.map((r) => r.id)).execute();
    expect(kept.map((k) => k.sha256).sort()).toEqual([files.pdf, files.xml, files.scan300].map(sha256).sort());
    // Every kept file's bytes are in the primary store and hash to what the catalog says.
    for (const k of kept) {
      const chunks: Buffer[] = [];
      for await (const c of await f.t.app.stores.primary.get(k.sha256)) chunks.push(c as Buffer);
      expect(sha256(Buffer.concat(chunks))).toBe(k.sha256);
    }
    const preserved = await db().selectFrom('preservation_files').selectAll().where('record_id', 'in', records.map((r) => r.id)).orderBy('original_path').execute();
    expect(preserved.map((p) => [p.original_name, p.puid, p.mime])).toEqual([
      ['扫描.tif', 'fmt/353', 'image/tiff'],
      ['说明.xml', 'fmt/101', 'application/xml'],
      ['通知.pdf', 'fmt/20', 'application/pdf'],
    ]);
    expect(preserved.find((p) => p.original_name === '通知.pdf')?.creating_application).toMatch(/LibreOffice/);

    const timeline = await f.t.app.services.preservation.timeline(db(), records[0]?.id as string);
    // The access-copy job may already have added its 'creation' event (access-copies.http.test.ts covers it).
    expect(timeline.filter((e) => e.type !== 'creation').map((e) => e.type)).toEqual(['ingestion', 'message digest calculation', 'format identification', 'validation', 'virus check', 'accession']);
    expect(timeline.find((e) => e.type === 'format identification')).toMatchObject({ outcome: 'success', detail: expect.stringContaining('fmt/20') });
    expect(timeline.find((e) => e.type === 'validation')).toMatchObject({ outcome: 'success', detail: expect.stringContaining('PDF 结构完好') });
    expect(timeline.find((e) => e.type === 'virus check')).toMatchObject({ outcome: 'not checked' });
    const agents = timeline.find((e) => e.type === 'format identification')?.agents ?? [];
    expect(agents).toEqual([
      expect.objectContaining({ role: 'implementer', name: 'archivist' }),
      expect.objectContaining({ role: 'executing program', name: 'Lantai 兰台', version: expect.any(String) }),
      expect.objectContaining({ role: 'tool', name: expect.stringMatching(/pikepdf|qpdf/) }),
    ]);
    const audit = await db().selectFrom('audit_entries').select(['action', 'result', 'actor_username']).where('action', '=', 'transfer.accept').where('target_id', '=', id).execute();
    expect(audit).toEqual([{ action: 'transfer.accept', result: 'ok', actor_username: 'archivist' }]);
  });

  it('gives one result for two accepts at once, and a conflict to the second', { timeout: 120_000 }, async () => {
    const { id, numbers } = await checkedHandOver('第二批');
    const [a, b] = await Promise.all([f.call(f.sessions.archivist, 'POST', `/api/transfers/${id}/accept`), f.call(f.sessions.archivist, 'POST', `/api/transfers/${id}/accept`)]);
    expect([a.statusCode, b.statusCode].sort()).toEqual([200, 409]);
    const conflict = a.statusCode === 409 ? a : b;
    expect(conflict.json()).toMatchObject({ code: 'TRANSFER_STATE', message: expect.stringContaining('已接收') });
    expect(await recordsOf(numbers)).toHaveLength(3);
    const again = await f.call(f.sessions.archivist, 'POST', `/api/transfers/${id}/accept`);
    expect(again.statusCode).toBe(409);
    expect(await recordsOf(numbers)).toHaveLength(3);
  });

  it('refuses clerks, and hand-overs with failing items', { timeout: 120_000 }, async () => {
    const { id } = await checkedHandOver('第三批');
    const clerk = await f.call(f.sessions.clerk, 'POST', `/api/transfers/${id}/accept`);
    expect(clerk.statusCode).toBe(403);
    await db().updateTable('transfer_items').set({ result: '不通过' }).where('transfer_id', '=', id).where('position', '=', 2).execute();
    const refused = await f.call(f.sessions.archivist, 'POST', `/api/transfers/${id}/accept`);
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ code: 'TRANSFER_ACCEPT_FAILED_ITEMS', message: expect.stringContaining('第 2 件') });
    expect((await f.call(f.sessions.archivist, 'GET', `/api/transfers/${id}`)).json().status).toBe('checked');
  });

  it('leaves the hand-over as it was when the transaction fails, and gc collects the blobs nothing refers to', { timeout: 120_000 }, async () => {
    // A PDF no other hand-over holds (a comment after %%EOF), so its blob is this accept's alone.
    const unique = Buffer.concat([files.pdf, Buffer.from(`\n% ${Date.now()}\n`)]);
    const { id, numbers } = await checkedHandOver('第四批', unique);
    // Someone describes a record with the second item's code after the check: the accept's transaction fails on it.
    const taken = await f.call(f.sessions.archivist, 'POST', '/api/catalog/items', { fondsId: f.fondsId, categoryId: WS, volumeId: null, ...meta(numbers[1] as number), title: '另行著录的文件' });
    expect(taken.statusCode, taken.body).toBe(201);
    const failed = await f.call(f.sessions.archivist, 'POST', `/api/transfers/${id}/accept`);
    expect(failed.statusCode).toBe(409);
    expect(failed.json().code).toBe('CATALOG_CODE_DUPLICATE');
    expect((await f.call(f.sessions.archivist, 'GET', `/api/transfers/${id}`)).json().status).toBe('checked');
    expect(await recordsOf([numbers[0] as number, numbers[2] as number])).toEqual([]);
    expect(await db().selectFrom('preservation_events').select('id').where('detail', 'like', '%第四批%').execute()).toEqual([]);

    const store = f.t.app.stores.primary;
    const pdf = sha256(unique);
    expect(await store.stat(pdf)).not.toBeNull();
    const referenced = async (sha: string) => (await db().selectFrom('record_files').select('id').where('sha256', '=', sha).executeTakeFirst()) !== undefined;
    expect(await referenced(pdf)).toBe(false);
    await store.gc(referenced, { graceMs: 0 });
    expect(await store.stat(pdf)).toBeNull();
    // Blobs the accepted hand-overs refer to stay.
    expect(await store.stat(sha256(files.pdf))).not.toBeNull();
    expect(await store.stat(sha256(files.scan300))).not.toBeNull();

    // The staged copy is still there: once the code is free again the same hand-over is accepted.
    await db().deleteFrom('archival_code_changes').where('entity_id', '=', taken.json().id).execute();
    await db().deleteFrom('records').where('id', '=', taken.json().id).execute();
    const accepted = await f.call(f.sessions.archivist, 'POST', `/api/transfers/${id}/accept`);
    expect(accepted.statusCode, accepted.body).toBe(200);
    expect(await store.stat(pdf)).not.toBeNull();
  });

  it('serves the kept files through the Viewer: staff and the record’s agency read them (audited), others do not, the three admins are refused', { timeout: 120_000 }, async () => {
    const { id, numbers } = await checkedHandOver('第五批');
    expect((await f.call(f.sessions.archivist, 'POST', `/api/transfers/${id}/accept`)).statusCode).toBe(200);
    const [record] = await recordsOf([numbers[0] as number]);
    const item = (await f.call(f.sessions.archivist, 'GET', `/api/catalog/items/${record?.id}`)).json();
    const pdf = item.files[0];
    expect(pdf).toMatchObject({ name: '通知.pdf', mime: 'application/pdf', sha256: sha256(files.pdf) });
    const url = `/api/catalog/items/${record?.id}/files/${pdf.id}`;

    const read = await f.call(f.sessions.archivist, 'GET', url);
    expect(read.statusCode).toBe(200);
    expect(read.headers['content-type']).toBe('application/pdf');
    expect(read.headers['content-disposition']).toBe(`inline; filename*=UTF-8''${encodeURIComponent('通知.pdf')}`);
    expect(sha256(read.rawPayload)).toBe(sha256(files.pdf));
    expect((await f.call(f.sessions.archivist, 'GET', `${url}?download=1`)).headers['content-disposition']).toMatch(/^attachment;/);
    // Not yet open (待定): the agency that made it reads it; another agency and the public do not.
    expect((await f.call(f.sessions.clerk, 'GET', url)).statusCode).toBe(200);
    expect((await f.call(f.sessions.otherClerk, 'GET', url)).statusCode).toBe(404);
    expect((await f.call(f.sessions.citizen, 'GET', url)).statusCode).toBe(404);
    expect((await f.call(f.anonymous, 'GET', url)).statusCode).toBe(404);
    const admin = await f.call(f.sessions.sysadmin, 'GET', url);
    expect(admin.statusCode).toBe(403);
    expect(admin.json().code).toBe('CATALOG_FILE_ADMIN');
    const reads = await db().selectFrom('audit_entries').select(['result', 'actor_username']).where('action', '=', 'catalog.file.read').where('target_id', '=', pdf.id).orderBy('seq').execute();
    expect(reads).toEqual([
      { result: 'ok', actor_username: 'archivist' },
      { result: 'ok', actor_username: 'archivist' },
      { result: 'ok', actor_username: 'clerk' },
      { result: 'refused', actor_username: 'sysadmin' },
    ]);
  });

  it('shows archivists the preservation records and timeline, and exports them as PREMIS 3.0 XML', { timeout: 120_000 }, async () => {
    const { id, numbers } = await checkedHandOver('第六批');
    expect((await f.call(f.sessions.archivist, 'POST', `/api/transfers/${id}/accept`)).statusCode).toBe(200);
    const [record] = await recordsOf([numbers[0] as number]);
    const res = await f.call(f.sessions.archivist, 'GET', `/api/catalog/items/${record?.id}/preservation`);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.files).toEqual([expect.objectContaining({ originalPath: '第六批/通知.pdf', puid: 'fmt/20', sha256: sha256(files.pdf), sm3: createHash('sm3').update(files.pdf).digest('hex') })]);
    expect(body.events.map((e: { type: string }) => e.type)).toEqual(['ingestion', 'message digest calculation', 'format identification', 'validation', 'virus check', 'accession']);
    expect((await f.call(f.sessions.clerk, 'GET', `/api/catalog/items/${record?.id}/preservation`)).statusCode).toBe(403);

    const xml = await f.call(f.sessions.archivist, 'GET', `/api/catalog/items/${record?.id}/premis.xml`);
    expect(xml.statusCode).toBe(200);
    expect(xml.headers['content-type']).toMatch(/^application\/xml/);
    // Read back with a parser that shares nothing with the writer.
    const parser = new SaxesParser({ xmlns: true });
    const seen: Record<string, string[]> = {};
    let current = '';
    parser.on('opentag', (t) => (current = t.local));
    parser.on('text', (text) => {
      if (text.trim()) (seen[current] ??= []).push(text.trim());
    });
    parser.write(xml.body).close();
    expect(seen.messageDigest).toEqual([sha256(files.pdf), createHash('sm3').update(files.pdf).digest('hex')]);
    expect(seen.messageDigestAlgorithm).toEqual(['SHA-256', 'SM3']);
    expect(seen.formatRegistryKey).toEqual(['fmt/20']);
    expect(seen.eventType).toEqual(['ingestion', 'message digest calculation', 'format identification', 'validation', 'virus check', 'accession']);
    expect(seen.agentName).toEqual(expect.arrayContaining(['archivist', 'Lantai 兰台']));
  });

  it('exports a record as a BagIt bag that an independent reader validates, digest by digest', { timeout: 120_000 }, async () => {
    const { id, numbers } = await checkedHandOver('第七批');
    expect((await f.call(f.sessions.archivist, 'POST', `/api/transfers/${id}/accept`)).statusCode).toBe(200);
    const [record] = await recordsOf([numbers[0] as number]);
    const res = await f.call(f.sessions.archivist, 'GET', `/api/catalog/items/${record?.id}/bag.zip`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe('application/zip');
    expect((await f.call(f.sessions.clerk, 'GET', `/api/catalog/items/${record?.id}/bag.zip`)).statusCode).toBe(403);

    // Unpacked by Info-ZIP, then read by this test's own code, which shares nothing with the writer.
    const out = await fs.mkdtemp(path.join(dir, 'bag-'));
    await fs.writeFile(path.join(out, 'bag.zip'), res.rawPayload);
    execFileSync('unzip', ['-q', path.join(out, 'bag.zip'), '-d', path.join(out, 'x')]);
    const [root] = await fs.readdir(path.join(out, 'x'));
    const bag = path.join(out, 'x', root as string);
    const text = (name: string) => fs.readFile(path.join(bag, name), 'utf8');
    expect(await text('bagit.txt')).toBe('BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n');
    const manifest = async (name: string) => new Map((await text(name)).trim().split('\n').map((l) => { const [digest, ...rest] = l.split(/\s+/); return [rest.join(' '), digest as string]; }));
    const digestOf = async (file: string, algorithm: string) => createHash(algorithm).update(await fs.readFile(path.join(bag, file))).digest('hex');
    const sha = await manifest('manifest-sha256.txt');
    const sm3 = await manifest('manifest-sm3.txt');
    const payload = (await fs.readdir(path.join(bag, 'data'))).map((n) => `data/${n}`);
    expect([...sha.keys()].sort()).toEqual(payload.sort());
    expect([...sm3.keys()].sort()).toEqual(payload.sort());
    for (const p of payload) {
      expect(await digestOf(p, 'sha256'), p).toBe(sha.get(p));
      expect(await digestOf(p, 'sm3'), p).toBe(sm3.get(p));
    }
    expect(payload).toEqual(['data/通知.pdf']);
    expect(await digestOf('data/通知.pdf', 'sha256')).toBe(sha256(files.pdf));
    const info = await text('bag-info.txt');
    const sizes = await Promise.all(payload.map(async (p) => (await fs.stat(path.join(bag, p))).size));
    expect(info).toContain(`Payload-Oxum: ${sizes.reduce((a, b) => a + b, 0)}.${payload.length}`);
    expect(info).toContain(`Lantai-Record-Id: ${record?.id}`);
    expect(info).toContain(`External-Identifier: ${meta(numbers[0] as number).archivalCode}`);
    const tags = await manifest('tagmanifest-sha256.txt');
    expect([...tags.keys()].sort()).toEqual(['bag-info.txt', 'bagit.txt', 'manifest-sha256.txt', 'manifest-sm3.txt', 'metadata/da46.xml', 'metadata/premis.xml']);
    for (const [name, digest] of tags) expect(await digestOf(name, 'sha256'), name).toBe(digest);
    const da46 = await text('metadata/da46.xml');
    expect(da46).toContain(`<档号>${meta(numbers[0] as number).archivalCode}</档号>`);
    expect(da46).toContain('<控制标识>待定</控制标识>');
    expect(await text('metadata/premis.xml')).toContain('<premis:formatRegistryKey>fmt/20</premis:formatRegistryKey>');

    // Handed over again (say, to the archive of another prefecture): the bag arrives described, byte for byte, and every check passes.
    await db().deleteFrom('archival_code_changes').where('entity_id', '=', record?.id as string).execute();
    await db().updateTable('records').set({ archival_code: null }).where('id', '=', record?.id as string).execute();
    const clerk = f.sessions.clerk;
    const again = (await f.call(clerk, 'POST', '/api/transfers', { fondsId: f.fondsId, categoryId: WS, title: '再次移交', yearFrom: 2024, yearTo: 2024, declaredItems: 1 })).json().id as string;
    await upload(clerk, again, 'bag.zip', res.rawPayload);
    const packageFile = (await f.call(clerk, 'GET', `/api/transfers/${again}/files`)).json().find((x: { path: string }) => x.path === 'bag.zip');
    const unpacked = await f.call(clerk, 'POST', `/api/transfers/${again}/package`, { fileId: packageFile.id });
    expect(unpacked.statusCode, unpacked.body).toBe(200);
    expect(unpacked.json()).toMatchObject({ kind: 'bagit', items: 1, files: 1 });
    expect((await f.call(clerk, 'POST', `/api/transfers/${again}/submit`)).statusCode).toBe(200);
    await vi.waitFor(async () => expect((await f.call(clerk, 'GET', `/api/transfers/${again}`)).json().status).toBe('checked'), { timeout: 60_000, interval: 200 });
    const report = (await f.call(clerk, 'GET', `/api/transfers/${again}/report`)).json();
    expect(report.summary.passRate).toBe(100);
    expect(report.items[0]).toMatchObject({ archivalCode: meta(numbers[0] as number).archivalCode, title: meta(numbers[0] as number).title });
    const fixity = report.items[0].findings.find((x: { checkId: string }) => x.checkId === 'YJ-ZS-01');
    expect(fixity).toMatchObject({ result: '通过', message: 'SHA-256、SM3与声明一致' });
    const received = (await f.call(clerk, 'GET', `/api/transfers/${again}/files`)).json();
    expect(received.map((x: { path: string; sha256: string }) => [x.path, x.sha256])).toEqual([['通知.pdf', sha256(files.pdf)]]);
  });
});
