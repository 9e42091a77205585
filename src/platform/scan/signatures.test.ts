/**
 * Offline signature import against a real clamd (private, with the EICAR test
 * signature): a new custom signature is validated by ClamAV's engine, installed
 * and picked up after RELOAD; a broken or forged database changes nothing.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClamd } from './clamd.js';
import { describeVirusDatabase, importSignatures, lastImport, readDatabaseHeader, SignatureImportError } from './signatures.js';
import { EICAR, startTestClamd, TEST_SIGNATURE, type TestClamd } from './test-support/clamd.js';

let dir: string;
let clamd: TestClamd;
let dbDir: string;
const NEW_THREAT = `lantai new threat sample ${'x'.repeat(40)}`;
const NEW_SIGNATURE = 'Lantai.Test.NewThreat';

const listing = async (d: string) => (await fs.readdir(d)).sort();

async function folderWith(name: string, files: Record<string, string | Buffer>): Promise<string> {
  const folder = path.join(dir, name);
  await fs.mkdir(folder, { recursive: true });
  for (const [file, content] of Object.entries(files)) await fs.writeFile(path.join(folder, file), content);
  return folder;
}

/** A .cvd header as ClamAV writes it (512 bytes, space padded), followed by `body`. */
function cvd(version: number, builtSeconds: number, body: Buffer): Buffer {
  const header = Buffer.alloc(512, ' ');
  header.write(`ClamAV-VDB:26 Nov 2026 08-00 +0000:${version}:2000000:90:0123456789abcdef0123456789abcdef:forgedsignature:builder:${builtSeconds}`, 'latin1');
  return Buffer.concat([header, body]);
}

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'lantai-av-'));
  clamd = await startTestClamd(path.join(dir, 'clamd'));
  dbDir = path.join(dir, 'clamd', 'db');
}, 60_000);

afterAll(async () => {
  await clamd?.stop();
  await fs.rm(dir, { recursive: true, force: true });
});

describe('lantai av import-signatures', () => {
  it('validates a new custom signature with ClamAV, installs it, records the import, and clamd finds the new threat after RELOAD', { timeout: 90_000 }, async () => {
    const sample = path.join(dir, 'sample.txt');
    await fs.writeFile(sample, NEW_THREAT);
    const scanner = createClamd({ socket: clamd.socket });
    expect(await scanner.scanFile(sample, NEW_THREAT.length)).toEqual({ status: 'clean' });

    const md5 = createHash('md5').update(NEW_THREAT).digest('hex');
    const incoming = await folderWith('incoming', { 'lantai-new.hdb': `${md5}:${NEW_THREAT.length}:${NEW_SIGNATURE}\n`, '说明.txt': '随盘附带的说明' });
    const now = new Date('2026-11-27T08:00:00Z');
    const outcome = await importSignatures({ from: incoming, dbDir, now });
    expect(outcome.imported).toEqual([{ file: 'lantai-new.hdb', kind: 'custom', version: null, builtAt: null, signatures: null }]);
    expect(outcome.skipped).toEqual([expect.objectContaining({ file: '说明.txt', zh: '不是 ClamAV 特征库文件' })]);
    expect(await listing(dbDir)).toEqual(['lantai-import.json', 'lantai-new.hdb', 'lantai-test.hdb']);
    expect(await lastImport(dbDir)).toMatchObject({ importedAt: now.toISOString(), files: [expect.objectContaining({ file: 'lantai-new.hdb' })] });

    expect(await scanner.reload()).toBe(true);
    let outcomeAfter = await scanner.scanFile(sample, NEW_THREAT.length);
    for (let i = 0; i < 100 && outcomeAfter.status === 'clean'; i++) {
      await new Promise((r) => setTimeout(r, 200));
      outcomeAfter = await scanner.scanFile(sample, NEW_THREAT.length);
    }
    expect(outcomeAfter).toEqual({ status: 'infected', signature: expect.stringMatching(new RegExp(`^${NEW_SIGNATURE}(\\.UNOFFICIAL)?$`)) });
  });

  it('refuses a malformed signature file with ClamAV’s reason and changes nothing; clamd keeps working', { timeout: 90_000 }, async () => {
    const before = await listing(dbDir);
    const record = await fs.readFile(path.join(dbDir, 'lantai-import.json'), 'utf8');
    const incoming = await folderWith('broken', { 'broken.ndb': 'this is not a signature at all\n' });
    const error = await importSignatures({ from: incoming, dbDir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SignatureImportError);
    expect((error as SignatureImportError).zh).toMatch(/^ClamAV 无法加载导入后的特征库，未做任何更改/);
    expect(await listing(dbDir)).toEqual(before);
    expect(await fs.readFile(path.join(dbDir, 'lantai-import.json'), 'utf8')).toBe(record);
    const eicar = path.join(dir, 'eicar.txt');
    await fs.writeFile(eicar, EICAR);
    expect(await createClamd({ socket: clamd.socket }).scanFile(eicar, EICAR.length)).toEqual({ status: 'infected', signature: expect.stringContaining(TEST_SIGNATURE) });
  });

  it('refuses a forged official database (its digital signature does not verify)', { timeout: 90_000 }, async () => {
    const before = await listing(dbDir);
    const incoming = await folderWith('forged', { 'daily.cvd': cvd(27460, 1795680000, Buffer.from('not a signed tarball')) });
    const error = await importSignatures({ from: incoming, dbDir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SignatureImportError);
    expect((error as SignatureImportError).zh).toMatch(/^ClamAV 无法加载导入后的特征库，未做任何更改：.+/);
    expect(await listing(dbDir)).toEqual(before);
  });

  it('reads official database headers and refuses a downgrade unless forced', async () => {
    const installed = await folderWith('installed-db', { 'daily.cld': cvd(27460, 1795680000, Buffer.alloc(0)) });
    expect(await readDatabaseHeader(path.join(installed, 'daily.cld'))).toEqual({ name: 'daily', version: 27460, builtAt: new Date(1795680000 * 1000).toISOString(), signatures: 2000000 });
    const older = await folderWith('older', { 'daily.cvd': cvd(27400, 1790000000, Buffer.alloc(0)) });
    const error = (await importSignatures({ from: older, dbDir: installed }).catch((e: unknown) => e)) as SignatureImportError;
    expect(error).toBeInstanceOf(SignatureImportError);
    expect(error.zh).toBe('没有需要导入的特征库（均已是最新或无法识别）');
    expect(await listing(installed)).toEqual(['daily.cld']);
  });

  it('fails clearly for a folder with no signature files', async () => {
    const empty = await folderWith('empty', { 'readme.txt': '无' });
    await expect(importSignatures({ from: empty, dbDir })).rejects.toThrow(/没有 ClamAV 特征库文件/);
    await expect(importSignatures({ from: path.join(dir, 'nowhere'), dbDir })).rejects.toThrow(/找不到文件夹/);
  });
});

describe('the age of the signatures in the report', () => {
  it('names the engine, the database version and date, the last import and the age in days', () => {
    const facts = describeVirusDatabase({ text: 'ClamAV 1.4.6/27460/Tue Nov 24 08:00:00 2026', database: 27460, databaseDate: 'Tue Nov 24 08:00:00 2026' }, { importedAt: '2026-11-25T10:00:00.000Z', files: [] }, new Date('2026-11-27T09:00:00Z'));
    expect(facts).toMatchObject({ version: 27460, ageDays: 3, importedAt: '2026-11-25T10:00:00.000Z' });
    expect(facts.zh).toBe('ClamAV 1.4.6，特征库版本 27460，发布于 2026-11-24，最近一次离线导入于 2026-11-25，距今 3 天');
  });

  it('says when only custom signatures are loaded, dating them by their import', () => {
    const facts = describeVirusDatabase({ text: 'ClamAV 1.4.6', database: null, databaseDate: null }, { importedAt: '2026-11-20T00:00:00.000Z', files: [] }, new Date('2026-11-27T00:00:00Z'));
    expect(facts.zh).toBe('ClamAV 1.4.6，特征库版本未知（仅自定义特征库），最近一次离线导入于 2026-11-20，距今 7 天');
    expect(describeVirusDatabase(null, null).zh).toBe('病毒检测服务无应答，未能取得特征库版本');
  });
});
