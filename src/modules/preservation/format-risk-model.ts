/**
 * Shapes of the format risk registry (格式风险登记): which formats the archive keeps,
 * how much of each and in which fonds, what the archivists judge of each (正常, 关注,
 * 高风险), and the records kept in the formats judged at risk. The routes, the OpenAPI
 * document and the web client derive from these schemas.
 */
import { z } from 'zod';
import { opennessSchema } from '../accounts/model.js';

/** ok 正常 (also every format never judged), watch 关注, at-risk 高风险. */
export const FORMAT_RISK_STATUSES = ['ok', 'watch', 'at-risk'] as const;
export const formatRiskStatusSchema = z.enum(FORMAT_RISK_STATUSES);
export type FormatRiskStatus = z.infer<typeof formatRiskStatusSchema>;

/** The key of files whose format neither PRONOM nor a MIME type names. */
export const UNIDENTIFIED_FORMAT = 'unidentified';

/** A format's key: its PRONOM PUID (fmt/477, x-fmt/111), else its MIME type (OFD: application/ofd), else `unidentified`. */
export const formatKeySchema = z
  .string()
  .trim()
  .max(255)
  .refine((key) => key === UNIDENTIFIED_FORMAT || /^(x-)?fmt\/\d{1,6}$/.test(key) || /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/i.test(key), {
    message: '格式应写作 PRONOM 标识（如 fmt/477）、MIME 类型（如 application/ofd）或 unidentified / a PRONOM PUID, a MIME type or unidentified',
  });

export const formatRiskInputSchema = z.object({
  format: formatKeySchema,
  status: formatRiskStatusSchema,
  /** Why: the reason for the judgement, or what to do (migrate to PDF/A, keep watching). */
  note: z.string().trim().max(1000).nullable().default(null),
});
export type FormatRiskInput = z.infer<typeof formatRiskInputSchema>;

const countsShape = { files: z.number(), bytes: z.number() };

export const formatRiskSchema = z.object({
  format: z.string(),
  status: formatRiskStatusSchema,
  note: z.string().nullable(),
  /** Who last set the status (display name and user name); null when never set. */
  setBy: z.string().nullable(),
  setAt: z.string().nullable(),
});
export type FormatRisk = z.infer<typeof formatRiskSchema>;

export const formatEntrySchema = formatRiskSchema.extend({
  puid: z.string().nullable(),
  mime: z.string().nullable(),
  name: z.string().nullable(),
  version: z.string().nullable(),
  ...countsShape,
  byFonds: z.array(z.object({ fondsId: z.string(), fondsCode: z.string(), fondsName: z.string(), ...countsShape })),
});
export type FormatEntry = z.infer<typeof formatEntrySchema>;

export const formatRegistrySchema = z.object({
  /** Formats held, most bytes first; then formats judged but not held (no files). */
  formats: z.array(formatEntrySchema),
  totals: z.object(countsShape),
});
export type FormatRegistry = z.infer<typeof formatRegistrySchema>;

export const holdingsQuerySchema = z.object({
  /** Only formats of this status; both watch and at-risk when absent. */
  status: z.enum(['watch', 'at-risk']).optional(),
  /** Only files of this format. */
  format: formatKeySchema.optional(),
  offset: z.coerce.number().int().min(0).max(10_000_000).default(0),
  limit: z.coerce.number().int().min(1).max(200).default(20),
});
export type HoldingsQuery = z.infer<typeof holdingsQuerySchema>;

export const holdingSchema = z.object({
  id: z.string(),
  archivalCode: z.string().nullable(),
  title: z.string(),
  fondsCode: z.string(),
  year: z.number(),
  openness: opennessSchema,
  visibility: z.enum(['catalog', 'content']),
  /** The record's files in the formats asked about. */
  formats: z.array(z.object({ format: z.string(), name: z.string().nullable(), status: formatRiskStatusSchema, ...countsShape })),
});
export type Holding = z.infer<typeof holdingSchema>;

export const holdingsSchema = z.object({ items: z.array(holdingSchema), total: z.number() });
export type Holdings = z.infer<typeof holdingsSchema>;
