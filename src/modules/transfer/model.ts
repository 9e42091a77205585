/**
 * Hand-over (移交, DA/T 93) and its four-property checks (四性检测, DA/T 70-2018).
 *
 * A hand-over (transfer) is a batch of items of one fonds and category that a filing
 * agency sends to the archive: the items' descriptions (DA/T 46, as the catalog
 * takes them) and their files, staged until the archive accepts or returns it.
 * Lifecycle: draft → submitted → checking → checked → accepted | returned; a
 * returned hand-over is corrected and submitted again as a new version.
 */
import { z } from 'zod';

export const TRANSFER_STATUSES = ['draft', 'submitted', 'checking', 'checked', 'accepted', 'returned'] as const;
export const STATUS_LABELS: Record<(typeof TRANSFER_STATUSES)[number], { zh: string; en: string }> = {
  draft: { zh: '草稿', en: 'draft' },
  submitted: { zh: '已提交', en: 'submitted' },
  checking: { zh: '检测中', en: 'being checked' },
  checked: { zh: '已检测', en: 'checked' },
  accepted: { zh: '已接收', en: 'accepted' },
  returned: { zh: '已退回', en: 'returned' },
};

/** Results of one check item, as DA/T 70 reports them. */
export const CHECK_RESULTS = ['通过', '警告', '不通过', '未检测'] as const;
export type CheckResult = (typeof CHECK_RESULTS)[number];
export const PROPERTIES = ['authenticity', 'integrity', 'usability', 'security'] as const;
export type Property = (typeof PROPERTIES)[number];
export const PROPERTY_LABELS: Record<Property, string> = { authenticity: '真实性', integrity: '完整性', usability: '可用性', security: '安全性' };

export const carrierSchema = z.object({
  type: z.enum(['光盘', '硬盘', 'U盘', '磁带', '其他']),
  label: z.string().trim().min(1).max(100),
  number: z.string().trim().min(1).max(60),
});
export type Carrier = z.infer<typeof carrierSchema>;

export const transferInputSchema = z
  .object({
    agencyId: z.string().min(1).max(64).optional(),
    fondsId: z.string().min(1).max(64),
    categoryId: z.string().min(1).max(64),
    title: z.string().trim().min(1).max(200),
    yearFrom: z.number().int().min(1000).max(2999),
    yearTo: z.number().int().min(1000).max(2999),
    declaredItems: z.number().int().min(0).max(1_000_000),
    opennessOpinion: z.string().trim().max(500).nullish().transform((v) => v ?? null),
    carrier: carrierSchema.nullish().transform((v) => v ?? null),
  })
  .refine((t) => t.yearTo >= t.yearFrom, { message: '截止年度不能早于起始年度 / yearTo before yearFrom', path: ['yearTo'] });
export type TransferInput = z.infer<typeof transferInputSchema>;

/** One item as an agency hands it over: the catalog's fields, loosely typed (the checks judge them), and its files. */
export const transferItemInputSchema = z.object({
  metadata: z.record(z.string(), z.unknown()),
  openness_opinion: z.string().trim().max(500).nullish(),
  files: z
    .array(z.object({ path: z.string().min(1).max(1000), role: z.string().max(20).default('正本'), sha256: z.string().regex(/^[0-9a-f]{64}$/i).optional(), sm3: z.string().regex(/^[0-9a-f]{64}$/i).optional(), size: z.number().int().min(0).optional() }))
    .max(1000)
    .default([]),
});
export type TransferItemInput = z.infer<typeof transferItemInputSchema>;

export const transferSummarySchema = z.object({
  id: z.string(),
  agencyId: z.string(),
  agencyName: z.string(),
  fondsId: z.string(),
  categoryId: z.string(),
  title: z.string(),
  yearFrom: z.number(),
  yearTo: z.number(),
  declaredItems: z.number(),
  opennessOpinion: z.string().nullable(),
  channel: z.string(),
  carrier: carrierSchema.nullable(),
  status: z.enum(TRANSFER_STATUSES),
  version: z.number(),
  previousId: z.string().nullable(),
  items: z.number(),
  files: z.number(),
  bytes: z.number(),
  summary: z.unknown().nullable(),
  returnReason: z.string().nullable(),
  createdAt: z.string(),
  submittedAt: z.string().nullable(),
  checkedAt: z.string().nullable(),
  decidedAt: z.string().nullable(),
});
export type TransferSummary = z.infer<typeof transferSummarySchema>;

export const checkEvidenceSchema = z.object({ message: z.string(), expected: z.unknown().optional(), found: z.unknown().optional() });
export type CheckEvidence = z.infer<typeof checkEvidenceSchema>;
