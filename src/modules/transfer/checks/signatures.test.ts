import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eepDocument, encoding, makeSigner, modifiedSignedObject, SAMPLE_RECORD, signatureBlock, signedObject, type Signer } from '../packages/eep-fixtures.js';
import { makeFixtureFiles, type FixtureFiles } from '../test-support/files.js';
import { identifyFormat } from '../../../platform/formats/identify.js';
import { checkSignatures } from './signatures.js';
import { inspectEep, signatureAlgorithm } from './signatures-eep.js';

function need(tool: string, pkg: string): void {
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
  } catch {
    throw new Error(`${tool} is missing: apt-get install ${pkg} (scripts/setup.sh installs it)`);
  }
}

describe('signature checks (YJ-ZS-11)', () => {
  let dir = '';
  let files: FixtureFiles;
  let sm2: Signer;
  let rsa: Signer;

  async function verdicts(name: string, bytes: string | Buffer) {
    const file = path.join(dir, name);
    await fs.writeFile(file, bytes);
    return checkSignatures(file, await identifyFormat(file), await inspectEep(file));
  }
  const signedEep = (signer: Signer, title = SAMPLE_RECORD.title) => {
    const signed = signedObject({ ...SAMPLE_RECORD, title }, [encoding(1, '通知.pdf', files.pdf.toString('base64'))]);
    return { signed, doc: eepDocument(signed, signatureBlock(dir, signed, signer)) };
  };

  beforeAll(async () => {
    need('openssl', 'openssl');
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'lantai-signatures-'));
    files = await makeFixtureFiles(path.join(dir, 'fixtures'));
    sm2 = makeSigner(path.join(dir, 'keys'), 'sm2');
    rsa = makeSigner(path.join(dir, 'keys'), 'rsa');
  }, 180_000);
  afterAll(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('passes an EEP signed with SM2/SM3 (GB/T 32918) by openssl, over its 被签名对象', async () => {
    const [verdict, ...rest] = await verdicts('sm2.xml', signedEep(sm2).doc);
    expect(rest).toEqual([]);
    expect(verdict).toMatchObject({ result: '通过', evidence: { message: expect.stringContaining('SM2/SM3') } });
    expect(verdict?.evidence.message).toContain('演示市人民政府办公室');
  });

  it('passes an EEP signed with RSA/SHA-256 by openssl, and warns when it was signed outside the certificate’s validity', async () => {
    expect(await verdicts('rsa.xml', signedEep(rsa).doc)).toEqual([expect.objectContaining({ result: '通过', evidence: expect.objectContaining({ message: expect.stringContaining('RSA/SHA-256') }) })]);
    const signed = signedObject(SAMPLE_RECORD, [encoding(1, '通知.pdf', files.pdf.toString('base64'))]);
    const early = eepDocument(signed, signatureBlock(dir, signed, rsa, '2000-01-01T00:00:00'));
    expect(await verdicts('rsa-early.xml', early)).toEqual([expect.objectContaining({ result: '警告', evidence: expect.objectContaining({ message: expect.stringContaining('不在证书有效期内') }) })]);
  });

  it('finds the signed bytes exactly behind a byte-order mark, CRLF line ends, a namespace prefix and multi-byte text', async () => {
    const signed = signedObject(SAMPLE_RECORD, [encoding(1, '通知.pdf', files.pdf.toString('base64').replace(/.{76}/g, '$&\r\n'))])
      .replace(/\n/g, '\r\n')
      .replace(/<(\/?)([\u4e00-\u9fff])/g, '<$1eep:$2');
    const doc = `\uFEFF${eepDocument(signed, signatureBlock(dir, signed, sm2)).replace('<电子文件封装包 xmlns=', '<eep:电子文件封装包 xmlns:eep=').replace('</电子文件封装包>', '</eep:电子文件封装包>').replace(/<(\/?)([\u4e00-\u9fff])/g, '<$1eep:$2').replace(/eep:eep:/g, 'eep:')}`;
    expect(await verdicts('prefixed.xml', doc)).toEqual([expect.objectContaining({ result: '通过' })]);
  });

  it('fails a signed EEP whose 被签名对象 was changed after signing', async () => {
    for (const signer of [sm2, rsa]) {
      const { doc } = signedEep(signer);
      const tampered = doc.replace(`<题名>${SAMPLE_RECORD.title}</题名>`, '<题名>关于做好2025年档案工作的通知</题名>');
      expect(tampered).not.toBe(doc);
      expect(await verdicts(`tampered-${signer.algorithm}.xml`, tampered)).toEqual([expect.objectContaining({ result: '不通过', evidence: expect.objectContaining({ message: expect.stringContaining('篡改') }) })]);
    }
  });

  it('checks both signatures of a 修改型 package: the original’s, kept inside it, and the revision’s', async () => {
    const { doc: first } = signedEep(sm2);
    const original = first.slice(first.indexOf('<被签名对象'), first.lastIndexOf('</电子签名块>') + '</电子签名块>'.length);
    const revision = modifiedSignedObject(original, { ...SAMPLE_RECORD, title: '修订后的题名' }, [encoding(1, '通知.pdf', '', { layer: '修改1', reference: '修改0-文档1-文档数据1-编码1-编码数据1' })]);
    const verdictsOf = await verdicts('modified.xml', eepDocument(revision, signatureBlock(dir, revision, rsa)));
    expect(verdictsOf.map((v) => [v.result, v.evidence.message.slice(0, 5)])).toEqual([['通过', '原封装包中'], ['通过', '电子签名“']]);
  });

  it('does not fail an EEP without 电子签名块, nor one signed with an algorithm it cannot verify', async () => {
    const unsigned = await verdicts('unsigned.xml', eepDocument(signedObject(SAMPLE_RECORD, [encoding(1, '通知.pdf', files.pdf.toString('base64'))])));
    expect(unsigned).toEqual([expect.objectContaining({ result: '未检测', evidence: { message: expect.stringContaining('未包含电子签名') } })]);
    const { doc } = signedEep(rsa);
    const other = await verdicts('md5.xml', doc.replace('<签名算法标识>SHA256withRSA</签名算法标识>', '<签名算法标识>MD5摘要</签名算法标识>'));
    expect(other).toEqual([expect.objectContaining({ result: '未检测', evidence: expect.objectContaining({ message: expect.stringContaining('不支持') }) })]);
  });

  it('names the algorithms of 签名算法标识 by name and by OID', () => {
    expect(signatureAlgorithm({ algorithm: '1.2.156.10197.1.501', rule: null })).toMatchObject({ kind: 'sm2' });
    expect(signatureAlgorithm({ algorithm: 'SHA1withRSA', rule: null })).toMatchObject({ kind: 'rsa', hashes: ['sha1'] });
    expect(signatureAlgorithm({ algorithm: 'RSA', rule: null })).toMatchObject({ kind: 'rsa', hashes: ['sha256', 'sha1'] });
    expect(signatureAlgorithm({ algorithm: 'ECDSA', rule: null })).toBeNull();
  });

  it('checks a signed PDF with pdfsig: valid, and invalid once its bytes change; an unsigned PDF is 未检测', { timeout: 120_000 }, async () => {
    need('pdfsig', 'poppler-utils');
    need('certutil', 'libnss3-tools');
    const nss = path.join(dir, 'nss');
    await fs.mkdir(nss, { recursive: true });
    const p12 = path.join(dir, 'signer.p12');
    execFileSync('openssl', ['pkcs12', '-export', '-inkey', rsa.key, '-in', path.join(dir, 'keys', 'rsa.crt'), '-name', 'signer', '-passout', 'pass:', '-out', p12]);
    execFileSync('certutil', ['-N', '-d', `sql:${nss}`, '--empty-password']);
    execFileSync('pk12util', ['-i', p12, '-d', `sql:${nss}`, '-W', '']);
    const unsigned = path.join(dir, 'unsigned.pdf');
    const signed = path.join(dir, 'signed.pdf');
    await fs.writeFile(unsigned, files.pdf);
    execFileSync('pdfsig', ['-add-signature', '-nssdir', `sql:${nss}`, '-nick', 'signer', unsigned, signed], { stdio: 'ignore' });
    const bytes = await fs.readFile(signed);
    expect(await verdicts('signed-copy.pdf', bytes)).toEqual([expect.objectContaining({ result: '通过', evidence: expect.objectContaining({ message: expect.stringContaining('有效') }) })]);
    // Change one byte inside the signed range (the page content near the start of the file).
    const tampered = Buffer.from(bytes);
    const at = tampered.indexOf('关') !== -1 ? tampered.indexOf('关') : tampered.indexOf('/Producer');
    tampered[at + 1] = (tampered[at + 1] ?? 0) ^ 1;
    expect(await verdicts('tampered.pdf', tampered)).toEqual([expect.objectContaining({ result: '不通过' })]);
    expect(await verdicts('plain.pdf', files.pdf)).toEqual([expect.objectContaining({ result: '未检测', evidence: { message: 'PDF 未包含电子签名' } })]);
  });
});
