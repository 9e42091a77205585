/**
 * `lantai media` as the archivist, on both databases, through the real command line
 * and real tools (xorriso, coreutils' sha256sum, ExcelJS reading the catalogue back):
 * a set planned at a tiny capacity spreads accepted records over several volumes,
 * whole and in 档号 order, every file on exactly one; the volumes written as folders
 * an independent BagIt reader validates and as ISO images whose Chinese names
 * survive in both the Rock Ridge and the Joliet tree; verify passes on a folder and
 * on an image, reports a flipped byte as changed, a deleted file as missing and a
 * stray one as extra, and records each result in the register; a record larger than
 * a volume and a clerk are refused (the clerk audited); locate and list keep the register.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../platform/db/test-support/databases.js';
import { runLantai } from '../../test-support/cli.js';
import { DEMO_PASSWORD } from '../accounts/setup.js';
import { createCatalogFixture, type CatalogFixture } from '../catalog/test-support/fixture.js';
import { checkBag } from './test-support/bag-reader.js';
import { upload, waitChecked } from './test-support/hand-overs.js';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Plain text of about `bytes` bytes, different for every `seed`. */
const text = (seed: string, bytes: number) => Buffer.from(`${seed}\n${'各单位：请按要求做好档案归档和移交工作。'.repeat(Math.ceil(bytes / 60))}`.slice(0, Math.floor(bytes / 3)));

interface Item {
  n: number;
  year: number;
  files: Array<{ name: string; bytes: Buffer }>;
}

describe.each(DIALECTS)('lantai media on %s', (dialect) => {
  let f: CatalogFixture;
  let work = '';
  let env: Record<string, string>;
  const code = (year: number, n: number) => `J001-WS·${year}-Y-${String(n).padStart(4, '0')}`;
  const items: Item[] = [1, 2, 3, 4, 5].map((n) => ({
    n,
    year: 2024,
    files: n % 2 === 1 ? [{ name: `关于第${n}项工作的通知.txt`, bytes: text(`通知${n}`, 16_000) }, { name: `附件${n}：工作方案.txt`, bytes: text(`附件${n}`, 12_000) }] : [{ name: `第${n}项工作总结.txt`, bytes: text(`总结${n}`, 24_000) }],
  }));
  const big: Item = { n: 1, year: 2023, files: [{ name: '年度大事记.txt', bytes: text('大事记', 240_000) }] };

  const lantai = (username: string, args: string[], extra: Record<string, string> = {}) => runLantai([...args, '--as', username], { ...env, ...extra }, { input: `${DEMO_PASSWORD}\n` });
  const json = async (username: string, args: string[], extra: Record<string, string> = {}) => {
    const res = await lantai(username, ['--json', ...args], extra);
    expect(res.code, res.stderr).toBe(0);
    return JSON.parse(res.stdout);
  };
  const db = () => f.t.app.database.db;
  const audits = (action: string) => db().selectFrom('audit_entries').select(['result', 'reason', 'actor_username', 'target_id', 'target_label', 'details']).where('action', '=', action).orderBy('seq').execute();
  const volumes = () => db().selectFrom('media_volumes').selectAll().orderBy('label').execute();

  /** A hand-over of these items by the clerk, checked and accepted by the archivist. */
  async function accepted(title: string, year: number, list: readonly Item[]): Promise<void> {
    const clerk = f.sessions.clerk;
    const created = await f.call(clerk, 'POST', '/api/transfers', { fondsId: f.fondsId, categoryId: f.categories.WS, title, yearFrom: year, yearTo: year, declaredItems: list.length });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json().id as string;
    for (const item of list) for (const file of item.files) await upload(f, clerk, id, `${title}/${file.name}`, file.bytes);
    const payload = list.map((item) => ({
      metadata: { title: `关于第${item.n}项工作的通知（${item.year}）`, responsible: '演示市人民政府办公室', date: `${item.year}0305`, year: item.year, retention: 'Y', classification: '非密', archivalCode: code(item.year, item.n) },
      files: item.files.map((file) => ({ path: `${title}/${file.name}`, role: '正本' })),
    }));
    expect((await f.call(clerk, 'POST', `/api/transfers/${id}/items`, { items: payload })).statusCode).toBe(201);
    expect((await f.call(clerk, 'POST', `/api/transfers/${id}/submit`)).statusCode).toBe(200);
    await waitChecked(f, clerk, id);
    const res = await f.call(f.sessions.archivist, 'POST', `/api/transfers/${id}/accept`);
    expect(res.statusCode, res.body).toBe(200);
  }

  beforeAll(async () => {
    work = await fs.mkdtemp(path.join(os.tmpdir(), 'lantai-media-cli-'));
    f = await createCatalogFixture(dialect);
    f.t.app.startWorkers();
    env = { LANTAI_DATABASE_URL: f.t.app.config.database.url, LANTAI_STORES: `primary=${path.join(f.t.dir, 'blobs')}`, LANTAI_DATA_DIR: f.t.dir, LANTAI_DEMO: '1', LANTAI_MEDIA_CAPACITY: '300K' };
    await accepted('二〇二四年第一批', 2024, items);
    await accepted('二〇二三年大事记', 2023, [big]);
  }, 240_000);
  afterAll(async () => {
    await f?.close();
    await fs.rm(work, { recursive: true, force: true });
  });

  it('refuses a record larger than a volume, naming it and what a volume offers, and registers nothing', async () => {
    const res = await lantai('archivist', ['media', 'plan', '--years', '2023']);
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain('MEDIA_RECORD_TOO_LARGE');
    expect(res.stderr).toContain(`档案 ${code(2023, 1)} 连同元数据约需`);
    expect(res.stderr).toContain('容量 300K');
    expect(res.stderr).toContain('LANTAI_MEDIA_CAPACITY=50G');
    expect(await volumes()).toEqual([]);
  });

  it('refuses a clerk, audited under the plan action, and registers nothing', async () => {
    const res = await lantai('clerk', ['media', 'plan']);
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain('FORBIDDEN_ROLE');
    expect((await audits('preservation.media.plan')).at(-1)).toMatchObject({ result: 'refused', reason: 'FORBIDDEN_ROLE', actor_username: 'clerk' });
    expect(await volumes()).toEqual([]);
  });

  it('plans the records of 2024 onto several 300K volumes, whole and in 档号 order, every file on exactly one volume', async () => {
    const planned = await json('archivist', ['media', 'plan', '--years', '2024']);
    expect(planned).toMatchObject({ set: `DEMO-${new Date().getFullYear()}-S01`, capacity: { label: '300K', bytes: 300_000 }, records: 5, files: 8 });
    // Several volumes, and not merely one record each: at least one holds two whole records.
    expect(planned.volumes.length).toBeGreaterThanOrEqual(2);
    expect(Math.max(...planned.volumes.map((v: { records: number }) => v.records))).toBeGreaterThan(1);
    expect(planned.volumes.map((v: { label: string }) => v.label)).toEqual(planned.volumes.map((_: unknown, i: number) => `DEMO-${new Date().getFullYear()}-${String(i + 1).padStart(3, '0')}`));
    const bounds = planned.volumes.flatMap((v: { first: string; last: string }) => [v.first, v.last]);
    expect(bounds).toEqual([...bounds].sort());

    const rows = await db().selectFrom('media_volume_files as m').innerJoin('media_volumes as v', 'v.id', 'm.volume_id').innerJoin('records as r', 'r.id', 'm.record_id').select(['v.label', 'v.position', 'm.file_id', 'm.record_id', 'r.archival_code', 'm.path']).execute();
    const kept = await db().selectFrom('preservation_files as p').innerJoin('records as r', 'r.id', 'p.record_id').select(['p.id', 'r.year']).where('r.year', '=', 2024).execute();
    expect(rows.map((r) => r.file_id).sort()).toEqual(kept.map((k) => k.id).sort());
    expect(new Set(rows.map((r) => r.file_id)).size).toBe(rows.length);
    for (const recordId of new Set(rows.map((r) => r.record_id))) expect(new Set(rows.filter((r) => r.record_id === recordId).map((r) => r.label)).size, 'a record on one volume').toBe(1);
    const order = [...rows].sort((a, b) => a.position - b.position || String(a.archival_code).localeCompare(String(b.archival_code)));
    expect(order.map((r) => r.archival_code)).toEqual(rows.map((r) => r.archival_code).sort());
    expect(rows.every((r) => r.path === null)).toBe(true);
    for (const v of await volumes()) expect(v).toMatchObject({ status: 'planned', capacity: 300_000, set_label: planned.set });
    expect((await audits('preservation.media.plan')).at(-1)).toMatchObject({ result: 'ok', actor_username: 'archivist', target_label: planned.set });

    const again = await lantai('archivist', ['media', 'plan', '--years', '2024']);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain('MEDIA_NOTHING_TO_PLAN');
  });

  it('writes the set as folders that an independent reader validates and as ISO images whose Chinese names survive, and registers them', { timeout: 120_000 }, async () => {
    const [first] = await volumes();
    const out = path.join(work, 'discs');
    const written = await json('archivist', ['media', 'write', first?.set_label as string, '--out', out, '--iso']);
    const all = await volumes();
    expect(written.volumes.map((v: { label: string }) => v.label)).toEqual(all.map((v) => v.label));
    expect((await fs.readdir(out)).sort()).toEqual(all.flatMap((v) => [v.label, `${v.label}.iso`]).sort());

    const label = first?.label as string;
    const folder = path.join(out, label);
    const bag = await checkBag(folder);
    const onFirst = await db().selectFrom('media_volume_files').selectAll().where('volume_id', '=', first?.id as string).execute();
    expect(bag.payload).toEqual(onFirst.map((r) => r.path).sort());
    expect(bag.payload).toContain(`data/${code(2024, 1)}/关于第1项工作的通知.txt`);
    expect(bag.payload).toContain(`data/${code(2024, 1)}/附件1：工作方案.txt`);
    expect(await bag.digest(`data/${code(2024, 1)}/附件1：工作方案.txt`, 'sha256')).toBe(sha256(items[0]?.files[1]?.bytes as Buffer));
    expect(bag.tags).toEqual(expect.arrayContaining(['说明.txt', '目录.xlsx', '目录.xml', `metadata/${code(2024, 1)}/da46.xml`]));
    expect(bag.values('External-Identifier')).toEqual([label]);
    expect(bag.values('Lantai-Media-Volume-Id')).toEqual([first?.id]);
    expect(bag.values('Bag-Count')).toEqual([`1 of ${all.length}`]);
    // Standard tools, as 说明.txt tells a reader years later.
    expect(execFileSync('sha256sum', ['-c', 'manifest-sha256.txt'], { cwd: folder }).toString()).toContain('附件1：工作方案.txt: OK');
    execFileSync('sha256sum', ['-c', 'tagmanifest-sha256.txt'], { cwd: folder });

    const readme = await bag.text('说明.txt');
    expect(readme).toContain(`卷标（脱机载体编号）：${label}`);
    expect(readme).toContain('演示市档案馆');
    expect(readme).toContain('sha256sum -c manifest-sha256.txt');
    expect(readme).toContain('lantai media verify');
    const xml = await bag.text('目录.xml');
    expect(xml).toContain(`<脱机载体编号>${label}</脱机载体编号>`);
    expect(xml).toContain(`<档号>${code(2024, 1)}</档号>`);
    expect(xml).toContain(`<当前位置>data/${code(2024, 1)}/附件1：工作方案.txt</当前位置>`);
    expect(xml).toContain(`<数字摘要 算法="SHA-256">${sha256(items[0]?.files[1]?.bytes as Buffer)}</数字摘要>`);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(path.join(folder, '目录.xlsx'));
    const sheet = workbook.getWorksheet('目录');
    const paths = (sheet?.getColumn(9).values ?? []).slice(2);
    expect(paths.sort()).toEqual(bag.payload);
    expect(sheet?.getRow(1).getCell(2).value).toBe('档号');

    const iso = path.join(out, `${label}.iso`);
    const isoBytes = await fs.readFile(iso);
    expect(isoBytes.length).toBeLessThanOrEqual(300_000);
    const rockRidge = execFileSync('xorriso', ['-indev', iso, '-find', '/', '-type', 'f'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString();
    expect(rockRidge).toContain(`'/data/${code(2024, 1)}/附件1：工作方案.txt'`);
    expect(rockRidge).toContain("'/说明.txt'");
    const joliet = execFileSync('xorriso', ['-read_fs', 'norock', '-indev', iso, '-find', '/', '-type', 'f'], { stdio: ['ignore', 'pipe', 'ignore'], env: { PATH: process.env.PATH ?? '', LC_ALL: 'C.UTF-8' } }).toString();
    expect(joliet).toContain(`'/data/${code(2024, 1)}/附件1：工作方案.txt'`);

    const registered = all.find((v) => v.label === label);
    expect(registered).toMatchObject({ status: 'written', iso_sha256: sha256(isoBytes) });
    expect(registered?.written_at).toBeTruthy();
    expect((await db().selectFrom('media_volume_files').select('path').where('path', 'is', null).execute()).length).toBe(0);
    const writes = await audits('preservation.media.write');
    expect(writes.map((w) => [w.result, w.actor_username, w.target_label])).toEqual(all.map((v) => ['ok', 'archivist', v.label]));
    expect((await audits('preservation.media.register')).at(-1)).toMatchObject({ result: 'ok', actor_username: 'archivist' });
  });

  it('verifies a folder and an ISO image read back, and records each result in the register', { timeout: 60_000 }, async () => {
    const [first, second] = await volumes();
    const folder = await lantai('archivist', ['media', 'verify', path.join(work, 'discs', first?.label as string)]);
    expect(folder.code, folder.stderr).toBe(0);
    expect(folder.stdout).toContain(`卷 ${first?.label} 校验通过`);
    expect(folder.stdout).toContain('结果已记入登记簿');
    expect(await db().selectFrom('media_volumes').select(['last_verify_result', 'last_verified_at']).where('id', '=', first?.id as string).executeTakeFirst()).toMatchObject({ last_verify_result: 'ok' });

    const iso = path.join(work, 'discs', `${second?.label}.iso`);
    const image = await json('archivist', ['media', 'verify', iso]);
    expect(image).toMatchObject({ label: second?.label, outcome: 'ok', source: { kind: 'iso', path: iso }, isoMatches: true, findings: [] });
    expect(image.files).toBe(second?.files);
    const row = await db().selectFrom('media_volumes').select(['last_verify_result', 'last_verify_details']).where('id', '=', second?.id as string).executeTakeFirstOrThrow();
    expect(row.last_verify_result).toBe('ok');
    expect(JSON.parse(String(row.last_verify_details))).toMatchObject({ source: { kind: 'iso' }, files: second?.files });
    expect((await audits('preservation.media.verify')).at(-1)).toMatchObject({ result: 'ok', actor_username: 'archivist', target_id: second?.id });
  });

  it('reports a flipped byte as changed, then a deleted file as missing and a stray one as extra, and records the volume failed', { timeout: 60_000 }, async () => {
    const [first] = await volumes();
    const folder = path.join(work, 'discs', first?.label as string);
    const [changed, removed] = (await db().selectFrom('media_volume_files').select('path').where('volume_id', '=', first?.id as string).orderBy('path').execute()).map((r) => r.path as string);
    const bytes = await fs.readFile(path.join(folder, changed as string));
    bytes[100] = (bytes[100] as number) ^ 0x01;
    await fs.writeFile(path.join(folder, changed as string), bytes);

    const flipped = await lantai('archivist', ['media', 'verify', folder]);
    expect(flipped.code).toBe(1);
    expect(flipped.stdout).toContain(`卷 ${first?.label} 校验未通过`);
    expect(flipped.stdout).toContain(`[改变] ${changed}：内容已改变：摘要与登记簿、manifest-sha256.txt、manifest-sm3.txt不符`);
    let row = await db().selectFrom('media_volumes').select(['last_verify_result', 'last_verify_details']).where('id', '=', first?.id as string).executeTakeFirstOrThrow();
    expect(row.last_verify_result).toBe('failed');
    expect(JSON.parse(String(row.last_verify_details))).toMatchObject({ counts: { changed: 1, missing: 0, extra: 0, unlisted: 0, tag: 0 }, findings: [{ kind: 'changed', path: changed }] });

    await fs.rm(path.join(folder, removed as string));
    await fs.writeFile(path.join(folder, 'data', '新增文件.txt'), '不该在这里');
    const res = await lantai('archivist', ['--json', 'media', 'verify', folder]);
    expect(res.code).toBe(1);
    const report = JSON.parse(res.stdout);
    expect(report).toMatchObject({ outcome: 'failed', counts: { changed: 1, missing: 1, extra: 1 } });
    expect(report.findings).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'missing', path: removed }), expect.objectContaining({ kind: 'extra', path: 'data/新增文件.txt' })]));
    row = await db().selectFrom('media_volumes').select(['last_verify_result', 'last_verify_details']).where('id', '=', first?.id as string).executeTakeFirstOrThrow();
    expect(row.last_verify_result).toBe('failed');
    expect((await audits('preservation.media.verify')).at(-1)).toMatchObject({ result: 'ok', actor_username: 'archivist', target_id: first?.id });
    expect(JSON.parse(String((await audits('preservation.media.verify')).at(-1)?.details))).toMatchObject({ outcome: 'failed', counts: { changed: 1, missing: 1, extra: 1 } });
  });

  it('records where a disc is kept, audited, and lists the register', async () => {
    const [first] = await volumes();
    const located = await json('archivist', ['media', 'locate', first?.label as string, '--location', '档案库房 3 号柜']);
    expect(located).toMatchObject({ label: first?.label, location: '档案库房 3 号柜' });
    expect((await audits('preservation.media.locate')).at(-1)).toMatchObject({ result: 'ok', actor_username: 'archivist', target_id: first?.id });

    const listed = await runLantai(['--json', 'media', 'list'], env);
    expect(listed.code, listed.stderr).toBe(0);
    const register = JSON.parse(listed.stdout);
    expect(register.find((v: { label: string }) => v.label === first?.label)).toMatchObject({ status: 'written', location: '档案库房 3 号柜', lastVerifyResult: 'failed', writtenBy: expect.stringContaining('archivist') });
    const human = await runLantai(['media', 'list'], env);
    expect(human.stdout).toContain(`${first?.label}\t`);
    expect(human.stdout).toContain('存放位置：档案库房 3 号柜');
  });
});
