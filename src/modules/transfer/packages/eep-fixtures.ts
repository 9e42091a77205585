/**
 * Test support: DA/T 48-2009 EEPs written the way a filing system writes them
 * (element names of the standard's schema), signed by the real `openssl` — RSA
 * keys and SM2 keys (`genpkey -algorithm EC -pkeyopt ec_paramgen_curve:SM2`),
 * signatures with `openssl dgst -sm3 -sign` and the GM/T 0009 default ID — over
 * the exact UTF-8 bytes of the 被签名对象 element, and a large EEP streamed to
 * disk so the test itself never holds it.
 */
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';
import { EEP_NAMESPACE } from './eep.js';

export interface EepRecord {
  title: string;
  responsible: string;
  /** As the package writes it, e.g. 2024-03-15. */
  date: string;
  year: string;
  retention: string;
  classification: string;
  archivalCode: string;
  docNumber: string;
  pageCount: string;
}

export const SAMPLE_RECORD: EepRecord = {
  title: '关于做好2024年档案工作的通知', responsible: '演示市人民政府办公室', date: '2024-03-15', year: '2024', retention: '永久', classification: '非密',
  archivalCode: 'J001-WS·2024-Y-0001', docNumber: '演府办〔2024〕1号', pageCount: '1',
};

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** One 编码 element; `data` is the 编码数据 text (base64 unless a test wants it otherwise), or `reference` names earlier data. */
export function encoding(n: number, name: string, data: string, options: { decodeKey?: string; size?: number; role?: '主文档' | '附属文档'; layer?: string; reference?: string } = {}): string {
  const ext = path.extname(name).slice(1) || 'bin';
  const id = `${options.layer ?? '修改0'}-文档${n}`;
  const encoded = options.reference ? `<编码数据 编码数据ID="${id}-文档数据1-编码1-编码数据1" 引用编码数据ID="${options.reference}"/>` : `<编码数据 编码数据ID="${id}-文档数据1-编码1-编码数据1">${data}</编码数据>`;
  return [
    `<文档><文档标识符>${id}</文档标识符><文档序号>${n}</文档序号><文档主从声明>${options.role ?? (n === 1 ? '主文档' : '附属文档')}</文档主从声明>`,
    `<文档数据 文档数据ID="${id}-文档数据1"><编码 编码ID="${id}-文档数据1-编码1">`,
    `<电子属性><格式信息>${ext.toUpperCase()}</格式信息><计算机文件名>${esc(name)}</计算机文件名><计算机文件大小>${options.size ?? ''}</计算机文件大小></电子属性>`,
    '<编码描述>本封装包中“编码数据”元素存储的是计算机文件二进制流的Base64编码，有关Base64编码规则参见IETF RFC 2045多用途邮件扩展（MIME）第一部分：互联网信息体格式。</编码描述>',
    `<反编码关键字>${options.decodeKey ?? `base64-${ext}`}</反编码关键字>`,
    encoded,
    '</编码></文档数据></文档>',
  ].join('\n');
}

/** 文件实体块 → 文件实体 with `record`, then 业务实体块 and 机构人员实体块: what 封装内容 and 修订内容 hold. */
export function content(record: EepRecord, encodings: string[]): string {
  return [
    '<文件实体块><文件实体>',
    '<聚合层次>文件</聚合层次>',
    `<来源><立档单位名称>${esc(record.responsible)}</立档单位名称></来源>`,
    '<电子文件号>EF-2024-0001</电子文件号>',
    `<档号>${esc(record.archivalCode)}<全宗号>J001</全宗号><年度>${record.year}</年度><保管期限>${record.retention}</保管期限><室编件号>1</室编件号></档号>`,
    `<内容描述><题名>${esc(record.title)}</题名><文件编号>${esc(record.docNumber)}</文件编号><责任者>${esc(record.responsible)}</责任者><日期>${record.date}</日期><密级>${record.classification}</密级></内容描述>`,
    `<形式特征><文件组合类型>单件</文件组合类型><页数>${record.pageCount}</页数></形式特征>`,
    '<存储位置><脱机载体编号>无</脱机载体编号></存储位置>',
    '<权限管理><控制标识>内部</控制标识></权限管理>',
    '<文件数据>',
    ...encodings,
    '</文件数据>',
    '</文件实体></文件实体块>',
    '<业务实体块><业务实体><业务标识符>B1</业务标识符><机构人员标识符>P1</机构人员标识符><文件标识符>EF-2024-0001</文件标识符><业务状态>历史行为</业务状态><业务行为>归档</业务行为><行为时间>2024-12-01T10:00:00</行为时间></业务实体></业务实体块>',
    `<机构人员实体块><机构人员实体><机构人员标识符>P1</机构人员标识符><机构人员类型>单位</机构人员类型><机构人员名称>${esc(record.responsible)}</机构人员名称></机构人员实体></机构人员实体块>`,
  ].join('\n');
}

const header = (type: '原始型' | '修改型', record: EepRecord) => [
  '<被签名对象 eep版本="2009">',
  `<封装包类型>${type}</封装包类型>`,
  `<封装包类型描述>${type === '原始型' ? '本封装包包含电子文件数据及其元数据，原始封装，未经修改' : '本封装包包含电子文件数据及其元数据，系修改封装，在保留原封装包的基础上，添加了修改层'}</封装包类型描述>`,
  '<封装包创建时间>2024-12-01T10:00:00</封装包创建时间>',
  `<封装包创建单位>${esc(record.responsible)}</封装包创建单位>`,
];

/** A 被签名对象 (原始型) holding `record` and the given 编码 elements. */
export function signedObject(record: EepRecord, encodings: string[]): string {
  return [...header('原始型', record), '<封装内容>', content(record, encodings), '</封装内容>', '</被签名对象>'].join('\n');
}

/** A 被签名对象 (修改型): the earlier package (its 被签名对象 and 电子签名块, as written) kept in 原封装包, then 修订内容. */
export function modifiedSignedObject(original: string, record: EepRecord, encodings: string[]): string {
  return [...header('修改型', record), '<修改封装内容><修改标识符>修改1</修改标识符>', `<原封装包>${original}</原封装包>`, '<修订内容>', content(record, encodings), '</修订内容></修改封装内容>', '</被签名对象>'].join('\n');
}

export const EEP_HEAD = `<?xml version="1.0" encoding="UTF-8"?>\n<电子文件封装包 xmlns="${EEP_NAMESPACE}">\n<封装包格式描述>本EEP根据中华人民共和国档案行业标准DA/T 48-2009《基于XML的电子文件封装规范》生成</封装包格式描述>\n<版本>2009</版本>\n`;
export const EEP_TAIL = '\n</电子文件封装包>\n';

/** A whole EEP: the 被签名对象 as given (byte for byte), then the 电子签名块 if any. */
export function eepDocument(signed: string, signatureBlock = ''): string {
  return `${EEP_HEAD}${signed}\n${signatureBlock}${EEP_TAIL}`;
}

export interface Signer {
  algorithm: 'SM3withSM2' | 'SHA256withRSA';
  /** Private key file (PEM) and certificate (base64 DER). */
  key: string;
  certificate: string;
}

/** Makes a key and a self-signed certificate with openssl. */
export function makeSigner(dir: string, kind: 'sm2' | 'rsa'): Signer {
  mkdirSync(dir, { recursive: true });
  const key = path.join(dir, `${kind}.key`);
  const crt = path.join(dir, `${kind}.crt`);
  if (kind === 'sm2') {
    execFileSync('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:SM2', '-out', key], { stdio: 'ignore' });
    execFileSync('openssl', ['req', '-new', '-x509', '-key', key, '-sm3', '-sigopt', 'distid:1234567812345678', '-subj', '/CN=演示市人民政府办公室/O=演示市', '-utf8', '-days', '3650', '-out', crt], { stdio: 'ignore' });
  } else {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-subj', '/CN=演示市人民政府办公室/O=演示市', '-utf8', '-days', '3650', '-out', crt], { stdio: 'ignore' });
  }
  const der = execFileSync('openssl', ['x509', '-in', crt, '-outform', 'DER']);
  return { algorithm: kind === 'sm2' ? 'SM3withSM2' : 'SHA256withRSA', key, certificate: der.toString('base64') };
}

/** Signs the UTF-8 bytes of `signed` with openssl and returns a 电子签名块 holding the signature. */
export function signatureBlock(dir: string, signed: string, signer: Signer, time = new Date().toISOString().slice(0, 19)): string {
  const data = path.join(dir, `signed-${Date.now()}-${Math.random().toString(36).slice(2)}.xml`);
  execFileSync('sh', ['-c', 'cat > "$1"', 'sh', data], { input: Buffer.from(signed, 'utf8') });
  const args = signer.algorithm === 'SM3withSM2' ? ['dgst', '-sm3', '-sign', signer.key, '-sigopt', 'distid:1234567812345678', data] : ['dgst', '-sha256', '-sign', signer.key, data];
  const value = execFileSync('openssl', args).toString('base64');
  return [
    '<电子签名块><电子签名>',
    '<签名标识符>修改0-签名1</签名标识符>',
    '<签名规则>对“被签名对象”元素（含起止标记）的 UTF-8 字节签名</签名规则>',
    `<签名时间>${time}</签名时间>`,
    '<签名人>演示市人民政府办公室</签名人>',
    `<签名结果>${value}</签名结果>`,
    `<证书块><证书>${signer.certificate}</证书></证书块>`,
    `<签名算法标识>${signer.algorithm}</签名算法标识>`,
    '</电子签名></电子签名块>',
  ].join('\n');
}

/**
 * Writes an EEP whose one file is `bytes` of random data, streamed in
 * pieces (base64 lines of 76 characters, as MIME writes them); returns the file's digests.
 */
export async function writeLargeEep(file: string, bytes: number): Promise<{ sha256: string; size: number }> {
  const out = createWriteStream(file);
  const write = async (s: string) => {
    if (!out.write(s)) await once(out, 'drain');
  };
  const [before = '', after = ''] = signedObject(SAMPLE_RECORD, [encoding(1, '大文件.bin', '\u0000')]).split('\u0000');
  await write(EEP_HEAD);
  await write(before);
  const hash = createHash('sha256');
  const piece = 57 * 1024 * 16; // a multiple of 57 bytes: whole 76-character lines
  for (let written = 0; written < bytes; ) {
    const n = Math.min(piece, bytes - written);
    const chunk = randomBytes(n);
    hash.update(chunk);
    await write(`${(chunk.toString('base64').match(/.{1,76}/g) ?? []).join('\n')}\n`);
    written += n;
  }
  await write(after);
  await write(EEP_TAIL);
  out.end();
  await once(out, 'close');
  return { sha256: hash.digest('hex'), size: bytes };
}
