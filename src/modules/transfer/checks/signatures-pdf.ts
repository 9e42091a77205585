/**
 * Signatures inside a PDF (signature fields with a /ByteRange), through poppler's
 * `pdfsig`: it finds them and checks each one's digest over its signed ranges.
 * Run with -nocert and -no-ocsp: the archive's LAN has no path to OCSP responders
 * and holds no trust roots for agencies' CAs, so only the signature itself is
 * judged, and the evidence says the chain was not.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Verdict } from './signatures-eep.js';

const run = promisify(execFile);

interface PdfSignature {
  number: string;
  signer: string | null;
  validation: string | null;
  whole: boolean;
}

function parsePdfsig(stdout: string): PdfSignature[] {
  return stdout
    .split(/^Signature #/m)
    .slice(1)
    .map((block) => ({
      number: block.split(':', 1)[0]?.trim() ?? '',
      signer: /Signer Certificate Common Name:\s*(.+)/.exec(block)?.[1]?.trim() ?? null,
      validation: /Signature Validation:\s*(.+)/.exec(block)?.[1]?.trim() ?? null,
      whole: /Total document signed/.test(block) && !/Not total document signed/.test(block),
    }));
}

/**
 * One verdict per signature of the PDF, or one saying there is none or that it could not be checked.
 * `mayHoldSignature` comes from the PDF inspector's scan for /ByteRange: every signature dictionary
 * carries one that signing software patches in place (never inside a compressed object stream), so
 * thousands of unsigned PDFs need no pdfsig run.
 */
export async function checkPdfSignatures(file: string, mayHoldSignature: boolean): Promise<Verdict[]> {
  if (!mayHoldSignature) return [{ result: '未检测', evidence: { message: 'PDF 未包含电子签名' } }];
  let stdout: string;
  try {
    ({ stdout } = await run('pdfsig', ['-nocert', '-no-ocsp', file], { timeout: 300_000, maxBuffer: 4 * 1024 * 1024 }));
  } catch (err) {
    const e = err as { code?: string | number; stdout?: string; stderr?: string };
    if (e.code === 'ENOENT') return [{ result: '未检测', evidence: { message: '未安装 pdfsig（poppler-utils），未检测 PDF 电子签名' } }];
    if (/does not contain any signatures/.test(e.stdout ?? '')) return [{ result: '未检测', evidence: { message: 'PDF 未包含电子签名' } }];
    return [{ result: '未检测', evidence: { message: 'PDF 电子签名无法读取', found: (e.stderr ?? e.stdout ?? '').trim().slice(0, 200) } }];
  }
  const signatures = parsePdfsig(stdout);
  if (signatures.length === 0) return [{ result: '未检测', evidence: { message: 'PDF 未包含电子签名' } }];
  return signatures.map((s): Verdict => {
    const who = `PDF 签名 #${s.number}${s.signer ? `（${s.signer}）` : ''}`;
    const found = { signer: s.signer, validation: s.validation, wholeDocument: s.whole };
    if (s.validation === 'Signature is Valid.') {
      // A valid signature over part of the file: something was appended after signing.
      if (!s.whole) return { result: '警告', evidence: { message: `${who}有效，但签名后文档又有修改（签名未覆盖全文）；未校验证书链`, found } };
      return { result: '通过', evidence: { message: `${who}有效，覆盖全文；未校验证书链`, found } };
    }
    if (s.validation && /Invalid|Digest Mismatch/i.test(s.validation)) return { result: '不通过', evidence: { message: `${who}无效：签名与文档内容不符，文档可能被篡改`, found } };
    return { result: '未检测', evidence: { message: `${who}无法验证：${s.validation ?? '未知原因'}`, found } };
  });
}
