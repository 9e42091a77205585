/**
 * Item-level checks: each item's description against DA/T 46 and the catalog's
 * rules (the same `itemInputSchema` and `checkItem` the catalog enforces when the
 * item is described by hand), sorted into the DA/T 70 check items, with a result
 * for every item and every check so the report says what passed, not just what failed.
 */
import { checkItem, type ItemContext } from '../../catalog/item-rules.js';
import { itemInputSchema, type ItemInput } from '../../catalog/model.js';
import type { CheckEvidence, CheckResult } from '../model.js';
import type { CheckId } from './registry.js';

export interface Finding {
  checkId: CheckId;
  itemId: string | null;
  fileId: string | null;
  result: CheckResult;
  evidence: CheckEvidence;
}

export interface SubjectItem {
  id: string;
  position: number;
  metadata: Record<string, unknown>;
  fileIds: string[];
}

const FIELD_LABELS: Record<string, string> = {
  title: '题名', responsible: '责任者', date: '日期', year: '年度', retention: '保管期限', classification: '密级', secrecyTerm: '保密期限', control: '控制标识',
  openness: '开放状态', orgCode: '机构（问题）代码', pageCount: '页数', archivalCode: '档号', combinationType: '文件组合类型', docNumber: '文件编号',
};
const PASSED: CheckEvidence = { message: '符合要求' };
const label = (field: string) => FIELD_LABELS[field] ?? field;
const ITEM_CHECKS: CheckId[] = ['YJ-ZS-02', 'YJ-ZS-03', 'YJ-ZS-04', 'YJ-ZS-05', 'YJ-ZS-06', 'YJ-ZS-07', 'YJ-ZS-08', 'YJ-ZS-10', 'YJ-WZ-03', 'YJ-KY-01', 'YJ-AQ-04'];
// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\uFFFD]/;
const MARKUP = /<\s*\/?\s*(script|iframe|object|embed|img|svg|a)\b|javascript:/i;

/** Which DA/T 70 item a zod issue belongs to. */
function zodCheck(code: string, input: unknown): CheckId {
  if (input === undefined || input === null || input === '') return 'YJ-WZ-03';
  if (code === 'too_big') return 'YJ-ZS-02';
  if (code === 'invalid_value') return 'YJ-ZS-04';
  if (code === 'too_small' && typeof input === 'string' && input.trim() === '') return 'YJ-WZ-03';
  return 'YJ-ZS-03';
}

/** Which DA/T 70 item a catalog rule problem belongs to. */
function ruleCheck(code: string, field: string): CheckId {
  switch (code) {
    case 'CATALOG_CODE_PATTERN':
    case 'CATALOG_CODE_INCONSISTENT':
    case 'CATALOG_ARRANGEMENT':
      return 'YJ-ZS-07';
    case 'CATALOG_CLASSIFIED_REFUSED':
    case 'CATALOG_CLEARANCE':
      return 'YJ-AQ-04';
    case 'CATALOG_SECRECY_TERM_REQUIRED':
      return 'YJ-WZ-03';
    case 'CATALOG_ORG_CODE_UNKNOWN':
      return 'YJ-ZS-04';
    default:
      return field === 'year' ? 'YJ-ZS-05' : 'YJ-ZS-03';
  }
}

/**
 * Checks every item's description. `codesInCatalog` are the codes of this package
 * already held by the archive (looked up by the caller).
 */
export function checkItems(
  items: readonly SubjectItem[],
  ctx: ItemContext,
  codesInCatalog: ReadonlySet<string>,
  /** Where findings go as they are made; by default into the returned list. */
  emit?: (finding: Finding) => void,
): { findings: Finding[]; valid: Map<string, ItemInput> } {
  const findings: Finding[] = [];
  const push = emit ?? ((f: Finding) => void findings.push(f));
  const valid = new Map<string, ItemInput>();
  const codeSeen = new Map<string, number>();
  for (const item of items) {
    const problems = new Map<CheckId, CheckEvidence[]>();
    const add = (check: CheckId, evidence: CheckEvidence) => problems.set(check, [...(problems.get(check) ?? []), evidence]);
    for (const [field, value] of Object.entries(item.metadata)) {
      if (typeof value === 'string' && (CONTROL_CHARS.test(value) || MARKUP.test(value))) add('YJ-ZS-06', { message: `${label(field)}含控制字符或网页标记`, found: value.slice(0, 60) });
    }
    const parsed = itemInputSchema.safeParse({ ...item.metadata, fondsId: ctx.fonds.id, categoryId: ctx.category.id, volumeId: null });
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const field = String(issue.path[0] ?? '');
        const input = item.metadata[field];
        const check = zodCheck(issue.code, input);
        // Eight digits that are no calendar day (20240230) say so plainly, as the catalog import does.
        const message = check === 'YJ-WZ-03' ? `缺少必填著录项：${label(field)}` : field === 'date' && /^\d{8}$/.test(String(input)) ? '日期不存在' : `${label(field)}：${issue.message.split(' / ')[0]}`;
        add(check, { message, found: input === undefined ? null : String(input).slice(0, 60) });
      }
    } else {
      const ruled = checkItem(parsed.data, ctx);
      if (ruled.ok) {
        valid.set(item.id, parsed.data);
        const code = ruled.item.archivalCode;
        if (code !== null) {
          const first = codeSeen.get(code);
          if (first !== undefined) add('YJ-ZS-08', { message: `档号与第 ${first} 件重复`, found: code });
          else codeSeen.set(code, item.position);
          if (codesInCatalog.has(code)) add('YJ-ZS-08', { message: '档号已被馆藏档案使用', found: code });
        }
      } else {
        for (const p of ruled.problems) add(ruleCheck(p.code, p.field), { message: p.zh, found: p.value ?? null, expected: p.suggestion });
      }
    }
    if (item.fileIds.length === 0) add('YJ-ZS-10', { message: '该件没有电子文件' });
    for (const check of ITEM_CHECKS) {
      const found = problems.get(check);
      if (!found) push({ checkId: check, itemId: item.id, fileId: null, result: '通过', evidence: PASSED });
      else {
        // Control characters and markup are suspicious, not fatal; everything else fails the item.
        const result: CheckResult = check === 'YJ-ZS-06' ? '警告' : '不通过';
        for (const evidence of found) push({ checkId: check, itemId: item.id, fileId: null, result, evidence });
      }
    }
  }
  return { findings, valid };
}
