/**
 * Search (档案检索): the shapes of a query and of its answer. One zod schema per
 * shape; the route, the OpenAPI document and the web client derive from these.
 *
 * A query is either the simple box (`q`, with AND / OR / NOT, quoted phrases and
 * 档号 prefixes understood) or the advanced form (one clause per field). Results
 * carry only what the Viewer may see: an item visible as catalog has a title and
 * metadata but no snippet, file or thumbnail.
 */
import { z } from 'zod';
import { classificationSchema, opennessSchema } from '../accounts/model.js';

export const SEARCH_FIELDS = ['title', 'responsible', 'docNumber', 'fulltext', 'code', 'any'] as const;
export type SearchField = (typeof SEARCH_FIELDS)[number];

export const SEARCH_SORTS = ['relevance', 'date-desc', 'date-asc', 'code'] as const;
export type SearchSort = (typeof SEARCH_SORTS)[number];

export const FACET_NAMES = ['fonds', 'category', 'year', 'retention', 'openness', 'agency', 'format'] as const;
export type FacetName = (typeof FACET_NAMES)[number];

/** Facets are counted exactly up to this many hits and marked approximate beyond. */
export const EXACT_FACET_LIMIT = 10_000;
/** The longest query text accepted; longer text is cut here (and said so), never an error. */
export const MAX_QUERY_CHARS = 200;

const csv = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((v) => (v === undefined ? [] : (Array.isArray(v) ? v : v.split(',')).map((s) => s.trim()).filter((s) => s !== '')));

/** One advanced clause: `op` joins it to the clauses before it. */
export const advancedClauseSchema = z.object({
  field: z.enum(SEARCH_FIELDS),
  text: z.string(),
  op: z.enum(['and', 'or', 'not']).default('and'),
});
export type AdvancedClause = z.infer<typeof advancedClauseSchema>;

/** GET /api/search query string. `adv` is the advanced clauses as JSON. */
export const searchQuerySchema = z.object({
  q: z.string().optional().default(''),
  adv: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return [];
      try {
        return z.array(advancedClauseSchema).max(10).parse(JSON.parse(v));
      } catch {
        ctx.addIssue({ code: 'custom', message: '高级检索条件格式不正确 / malformed advanced clauses' });
        return z.NEVER;
      }
    }),
  fonds: csv,
  category: csv,
  year: csv,
  retention: csv,
  openness: csv,
  agency: csv,
  format: csv,
  dateFrom: z.string().regex(/^\d{4}(\d{2}(\d{2})?)?$/).optional(),
  dateTo: z.string().regex(/^\d{4}(\d{2}(\d{2})?)?$/).optional(),
  sort: z.enum(SEARCH_SORTS).default('relevance'),
  page: z.coerce.number().int().min(1).max(500).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
  facets: z.enum(['1', '0']).default('1'),
});
export type SearchQueryInput = z.input<typeof searchQuerySchema>;
export type SearchQuery = z.output<typeof searchQuerySchema>;

/** Text with the matched parts marked, as segments (never HTML: the client renders them). */
export const highlightedSchema = z.array(z.object({ text: z.string(), hit: z.boolean() }));
export type Highlighted = z.infer<typeof highlightedSchema>;

export const snippetSchema = z.object({
  fileId: z.string(),
  fileName: z.string(),
  /** 1-based page of the file the snippet comes from. */
  page: z.number().int(),
  text: highlightedSchema,
});

export const searchHitSchema = z.object({
  id: z.string(),
  archivalCode: z.string().nullable(),
  title: highlightedSchema,
  responsible: z.string().nullable(),
  docNumber: z.string().nullable(),
  date: z.string().nullable(),
  year: z.number().int().nullable(),
  fondsId: z.string(),
  fondsCode: z.string().nullable(),
  fondsName: z.string().nullable(),
  categoryCode: z.string().nullable(),
  categoryName: z.string().nullable(),
  retention: z.string().nullable(),
  openness: opennessSchema,
  classification: classificationSchema,
  /** 'catalog': title and metadata only; 'content': files, text and thumbnail too. */
  visibility: z.enum(['catalog', 'content']),
  snippets: z.array(snippetSchema),
  /** Relative URL of the first file's thumbnail, when the viewer may see content and one exists. */
  thumbnail: z.string().nullable(),
  fileCount: z.number().int(),
});
export type SearchHit = z.infer<typeof searchHitSchema>;

export const facetBucketSchema = z.object({ value: z.string(), label: z.string(), count: z.number().int() });
export type FacetBucket = z.infer<typeof facetBucketSchema>;

export const searchResultSchema = z.object({
  total: z.number().int(),
  /** True when the total and facet counts are estimates (more than EXACT_FACET_LIMIT hits). */
  approximate: z.boolean(),
  page: z.number().int(),
  pageSize: z.number().int(),
  hits: z.array(searchHitSchema),
  facets: z.record(z.enum(FACET_NAMES), z.array(facetBucketSchema)),
  /** What the query was understood as (terms, phrases, code prefixes), for "你检索的是…". */
  understood: z.array(z.string()),
  /** Set when the query text was cut at MAX_QUERY_CHARS. */
  truncated: z.boolean(),
  /** With no hits: other queries that would find something the viewer may see, with their counts. */
  suggestions: z.array(z.object({ q: z.string(), count: z.number().int() })),
  tookMs: z.number(),
});
export type SearchResult = z.infer<typeof searchResultSchema>;
