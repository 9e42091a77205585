import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DIALECTS } from '../../../platform/db/test-support/databases.js';
import { createCatalogFixture, type CatalogFixture } from '../../catalog/test-support/fixture.js';
import { makeFixtureFiles, type FixtureFiles } from '../test-support/files.js';

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const CATALOG = ['题名,责任者,日期,年度,保管期限,密级,档号,文件名', '关于做好2024年档案工作的通知,演示市人民政府办公室,20240315,2024,永久,非密,J001-WS·2024-Y-0001,2024/0001/通知.pdf', '移交说明,演示市人民政府办公室,20240316,2024,永久,非密,J001-WS·2024-Y-0002,2024/0002/说明.xml'].join('\n');

/** Writes a BagIt 1.0 bag of `payload` (path → bytes) into `dir`. */
async function writeBag(dir: string, payload: Record<string, Buffer | string>, options: { wrongDigest?: string; fetch?: boolean } = {}) {
  let octets = 0;
  const manifest: string[] = [];
  for (const [p, bytes] of Object.entries(payload)) {
    const file = path.join(dir, 'data', p);
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, bytes);
    octets += Buffer.byteLength(bytes);
    manifest.push(`${p === options.wrongDigest ? '0'.repeat(64) : sha256(bytes)}  data/${p}`);
  }
  await fs.writeFile(path.join(dir, 'bagit.txt'), 'BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n');
  await fs.writeFile(path.join(dir, 'bag-info.txt'), `Source-Organization: 演示市人民政府办公室\nBagging-Date: 2024-12-01\nPayload-Oxum: ${octets}.${Object.keys(payload).length}\n`);
  await fs.writeFile(path.join(dir, 'manifest-sha256.txt'), `${manifest.join('\n')}\n`);
  if (options.fetch) await fs.writeFile(path.join(dir, 'fetch.txt'), 'https://example.org/x.pdf 100 data/x.pdf\n');
}

describe.each(DIALECTS)('hand-over packages on %s', (dialect) => {
  let f: CatalogFixture;
  let files: FixtureFiles;
  let dir = '';
  let WS = '';

  async function uploadWhole(transferId: string, name: string, bytes: Buffer): Promise<string> {
    const start = (await f.call(f.sessions.clerk, 'POST', `/api/transfers/${transferId}/uploads`, { path: name, size: bytes.length, sha256: sha256(bytes) })).json();
    const done = await f.call(f.sessions.clerk, 'PUT', `/api/transfers/${transferId}/uploads/${start.id}?offset=0`, bytes, { 'content-type': 'application/octet-stream' });
    expect(done.json().complete, done.body).toBe(true);
    return done.json().fileId;
  }
  async function draft(declaredItems = 2): Promise<string> {
    return (await f.call(f.sessions.clerk, 'POST', '/api/transfers', { fondsId: f.fondsId, categoryId: WS, title: '压缩包移交', yearFrom: 2024, yearTo: 2024, declaredItems })).json().id;
  }
  async function zipOf(folder: string, name: string): Promise<Buffer> {
    const out = path.join(dir, name);
    execFileSync('zip', ['-r', '-q', out, '.'], { cwd: folder });
    return fs.readFile(out);
  }
  async function report(transferId: string) {
    await f.call(f.sessions.clerk, 'POST', `/api/transfers/${transferId}/submit`);
    await vi.waitFor(async () => expect((await f.call(f.sessions.clerk, 'GET', `/api/transfers/${transferId}`)).json().status).toBe('checked'), { timeout: 60_000, interval: 200 });
    return (await f.call(f.sessions.clerk, 'GET', `/api/transfers/${transferId}/report`)).json();
  }

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'lantai-package-'));
    files = await makeFixtureFiles(path.join(dir, 'fixtures'));
    f = await createCatalogFixture(dialect);
    WS = f.categories.WS as string;
    f.t.app.startWorkers();
  }, 180_000);
  afterAll(async () => {
    await f?.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('takes a BagIt bag with a catalog spreadsheet, and checks its files against the bag’s manifest', { timeout: 120_000 }, async () => {
    const bag = path.join(dir, `bag-${dialect}`);
    await writeBag(bag, { '目录.csv': CATALOG, '2024/0001/通知.pdf': files.pdf, '2024/0002/说明.xml': files.xml }, { wrongDigest: '2024/0002/说明.xml' });
    const id = await draft();
    const fileId = await uploadWhole(id, 'bag.zip', await zipOf(bag, `bag-${dialect}.zip`));
    const intake = await f.call(f.sessions.clerk, 'POST', `/api/transfers/${id}/package`, { fileId });
    expect(intake.json()).toEqual({ files: 2, items: 2, kind: 'bagit' });
    const r = await report(id);
    expect(r.summary).toMatchObject({ items: 2, files: 2 });
    const fixity = (pos: number) => r.items.find((i: { position: number }) => i.position === pos).findings.find((x: { checkId: string }) => x.checkId === 'YJ-ZS-01');
    expect(fixity(1)).toMatchObject({ result: '通过' });
    // No virus scanner here: its 未检测 does not keep a clean item from passing.
    expect(r.items.find((i: { position: number }) => i.position === 1).findings.filter((x: { result: string }) => x.result === '不通过')).toEqual([]);
    expect(r.items.find((i: { position: number }) => i.position === 1).result).toBe('通过');
    expect(fixity(2)).toMatchObject({ result: '不通过', message: expect.stringContaining('SHA-256') });
  });

  it('refuses a bag that is not complete and valid: a tag file changed after bagging, a wrong Payload-Oxum, a listed file missing, an unlisted file', { timeout: 60_000 }, async () => {
    const id = await draft(1);
    const refusal = async (name: string, change: (bag: string) => Promise<void>) => {
      const bag = path.join(dir, `${name}-${dialect}`);
      await writeBag(bag, { '目录.csv': CATALOG, '2024/0001/通知.pdf': files.pdf });
      const tags = ['bagit.txt', 'bag-info.txt', 'manifest-sha256.txt'];
      await fs.writeFile(path.join(bag, 'tagmanifest-sha256.txt'), (await Promise.all(tags.map(async (t) => `${sha256(await fs.readFile(path.join(bag, t)))}  ${t}`))).join('\n') + '\n');
      await change(bag);
      const fileId = await uploadWhole(id, `${name}.zip`, await zipOf(bag, `${name}-${dialect}.zip`));
      const res = await f.call(f.sessions.clerk, 'POST', `/api/transfers/${id}/package`, { fileId });
      expect(res.statusCode, name).toBe(422);
      expect(res.json().code, name).toBe('TRANSFER_PACKAGE_REFUSED');
      return res.json().message as string;
    };
    expect(await refusal('retagged', async (bag) => fs.appendFile(path.join(bag, 'bag-info.txt'), 'External-Description: 事后添加\n'))).toMatch(/标签文件与 tagmanifest-sha256\.txt 的摘要值不符：bag-info\.txt/);
    expect(await refusal('oxum', async (bag) => {
      const info = await fs.readFile(path.join(bag, 'bag-info.txt'), 'utf8');
      await fs.writeFile(path.join(bag, 'bag-info.txt'), info.replace(/Payload-Oxum: \d+\.2/, 'Payload-Oxum: 5.2'));
      await fs.rm(path.join(bag, 'tagmanifest-sha256.txt'));
    })).toContain('Payload-Oxum 声明 5.2');
    expect(await refusal('missing', async (bag) => fs.rm(path.join(bag, 'data', '2024', '0001', '通知.pdf')))).toContain('manifest-sha256.txt 列出的文件不在包中：2024/0001/通知.pdf');
    expect(await refusal('unlisted', async (bag) => fs.writeFile(path.join(bag, 'data', '2024', '0001', '附件.txt'), '未列入清单'))).toContain('包中的文件未列入 manifest-sha256.txt：2024/0001/附件.txt');
    // Nothing was taken in: only the refused uploads remain, to be replaced.
    const left = await f.t.app.database.db.selectFrom('transfer_files').select('path').where('transfer_id', '=', id).execute();
    expect(left.map((l) => l.path).sort()).toEqual(['missing.zip', 'oxum.zip', 'retagged.zip', 'unlisted.zip']);
    expect(await f.t.app.database.db.selectFrom('transfer_items').select('id').where('transfer_id', '=', id).execute()).toEqual([]);
  });

  it('refuses a bag with fetch.txt, and a zip that climbs out of its folder, keeping nothing', async () => {
    const bag = path.join(dir, `fetch-${dialect}`);
    await writeBag(bag, { 'a.txt': 'x' }, { fetch: true });
    const id = await draft(1);
    const fileId = await uploadWhole(id, 'fetch.zip', await zipOf(bag, `fetch-${dialect}.zip`));
    const refused = await f.call(f.sessions.clerk, 'POST', `/api/transfers/${id}/package`, { fileId });
    expect(refused.json()).toMatchObject({ code: 'TRANSFER_PACKAGE_REFUSED' });
    expect(refused.json().message).toContain('fetch.txt');
    const evil = path.join(dir, `evil-${dialect}.zip`);
    execFileSync('python3', ['-c', `import zipfile\nz=zipfile.ZipFile(${JSON.stringify(evil)},'w')\nz.writestr('../../evil.txt','x')\nz.close()`]);
    const evilId = await uploadWhole(id, 'evil.zip', await fs.readFile(evil));
    const climbing = await f.call(f.sessions.clerk, 'POST', `/api/transfers/${id}/package`, { fileId: evilId });
    expect(climbing.json().code).toBe('TRANSFER_PACKAGE_REFUSED');
    expect(climbing.json().message).toContain('越出目录');
    const left = await f.t.app.database.db.selectFrom('transfer_files').select('path').where('transfer_id', '=', id).execute();
    expect(left.map((l) => l.path).sort()).toEqual(['evil.zip', 'fetch.zip']);
  });

  it('reads a zip made on Chinese Windows (GBK names) with a catalog spreadsheet naming its files', { timeout: 120_000 }, async () => {
    const folder = path.join(dir, `gbk-${dialect}`);
    await fs.mkdir(folder, { recursive: true });
    const pdf = path.join(folder, '通知.pdf');
    await fs.writeFile(pdf, files.pdf);
    const csv = path.join(folder, '目录.csv');
    await fs.writeFile(csv, '题名,责任者,日期,年度,保管期限,文件名\n关于做好2024年档案工作的通知,演示市人民政府办公室,20240315,2024,永久,通知.pdf\n');
    const zip = path.join(dir, `gbk-${dialect}.zip`);
    // Names as cp936 bytes without the UTF-8 flag, as Windows' built-in zip writes them (zipfile would flag UTF-8).
    const script = [
      'import sys, zipfile',
      'class Gbk(zipfile.ZipInfo):',
      '    def _encodeFilenameFlags(self):',
      "        return self.filename.encode('gbk'), self.flag_bits",
      "z = zipfile.ZipFile(sys.argv[1], 'w')",
      "for n in ['通知.pdf', '目录.csv']:",
      "    z.writestr(Gbk(n), open(sys.argv[2] + '/' + n, 'rb').read())",
      'z.close()',
    ].join('\n');
    execFileSync('python3', ['-c', script, zip, folder]);
    const id = await draft(1);
    const fileId = await uploadWhole(id, 'windows.zip', await fs.readFile(zip));
    expect((await f.call(f.sessions.clerk, 'POST', `/api/transfers/${id}/package`, { fileId })).json()).toEqual({ files: 1, items: 1, kind: 'catalog' });
    const r = await report(id);
    expect(r.items[0].findings.find((x: { checkId: string }) => x.checkId === 'YJ-ZS-10')).toMatchObject({ result: '通过' });
    expect(r.items[0].findings.filter((x: { file: string | null }) => x.file === '通知.pdf').length).toBeGreaterThan(0);
  });
});
