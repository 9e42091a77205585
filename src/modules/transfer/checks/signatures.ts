/**
 * YJ-ZS-11 电子签名、印章、时间戳有效性检测 (DA/T 70-2018, authenticity): the
 * signatures a file carries, where we can check them — a DA/T 48 EEP's 电子签名块
 * (signatures-eep.ts) and a PDF's signature fields (signatures-pdf.ts). Other
 * formats, OFD electronic seals (GB/T 38540) and time stamps are 未检测 and say so.
 * A file without signatures is 未检测, never 不通过: signing is not required.
 */
import type { FormatFacts } from '../../../platform/formats/identify.js';
import { checkEepSignatures, type EepInspection, type Verdict } from './signatures-eep.js';
import { checkPdfSignatures } from './signatures-pdf.js';

/** The signature verdicts of one staged file; `eep` is its inspection when it is an EEP; `pdfSigned` whether a PDF holds a /ByteRange. */
export async function checkSignatures(stagedPath: string, format: FormatFacts, eep: EepInspection | null, pdfSigned = true): Promise<Verdict[]> {
  if (eep) return checkEepSignatures(stagedPath, eep);
  if (format.kind === 'pdf') return checkPdfSignatures(stagedPath, pdfSigned);
  if (format.kind === 'ofd') return [{ result: '未检测', evidence: { message: '暂不检测 OFD 电子签章' } }];
  return [{ result: '未检测', evidence: { message: format.kind ? `${format.label}无内嵌电子签名可检测` : '格式无法识别，未检测电子签名' } }];
}

/** YJ-KY-03 for an EEP: readable when the package parses as DA/T 48 with every 编码数据 decodable. */
export function eepReadable(eep: EepInspection): Verdict {
  if (!eep.eep) return { result: '不通过', evidence: { message: `电子文件封装包无法解析：${eep.refused.zh}` } };
  return { result: '通过', evidence: { message: `DA/T 48 电子文件封装包结构完好（${eep.eep.files.length} 个计算机文件）` } };
}
