/**
 * DA/T 48-2009《基于XML的电子文件封装规范》: reads an electronic-record
 * encapsulation package (EEP, 电子文件封装包) in one streaming pass.
 *
 * Structure, after the standard's XML Schema (namespace
 * http://www.saac.gov.cn/standards/ERM/encapsulation):
 *   电子文件封装包 → 封装包格式描述, 版本, 被签名对象 (attribute eep版本), then
 *   optionally 电子签名块 (电子签名+) and 锁定签名.
 *   被签名对象 → 封装包类型 (原始型 | 修改型), 封装包类型描述, 封装包创建时间,
 *   封装包创建单位, and 封装内容 (原始型) or 修改封装内容 (修改型: 修改标识符,
 *   原封装包 = the earlier 被签名对象 and its 电子签名块, 修订内容).
 *   封装内容 / 修订内容 → 文件实体块 (文件实体), 业务实体块, 机构人员实体块.
 *   文件实体 → 聚合层次, 来源, 电子文件号, 档号, 内容描述, 形式特征, 存储位置,
 *   权限管理, 附注, 文件数据 → 文档+ → 文档数据+ → 编码+ (attribute 编码ID) →
 *   电子属性 (计算机文件名, 计算机文件大小, 格式信息), 数字化属性, 编码描述,
 *   反编码关键字, 编码数据 (base64 of the file's bytes).
 *   电子签名 → 签名标识符, 签名规则, 签名时间, 签名人, 签名结果 (base64),
 *   证书块 (证书 base64 +, 证书引证), 签名算法标识.
 *
 * Each 编码数据 is decoded as it is read, straight into a staged file, hashed
 * (SHA-256 and SM3) on the way and fsync'd; nothing is held whole in memory. The
 * byte range of each 被签名对象 is recorded so its signatures can be checked
 * later over exactly those bytes. What the package says is reported, not judged
 * (the four-property checks judge); a package that cannot be read as an EEP is
 * refused with the reason.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import { createDualDigest, type DualDigest } from '../../../platform/storage/digest.js';
import { Base64Error, createBase64Decoder, type Base64Decoder } from './eep-base64.js';
import { fieldOf, metadataOf } from './eep-metadata.js';
import { createSignatureCollector, type EepSignature } from './eep-signatures.js';
import { DEFAULT_XML_LIMITS, streamXml, XmlRefused, type StreamedTag } from './eep-stream.js';

export type { EepSignature } from './eep-signatures.js';

export const EEP_NAMESPACE = 'http://www.saac.gov.cn/standards/ERM/encapsulation';
const ROOT = '电子文件封装包';
const MAX_FILES = 10_000;
const MAX_TEXT = 1024 * 1024;

export interface EepFile {
  /** 'current' for the package's content; 'original' inside 原封装包 of a 修改型 package. */
  layer: 'current' | 'original';
  codeId: string | null;
  name: string | null;
  declaredSize: number | null;
  format: string | null;
  decodeKey: string | null;
  /** 文档主从声明 of the 文档 it belongs to (主文档 / 附属文档). */
  documentRole: string | null;
  /** 引用编码数据ID: the file is the one of that id, not new bytes. */
  reference: string | null;
  dataId: string | null;
  /** The decoded bytes in staging, when the reader was asked to stage them. */
  staged: { path: string; size: number; sha256: string; sm3: string } | null;
  size: number;
}

export interface Eep {
  version: string | null;
  eepVersion: string | null;
  packageType: string | null;
  createdAt: string | null;
  creator: string | null;
  metadata: Record<string, unknown>;
  files: EepFile[];
  signatures: EepSignature[];
  /** The file's size in bytes. */
  size: number;
}

/** The file is not a DA/T 48 package we can take; `zh` and `en` say why. */
export class EepRefused extends Error {
  constructor(readonly zh: string, readonly en: string) {
    super(en);
  }
}

/** True when the file's first element is 电子文件封装包 (in any namespace prefix). */
export async function sniffEep(file: string): Promise<boolean> {
  const handle = await fs.open(file, 'r');
  try {
    const head = Buffer.alloc(64 * 1024);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    const text = head.subarray(0, bytesRead).toString('utf8').replace(/^\uFEFF/, '');
    return /^\s*</.test(text) && new RegExp(`<([A-Za-z_][\\w.-]*:)?${ROOT}[\\s>/]`).test(text);
  } finally {
    await handle.close();
  }
}

interface Staging {
  decoder: Base64Decoder;
  digest: DualDigest | null;
  handle: fs.FileHandle | null;
  path: string | null;
  size: number;
}

/**
 * Reads the EEP at `file`. With `stageDir`, each 编码数据 is decoded into a new
 * file there (removed again if the package is refused); without, the data is
 * only decoded and checked.
 *
 * @example
 * const eep = await readEep(upload, { stageDir: path.join(staging, 'eep') });
 * for (const f of eep.files) console.log(f.name, f.staged?.sha256);
 */
export async function readEep(file: string, options: { stageDir?: string; signal?: AbortSignal } = {}): Promise<Eep> {
  const stack: string[] = [];
  const texts: string[] = [];
  const values = new Map<string, string[]>();
  const files: EepFile[] = [];
  const signatures = createSignatureCollector();
  const opened: number[] = [];
  const header: Pick<Eep, 'version' | 'eepVersion' | 'packageType' | 'createdAt' | 'creator'> = { version: null, eepVersion: null, packageType: null, createdAt: null, creator: null };
  const seen = new Set<string>();
  const stagedPaths: string[] = [];
  /** Depth of the package's own 文件实体 while inside it; whether it was seen. */
  let entityDepth: number | null = null;
  let sawEntity = false;
  let currentFile: EepFile | null = null;
  let currentDocRole: string | null = null;
  let staging: Staging | null = null;
  /** Data being decoded or finished: what to abort and close if the package is refused. */
  const unfinished = new Set<Staging>();
  let pending: Array<() => Promise<void>> = [];

  const refuse = (zh: string, en: string) => new EepRefused(zh, en);
  const layerOf = (): 'current' | 'original' => (stack.includes('原封装包') ? 'original' : 'current');

  function openTag(tag: StreamedTag): 'binary' | undefined {
    if (stack.length === 0) {
      if (tag.local !== ROOT) throw refuse(`根元素是“${tag.local}”，不是“${ROOT}”`, `the root element is "${tag.local}", not "${ROOT}"`);
      if (tag.uri !== EEP_NAMESPACE && tag.uri !== '') throw refuse(`命名空间“${tag.uri}”不是 DA/T 48 的 ${EEP_NAMESPACE}`, `namespace "${tag.uri}" is not DA/T 48's ${EEP_NAMESPACE}`);
    }
    const parent = stack[stack.length - 1] ?? '';
    stack.push(tag.local);
    texts.push('');
    opened.push(tag.start);
    seen.add(`${parent}/${tag.local}`);
    switch (tag.local) {
      case '被签名对象':
        if (parent === ROOT) header.eepVersion = tag.attributes['eep版本'] ?? null;
        break;
      case '文件实体':
        if (layerOf() === 'current') {
          if (sawEntity) throw refuse('一个封装包只能封装一件电子文件（发现多个文件实体）', 'one package holds one record (found several 文件实体)');
          sawEntity = true;
          entityDepth = stack.length;
        }
        break;
      case '文档':
        currentDocRole = null;
        break;
      case '编码':
        if (files.length >= MAX_FILES) throw refuse(`计算机文件超过 ${MAX_FILES} 个`, `more than ${MAX_FILES} files`);
        currentFile = { layer: layerOf(), codeId: tag.attributes['编码ID'] ?? null, name: null, declaredSize: null, format: null, decodeKey: null, documentRole: currentDocRole, reference: null, dataId: null, staged: null, size: 0 };
        break;
      case '编码数据':
        return startData(tag);
      case '电子签名':
      case '电子签名块':
      case '锁定签名':
        signatures.open(tag.local, layerOf());
        break;
    }
    return undefined;
  }

  function startData(tag: StreamedTag): 'binary' | undefined {
    if (!currentFile) throw refuse('编码数据不在“编码”元素中', '编码数据 outside 编码');
    const file = currentFile;
    file.reference = tag.attributes['引用编码数据ID'] ?? null;
    file.dataId = tag.attributes['编码数据ID'] ?? null;
    const key = (file.decodeKey ?? '').trim();
    if (key === '') throw refuse('“编码数据”之前缺少“反编码关键字”，无法确定编码方式', 'no 反编码关键字 before 编码数据: the encoding is unknown');
    if (/^(sha|sm3|md5)/i.test(key)) throw refuse(`编码数据只含摘要（${key}），不含文件内容；移交须封装文件本身`, `编码数据 holds only a digest (${key}), not the file`);
    if (!/base64/i.test(key)) throw refuse(`不支持的编码“${key}”（只支持 base64）`, `unsupported encoding "${key}" (only base64)`);
    if (tag.selfClosing) return undefined;
    staging = { decoder: createBase64Decoder(), digest: options.stageDir ? createDualDigest() : null, handle: null, path: null, size: 0 };
    unfinished.add(staging);
    return 'binary';
  }

  async function writeData(piece: string): Promise<void> {
    const s = staging;
    if (!s) return;
    let bytes: Buffer;
    try {
      bytes = s.decoder.push(piece);
    } catch (err) {
      if (err instanceof Base64Error) throw refuse(`编码数据不是有效的 base64（${currentFile?.name ?? currentFile?.codeId ?? '未命名文件'}）：${err.message}`, `编码数据 is not valid base64: ${err.message}`);
      throw err;
    }
    if (bytes.length === 0) return;
    s.size += bytes.length;
    if (!s.digest) return;
    const handle = await openStaged(s);
    await s.digest.update(bytes);
    let written = 0;
    while (written < bytes.length) written += (await handle.write(bytes, written)).bytesWritten;
  }

  /** The staged file of the data being decoded, created on its first bytes (or at its end, for an empty file). */
  async function openStaged(s: Staging): Promise<fs.FileHandle> {
    if (s.handle) return s.handle;
    const dir = options.stageDir ?? '';
    await fs.mkdir(dir, { recursive: true });
    s.path = path.join(dir, `eep-${uuidv7()}`);
    stagedPaths.push(s.path);
    s.handle = await fs.open(s.path, 'wx');
    return s.handle;
  }

  async function finishData(file: EepFile, s: Staging): Promise<void> {
    try {
      s.decoder.end();
    } catch (err) {
      if (err instanceof Base64Error) throw refuse(`编码数据不是有效的 base64（${file.name ?? file.codeId ?? '未命名文件'}）：${err.message}`, `编码数据 is not valid base64: ${err.message}`);
      throw err;
    }
    file.size = s.size;
    if (s.digest) {
      const handle = await openStaged(s);
      const digests = await s.digest.digest();
      await handle.sync();
      await handle.close();
      s.handle = null;
      file.staged = { path: s.path ?? '', size: digests.size, sha256: digests.sha256, sm3: digests.sm3 };
    }
    unfinished.delete(s);
  }

  function closeTag(local: string, end: number): void {
    const text = texts.pop() ?? '';
    const start = opened.pop() ?? 0;
    stack.pop();
    const parent = stack[stack.length - 1] ?? '';
    const value = text.trim();
    if (entityDepth !== null && stack.length >= entityDepth && !stack.includes('文件数据') && local !== '文件数据') {
      const field = local === '档号' && stack.length === entityDepth ? fieldOf('档号', '#') : fieldOf(parent, local);
      if (field && value !== '') values.set(field, [...(values.get(field) ?? []), value]);
    }
    if (entityDepth !== null && local === '文件实体' && stack.length === entityDepth - 1) entityDepth = null;
    if (parent === ROOT) {
      if (local === '版本') header.version = value;
    }
    if (parent === '被签名对象' && stack.length === 2) {
      if (local === '封装包类型') header.packageType = value;
      else if (local === '封装包创建时间') header.createdAt = value;
      else if (local === '封装包创建单位') header.creator = value;
    }
    if (local === '被签名对象') signatures.signedObject(stack, { start, end });
    if (currentFile) {
      if (parent === '电子属性' && local === '计算机文件名') currentFile.name = value;
      else if (parent === '电子属性' && local === '计算机文件大小') currentFile.declaredSize = /^\d+$/.test(value) ? Number(value) : null;
      else if (parent === '电子属性' && local === '格式信息') currentFile.format = value || null;
      else if (parent === '编码' && local === '反编码关键字') currentFile.decodeKey = value;
      else if (local === '编码数据' && staging) {
        const file = currentFile;
        const s = staging;
        staging = null;
        pending.push(() => finishData(file, s));
      } else if (local === '编码') {
        files.push(currentFile);
        currentFile = null;
      }
    }
    if (parent === '文档' && local === '文档主从声明') currentDocRole = value;
    signatures.close(local, parent, value, { start, end }, stack, layerOf());
  }

  try {
    const size = await streamXml(
      file,
      {
        open: openTag,
        close: closeTag,
        text(text) {
          const i = texts.length - 1;
          if (i < 0) return;
          const next = (texts[i] ?? '') + text;
          if (next.length > MAX_TEXT && stack[stack.length - 1] !== '证书') throw refuse(`元素“${stack[stack.length - 1] ?? ''}”的内容过长`, `element "${stack[stack.length - 1] ?? ''}" is too long`);
          texts[i] = next;
        },
        binary: writeData,
        async settle() {
          const work = pending;
          pending = [];
          for (const w of work) await w();
        },
      },
      DEFAULT_XML_LIMITS,
      options.signal,
    );
    if (!seen.has(`${ROOT}/被签名对象`)) throw refuse('缺少“被签名对象”', '被签名对象 is missing');
    if (!seen.has('被签名对象/封装内容') && !seen.has('被签名对象/修改封装内容')) throw refuse('“被签名对象”中缺少“封装内容”或“修改封装内容”', '被签名对象 holds neither 封装内容 nor 修改封装内容');
    if (seen.has('被签名对象/修改封装内容') && !seen.has('修改封装内容/修订内容')) throw refuse('修改型封装包缺少“修订内容”', 'a modified package without 修订内容');
    if (!sawEntity) throw refuse('缺少“文件实体”', '文件实体 is missing');
    return { ...header, metadata: metadataOf(values), files, signatures: signatures.found, size };
  } catch (err) {
    for (const s of unfinished) {
      s.digest?.abort();
      await s.handle?.close().catch(() => undefined);
    }
    await Promise.all(stagedPaths.map((p) => fs.rm(p, { force: true })));
    if (err instanceof XmlRefused) throw refuse(err.zh, err.en);
    throw err;
  }
}
