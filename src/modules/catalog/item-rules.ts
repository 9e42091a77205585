/**
 * The rules an item's description must satisfy (DA/T 46-2009 mandatory elements,
 * the category's declared fields, classification in a 非密 installation, the
 * archival code against its pattern). Pure: the service, the spreadsheet import and
 * the hand-over checks all call `checkItem`, and each reports problems its own way.
 */
import { z } from 'zod';
import { classificationRank } from '../accounts/model.js';
import { yearOf } from './archival-date.js';
import { classKeyOf, normaliseArchivalCode, parseArchivalCode, describePattern, formatArchivalCode } from './archival-code.js';
import type { Category, FieldDeclaration, ItemInput } from './model.js';

export interface Problem {
  /** The input field (itemInputSchema key, or `extensions.<key>`). */
  field: string;
  value: unknown;
  zh: string;
  en: string;
  /** What to do about it, in Chinese (shown in the import report). */
  suggestion?: string;
  /** A stable code for the kind of problem (CATALOG_CODE_PATTERN, …). */
  code: string;
}

export interface ItemContext {
  fonds: { id: string; code: string; agencyId: string };
  category: Category;
  volume: { id: string; fondsId: string; categoryId: string; year: number; retention: string; archivalCode: string | null; volumeNo: number | null; orgCode: string | null } | null;
  /** The fonds' registered 机构(问题) codes. */
  orgCodes: ReadonlySet<string>;
  classified: boolean;
  /** The highest classification the person describing may handle. */
  clearanceRank: number;
}

/** The derived columns of a valid item. */
export interface CheckedItem {
  input: ItemInput;
  archivalCode: string | null;
  classKey: string | null;
  itemNo: number | null;
  aggregationLevel: '件' | '卷内文件';
  opennessDueYear: number;
}

const SEGMENT_NAMES = { fonds: ['全宗号', 'fonds code'], category: ['门类代码', 'category code'], year: ['年度', 'year'], retention: ['保管期限', 'retention'], org: ['机构（问题）代码', 'organisation code'], volume: ['案卷号', 'volume number'], item: ['件号', 'item number'] } as const;

function fieldSchema(d: FieldDeclaration): z.ZodType {
  switch (d.type) {
    case 'integer':
      return z.coerce.number().int();
    case 'date':
      return z.string().regex(/^\d{4}(\d{2}(\d{2})?)?$/);
    case 'choice':
      return z.enum((d.choices ?? []) as [string, ...string[]]);
    case 'text':
      return z.string().max(d.maxLength ?? 2000);
  }
}

/** Checks the category's declared fields and the free extensions. */
function checkExtensions(category: Category, extensions: ItemInput['extensions'], problems: Problem[]): void {
  for (const d of category.fields) {
    const value = extensions[d.key];
    if (value === undefined || value === null || value === '') {
      if (d.required) problems.push({ field: `extensions.${d.key}`, value, code: 'CATALOG_FIELD_INVALID', zh: `“${d.label}”不能为空`, en: `${d.labelEn ?? d.key} is required`, suggestion: `填写${d.label}` });
      continue;
    }
    if (!fieldSchema(d).safeParse(value).success) {
      const expected = d.type === 'integer' ? '整数' : d.type === 'date' ? '日期（YYYYMMDD）' : d.type === 'choice' ? `以下之一：${(d.choices ?? []).join('、')}` : `不超过 ${d.maxLength ?? 2000} 字`;
      problems.push({ field: `extensions.${d.key}`, value, code: 'CATALOG_FIELD_INVALID', zh: `“${d.label}”应为${expected}`, en: `${d.labelEn ?? d.key} must be ${d.type}`, suggestion: `改为${expected}` });
    }
  }
  for (const [key, value] of Object.entries(extensions)) {
    if (!/^[A-Za-z][A-Za-z0-9_]{0,39}$/.test(key)) problems.push({ field: `extensions.${key}`, value, code: 'CATALOG_FIELD_INVALID', zh: `扩展项名称“${key}”不合规（字母开头，仅字母数字下划线）`, en: `extension name ${key} is not valid` });
    else if (typeof value === 'string' && value.length > 2000) problems.push({ field: `extensions.${key}`, value: `${value.slice(0, 20)}…`, code: 'CATALOG_FIELD_INVALID', zh: '扩展项超过 2000 字', en: 'extension longer than 2000 characters' });
  }
}

/** Checks one item; returns its derived columns, or the problems found (all of them). */
export function checkItem(input: ItemInput, ctx: ItemContext): { ok: true; item: CheckedItem } | { ok: false; problems: Problem[] } {
  const problems: Problem[] = [];
  const { category, fonds, volume } = ctx;
  const level = input.classification;
  if (ctx.classified === false && classificationRank(level) > 0) {
    problems.push({ field: 'classification', value: level, code: 'CATALOG_CLASSIFIED_REFUSED', zh: `本系统为非密系统，不得存储“${level}”档案`, en: `an unclassified installation may not hold ${level} items`, suggestion: '涉密档案应在涉密系统中管理' });
  } else if (classificationRank(level) > ctx.clearanceRank) {
    problems.push({ field: 'classification', value: level, code: 'CATALOG_CLEARANCE', zh: `密级权限不足以著录“${level}”档案`, en: `clearance below ${level}` });
  }
  if (level !== '非密' && input.secrecyTerm === null) {
    problems.push({ field: 'secrecyTerm', value: null, code: 'CATALOG_SECRECY_TERM_REQUIRED', zh: `密级为“${level}”时必须填写保密期限`, en: 'a secrecy term is required for classified items', suggestion: '如“10年”或“长期”' });
  }
  if (yearOf(input.date) > input.year + 1 || yearOf(input.date) < input.year - 100) {
    problems.push({ field: 'year', value: input.year, code: 'CATALOG_FIELD_INVALID', zh: `年度 ${input.year} 与日期 ${input.date} 不符`, en: `year ${input.year} does not fit date ${input.date}`, suggestion: `年度一般为 ${yearOf(input.date)}` });
  }
  if (input.orgCode !== null && !ctx.orgCodes.has(input.orgCode)) {
    problems.push({ field: 'orgCode', value: input.orgCode, code: 'CATALOG_ORG_CODE_UNKNOWN', zh: `机构（问题）代码 ${input.orgCode} 未在全宗中登记`, en: `organisation code ${input.orgCode} is not registered`, suggestion: '先在全宗设置中登记该代码，或更正' });
  }
  if (volume) {
    if (category.arrangement !== 'volume') {
      problems.push({ field: 'volumeId', value: volume.id, code: 'CATALOG_ARRANGEMENT', zh: `门类“${category.name}”按件整理，不能组卷`, en: `category ${category.code} is arranged by item` });
    } else if (volume.fondsId !== fonds.id || volume.categoryId !== category.id || volume.year !== input.year || volume.retention !== input.retention) {
      problems.push({ field: 'volumeId', value: volume.id, code: 'CATALOG_VOLUME_MISMATCH', zh: '案卷与档案的全宗、门类、年度或保管期限不一致', en: 'the volume differs in fonds, category, year or retention' });
    }
  }
  checkExtensions(category, input.extensions, problems);

  let archivalCode: string | null = null;
  let classKey: string | null = null;
  let itemNo: number | null = null;
  if (input.archivalCode !== null) {
    archivalCode = normaliseArchivalCode(input.archivalCode);
    const parts = parseArchivalCode(category.pattern, archivalCode);
    if (!parts) {
      problems.push({ field: 'archivalCode', value: input.archivalCode, code: 'CATALOG_CODE_PATTERN', zh: `档号不符合规则 ${describePattern(category.pattern)}`, en: 'the archival code does not match its pattern', suggestion: `如 ${example(ctx, input)}` });
    } else {
      const expected: Record<string, [string | number | null, string | number | null]> = {
        fonds: [parts.fondsCode, fonds.code],
        category: [parts.categoryCode, category.code],
        year: [parts.year, input.year],
        retention: [parts.retention, input.retention],
        org: [parts.orgCode, input.orgCode ?? parts.orgCode],
      };
      if (volume) expected.volume = [parts.volumeNo, volume.volumeNo];
      for (const [segment, [inCode, inRecord]] of Object.entries(expected)) {
        if (!category.pattern.some((s) => s.segment === segment) || inCode === inRecord) continue;
        const [zh, en] = SEGMENT_NAMES[segment as keyof typeof SEGMENT_NAMES];
        problems.push({ field: 'archivalCode', value: input.archivalCode, code: 'CATALOG_CODE_INCONSISTENT', zh: `档号中的${zh}（${inCode ?? '无'}）与著录项（${inRecord ?? '无'}）不一致`, en: `the code's ${en} (${inCode}) differs from the description (${inRecord})`, suggestion: `核对${zh}` });
      }
      if (category.arrangement === 'volume' && !volume) {
        problems.push({ field: 'archivalCode', value: input.archivalCode, code: 'CATALOG_ARRANGEMENT', zh: `门类“${category.name}”按卷整理，带档号的卷内文件须指定案卷`, en: 'items of a volume-arranged category need their volume' });
      }
      itemNo = parts.itemNo;
      classKey = classKeyOf(category.pattern, parts);
    }
  }
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    item: {
      input,
      archivalCode,
      classKey,
      itemNo,
      aggregationLevel: volume ? '卷内文件' : '件',
      opennessDueYear: yearOf(input.date) + category.openAfterYears,
    },
  };
}

function example(ctx: ItemContext, input: ItemInput): string {
  try {
    return formatArchivalCode(ctx.category.pattern, { fondsCode: ctx.fonds.code, categoryCode: ctx.category.code, year: input.year, retention: input.retention, orgCode: input.orgCode, volumeNo: ctx.volume?.volumeNo ?? 1, itemNo: 1 });
  } catch {
    return describePattern(ctx.category.pattern);
  }
}
