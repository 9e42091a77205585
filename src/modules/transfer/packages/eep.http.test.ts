import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DIALECTS } from '../../../platform/db/test-support/databases.js';
import { createCatalogFixture, type CatalogFixture } from '../../catalog/test-support/fixture.js';
import { makeFixtureFiles, type FixtureFiles } from '../test-support/files.js';
import { eepDocument, encoding, makeSigner, SAMPLE_RECORD, signatureBlock, signedObject, type EepRecord, type Signer } from './eep-fixtures.js';

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const sm3 = (b: Buffer) => createHash('sm3').update(b).digest('hex');

interface Finding {
  checkId: string;
  result: string;
  message: string;
  file: string | null;
}

describe.each(DIALECTS)('DA/T 48 EEP hand-overs on %s', (dialect) => {
  let f: CatalogFixture;
  let files: FixtureFiles;
  let dir = '';
  let WS = '';
  let sm2: Signer;
  let rsa: Signer;

  const record = (n: number, overrides: Partial<EepRecord> = {}): EepRecord => ({ ...SAMPLE_RECORD, title: `关于第${n}项工作的通知`, archivalCode: `J001-WS·2024-Y-${String(n).padStart(4, '0')}`, ...overrides });
  const eep = (r: EepRecord, signer?: Signer) => {
    const signed = signedObject(r, [encoding(1, '通知.pdf', files.pdf.toString('base64').replace(/.{76}/g, '$&\n'), { size: files.pdf.length })]);
    return eepDocument(signed, signer ? signatureBlock(dir, signed, signer) : '');
  };
  async function uploadWhole(transferId: string, name: string, bytes: Buffer): Promise<string> {
    const start = (await f.call(f.sessions.clerk, 'POST', `/api/transfers/${transferId}/uploads`, { path: name, size: bytes.length, sha256: sha256(bytes) })).json();
    const done = await f.call(f.sessions.clerk, 'PUT', `/api/transfers/${transferId}/uploads/${start.id}?offset=0`, bytes, { 'content-type': 'application/octet-stream' });
    expect(done.json().complete, done.body).toBe(true);
    return done.json().fileId;
  }
  async function draft(declaredItems: number): Promise<string> {
    return (await f.call(f.sessions.clerk, 'POST', '/api/transfers', { fondsId: f.fondsId, categoryId: WS, title: '封装包移交', yearFrom: 2024, yearTo: 2024, declaredItems })).json().id;
  }
  async function report(transferId: string) {
    await f.call(f.sessions.clerk, 'POST', `/api/transfers/${transferId}/submit`);
    await vi.waitFor(async () => expect((await f.call(f.sessions.clerk, 'GET', `/api/transfers/${transferId}`)).json().status).toBe('checked'), { timeout: 60_000, interval: 200 });
    return (await f.call(f.sessions.clerk, 'GET', `/api/transfers/${transferId}/report`)).json();
  }
  const findingsOf = (r: { items: Array<{ position: number; findings: Finding[] }> }, position: number) => r.items.find((i) => i.position === position)?.findings ?? [];

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'lantai-eep-http-'));
    files = await makeFixtureFiles(path.join(dir, 'fixtures'));
    sm2 = makeSigner(path.join(dir, 'keys'), 'sm2');
    rsa = makeSigner(path.join(dir, 'keys'), 'rsa');
    f = await createCatalogFixture(dialect);
    WS = f.categories.WS as string;
    f.t.app.startWorkers();
  }, 180_000);
  afterAll(async () => {
    await f?.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('takes an EEP uploaded as it is: one item, its PDF decoded with digests computed on arrival, and the checks pass', { timeout: 120_000 }, async () => {
    const id = await draft(1);
    const fileId = await uploadWhole(id, '2024/0001.xml', Buffer.from(eep(record(1))));
    const intake = await f.call(f.sessions.clerk, 'POST', `/api/transfers/${id}/package`, { fileId });
    expect(intake.json(), intake.body).toEqual({ files: 2, items: 1, kind: 'eep' });
    const stored = await f.t.app.database.db.selectFrom('transfer_files').select(['path', 'sha256', 'sm3', 'size', 'declared_size']).where('transfer_id', '=', id).orderBy('path').execute();
    expect(stored.map((s) => s.path)).toEqual(['2024/0001.xml', '2024/0001/通知.pdf']);
    expect(stored[1]).toMatchObject({ sha256: sha256(files.pdf), sm3: sm3(files.pdf), declared_size: files.pdf.length });
    expect(Number(stored[1]?.size)).toBe(files.pdf.length);

    const r = await report(id);
    expect(r.summary).toMatchObject({ items: 1, files: 2, passedItems: 1 });
    const findings = findingsOf(r, 1);
    expect(findings.filter((x) => x.result === '不通过')).toEqual([]);
    expect(findings).toEqual(expect.arrayContaining([
      expect.objectContaining({ checkId: 'YJ-ZS-11', file: '2024/0001.xml', result: '未检测', message: expect.stringContaining('未包含电子签名') }),
      expect.objectContaining({ checkId: 'YJ-KY-03', file: '2024/0001.xml', result: '通过', message: expect.stringContaining('DA/T 48') }),
      expect.objectContaining({ checkId: 'YJ-ZS-01', file: '2024/0001/通知.pdf', result: '通过' }),
      expect.objectContaining({ checkId: 'YJ-KY-03', file: '2024/0001/通知.pdf', result: '通过', message: expect.stringMatching(/^PDF 结构完好，1 页/) }),
      expect.objectContaining({ checkId: 'YJ-ZS-07', result: '通过' }),
    ]));
    const item = await f.t.app.database.db.selectFrom('transfer_items').select(['title', 'archival_code', 'metadata']).where('transfer_id', '=', id).executeTakeFirstOrThrow();
    expect(item).toMatchObject({ title: '关于第1项工作的通知', archival_code: 'J001-WS·2024-Y-0001' });
    expect(JSON.parse(item.metadata)).toMatchObject({ date: '20240315', retention: 'Y', year: 2024 });
  });

  it('verifies EEPs signed with SM2 and with RSA inside a zip, and fails the one changed after signing', { timeout: 120_000 }, async () => {
    const folder = path.join(dir, `zip-${dialect}`);
    await fs.mkdir(folder, { recursive: true });
    await fs.writeFile(path.join(folder, '0001.xml'), eep(record(1), sm2));
    await fs.writeFile(path.join(folder, '0002.xml'), eep(record(2), rsa));
    await fs.writeFile(path.join(folder, '0003.xml'), eep(record(3), sm2).replace('<题名>关于第3项工作的通知</题名>', '<题名>关于第4项工作的通知</题名>'));
    const zip = path.join(dir, `eeps-${dialect}.zip`);
    execFileSync('zip', ['-r', '-q', zip, '.'], { cwd: folder });
    const id = await draft(3);
    const fileId = await uploadWhole(id, 'eeps.zip', await fs.readFile(zip));
    expect((await f.call(f.sessions.clerk, 'POST', `/api/transfers/${id}/package`, { fileId })).json()).toEqual({ files: 6, items: 3, kind: 'eep' });
    const r = await report(id);
    // Items come in the zip's order; find each by its code, and its EEP's verdict by the file.
    const signature = (n: number) => (r.items.find((i: { archivalCode: string }) => i.archivalCode === record(n).archivalCode)?.findings ?? []).filter((x: Finding) => x.checkId === 'YJ-ZS-11' && x.file?.endsWith('.xml'));
    expect(signature(1)).toEqual([expect.objectContaining({ result: '通过', file: '0001.xml', message: expect.stringContaining('SM2/SM3') })]);
    expect(signature(2)).toEqual([expect.objectContaining({ result: '通过', file: '0002.xml', message: expect.stringContaining('RSA/SHA-256') })]);
    expect(signature(3)).toEqual([expect.objectContaining({ result: '不通过', file: '0003.xml', message: expect.stringContaining('篡改') })]);
    expect(r.summary).toMatchObject({ items: 3, passedItems: 2 });
  });

  it('refuses billion-laughs, XXE and truncated EEPs with the reason in Chinese, keeping nothing staged', { timeout: 60_000 }, async () => {
    const id = await draft(1);
    const bomb = ['<?xml version="1.0"?>', '<!DOCTYPE 电子文件封装包 [', '<!ENTITY lol "lol">', ...Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`), ']>', '<电子文件封装包><版本>&lol9;</版本></电子文件封装包>'].join('\n');
    const xxe = '<?xml version="1.0"?>\n<!DOCTYPE 电子文件封装包 [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n<电子文件封装包><版本>&xxe;</版本></电子文件封装包>';
    const whole = Buffer.from(eep(record(1)));
    const truncated = whole.subarray(0, Math.floor(whole.length * 0.7));
    const cases: Array<[string, Buffer, RegExp]> = [['bomb.xml', Buffer.from(bomb), /实体声明/], ['xxe.xml', Buffer.from(xxe), /实体声明/], ['cut.xml', truncated, /不完整|格式错误/]];
    for (const [name, bytes, reason] of cases) {
      const fileId = await uploadWhole(id, name, bytes);
      const refused = await f.call(f.sessions.clerk, 'POST', `/api/transfers/${id}/package`, { fileId });
      expect(refused.statusCode, name).toBe(422);
      expect(refused.json().code).toBe('TRANSFER_PACKAGE_REFUSED');
      expect(refused.json().message, name).toMatch(reason);
      expect(refused.json().message).toContain('未保留任何文件');
    }
    const left = await f.t.app.database.db.selectFrom('transfer_files').select(['path', 'staged_path']).where('transfer_id', '=', id).execute();
    expect(left.map((l) => l.path).sort()).toEqual(['bomb.xml', 'cut.xml', 'xxe.xml']);
    expect(await f.t.app.database.db.selectFrom('transfer_items').select('id').where('transfer_id', '=', id).execute()).toEqual([]);
    const staging = path.dirname(left[0]?.staged_path ?? '');
    expect((await fs.readdir(staging)).filter((n) => n.startsWith('package-'))).toEqual([]);
  });
});
