/**
 * Which spreadsheet column is which field. Agencies' catalogs (归档文件目录) use
 * the DA/T 22-2015 column names and many local variants (成文日期, 文件编号, 机构代码…);
 * the usual ones are known, the category's own fields are known by their labels,
 * and an archivist's explicit mapping (saved per agency and category) wins.
 */
import type { Category } from '../model.js';

/** Fields of itemInputSchema an import may fill, plus columns that are only checked. */
export const IMPORT_FIELDS = [
  'archivalCode', 'fondsCode', 'categoryCode', 'itemNo', 'rowNumber',
  'title', 'responsible', 'date', 'year', 'retention', 'orgCode', 'classification', 'secrecyTerm', 'control', 'openness',
  'agencyOpennessOpinion', 'combinationType', 'docNumber', 'docType', 'urgency', 'mainRecipients', 'copyRecipients',
  'pageCount', 'subjectTerms', 'keywords', 'abstract', 'remarks',
] as const;
export type ImportField = (typeof IMPORT_FIELDS)[number] | `extensions.${string}`;

const KNOWN: Record<string, (typeof IMPORT_FIELDS)[number]> = {
  档号: 'archivalCode',
  全宗号: 'fondsCode',
  门类: 'categoryCode',
  门类代码: 'categoryCode',
  件号: 'itemNo',
  序号: 'rowNumber',
  顺序号: 'rowNumber',
  题名: 'title',
  文件题名: 'title',
  标题: 'title',
  责任者: 'responsible',
  日期: 'date',
  成文日期: 'date',
  形成日期: 'date',
  文件日期: 'date',
  年度: 'year',
  归档年度: 'year',
  保管期限: 'retention',
  机构问题: 'orgCode',
  机构问题代码: 'orgCode',
  机构代码: 'orgCode',
  问题代码: 'orgCode',
  机构: 'orgCode',
  密级: 'classification',
  保密期限: 'secrecyTerm',
  控制标识: 'control',
  开放状态: 'openness',
  开放: 'openness',
  开放意见: 'agencyOpennessOpinion',
  开放鉴定意见: 'agencyOpennessOpinion',
  划控意见: 'agencyOpennessOpinion',
  文件组合类型: 'combinationType',
  组合类型: 'combinationType',
  文号: 'docNumber',
  文件编号: 'docNumber',
  发文字号: 'docNumber',
  文种: 'docType',
  紧急程度: 'urgency',
  主送: 'mainRecipients',
  抄送: 'copyRecipients',
  页数: 'pageCount',
  主题词: 'subjectTerms',
  关键词: 'keywords',
  摘要: 'abstract',
  内容摘要: 'abstract',
  备注: 'remarks',
  附注: 'remarks',
};

/** Header text without spaces, asterisks (required marks), brackets and units. */
export function normaliseHeader(header: string): string {
  return header
    .normalize('NFKC')
    .replace(/[\s*＊:：]/g, '')
    .replace(/[()（）[\]【】]/g, '')
    .trim();
}

export type HeaderMapping = Record<string, ImportField | null>;

/** The field a header names, or null for a column to ignore. */
export function fieldForHeader(header: string, category: Category, saved: HeaderMapping): ImportField | null {
  if (header in saved) return saved[header] ?? null;
  const n = normaliseHeader(header);
  if (n in saved) return saved[n] ?? null;
  const known = KNOWN[n];
  if (known) return known;
  const declared = category.fields.find((f) => normaliseHeader(f.label) === n || (f.labelEn && f.labelEn.toLowerCase() === n.toLowerCase()));
  if (declared) return `extensions.${declared.key}`;
  return null;
}

/** True when a cell names some column we know (for finding the header row). */
export function headerTest(category: Category, saved: HeaderMapping) {
  return (cell: string) => fieldForHeader(cell, category, saved) !== null;
}

/** Column headers of the category's template, in DA/T 22-2015 order, then its own fields. */
export function templateHeaders(category: Category): Array<{ header: string; field: ImportField; required: boolean; note: string }> {
  const base: Array<{ header: string; field: ImportField; required: boolean; note: string }> = [
    { header: '序号', field: 'rowNumber', required: false, note: '可留空' },
    { header: '档号', field: 'archivalCode', required: false, note: '已编档号的填写；留空则在整理时生成' },
    { header: '文号', field: 'docNumber', required: false, note: '如 X府办〔2023〕12号' },
    { header: '责任者', field: 'responsible', required: true, note: '发文机关或个人' },
    { header: '题名', field: 'title', required: true, note: '文件标题' },
    { header: '日期', field: 'date', required: true, note: '8 位数字，如 20230215；年代久远者可填 6 位或 4 位' },
    { header: '年度', field: 'year', required: true, note: '4 位年份' },
    { header: '保管期限', field: 'retention', required: true, note: '永久 / 定期30年 / 定期10年（或 Y、D30、D10）' },
    { header: '机构（问题）', field: 'orgCode', required: false, note: '全宗中登记的代码' },
    { header: '密级', field: 'classification', required: true, note: '非密（本系统不收涉密档案）' },
    { header: '控制标识', field: 'control', required: false, note: '内部 / 限制，可留空' },
    { header: '开放意见', field: 'agencyOpennessOpinion', required: false, note: '立档单位的开放意见' },
    { header: '页数', field: 'pageCount', required: false, note: '整数' },
    { header: '文种', field: 'docType', required: false, note: '如 通知、请示、批复' },
    { header: '主题词', field: 'subjectTerms', required: false, note: '' },
    { header: '备注', field: 'remarks', required: false, note: '' },
  ];
  for (const f of category.fields) base.push({ header: f.label, field: `extensions.${f.key}`, required: f.required, note: f.type === 'integer' ? '整数' : f.type === 'choice' ? (f.choices ?? []).join(' / ') : '' });
  return base;
}
