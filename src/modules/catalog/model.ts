/**
 * Catalog: fonds (全宗), categories (门类), volumes (案卷) and items (件) with their
 * DA/T 46-2009 metadata, archival codes (档号, DA/T 22-2015 / DA/T 13-2022) and
 * openness review (开放审核, 档案法 art. 27 and 30).
 *
 * One zod schema per shape; routes, the import and the UI's client derive from
 * these. Field names are English; the DA/T 46 element each one carries is named
 * in `DAT46_LABELS`, which exports and the import's header mapping use.
 */
import { z } from 'zod';
import { classificationSchema, controlSchema, opennessSchema } from '../accounts/model.js';
import { isValidArchivalDate } from './archival-date.js';

export { CLASSIFICATIONS, CONTROLS, OPENNESS, classificationSchema, controlSchema, opennessSchema } from '../accounts/model.js';

/**
 * 保管期限. Y/D30/D10 since 2006 (《机关文件材料归档范围和文书档案保管期限规定》);
 * 长期 (C) and 短期 (D) before it, kept as their own values: mapping them is an
 * appraisal decision, never done silently.
 */
export const RETENTIONS = ['Y', 'D30', 'D10', 'C', 'D'] as const;
export const retentionSchema = z.enum(RETENTIONS);
export type Retention = z.infer<typeof retentionSchema>;
export const RETENTION_LABELS: Record<Retention, { zh: string; en: string }> = {
  Y: { zh: '永久', en: 'Permanent' },
  D30: { zh: '定期30年', en: '30 years' },
  D10: { zh: '定期10年', en: '10 years' },
  C: { zh: '长期', en: 'Long-term (pre-2006)' },
  D: { zh: '短期', en: 'Short-term (pre-2006)' },
};

/** 保密期限 as DA/T 46 writes it: a number of years, or 长期. */
export const secrecyTermSchema = z.string().regex(/^(\d{1,2}年|长期)$/, '保密期限应写作“N年”或“长期” / write N年 or 长期');

export const AGGREGATION_LEVELS = ['件', '卷', '卷内文件'] as const;
export const COMBINATION_TYPES = ['单件', '组合文件'] as const;
export const FILE_ROLES = ['正本', '定稿', '附件', '扫描件', '其他'] as const;
export const fileRoleSchema = z.enum(FILE_ROLES);

const text = (max: number) => z.string().trim().max(max);
const optionalText = (max: number) => text(max).nullish().transform((v) => (v === '' || v === undefined ? null : v));

export const archivalDateSchema = z
  .string()
  .trim()
  .refine(isValidArchivalDate, '日期应为 8 位（如 20230215），年代久远者可写 6 位年月或 4 位年份 / a date is YYYYMMDD, or YYYYMM / YYYY for old records');

/** Codes of the agency's organisation or subject classes (机构/问题), within one fonds. */
export const orgCodeSchema = z.string().trim().regex(/^[A-Za-z0-9]{1,10}$/, '机构（问题）代码为 1–10 位字母或数字 / 1–10 letters or digits');

// ---------------------------------------------------------------------------
// Archival code patterns
export const CODE_SEGMENTS = ['fonds', 'category', 'year', 'retention', 'org', 'volume', 'item'] as const;
export type CodeSegmentKind = (typeof CODE_SEGMENTS)[number];
/** `-` joins levels, `·` (U+00B7) separates codes within a level (DA/T 22-2015 §6). */
export const CODE_SEPARATORS = ['', '-', '·'] as const;

export const codeSegmentSchema = z.object({
  segment: z.enum(CODE_SEGMENTS),
  /** Separator written before this segment (empty for the first). */
  separator: z.enum(CODE_SEPARATORS),
  /** Digits of a number segment (zero-padded); for others a maximum length. */
  width: z.number().int().min(1).max(12).optional(),
  optional: z.boolean().default(false),
});
export type CodeSegment = z.infer<typeof codeSegmentSchema>;
export const codePatternSchema = z
  .array(codeSegmentSchema)
  .min(2)
  .max(10)
  .refine((p) => p.at(-1)?.segment === 'item', 'the last segment is the item number')
  .refine((p) => p[0]?.separator === '', 'the first segment has no separator');
export type CodePattern = z.infer<typeof codePatternSchema>;

// ---------------------------------------------------------------------------
// Categories and their custom fields
export const FIELD_TYPES = ['text', 'integer', 'date', 'choice'] as const;
export const fieldDeclarationSchema = z.object({
  key: z.string().regex(/^[a-z][a-zA-Z0-9]{0,39}$/),
  label: z.string().trim().min(1).max(40),
  labelEn: z.string().trim().max(60).optional(),
  type: z.enum(FIELD_TYPES),
  required: z.boolean().default(false),
  maxLength: z.number().int().min(1).max(4000).optional(),
  choices: z.array(z.string().min(1).max(40)).max(100).optional(),
});
export type FieldDeclaration = z.infer<typeof fieldDeclarationSchema>;

export const ARRANGEMENTS = ['item', 'volume'] as const;

export const categoryInputSchema = z.object({
  code: z.string().trim().regex(/^[A-Z]{1,4}(·[A-Z0-9]{1,6})?$/, '门类代码为 1–4 位大写字母，二级类目用“·”连接，如 SW·JB / upper-case letters, second level after “·”'),
  name: text(40).min(1),
  parentId: z.string().nullish().transform((v) => v ?? null),
  arrangement: z.enum(ARRANGEMENTS).default('item'),
  pattern: codePatternSchema,
  fields: z.array(fieldDeclarationSchema).max(60).default([]),
  /** Years after an item's date at which it becomes due for 开放审核 (25 by law; some categories earlier). */
  openAfterYears: z.number().int().min(0).max(100).default(25),
});
export type CategoryInput = z.infer<typeof categoryInputSchema>;
export const categorySchema = z.object({
  id: z.string(),
  code: z.string(),
  name: z.string(),
  parentId: z.string().nullable(),
  arrangement: z.enum(ARRANGEMENTS),
  pattern: z.array(codeSegmentSchema),
  fields: z.array(fieldDeclarationSchema),
  openAfterYears: z.number(),
  enabled: z.boolean(),
});
export type Category = z.infer<typeof categorySchema>;

// ---------------------------------------------------------------------------
// Fonds
export const fondsInputSchema = z.object({
  code: z.string().trim().min(1).max(12).regex(/^[A-Za-z0-9]+$/, '全宗号只能是字母和数字 / letters and digits only'),
  name: text(200).min(1),
  agencyId: z.string().min(1).max(64),
  history: optionalText(20000),
});
export type FondsInput = z.infer<typeof fondsInputSchema>;
export const fondsSchema = z.object({ id: z.string(), code: z.string(), name: z.string(), agencyId: z.string(), agencyName: z.string(), history: z.string().nullable(), createdAt: z.string() });
export type Fonds = z.infer<typeof fondsSchema>;

export const orgCodeEntrySchema = z.object({ id: z.string(), fondsId: z.string(), code: z.string(), name: z.string() });

// ---------------------------------------------------------------------------
// Items (件) — DA/T 46 metadata. Required: 题名, 责任者, 日期, 密级, 年度, 保管期限,
// 件号 (in the 档号), 聚合层次, 立档单位名称 (from the fonds), 文件组合类型.
const itemFields = {
  title: text(500).min(1, '题名不能为空 / title is required'),
  responsible: text(200).min(1, '责任者不能为空 / creator is required'),
  date: archivalDateSchema,
  year: z.number().int().min(1000).max(2999),
  retention: retentionSchema,
  classification: classificationSchema.default('非密'),
  secrecyTerm: z.string().trim().nullish().transform((v) => (v ? v : null)).pipe(secrecyTermSchema.nullable()),
  control: controlSchema.nullish().transform((v) => v ?? null),
  openness: opennessSchema.default('待定'),
  /** The agency's opinion on opening, as given at hand-over (档案法 art. 30). */
  agencyOpennessOpinion: optionalText(500),
  orgCode: orgCodeSchema.nullish().transform((v) => v ?? null),
  combinationType: z.enum(COMBINATION_TYPES).default('单件'),
  docNumber: optionalText(100),
  docType: optionalText(40),
  urgency: optionalText(20),
  mainRecipients: optionalText(500),
  copyRecipients: optionalText(500),
  pageCount: z.number().int().min(0).max(1_000_000).nullish().transform((v) => v ?? null),
  subjectTerms: optionalText(500),
  keywords: optionalText(500),
  abstract: optionalText(4000),
  remarks: optionalText(2000),
  /** Category fields and local extensions; never exported under DA/T 46 names. */
  extensions: z.record(z.string(), z.union([z.string(), z.number(), z.null()])).default({}),
};

export const itemInputSchema = z.object({
  fondsId: z.string().min(1),
  categoryId: z.string().min(1),
  volumeId: z.string().nullish().transform((v) => v ?? null),
  ...itemFields,
  /** An existing code to keep (hand-over, import); otherwise generated at arrangement. */
  archivalCode: z.string().trim().max(100).nullish().transform((v) => (v ? v : null)),
});
export type ItemInput = z.infer<typeof itemInputSchema>;
export const itemPatchSchema = z.object(itemFields).partial().extend({ version: z.number().int() });
export type ItemPatch = z.infer<typeof itemPatchSchema>;

export const itemSchema = z.object({
  id: z.string(),
  fondsId: z.string(),
  fondsCode: z.string(),
  categoryId: z.string(),
  categoryCode: z.string(),
  volumeId: z.string().nullable(),
  agencyId: z.string(),
  archivalCode: z.string().nullable(),
  itemNo: z.number().nullable(),
  aggregationLevel: z.string(),
  title: z.string(),
  responsible: z.string(),
  date: z.string(),
  year: z.number(),
  retention: retentionSchema,
  classification: classificationSchema,
  secrecyTerm: z.string().nullable(),
  control: controlSchema.nullable(),
  openness: opennessSchema,
  opennessDueYear: z.number(),
  orgCode: z.string().nullable(),
  combinationType: z.string(),
  docNumber: z.string().nullable(),
  pageCount: z.number().nullable(),
  /** 'catalog': the viewer may see this description but not the record's content or files. */
  visibility: z.enum(['catalog', 'content']),
  version: z.number(),
  updatedAt: z.string(),
});
export type ItemSummary = z.infer<typeof itemSchema>;

export const itemDetailSchema = itemSchema.extend({
  agencyName: z.string(),
  agencyOpennessOpinion: z.string().nullable(),
  docType: z.string().nullable(),
  urgency: z.string().nullable(),
  mainRecipients: z.string().nullable(),
  copyRecipients: z.string().nullable(),
  subjectTerms: z.string().nullable(),
  keywords: z.string().nullable(),
  abstract: z.string().nullable(),
  remarks: z.string().nullable(),
  extensions: z.record(z.string(), z.union([z.string(), z.number(), z.null()])),
  createdAt: z.string(),
  files: z.array(z.object({ id: z.string(), name: z.string(), size: z.number(), role: z.string(), position: z.number(), pageCount: z.number().nullable(), mime: z.string().nullable(), sha256: z.string() })),
  codeHistory: z.array(z.object({ oldCode: z.string().nullable(), newCode: z.string().nullable(), reason: z.string(), changedBy: z.string().nullable(), changedAt: z.string() })),
});
export type ItemDetail = z.infer<typeof itemDetailSchema>;

export const ITEM_SORTS = ['archivalCode', 'date', 'title', 'updatedAt', 'itemNo'] as const;
export const itemQuerySchema = z.object({
  fondsId: z.string().optional(),
  categoryId: z.string().optional(),
  year: z.coerce.number().int().optional(),
  volumeId: z.string().optional(),
  retention: retentionSchema.optional(),
  openness: opennessSchema.optional(),
  classification: classificationSchema.optional(),
  /** Items still without an archival code. */
  uncoded: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
  /** Due for 开放审核 in or before this year and not 开放. */
  dueBy: z.coerce.number().int().optional(),
  q: z.string().trim().max(100).optional(),
  sort: z.enum(ITEM_SORTS).default('archivalCode'),
  order: z.enum(['asc', 'desc']).default('asc'),
  offset: z.coerce.number().int().min(0).max(10_000_000).default(0),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});
export type ItemQuery = z.infer<typeof itemQuerySchema>;

// ---------------------------------------------------------------------------
// Volumes (案卷, DA/T 13-2022)
export const volumeInputSchema = z.object({
  fondsId: z.string().min(1),
  categoryId: z.string().min(1),
  title: text(500).min(1),
  year: z.number().int().min(1000).max(2999),
  retention: retentionSchema,
  orgCode: orgCodeSchema.nullish().transform((v) => v ?? null),
  classification: classificationSchema.default('非密'),
  secrecyTerm: z.string().trim().nullish().transform((v) => (v ? v : null)).pipe(secrecyTermSchema.nullable()),
  control: controlSchema.nullish().transform((v) => v ?? null),
  openness: opennessSchema.default('待定'),
  remarks: optionalText(2000),
});
export type VolumeInput = z.infer<typeof volumeInputSchema>;
export const volumeSchema = z.object({
  id: z.string(),
  fondsId: z.string(),
  categoryId: z.string(),
  archivalCode: z.string().nullable(),
  volumeNo: z.number().nullable(),
  title: z.string(),
  year: z.number(),
  retention: retentionSchema,
  orgCode: z.string().nullable(),
  classification: classificationSchema,
  control: controlSchema.nullable(),
  openness: opennessSchema,
  itemCount: z.number(),
  visibility: z.enum(['catalog', 'content']),
});
export type Volume = z.infer<typeof volumeSchema>;

// ---------------------------------------------------------------------------
// Openness review (开放审核)
export const OPENNESS_DECISIONS = ['开放', '控制', '延期'] as const;
export const opennessReviewSchema = z.object({
  itemIds: z.array(z.string()).min(1).max(5000),
  decision: z.enum(OPENNESS_DECISIONS),
  reason: text(1000).min(1, '须写明审核理由 / give a reason'),
  /** For 延期: the year of the next review. */
  reviewAgainIn: z.number().int().min(1).max(50).optional(),
});
export type OpennessReviewInput = z.infer<typeof opennessReviewSchema>;
