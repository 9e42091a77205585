/**
 * File-level checks: fixity against what the package declared, electronic
 * attributes (size, format vs extension), format on the archival list, and
 * whether the file opens — PDFs through the PDF inspector (qpdf: structure, encryption), XML through
 * a streaming parser that refuses entity declarations (billion laughs, external
 * entities), DA/T 48 EEPs through their own streaming reader, empty files; and the
 * signatures a file carries (signatures.ts). Virus checks are 未检测 until a
 * scanner is configured.
 */
import { createReadStream } from 'node:fs';
import { SaxesParser } from 'saxes';
import type { PdfFacts, PdfInspector } from '../../../platform/pdf/inspector.js';
import type { Clamd } from '../../../platform/scan/clamd.js';
import type { CheckEvidence, CheckResult } from '../model.js';
import { checkScan, IMAGE_KINDS } from './digitization.js';
import { identifyFormat, type FormatFacts } from '../../../platform/formats/identify.js';
import type { Finding } from './item-checks.js';
import { checkSignatures, eepReadable } from './signatures.js';
import { inspectEep } from './signatures-eep.js';

export interface SubjectFile {
  id: string;
  itemId: string | null;
  path: string;
  stagedPath: string;
  size: number;
  sha256: string;
  sm3: string;
  declaredSize: number | null;
  declaredSha256: string | null;
  declaredSm3: string | null;
}

export interface FileCheckSettings {
  archivalFormats: readonly string[];
  /** Lowest resolution of scanned images (DA/T 31: 200 dpi at least; many archives ask 300). */
  minDpi: number;
  /** Opens PDFs (structure, encryption, pages, signatures present): one shared set of helpers. */
  pdf: PdfInspector;
  /** ClamAV's clamd, when LANTAI_CLAMD_SOCKET names one; without it the virus check is 未检测. */
  virusScanner: Clamd | null;
  /** clamd's signature folder, where offline imports are recorded (platform/scan/signatures.ts). */
  clamavDbDir?: string;
  /** What the scanner says of itself (engine and signature version/date), for the evidence. */
  scannerVersion?: string | null;
}

const ok = (message = '符合要求'): { result: CheckResult; evidence: CheckEvidence } => ({ result: '通过', evidence: { message } });

function fixity(file: SubjectFile): { result: CheckResult; evidence: CheckEvidence } {
  const declared: Array<[string, string | number | null, string | number]> = [
    ['SHA-256', file.declaredSha256?.toLowerCase() ?? null, file.sha256],
    ['SM3', file.declaredSm3?.toLowerCase() ?? null, file.sm3],
    ['大小', file.declaredSize, file.size],
  ];
  const given = declared.filter(([, d]) => d !== null);
  if (given.length === 0) return { result: '未检测', evidence: { message: '移交方未提供摘要值，无法比对（接收时已计算 SHA-256 和 SM3）', found: { sha256: file.sha256, sm3: file.sm3 } } };
  const wrong = given.filter(([, d, a]) => d !== a);
  if (wrong.length > 0) return { result: '不通过', evidence: { message: `${wrong.map(([n]) => n).join('、')}与声明不符`, expected: Object.fromEntries(wrong.map(([n, d]) => [n, d])), found: Object.fromEntries(wrong.map(([n, , a]) => [n, a])) } };
  return ok(`${given.map(([n]) => n).join('、')}与声明一致`);
}

/** Streams an XML file through saxes; entity declarations and DOCTYPE subsets are refused, not expanded. */
async function xmlReadable(file: string): Promise<{ result: CheckResult; evidence: CheckEvidence }> {
  const parser = new SaxesParser({ xmlns: false, position: true });
  let problem: string | null = null;
  parser.on('doctype', (doctype) => {
    if (/<!ENTITY/i.test(doctype)) problem = 'XML 含实体声明（可能是实体扩展攻击），拒绝解析';
    else if (/SYSTEM|PUBLIC/i.test(doctype)) problem = 'XML 引用外部 DTD，拒绝解析';
  });
  parser.on('error', (err) => {
    problem ??= `XML 格式错误：${err.message}`;
  });
  for await (const chunk of createReadStream(file, { encoding: 'utf8', highWaterMark: 256 * 1024 })) {
    if (problem) break;
    parser.write(chunk as string);
  }
  if (!problem) parser.close();
  return problem ? { result: '不通过', evidence: { message: problem } } : ok('XML 格式良好');
}

/** YJ-KY-03 for a PDF from the inspector's facts: structure, and whether it is encrypted (with a password, or with an empty one). */
function pdfReadable(facts: PdfFacts): { result: CheckResult; evidence: CheckEvidence } {
  const by = `（${facts.engine}）`;
  switch (facts.status) {
    case 'unavailable':
      return { result: '未检测', evidence: { message: '未安装 qpdf / pikepdf，无法检测 PDF' } };
    case 'timeout':
      return { result: '未检测', evidence: { message: `PDF 检测超时${by}`, found: facts.problems[0] ?? null } };
    case 'password':
      return { result: '不通过', evidence: { message: `PDF 已加密（需要密码才能打开），长期保存中无法保证可读${by}` } };
    case 'damaged':
    case 'unreadable':
      return { result: '不通过', evidence: { message: `PDF 结构损坏，无法打开${by}`, found: (facts.problems[0] ?? '').slice(0, 200) } };
    default:
  }
  if (facts.encrypted) return { result: '不通过', evidence: { message: `PDF 已加密（即使无需密码也限制了长期保存中的处理）${by}` } };
  // Problems qpdf recovered from: readable, but worth a look.
  if (facts.status === 'warnings') return { result: '警告', evidence: { message: `PDF 有可修复的结构问题${by}`, found: facts.problems.slice(0, 3).join(' ') } };
  return ok(`PDF 结构完好，${facts.pages ?? '?'} 页，版本 ${facts.version ?? '未知'}${by}`);
}

async function readable(file: SubjectFile, format: FormatFacts, pdf: PdfFacts | null): Promise<{ result: CheckResult; evidence: CheckEvidence }> {
  if (file.size === 0) return { result: '不通过', evidence: { message: '空文件（0 字节）' } };
  if (pdf) return pdfReadable(pdf);
  if (format.kind === 'xml') return xmlReadable(file.stagedPath);
  if (format.mime === null) return { result: '未检测', evidence: { message: '格式无法识别，未检测可读性' } };
  return { result: '未检测', evidence: { message: `暂不检测${format.label}的可读性` } };
}

async function virus(file: SubjectFile, settings: FileCheckSettings): Promise<{ result: CheckResult; evidence: CheckEvidence }> {
  if (!settings.virusScanner) return { result: '未检测', evidence: { message: '未配置病毒检测服务（LANTAI_CLAMD_SOCKET）' } };
  const by = settings.scannerVersion ? `（${settings.scannerVersion}）` : '';
  const outcome = await settings.virusScanner.scanFile(file.stagedPath, file.size);
  switch (outcome.status) {
    case 'clean':
      return { result: '通过', evidence: { message: `未发现病毒${by}` } };
    case 'infected':
      return { result: '不通过', evidence: { message: `发现病毒：${outcome.signature}${by}`, found: outcome.signature } };
    case 'too-large':
      return { result: '警告', evidence: { message: `超出病毒扫描上限：文件 ${file.size} 字节，上限 ${outcome.limit} 字节，未能扫描`, expected: outcome.limit, found: file.size } };
    case 'unavailable':
      return { result: '未检测', evidence: { message: `病毒检测服务不可用：${outcome.reason}` } };
  }
}

/**
 * Checks one file; returns findings for YJ-ZS-01, YJ-ZS-09, YJ-ZS-11, YJ-KY-02, YJ-KY-03, YJ-KY-04 (images)
 * and YJ-AQ-01, and its page count when `wantPages` (the item declares 页数) and the format has pages.
 */
export async function checkFile(file: SubjectFile, settings: FileCheckSettings, wantPages = false): Promise<{ findings: Finding[]; format: FormatFacts; pages: number | null }> {
  const format = await identifyFormat(file.stagedPath, file.path);
  const at = (checkId: Finding['checkId'], r: { result: CheckResult; evidence: CheckEvidence }): Finding => ({ checkId, itemId: file.itemId, fileId: file.id, ...r });
  const findings: Finding[] = [at('YJ-ZS-01', fixity(file))];

  if (format.kind !== null && format.extension !== '' && format.kind !== format.extension && !(format.kind === 'xml' && format.extension === 'txt')) {
    findings.push(at('YJ-ZS-09', { result: '不通过', evidence: { message: `扩展名 .${format.extension} 与实际格式（${format.label}）不符`, expected: format.kind, found: format.extension } }));
  } else findings.push(at('YJ-ZS-09', ok(format.kind ? `扩展名与格式一致（${format.label}）` : '格式无法识别，仅核对大小')));

  if (format.kind === null) findings.push(at('YJ-KY-02', { result: '不通过', evidence: { message: '文件格式无法识别' } }));
  else if (!settings.archivalFormats.includes(format.kind)) findings.push(at('YJ-KY-02', { result: '警告', evidence: { message: `${format.label}不在本馆归档格式目录中`, expected: settings.archivalFormats.join('、'), found: format.kind } }));
  else findings.push(at('YJ-KY-02', ok(`${format.label}，属于归档格式`)));

  // An EEP is read once here, by its own streaming reader: a generic XML pass would gather its base64 whole.
  const eep = format.kind === 'xml' && file.size > 0 ? await inspectEep(file.stagedPath) : null;
  const pdf = format.kind === 'pdf' && file.size > 0 ? await settings.pdf.inspect(file.stagedPath) : null;
  const opened = eep ? eepReadable(eep) : await readable(file, format, pdf);
  findings.push(at('YJ-KY-03', opened));
  let pages: number | null = null;
  if (format.kind !== null && IMAGE_KINDS.has(format.kind) && file.size > 0) {
    const scan = await checkScan(file.stagedPath, file.size, settings.minDpi);
    findings.push(at('YJ-KY-04', scan));
    pages = scan.pages;
  } else if (pdf && wantPages && opened.result !== '不通过') pages = pdf.pages;
  findings.push(at('YJ-AQ-01', await virus(file, settings)));
  for (const verdict of await checkSignatures(file.stagedPath, format, eep, pdf?.signed ?? false)) findings.push(at('YJ-ZS-11', verdict));
  return { findings, format, pages };
}
