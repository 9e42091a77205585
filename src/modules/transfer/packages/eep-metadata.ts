/**
 * A DA/T 48-2009 文件实体 → the catalog's item fields (DA/T 46, as itemInputSchema
 * names them). Element names follow the standard's schema (附录 A, XML Schema of
 * 电子文件封装包: 档号 with 年度/保管期限/机构或问题 and its own text as the full
 * code; 内容描述 with 题名, 责任者, 日期, 密级, 保密期限, 文件编号, 文种, 紧急程度,
 * 主送, 抄送, 主题词, 关键词, 摘要; 形式特征 with 文件组合类型 and 页数; 权限管理
 * with 控制标识; 附注). The standard's own words are mapped to our codes (永久 → Y,
 * 2024-03-15 → 20240315); nothing else is guessed, the checks judge the rest.
 */
import { normaliseArchivalDate } from '../../catalog/archival-date.js';

/** `parent/element` (or `档号/#` for 档号's own text) → the catalog field. */
const FIELDS: Record<string, string> = {
  '档号/#': 'archivalCode',
  '档号/年度': 'year',
  '档号/保管期限': 'retention',
  '档号/机构或问题': 'orgCode',
  '内容描述/题名': 'title',
  '内容描述/责任者': 'responsible',
  '内容描述/日期': 'date',
  '内容描述/密级': 'classification',
  '内容描述/保密期限': 'secrecyTerm',
  '内容描述/文件编号': 'docNumber',
  '内容描述/文种': 'docType',
  '内容描述/紧急程度': 'urgency',
  '内容描述/主送': 'mainRecipients',
  '内容描述/抄送': 'copyRecipients',
  '内容描述/主题词': 'subjectTerms',
  '内容描述/关键词': 'keywords',
  '内容描述/摘要': 'abstract',
  '形式特征/文件组合类型': 'combinationType',
  '形式特征/页数': 'pageCount',
  '权限管理/控制标识': 'control',
  '文件实体/附注': 'remarks',
  // Found in packages in the wild (not the 2009 schema): 年度, 保管期限 and 档号 under 内容描述.
  '内容描述/年度': 'year',
  '内容描述/保管期限': 'retention',
  '内容描述/档号': 'archivalCode',
};

// DA/T 48 writes retention in words; the catalog keeps codes (same table as the spreadsheet import).
const RETENTION: Record<string, string> = { 永久: 'Y', 定期30年: 'D30', '30年': 'D30', 定期10年: 'D10', '10年': 'D10', 长期: 'C', 短期: 'D' };
const CLASSIFICATION: Record<string, string> = { 非密: '非密', 非涉密: '非密', 公开: '非密', 无: '非密' };

/** The catalog field an element's text fills, or null. */
export function fieldOf(parent: string, element: string): string | null {
  return FIELDS[`${parent}/${element}`] ?? null;
}

/** Item metadata from the collected values (field → texts, in document order). */
export function metadataOf(values: ReadonlyMap<string, readonly string[]>): Record<string, unknown> {
  const metadata: Record<string, unknown> = {};
  for (const [field, texts] of values) {
    const list = texts.map((t) => t.trim()).filter((t) => t !== '');
    const first = list[0];
    if (first === undefined || field in metadata) continue;
    switch (field) {
      case 'year':
      case 'pageCount':
        metadata[field] = /^\d+$/.test(first) ? Number(first) : first;
        break;
      case 'date':
        metadata[field] = normaliseArchivalDate(first) ?? first;
        break;
      case 'retention':
        metadata[field] = RETENTION[first.replace(/\s/g, '')] ?? first;
        break;
      case 'classification':
        metadata[field] = CLASSIFICATION[first] ?? first;
        break;
      case 'subjectTerms':
        // 主题词 may repeat (maxOccurs unbounded); the catalog keeps one list.
        metadata[field] = list.join(' ');
        break;
      default:
        metadata[field] = first;
    }
  }
  return metadata;
}
