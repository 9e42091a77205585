/**
 * BagIt exports over HTTP on both databases, from records handed over, checked and
 * accepted for real: a hand-over, a volume and a fonds as zip and as tar, each
 * unpacked by Info-ZIP or GNU tar and checked digest by digest by a reader that
 * shares no code with the writer; only records the viewer may see with content are
 * in a bag (a scoped archivist's bag lacks the others, and never names them);
 * clerks, reading-room staff and admins are refused and the refusals audited; a
 * file whose bytes no longer match what was kept cuts the download (audited as
 * failed); and a bag of many records handed over again arrives as that many
 * described items, byte for byte, passing every check.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DIALECTS } from '../../platform/db/test-support/databases.js';
import { createAgencyScopes } from '../accounts/agency-scopes.js';
import { SESSION_COOKIE } from '../accounts/routes.js';
import { SYSTEM_ACTOR } from '../accounts/service.js';
import { DEMO_PASSWORD } from '../accounts/setup.js';
import { createCatalogFixture, type CatalogFixture, type Session } from '../catalog/test-support/fixture.js';
import { makeFixtureFiles, type FixtureFiles } from '../transfer/test-support/files.js';
import { checkBag, unpackBag, type CheckedBag } from './test-support/bag-reader.js';
import { acceptedHandOver, upload, waitChecked, type KeptRecord } from './test-support/hand-overs.js';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const FORMATS = ['zip', 'tar'] as const;

describe.each(DIALECTS)('BagIt exports over HTTP on %s', (dialect) => {
  let f: CatalogFixture;
  let files: FixtureFiles;
  let dir = '';
  let scoped: Session;
  let handOver: { id: string; records: KeptRecord[] };
  let volume: { id: string; code: string; records: KeptRecord[] };

  const ws = (n: number, extra: Record<string, unknown> = {}) => ({ title: `关于第${n}项工作的通知`, responsible: '演示市人民政府办公室', date: '20240305', year: 2024, retention: 'Y', classification: '非密', archivalCode: `J001-WS·2024-Y-${String(n).padStart(4, '0')}`, ...extra });
  const kj = (title: string) => ({ title, responsible: '演示市人民政府办公室', date: '20240410', year: 2024, retention: 'Y', classification: '非密' });
  const db = () => f.t.app.database.db;
  const auditOf = (action: string) => db().selectFrom('audit_entries').select(['result', 'reason', 'actor_username', 'target_type', 'target_id', 'details']).where('action', '=', action).orderBy('seq').execute();

  async function bagOf(s: Session, url: string, kind: 'zip' | 'tar'): Promise<CheckedBag> {
    const res = await f.call(s, 'GET', url);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe(kind === 'zip' ? 'application/zip' : 'application/x-tar');
    return checkBag(await unpackBag(res.rawPayload, kind, dir));
  }

  async function signIn(username: string): Promise<Session> {
    const res = await f.t.app.http.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password: DEMO_PASSWORD } });
    expect(res.statusCode, res.body).toBe(200);
    return { cookie: `${SESSION_COOKIE}=${res.cookies.find((c) => c.name === SESSION_COOKIE)?.value ?? ''}`, csrf: res.json().csrfToken };
  }

  /** The record folders of a bag, from its metadata/. */
  const folders = async (bag: CheckedBag) => (await fs.readdir(path.join(bag.dir, 'metadata'))).sort();

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'lantai-bags-'));
    files = await makeFixtureFiles(dir);
    f = await createCatalogFixture(dialect);
    f.t.app.startWorkers();
    const WS = f.categories.WS as string;
    const KJ = f.categories.KJ as string;
    // Three records of one hand-over; the first is open (开放), the others not yet (待定).
    handOver = await acceptedHandOver(f, {
      categoryId: WS,
      title: '二〇二四年第一批',
      items: [
        { metadata: ws(1, { openness: '开放' }), file: { name: '通知.pdf', bytes: files.pdf } },
        { metadata: ws(2), file: { name: '说明.xml', bytes: files.xml } },
        { metadata: ws(3), file: { name: '扫描.tif', bytes: files.scan300, role: '扫描件' } },
      ],
    });
    // Two records of a volume-arranged category, arranged into a volume and coded.
    const project = await acceptedHandOver(f, { categoryId: KJ, title: '新馆建设项目', items: [{ metadata: kj('新馆设计图纸'), file: { name: '图纸.pdf', bytes: files.pdf } }, { metadata: kj('新馆施工说明'), file: { name: '施工说明.xml', bytes: files.xml } }] });
    const created = await f.call(f.sessions.archivist, 'POST', '/api/catalog/volumes', { fondsId: f.fondsId, categoryId: KJ, title: '档案馆新馆建设项目文件', year: 2024, retention: 'Y' });
    expect(created.statusCode, created.body).toBe(201);
    const volumeId = created.json().id as string;
    const ids = project.records.map((r) => r.id);
    const moved = await f.call(f.sessions.archivist, 'POST', '/api/catalog/batch/apply', { itemIds: ids, change: { kind: 'volume', value: volumeId }, reason: '组卷' });
    expect(moved.json(), moved.body).toMatchObject({ changed: 2 });
    const coded = await f.call(f.sessions.archivist, 'POST', '/api/catalog/codes/apply', { mode: 'generate', itemIds: ids });
    expect(coded.statusCode, coded.body).toBe(200);
    const rows = await db().selectFrom('records').select(['id', 'archival_code', 'title']).where('id', 'in', ids).orderBy('archival_code').execute();
    const code = (await db().selectFrom('volumes').select('archival_code').where('id', '=', volumeId).executeTakeFirstOrThrow()).archival_code as string;
    volume = { id: volumeId, code, records: rows.map((r) => ({ id: r.id, archivalCode: r.archival_code, title: r.title })) };
    // An archivist whose staff privilege the security admin scoped to the other agency (教育局).
    const security = { ...SYSTEM_ACTOR, roles: ['security_admin' as const], userId: 'test' };
    await db().transaction().execute(async (tx) => {
      const accounts = f.t.app.services.accounts;
      const archive = await tx.selectFrom('organisations').select('id').where('kind', '=', 'archive').executeTakeFirstOrThrow();
      const user = await accounts.createUser(tx, SYSTEM_ACTOR, { username: 'archivist2', displayName: '负责教育局的档案业务人员', organisationId: archive.id, password: DEMO_PASSWORD });
      await accounts.setRoles(tx, SYSTEM_ACTOR, user, ['archivist'], true);
      await tx.updateTable('users').set({ must_change_password: 0 }).where('id', '=', user).execute();
      await createAgencyScopes({ audit: f.t.app.services.audit }).set(tx, security, user, [f.otherAgencyId]);
    });
    scoped = await signIn('archivist2');
  }, 240_000);
  afterAll(async () => {
    await f?.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it.each(FORMATS)('exports a hand-over as one %s bag with a folder per record, every digest checked by an independent reader', async (kind) => {
    const bag = await bagOf(f.sessions.archivist, `/api/transfers/${handOver.id}/bag.${kind}`, kind);
    const codes = handOver.records.map((r) => r.archivalCode as string);
    expect(await folders(bag)).toEqual(codes);
    expect(bag.payload).toEqual([`data/${codes[0]}/通知.pdf`, `data/${codes[1]}/说明.xml`, `data/${codes[2]}/扫描.tif`]);
    expect(await bag.digest(`data/${codes[0]}/通知.pdf`, 'sha256')).toBe(sha256(files.pdf));
    expect(await bag.digest(`data/${codes[2]}/扫描.tif`, 'sha256')).toBe(sha256(files.scan300));
    expect(bag.tags).toEqual(expect.arrayContaining(['tagmanifest-sha256.txt', 'tagmanifest-sm3.txt', ...codes.flatMap((c) => [`metadata/${c}/da46.xml`, `metadata/${c}/premis.xml`])]));
    expect(await bag.text(`metadata/${codes[1]}/da46.xml`)).toContain(`<档号>${codes[1]}</档号>`);
    expect(await bag.text(`metadata/${codes[0]}/da46.xml`)).toContain('<控制标识>开放</控制标识>');
    expect(await bag.text(`metadata/${codes[0]}/premis.xml`)).toContain('<premis:formatRegistryKey>fmt/20</premis:formatRegistryKey>');
    expect(bag.values('External-Identifier')).toEqual(['二〇二四年第一批']);
    expect(bag.values('Bag-Group-Identifier')).toEqual(['J001']);
    expect(bag.values('Lantai-Transfer-Id')).toEqual([handOver.id]);
    expect(bag.values('Lantai-Record-Count')).toEqual(['3']);
    expect(bag.values('Lantai-Record-Id')).toEqual(handOver.records.map((r) => r.id));
    const [entry] = (await auditOf('preservation.bag.export')).filter((e) => e.target_id === handOver.id && String(e.details).includes(`"format":"${kind}"`));
    expect(entry).toMatchObject({ result: 'ok', actor_username: 'archivist', target_type: 'transfer' });
    expect(JSON.parse(String(entry?.details))).toMatchObject({ format: kind, records: 3, files: 3, bytes: files.pdf.length + files.xml.length + files.scan300.length });
  });

  it.each(FORMATS)('exports a volume as one %s bag: its records in 卷内 order under their 档号', async (kind) => {
    const bag = await bagOf(f.sessions.archivist, `/api/catalog/volumes/${volume.id}/bag.${kind}`, kind);
    const codes = volume.records.map((r) => r.archivalCode as string);
    expect(codes).toEqual([`${volume.code}-001`, `${volume.code}-002`]);
    expect(await folders(bag)).toEqual(codes);
    const fileOf = (r: KeptRecord) => (r.title === '新馆设计图纸' ? '图纸.pdf' : '施工说明.xml');
    expect(bag.payload).toEqual(volume.records.map((r) => `data/${r.archivalCode}/${fileOf(r)}`));
    expect(bag.values('External-Identifier')).toEqual([volume.code]);
    expect(bag.values('External-Description')).toEqual(['档案馆新馆建设项目文件']);
    expect(bag.values('Lantai-Volume-Id')).toEqual([volume.id]);
    expect(bag.values('Lantai-Record-Id')).toEqual(volume.records.map((r) => r.id));
  });

  it.each(FORMATS)('exports a fonds as one %s bag with every record the archivist may see', async (kind) => {
    const bag = await bagOf(f.sessions.archivist, `/api/catalog/fonds/${f.fondsId}/bag.${kind}`, kind);
    const all = [...handOver.records, ...volume.records];
    expect(await folders(bag)).toEqual(all.map((r) => r.archivalCode as string).sort());
    expect(bag.payload).toHaveLength(5);
    expect(bag.values('External-Identifier')).toEqual(['J001']);
    expect(bag.values('External-Description')).toEqual(['演示市人民政府办公室']);
    expect(bag.values('Lantai-Record-Id').sort()).toEqual(all.map((r) => r.id).sort());
    expect(bag.values('Bag-Group-Identifier')).toEqual([]);
  });

  it('exports one record as tar with the one-record layout (data/ and metadata/da46.xml at the top)', async () => {
    const [record] = handOver.records;
    const bag = await bagOf(f.sessions.archivist, `/api/catalog/items/${record?.id}/bag.tar`, 'tar');
    expect(path.basename(bag.dir)).toBe(record?.archivalCode);
    expect(bag.payload).toEqual(['data/通知.pdf']);
    expect(bag.tags.sort()).toEqual(['bag-info.txt', 'bagit.txt', 'manifest-sha256.txt', 'manifest-sm3.txt', 'metadata/da46.xml', 'metadata/premis.xml', 'tagmanifest-sha256.txt']);
    expect(bag.values('External-Identifier')).toEqual([record?.archivalCode]);
  });

  it('leaves out what a scoped archivist may not see with content, and names none of it', async () => {
    const [open, ...others] = handOver.records;
    for (const kind of FORMATS) {
      for (const url of [`/api/transfers/${handOver.id}/bag.${kind}`, `/api/catalog/fonds/${f.fondsId}/bag.${kind}`]) {
        const bag = await bagOf(scoped, url, kind);
        expect(await folders(bag), url).toEqual([open?.archivalCode]);
        expect(bag.payload).toEqual([`data/${open?.archivalCode}/通知.pdf`]);
        expect(bag.values('Lantai-Record-Count')).toEqual(['1']);
        const everything = (await Promise.all(bag.tags.map((t) => bag.text(t)))).join('\n');
        for (const hidden of [...others, ...volume.records]) {
          expect(everything).not.toContain(hidden.id);
          expect(everything).not.toContain(hidden.archivalCode as string);
        }
      }
    }
    // The volume's records are all beyond the scope (and the volume itself is not open): nothing to export, nothing said.
    expect((await f.call(scoped, 'GET', `/api/catalog/volumes/${volume.id}/bag.zip`)).json().code).toBe('CATALOG_VOLUME_NOT_FOUND');
    const hidden = await f.call(scoped, 'GET', `/api/catalog/items/${others[0]?.id}/bag.zip`);
    expect(hidden.statusCode).toBe(404);
    expect(hidden.json().code).toBe('CATALOG_ITEM_NOT_FOUND');
    expect((await f.call(scoped, 'GET', `/api/catalog/fonds/${f.otherFondsId}/bag.tar`)).json().code).toBe('PRESERVATION_BAG_EMPTY');
  });

  it('refuses clerks, reading-room staff and the system admin (403, audited) and anonymous visitors (401)', async () => {
    const urls = [`/api/catalog/items/${handOver.records[0]?.id}`, `/api/catalog/volumes/${volume.id}`, `/api/transfers/${handOver.id}`, `/api/catalog/fonds/${f.fondsId}`].flatMap((u) => FORMATS.map((k) => `${u}/bag.${k}`));
    for (const url of urls) {
      // The clerk's own agency's records, which the clerk may read one by one: still no bags.
      for (const who of ['clerk', 'reader', 'sysadmin'] as const) {
        const res = await f.call(f.sessions[who], 'GET', url);
        expect(res.statusCode, `${who} ${url}`).toBe(403);
        expect(res.json().code).toBe('FORBIDDEN_ROLE');
      }
      expect((await f.call(f.anonymous, 'GET', url)).statusCode).toBe(401);
    }
    const refused = (await auditOf('preservation.bag.export')).filter((e) => e.result === 'refused');
    expect(refused.filter((e) => e.actor_username === 'clerk')).toHaveLength(urls.length);
    expect(refused.filter((e) => e.actor_username === 'sysadmin').every((e) => e.reason === 'FORBIDDEN_ROLE')).toBe(true);
    expect(refused.filter((e) => e.actor_username === null && e.reason === 'AUTH_REQUIRED')).toHaveLength(urls.length);
  });

  it('cuts the download at a file whose bytes no longer match what was kept, and audits the export as failed', { timeout: 120_000 }, async () => {
    // A PDF no other record holds (a comment after %%EOF), so damaging its blob harms only this hand-over.
    const unique = Buffer.concat([files.pdf, Buffer.from(`\n% ${Date.now()}\n`)]);
    const damaged = await acceptedHandOver(f, { categoryId: f.categories.WS as string, title: '受损', items: [{ metadata: ws(21), file: { name: '通知.pdf', bytes: unique } }] });
    const sha = sha256(unique);
    const blob = path.join(f.t.dir, 'blobs', 'blobs', sha.slice(0, 2), sha.slice(2, 4), sha);
    await fs.chmod(blob, 0o644);
    const bytes = await fs.readFile(blob);
    bytes[bytes.length - 3] = 0x21;
    await fs.writeFile(blob, bytes);
    for (const kind of FORMATS) {
      // The status line has gone out with the first bytes: the reader learns of it as a cut connection, never as a whole bag.
      await expect(f.call(f.sessions.archivist, 'GET', `/api/transfers/${damaged.id}/bag.${kind}`)).rejects.toThrow(/destroyed/);
    }
    // The failure is audited as the writer stops, which may be just after the connection is cut.
    await vi.waitFor(async () => {
      const entries = (await auditOf('preservation.bag.export')).filter((e) => e.target_id === damaged.id);
      expect(entries.map((e) => [e.result, e.reason]).sort()).toEqual([['failed', 'PRESERVATION_BAG_FIXITY'], ['failed', 'PRESERVATION_BAG_FIXITY'], ['ok', null], ['ok', null]]);
    });
  });

  it('hands a bag of three records over again: three described items, every file byte for byte, every check passing', { timeout: 120_000 }, async () => {
    const WS = f.categories.WS as string;
    const trip = await acceptedHandOver(f, {
      categoryId: WS,
      title: '往返',
      items: [
        { metadata: ws(11), file: { name: '通知.pdf', bytes: files.pdf } },
        { metadata: ws(12), file: { name: '说明.xml', bytes: files.xml } },
        { metadata: ws(13), file: { name: '扫描.tif', bytes: files.scan300, role: '扫描件' } },
      ],
    });
    const res = await f.call(f.sessions.archivist, 'GET', `/api/transfers/${trip.id}/bag.tar`);
    expect(res.statusCode).toBe(200);
    // Say the records go to another archive: there the codes are free. Here, free them by hand.
    const ids = trip.records.map((r) => r.id);
    await db().deleteFrom('archival_code_changes').where('entity_id', 'in', ids).execute();
    await db().updateTable('records').set({ archival_code: null }).where('id', 'in', ids).execute();

    const clerk = f.sessions.clerk;
    const again = (await f.call(clerk, 'POST', '/api/transfers', { fondsId: f.fondsId, categoryId: WS, title: '再次移交', yearFrom: 2024, yearTo: 2024, declaredItems: 3 })).json().id as string;
    await upload(f, clerk, again, 'bag.tar', res.rawPayload);
    const packageFile = (await f.call(clerk, 'GET', `/api/transfers/${again}/files`)).json().find((x: { path: string }) => x.path === 'bag.tar');
    const unpacked = await f.call(clerk, 'POST', `/api/transfers/${again}/package`, { fileId: packageFile.id });
    expect(unpacked.statusCode, unpacked.body).toBe(200);
    expect(unpacked.json()).toMatchObject({ kind: 'bagit', items: 3, files: 3 });
    expect((await f.call(clerk, 'POST', `/api/transfers/${again}/submit`)).statusCode).toBe(200);
    await waitChecked(f, clerk, again);
    const report = (await f.call(clerk, 'GET', `/api/transfers/${again}/report`)).json();
    expect(report.summary.passRate).toBe(100);
    expect(report.items.map((i: { archivalCode: string; title: string }) => [i.archivalCode, i.title])).toEqual([11, 12, 13].map((n) => [ws(n).archivalCode, ws(n).title]));
    for (const item of report.items) expect(item.findings.find((x: { checkId: string }) => x.checkId === 'YJ-ZS-01')).toMatchObject({ result: '通过', message: 'SHA-256、SM3与声明一致' });
    const received = (await f.call(clerk, 'GET', `/api/transfers/${again}/files`)).json();
    expect(received.map((x: { path: string; sha256: string }) => [x.path, x.sha256])).toEqual([
      [`${ws(11).archivalCode}/通知.pdf`, sha256(files.pdf)],
      [`${ws(12).archivalCode}/说明.xml`, sha256(files.xml)],
      [`${ws(13).archivalCode}/扫描.tif`, sha256(files.scan300)],
    ]);
    // And accepted there, it is the same three records again, each with its one file.
    const accepted = await f.call(f.sessions.archivist, 'POST', `/api/transfers/${again}/accept`);
    expect(accepted.statusCode, accepted.body).toBe(200);
    expect(accepted.json()).toMatchObject({ records: 3, files: 3 });
    await vi.waitFor(async () => expect((await f.call(clerk, 'GET', `/api/transfers/${again}`)).json().status).toBe('accepted'));
  });
});
