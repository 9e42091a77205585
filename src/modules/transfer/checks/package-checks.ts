/**
 * Package-level checks: counts and bytes against what was declared, continuity of
 * item numbers, every referenced file present and every present file referenced,
 * files on an offline carrier outside the declared content, and a record of how
 * the package travelled (process safety).
 */
import { checkContinuity } from '../../catalog/archival-code.js';
import type { CheckEvidence, CheckResult } from '../model.js';
import type { Finding } from './item-checks.js';

export interface PackageFacts {
  declaredItems: number;
  /** Sum of declared file sizes, when the package declared any. */
  declaredBytes: number | null;
  items: number;
  bytes: number;
  channel: string;
  carrier: { type: string; label: string; number: string } | null;
  /** Item numbers by class, of items whose code is valid. */
  numbered: Array<{ classKey: string; itemNo: number }>;
  /** Paths the descriptions name that were not received. */
  missingFiles: string[];
  /** Received files no item names. */
  unreferencedFiles: string[];
  /** Files on the carrier outside the declared content (offline hand-overs). */
  extraOnCarrier: string[];
  receivedBy: string;
}

const finding = (checkId: Finding['checkId'], result: CheckResult, evidence: CheckEvidence): Finding => ({ checkId, itemId: null, fileId: null, result, evidence });

export function checkPackage(p: PackageFacts): Finding[] {
  const out: Finding[] = [];
  out.push(
    p.items === p.declaredItems
      ? finding('YJ-WZ-01', '通过', { message: `共 ${p.items} 件，与声明相符` })
      : finding('YJ-WZ-01', '不通过', { message: '实际件数与声明不符', expected: p.declaredItems, found: p.items }),
  );
  out.push(
    p.declaredBytes === null
      ? finding('YJ-WZ-02', '未检测', { message: `未声明字节数；实际共 ${p.bytes} 字节` , found: p.bytes })
      : p.declaredBytes === p.bytes
        ? finding('YJ-WZ-02', '通过', { message: `共 ${p.bytes} 字节，与声明相符` })
        : finding('YJ-WZ-02', '不通过', { message: '实际字节数与声明不符', expected: p.declaredBytes, found: p.bytes }),
  );
  const continuity = checkContinuity(p.numbered);
  const broken = continuity.filter((c) => c.gaps.length > 0 || c.duplicates.length > 0);
  out.push(
    p.numbered.length === 0
      ? finding('YJ-WZ-04', '未检测', { message: '批次中没有带档号的档案' })
      : broken.length === 0
        ? finding('YJ-WZ-04', '通过', { message: `${continuity.length} 个类目的件号连续` })
        : finding('YJ-WZ-04', '不通过', {
            message: broken.map((c) => `${c.classKey}：${c.gaps.map(([a, b]) => (a === b ? `缺 ${a}` : `缺 ${a}–${b}`)).concat(c.duplicates.map((d) => `重号 ${d}`)).join('，')}`).join('；'),
            found: broken,
          }),
  );
  const missing = p.missingFiles.length;
  const extra = p.unreferencedFiles.length;
  out.push(
    missing === 0 && extra === 0
      ? finding('YJ-WZ-05', '通过', { message: '著录引用的文件齐全，且没有未著录的文件' })
      : finding('YJ-WZ-05', '不通过', { message: [missing ? `缺少 ${missing} 个文件` : '', extra ? `${extra} 个文件没有对应的著录` : ''].filter(Boolean).join('；'), found: { missing: p.missingFiles.slice(0, 50), unreferenced: p.unreferencedFiles.slice(0, 50) } }),
  );
  out.push(
    p.channel !== 'offline'
      ? finding('YJ-AQ-02', '未检测', { message: '在线移交，无载体' })
      : p.extraOnCarrier.length === 0
        ? finding('YJ-AQ-02', '通过', { message: '载体中没有移交内容以外的文件' })
        : finding('YJ-AQ-02', '不通过', { message: `载体中有 ${p.extraOnCarrier.length} 个移交内容以外的文件`, found: p.extraOnCarrier.slice(0, 50) }),
  );
  const route = { web: '网页上传', api: '接口（OA 系统）', cli: '命令行', offline: '离线载体' }[p.channel] ?? p.channel;
  out.push(finding('YJ-AQ-03', '通过', { message: `经${route}移交，由 ${p.receivedBy} 办理；每个文件接收时已计算 SHA-256 和 SM3${p.carrier ? `；载体 ${p.carrier.type} ${p.carrier.label}（编号 ${p.carrier.number}）` : ''}` }));
  return out;
}
