/**
 * `lantai export bag` as the archivist, on both databases, through the real
 * command line (a process of its own): a hand-over written as a folder that an
 * independent reader validates digest by digest, a record (by 档号) as tar and a
 * fonds (by 全宗号) as zip; a folder that is not empty and a clerk are refused
 * (the clerk audited); and a file whose bytes no longer match what was kept stops
 * the bag, which takes back what it wrote and is audited as failed.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../platform/db/test-support/databases.js';
import { runLantai } from '../../test-support/cli.js';
import { DEMO_PASSWORD } from '../accounts/setup.js';
import { createCatalogFixture, type CatalogFixture } from '../catalog/test-support/fixture.js';
import { makeFixtureFiles, type FixtureFiles } from '../transfer/test-support/files.js';
import { checkBag, unpackBag } from './test-support/bag-reader.js';
import { acceptedHandOver, type KeptRecord } from './test-support/hand-overs.js';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe.each(DIALECTS)('lantai export bag on %s', (dialect) => {
  let f: CatalogFixture;
  let files: FixtureFiles;
  let work = '';
  let env: Record<string, string>;
  let handOver: { id: string; records: KeptRecord[] };

  const ws = (n: number) => ({ title: `关于第${n}项工作的通知`, responsible: '演示市人民政府办公室', date: '20240305', year: 2024, retention: 'Y', classification: '非密', archivalCode: `J001-WS·2024-Y-${String(n).padStart(4, '0')}` });
  const lantai = (username: string, args: string[]) => runLantai([...args, '--as', username], env, { input: `${DEMO_PASSWORD}\n` });
  const exports = () => f.t.app.database.db.selectFrom('audit_entries').select(['result', 'reason', 'actor_username', 'target_id', 'details']).where('action', '=', 'preservation.bag.export').orderBy('seq').execute();

  beforeAll(async () => {
    work = await fs.mkdtemp(path.join(os.tmpdir(), 'lantai-bag-cli-'));
    files = await makeFixtureFiles(path.join(work, 'fixtures'));
    f = await createCatalogFixture(dialect);
    f.t.app.startWorkers();
    env = { LANTAI_DATABASE_URL: f.t.app.config.database.url, LANTAI_STORES: `primary=${path.join(f.t.dir, 'blobs')}`, LANTAI_DATA_DIR: f.t.dir, LANTAI_DEMO: '1' };
    handOver = await acceptedHandOver(f, {
      categoryId: f.categories.WS as string,
      title: '第一批',
      items: [
        { metadata: ws(1), file: { name: '通知.pdf', bytes: files.pdf } },
        { metadata: ws(2), file: { name: '说明.xml', bytes: files.xml } },
        { metadata: ws(3), file: { name: '扫描.tif', bytes: files.scan300, role: '扫描件' } },
      ],
    });
  }, 240_000);
  afterAll(async () => {
    await f?.close();
    await fs.rm(work, { recursive: true, force: true });
  });

  it('writes a hand-over as a folder that an independent reader validates, and audits it under the archivist', { timeout: 60_000 }, async () => {
    const out = path.join(work, 'out', '第一批');
    const res = await lantai('archivist', ['export', 'bag', '--transfer', handOver.id, '--out', out]);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toContain('已导出 3 件档案、3 个文件');
    const bag = await checkBag(out);
    const codes = handOver.records.map((r) => r.archivalCode as string);
    expect((await fs.readdir(path.join(out, 'metadata'))).sort()).toEqual(codes);
    expect(bag.payload).toEqual([`data/${codes[0]}/通知.pdf`, `data/${codes[1]}/说明.xml`, `data/${codes[2]}/扫描.tif`]);
    expect(await bag.digest(`data/${codes[1]}/说明.xml`, 'sha256')).toBe(sha256(files.xml));
    expect(bag.values('Lantai-Transfer-Id')).toEqual([handOver.id]);
    const entry = (await exports()).at(-1);
    expect(entry).toMatchObject({ result: 'ok', actor_username: 'archivist', target_id: handOver.id });
    expect(JSON.parse(String(entry?.details))).toMatchObject({ format: 'folder', records: 3, files: 3 });
  });

  it('writes a record named by its 档号 as tar, and a fonds named by its 全宗号 as zip, each one file in --out', { timeout: 60_000 }, async () => {
    const code = handOver.records[0]?.archivalCode as string;
    const tarOut = path.join(work, 'record-tar');
    const tar = await lantai('archivist', ['export', 'bag', '--record', code, '--format', 'tar', '--out', tarOut]);
    expect(tar.code, tar.stderr).toBe(0);
    expect(await fs.readdir(tarOut)).toEqual([`${code}.tar`]);
    const record = await checkBag(await unpackBag(await fs.readFile(path.join(tarOut, `${code}.tar`)), 'tar', work));
    expect(record.payload).toEqual(['data/通知.pdf']);
    expect(record.values('Lantai-Record-Id')).toEqual([handOver.records[0]?.id]);

    const zipOut = path.join(work, 'fonds-zip');
    const zip = await runLantai(['--json', 'export', 'bag', '--fonds', 'J001', '--format', 'zip', '--out', zipOut, '--as', 'archivist'], env, { input: `${DEMO_PASSWORD}\n` });
    expect(zip.code, zip.stderr).toBe(0);
    expect(JSON.parse(zip.stdout)).toMatchObject({ records: 3, files: 3, format: 'zip', out: path.join(zipOut, 'J001.zip'), subject: { type: 'fonds', id: f.fondsId, label: 'J001' } });
    const fonds = await checkBag(await unpackBag(await fs.readFile(path.join(zipOut, 'J001.zip')), 'zip', work));
    expect(fonds.values('Lantai-Record-Id')).toEqual(handOver.records.map((r) => r.id));
  });

  it('refuses an --out folder that is not empty before anyone signs in, and leaves it as it was', async () => {
    const out = path.join(work, 'used');
    await fs.mkdir(out, { recursive: true });
    await fs.writeFile(path.join(out, '旧文件.txt'), '别动我');
    const before = await exports();
    const res = await lantai('archivist', ['export', 'bag', '--transfer', handOver.id, '--out', out]);
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain('PRESERVATION_BAG_OUT_NOT_EMPTY');
    expect(res.stderr).toContain(`输出目录 ${out} 不是空目录`);
    expect(res.stderr).toContain(`The output folder ${out} is not empty`);
    expect(await fs.readdir(out)).toEqual(['旧文件.txt']);
    expect(await fs.readFile(path.join(out, '旧文件.txt'), 'utf8')).toBe('别动我');
    expect(await exports()).toEqual(before);
  });

  it('refuses a clerk, audited under the export action, and writes nothing', async () => {
    const out = path.join(work, 'clerk');
    const res = await lantai('clerk', ['export', 'bag', '--transfer', handOver.id, '--out', out]);
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain('FORBIDDEN_ROLE');
    expect((await exports()).at(-1)).toMatchObject({ result: 'refused', reason: 'FORBIDDEN_ROLE', actor_username: 'clerk' });
    await expect(fs.readdir(out)).rejects.toThrow();
  });

  it('stops at a file whose bytes no longer match what was kept, takes back what it wrote, and audits the failure', { timeout: 120_000 }, async () => {
    // A PDF no other record holds (a comment after %%EOF), so damaging its blob harms only this hand-over.
    const unique = Buffer.concat([files.pdf, Buffer.from(`\n% ${Date.now()}\n`)]);
    const damaged = await acceptedHandOver(f, { categoryId: f.categories.WS as string, title: '第二批', items: [{ metadata: ws(4), file: { name: '说明.xml', bytes: files.xml } }, { metadata: ws(5), file: { name: '通知.pdf', bytes: unique } }] });
    const sha = sha256(unique);
    const blob = path.join(f.t.dir, 'blobs', 'blobs', sha.slice(0, 2), sha.slice(2, 4), sha);
    await fs.chmod(blob, 0o644);
    const bytes = await fs.readFile(blob);
    bytes[bytes.length - 3] = 0x21;
    await fs.writeFile(blob, bytes);

    const out = path.join(work, 'damaged');
    const res = await lantai('archivist', ['export', 'bag', '--transfer', damaged.id, '--out', out]);
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain('PRESERVATION_BAG_FIXITY');
    expect(res.stderr).toContain('第二批/通知.pdf');
    expect(await fs.readdir(out)).toEqual([]);
    expect((await exports()).at(-1)).toMatchObject({ result: 'failed', reason: 'PRESERVATION_BAG_FIXITY', actor_username: 'archivist', target_id: damaged.id });
  });
});
