/**
 * Electronic signatures of a DA/T 48 EEP (电子签名块, 锁定签名), for the
 * authenticity check 电子签名、印章、时间戳有效性检测 (DA/T 70-2018).
 *
 * Each 电子签名 is checked against the exact bytes of the 被签名对象 it follows
 * (from its '<' to the '>' of its end tag, as the file holds them; the signed
 * range is re-read from the staged package, never held in memory), with the
 * public key of the first 证书 in its 证书块:
 *  - RSA with SHA-256 or SHA-1 (PKCS #1 v1.5) through node:crypto;
 *  - SM2 with SM3 (GB/T 32918.2) through `openssl dgst -sm3 -verify`: Node's
 *    crypto cannot stream SM2 nor set the signer's distinguishing ID, and an
 *    SM2 signature hashes Z (which depends on that ID) before the message. The ID
 *    GM/T 0009 prescribes by default, 1234567812345678, is tried first, then the
 *    empty ID OpenSSL 3.0 uses when none is given.
 * The certificate chain is not validated (the archive holds no trusted roots for
 * agencies' CAs); the evidence says so, with the certificate's subject and dates.
 * A package without 电子签名块 is valid (the block is optional): 未检测.
 */
import { spawn } from 'node:child_process';
import { createPublicKey, createVerify, X509Certificate, type KeyObject } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { CheckEvidence, CheckResult } from '../model.js';
import { EepRefused, readEep, sniffEep, type Eep, type EepSignature } from '../packages/eep.js';

export interface Verdict {
  result: CheckResult;
  evidence: CheckEvidence;
}

/** An EEP as the checks see it: read (without staging its files) or refused with the reason. */
export type EepInspection = { eep: Eep; refused: null } | { eep: null; refused: { zh: string; en: string } };

type Algorithm = { kind: 'rsa'; hashes: Array<'sha256' | 'sha1'>; label: string } | { kind: 'sm2'; label: string };

/** GM/T 0009-2012 §10: the default user ID of an SM2 signer. */
const SM2_DEFAULT_ID = '1234567812345678';
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** Reads the file as an EEP when it is one; null when it is not an EEP at all. */
export async function inspectEep(file: string, signal?: AbortSignal): Promise<EepInspection | null> {
  if (!(await sniffEep(file))) return null;
  try {
    return { eep: await readEep(file, { signal }), refused: null };
  } catch (err) {
    if (err instanceof EepRefused) return { eep: null, refused: { zh: err.zh, en: err.en } };
    throw err;
  }
}

/** 签名算法标识 (or 签名规则) → what we can verify; OIDs as GB/T 33560 and RFC 8017 list them. */
export function signatureAlgorithm(sig: Pick<EepSignature, 'algorithm' | 'rule'>): Algorithm | null {
  const name = `${sig.algorithm ?? ''} ${sig.rule ?? ''}`.replace(/\s+/g, ' ').trim();
  if (/sm2|1\.2\.156\.10197\.1\.501|1\.2\.156\.10197\.1\.301/i.test(name)) return /sha/i.test(name) && !/sm3/i.test(name) ? null : { kind: 'sm2', label: 'SM2/SM3' };
  if (/sha-?256.*rsa|rsa.*sha-?256|1\.2\.840\.113549\.1\.1\.11\b/i.test(name)) return { kind: 'rsa', hashes: ['sha256'], label: 'RSA/SHA-256' };
  if (/sha-?1.*rsa|rsa.*sha-?1\b|1\.2\.840\.113549\.1\.1\.5\b/i.test(name)) return { kind: 'rsa', hashes: ['sha1'], label: 'RSA/SHA-1' };
  // DA/T 48's schema gives plain "RSA" as the default 签名算法标识; the digest is then not named.
  if (/^rsa\b|1\.2\.840\.113549\.1\.1\.1\b/i.test(name)) return { kind: 'rsa', hashes: ['sha256', 'sha1'], label: 'RSA' };
  return null;
}

function certificateOf(encoded: string): { key: KeyObject; subject: string | null; validFrom: Date | null; validTo: Date | null } {
  const text = encoded.trim();
  const der = text.includes('-----BEGIN') ? Buffer.from(text) : Buffer.from(text.replace(/\s+/g, ''), 'base64');
  try {
    const cert = new X509Certificate(der);
    return { key: cert.publicKey, subject: cert.subject.replace(/\n/g, ', '), validFrom: new Date(cert.validFrom), validTo: new Date(cert.validTo) };
  } catch {
    // A bare public key (SubjectPublicKeyInfo) instead of a certificate.
    const key = text.includes('-----BEGIN') ? createPublicKey(text) : createPublicKey({ key: der, format: 'der', type: 'spki' });
    return { key, subject: null, validFrom: null, validTo: null };
  }
}

const rangeOf = (file: string, covers: { start: number; end: number }) => createReadStream(file, { start: covers.start, end: covers.end - 1, highWaterMark: 1024 * 1024 });

async function verifyRsa(file: string, covers: { start: number; end: number }, key: KeyObject, signature: Buffer, hash: 'sha256' | 'sha1'): Promise<boolean> {
  const verifier = createVerify(hash);
  for await (const chunk of rangeOf(file, covers)) verifier.update(chunk as Buffer);
  return verifier.verify(key, signature);
}

/** `openssl dgst -sm3 -verify`, the signed bytes on its standard input; true when it says "Verified OK". */
async function verifySm2(file: string, covers: { start: number; end: number }, key: KeyObject, signature: Buffer, id: string | null): Promise<boolean> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'lantai-sm2-'));
  try {
    const keyFile = path.join(dir, 'key.pem');
    const sigFile = path.join(dir, 'sig.der');
    await fs.writeFile(keyFile, key.export({ type: 'spki', format: 'pem' }));
    await fs.writeFile(sigFile, signature);
    const args = ['dgst', '-sm3', '-verify', keyFile, '-signature', sigFile, ...(id === null ? [] : ['-sigopt', `distid:${id}`])];
    const child = spawn('openssl', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.resume();
    const exited = new Promise<number>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code) => resolve(code ?? 1));
    });
    // openssl may stop reading early on a bad key; EPIPE then is not our failure.
    await pipeline(rangeOf(file, covers), child.stdin).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE') throw err;
    });
    return (await exited) === 0 && /Verified OK/.test(out);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

async function verifyOne(file: string, sig: EepSignature): Promise<Verdict> {
  const who = `${sig.layer === 'original' ? '原封装包中的' : ''}${sig.kind}${sig.id ? `“${sig.id}”` : ''}`;
  const algorithm = signatureAlgorithm(sig);
  if (!algorithm) return { result: '未检测', evidence: { message: `${who}的签名算法“${sig.algorithm ?? sig.rule ?? '未注明'}”本系统不支持验证（支持 SM2/SM3、RSA/SHA-256、RSA/SHA-1）`, found: sig.algorithm } };
  if (!sig.covers) return { result: '未检测', evidence: { message: sig.kind === '锁定签名' ? `${who}锁定的电子签名未找到，未验证` : `${who}找不到对应的被签名对象，未验证` } };
  const value = (sig.value ?? '').replace(/\s+/g, '');
  if (!BASE64.test(value)) return { result: '不通过', evidence: { message: `${who}的签名结果不是 base64 编码` } };
  const encodedCert = sig.certificates[0];
  if (!encodedCert) return { result: '未检测', evidence: { message: `${who}未附证书（证书块中没有证书），无法验证` } };
  let cert: ReturnType<typeof certificateOf>;
  try {
    cert = certificateOf(encodedCert);
  } catch {
    return { result: '不通过', evidence: { message: `${who}的证书无法解析` } };
  }
  const keyType = cert.key.asymmetricKeyType;
  // Node reports no type for SM2 keys (OpenSSL 3 keeps them apart from EC).
  if ((algorithm.kind === 'rsa') !== (keyType === 'rsa')) return { result: '不通过', evidence: { message: `${who}的证书公钥（${keyType ?? 'SM2'}）与签名算法（${algorithm.label}）不符` } };
  const signature = Buffer.from(value, 'base64');
  let verified = false;
  try {
    if (algorithm.kind === 'rsa') {
      for (const hash of algorithm.hashes) if (!verified) verified = await verifyRsa(file, sig.covers, cert.key, signature, hash);
    } else {
      verified = (await verifySm2(file, sig.covers, cert.key, signature, SM2_DEFAULT_ID)) || (await verifySm2(file, sig.covers, cert.key, signature, null));
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { result: '未检测', evidence: { message: '未安装 openssl，无法验证 SM2 签名' } };
    throw err;
  }
  const signer = sig.signer ? `，签名人 ${sig.signer}` : '';
  const certText = cert.subject ? `，证书 ${cert.subject}${cert.validTo ? `（有效期至 ${cert.validTo.toISOString().slice(0, 10)}）` : ''}` : '';
  const found = { algorithm: sig.algorithm, signer: sig.signer, time: sig.time, certificate: cert.subject, bytes: sig.covers.end - sig.covers.start };
  if (!verified) {
    if (sig.kind === '锁定签名') return { result: '未检测', evidence: { message: `${who}未能按被锁定的电子签名验证（DA/T 48 未规定锁定签名的签名范围），未判定`, found } };
    return { result: '不通过', evidence: { message: `${who}验证失败：签名与被签名对象不符，内容可能被篡改（${algorithm.label}${signer}）`, found } };
  }
  const signedAt = sig.time ? new Date(sig.time) : null;
  if (signedAt && !Number.isNaN(signedAt.getTime()) && cert.validFrom && cert.validTo && (signedAt < cert.validFrom || signedAt > cert.validTo)) {
    return { result: '警告', evidence: { message: `${who}签名有效，但签名时间 ${sig.time} 不在证书有效期内${certText}`, found } };
  }
  return { result: '通过', evidence: { message: `${who}验证通过（${algorithm.label}${signer}${certText}）；未校验证书链`, found } };
}

/** One verdict per signature of the package, or one saying there is none. */
export async function checkEepSignatures(file: string, inspection: EepInspection): Promise<Verdict[]> {
  if (!inspection.eep) return [{ result: '未检测', evidence: { message: `封装包无法解析，未验证电子签名：${inspection.refused.zh}` } }];
  const { signatures } = inspection.eep;
  if (signatures.length === 0) return [{ result: '未检测', evidence: { message: '封装包未包含电子签名（电子签名块为可选项）' } }];
  const verdicts: Verdict[] = [];
  for (const sig of signatures) verdicts.push(await verifyOne(file, sig));
  return verdicts;
}
