/**
 * One spreadsheet row → an item input, with every problem found in it (not just
 * the first), each naming the column, the value and what to do. Values people
 * write are accepted in their usual forms (永久 or Y; 2023-02-15 or 20230215;
 * 秘密★10年) and normalised; nothing is guessed beyond that.
 */
import { isValidArchivalDate, normaliseArchivalDate, yearOf } from '../archival-date.js';
import { checkItem, type ItemContext } from '../item-rules.js';
import { itemInputSchema, type ItemInput, type Retention } from '../model.js';
import type { ImportField } from './mapping.js';

export interface RowProblem {
  row: number;
  column: string;
  field: string;
  value: string;
  severity: 'error' | 'warning';
  problem: string;
  problemEn: string;
  suggestion: string;
}

const RETENTION_WORDS: Record<string, Retention> = {
  永久: 'Y', Y: 'Y', y: 'Y',
  定期30年: 'D30', '30年': 'D30', D30: 'D30', d30: 'D30',
  定期10年: 'D10', '10年': 'D10', D10: 'D10', d10: 'D10',
  长期: 'C', C: 'C', 短期: 'D', D: 'D',
};
const CLASSIFICATION_WORDS: Record<string, string> = { '': '非密', 无: '非密', 非密: '非密', 公开: '非密', 秘密: '秘密', 机密: '机密', 绝密: '绝密' };
const OPENNESS_WORDS: Record<string, string> = { '': '待定', 开放: '开放', 控制: '控制', 控制使用: '控制', 不开放: '控制', 待定: '待定', 未定: '待定' };

/**
 * A cell as the catalog stores it, where people write the same value several ways
 * (永久 / Y, 2023-02-15 / 20230215); anything not recognised is returned as written,
 * for the checks to judge. Used where rows are kept as given (hand-over packages).
 */
export function normaliseCell(field: string, value: string): string {
  const v = value.trim();
  if (field === 'retention') return RETENTION_WORDS[v.replace(/\s/g, '')] ?? v;
  if (field === 'classification') return CLASSIFICATION_WORDS[v.replace(/\s/g, '')] ?? v;
  if (field === 'openness') return OPENNESS_WORDS[v] ?? v;
  if (field === 'date') {
    const d = normaliseArchivalDate(v);
    return d ?? v;
  }
  return v;
}

const LABELS: Record<string, string> = {
  title: '题名', responsible: '责任者', date: '日期', year: '年度', retention: '保管期限', classification: '密级', secrecyTerm: '保密期限',
  control: '控制标识', openness: '开放状态', orgCode: '机构（问题）代码', pageCount: '页数', archivalCode: '档号', combinationType: '文件组合类型',
};

export interface ConvertContext extends ItemContext {
  /** Header text of each field's column, for the report. */
  columnOf: (field: string) => string;
}

/** Converts and checks a row. `cells` maps fields to cell text. */
export function convertRow(row: number, cells: ReadonlyMap<ImportField, string>, ctx: ConvertContext): { input: ItemInput | null; checked: ReturnType<typeof checkItem> | null; problems: RowProblem[] } {
  const problems: RowProblem[] = [];
  const get = (field: ImportField) => (cells.get(field) ?? '').trim();
  const fail = (field: string, value: string, problem: string, problemEn: string, suggestion: string, severity: 'error' | 'warning' = 'error') =>
    problems.push({ row, column: ctx.columnOf(field), field, value, severity, problem, problemEn, suggestion });

  const fondsCode = get('fondsCode');
  if (fondsCode && fondsCode !== ctx.fonds.code) fail('fondsCode', fondsCode, `全宗号与所选全宗（${ctx.fonds.code}）不同`, `fonds code differs from ${ctx.fonds.code}`, `改为 ${ctx.fonds.code}，或选择正确的全宗`);
  const categoryCode = get('categoryCode');
  if (categoryCode && categoryCode !== ctx.category.code && categoryCode !== ctx.category.name) fail('categoryCode', categoryCode, `门类与所选门类（${ctx.category.code}）不同`, 'category differs', `改为 ${ctx.category.code}`);

  let date = get('date');
  if (date === '') fail('date', date, '日期不能为空', 'date is required', '填写 8 位日期，如 20230215');
  else {
    const normal = normaliseArchivalDate(date);
    if (normal === null) fail('date', date, '不是日期', 'not a date', '写作 8 位数字，如 20230215');
    else if (!isValidArchivalDate(normal)) fail('date', date, '日期不存在', 'no such date', '核对月、日（如 2 月没有 30 日）');
    else date = normal;
  }

  let year: number | null = null;
  const yearText = get('year');
  if (yearText === '') year = /^\d{4}/.test(date) ? yearOf(date) : null;
  else if (/^\d{4}$/.test(yearText)) year = Number(yearText);
  else fail('year', yearText, '年度应为 4 位数字', 'year must be four digits', `如 ${/^\d{4}/.test(date) ? date.slice(0, 4) : '2023'}`);

  const retentionText = get('retention').replace(/\s/g, '');
  const retention = RETENTION_WORDS[retentionText];
  if (!retention) fail('retention', retentionText, retentionText === '' ? '保管期限不能为空' : '无法识别的保管期限', 'unknown retention', '填写 永久、定期30年、定期10年（2006 年前的档案可填 长期、短期）');

  let classificationText = get('classification').replace(/\s/g, '');
  let secrecyTerm = get('secrecyTerm');
  const starred = /^(秘密|机密|绝密)★(.+)$/.exec(classificationText);
  if (starred) {
    classificationText = starred[1] ?? '';
    secrecyTerm ||= starred[2] ?? '';
  }
  let controlText = get('control');
  // 内部 is a control marking (DA/T 46 控制标识), not a classification; agencies often write it under 密级.
  if (classificationText === '内部' || classificationText === '限制') {
    fail('classification', classificationText, `“${classificationText}”不是密级，已按非密记录，并记为控制标识“${classificationText}”`, `${classificationText} is a control marking, not a classification`, '核对后可把该列改为 非密，另填控制标识', 'warning');
    controlText ||= classificationText;
    classificationText = '非密';
  }
  const classification = CLASSIFICATION_WORDS[classificationText];
  if (!classification) fail('classification', classificationText, '无法识别的密级', 'unknown classification', '填写 非密、秘密、机密 或 绝密');

  const opennessText = get('openness');
  const openness = OPENNESS_WORDS[opennessText];
  if (!openness) fail('openness', opennessText, '无法识别的开放状态', 'unknown openness', '填写 开放、控制 或 待定');

  if (controlText !== '' && controlText !== '内部' && controlText !== '限制') fail('control', controlText, '控制标识只能是“内部”或“限制”', 'control marking is 内部 or 限制', '留空或改为 内部 / 限制');

  const pageText = get('pageCount');
  let pageCount: number | null = null;
  if (pageText !== '') {
    if (/^\d{1,7}$/.test(pageText)) pageCount = Number(pageText);
    else fail('pageCount', pageText, '页数应为整数', 'page count must be a whole number', '只填数字，如 12');
  }

  const extensions: Record<string, string | number | null> = {};
  for (const [field, value] of cells) {
    if (field.startsWith('extensions.') && value.trim() !== '') extensions[field.slice('extensions.'.length)] = value.trim();
  }

  const combination = get('combinationType');
  if (problems.some((p) => p.severity === 'error')) return { input: null, checked: null, problems };

  const parsed = itemInputSchema.safeParse({
    fondsId: ctx.fonds.id,
    categoryId: ctx.category.id,
    volumeId: null,
    title: get('title'),
    responsible: get('responsible'),
    date,
    year,
    retention,
    classification,
    secrecyTerm: secrecyTerm || null,
    control: controlText || null,
    openness,
    agencyOpennessOpinion: get('agencyOpennessOpinion') || null,
    orgCode: get('orgCode') || null,
    combinationType: combination === '' ? '单件' : combination,
    docNumber: get('docNumber') || null,
    docType: get('docType') || null,
    urgency: get('urgency') || null,
    mainRecipients: get('mainRecipients') || null,
    copyRecipients: get('copyRecipients') || null,
    pageCount,
    subjectTerms: get('subjectTerms') || null,
    keywords: get('keywords') || null,
    abstract: get('abstract') || null,
    remarks: get('remarks') || null,
    extensions,
    archivalCode: get('archivalCode') || null,
  });
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = String(issue.path[0] ?? '');
      const label = LABELS[field] ?? field;
      const value = get(field as ImportField);
      const tooLong = issue.code === 'too_big';
      const empty = value === '';
      fail(field, value.length > 40 ? `${value.slice(0, 40)}…` : value, empty ? `${label}不能为空` : tooLong ? `${label}超过长度上限` : `${label}不合规：${issue.message}`, issue.message, empty ? `填写${label}` : tooLong ? '删减文字' : '按模板说明填写');
    }
    return { input: null, checked: null, problems };
  }
  const checked = checkItem(parsed.data, ctx);
  if (!checked.ok) {
    for (const p of checked.problems) fail(p.field, String(p.value ?? ''), p.zh, p.en, p.suggestion ?? '');
    return { input: parsed.data, checked: null, problems };
  }
  const itemNo = get('itemNo');
  if (itemNo !== '' && checked.item.itemNo !== null && Number(itemNo) !== checked.item.itemNo) {
    fail('itemNo', itemNo, `件号与档号中的件号（${checked.item.itemNo}）不同`, 'item number differs from the code', '核对件号或档号');
    return { input: parsed.data, checked: null, problems };
  }
  return { input: parsed.data, checked, problems };
}
