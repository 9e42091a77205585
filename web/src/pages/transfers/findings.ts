/** Reading the check report's findings: what failed, in one line each, and which files an item has. */
import type { ReportFinding, ReportItem, TransferReport } from '../../api/transfers.js';

/** A found or expected value as text (the server sends strings, numbers or small objects). */
export function valueText(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  const json = JSON.stringify(value);
  return json.length > 200 ? `${json.slice(0, 200)}…` : json;
}

/** 检测项：说明（值）, for a finding that did not pass. */
export function findingLine(finding: ReportFinding): string {
  const found = valueText(finding.found);
  return `${finding.name}：${finding.message}${found ? `（${found}）` : ''}`;
}

/** Everything not passed, 未检测 included (a virus scan not configured, a format not read): what the report lists. */
export const notPassed = (findings: readonly ReportFinding[]) => findings.filter((f) => f.result !== '通过');

/** What the agency has to correct or look at: 不通过, and 警告 unless `failedOnly`. */
export const problems = (findings: readonly ReportFinding[], failedOnly = false) => findings.filter((f) => f.result === '不通过' || (!failedOnly && f.result === '警告'));

/** The paths of an item's files, as the checks matched them. */
export function filesOf(item: ReportItem | undefined): string[] {
  return [...new Set((item?.findings ?? []).flatMap((f) => (f.file ? [f.file] : [])))];
}

/** Every file path a report names (items' files and files no item names). */
export function reportFiles(report: TransferReport | undefined): string[] {
  if (!report) return [];
  return [...new Set([...report.items.flatMap(filesOf), ...report.package.flatMap((f) => (f.file ? [f.file] : []))])];
}
