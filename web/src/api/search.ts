/**
 * 档案检索 (GET /api/search): the simple box (`q`: words, "quoted phrases",
 * AND / OR / NOT, 档号 prefixes), the advanced clauses (`adv`), facet filters,
 * a date range, sort and page. Shapes follow src/modules/search/model.ts. The
 * pages keep exactly this query string in their own URL, so a shared link or the
 * browser's back button gives the same search again.
 */
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import * as z from 'zod/mini';
import { classifications, opennessValues, retryUnlessRefused } from './catalog.js';
import { apiGet } from './client.js';

export const searchFields = ['title', 'responsible', 'docNumber', 'fulltext', 'code', 'any'] as const;
export type SearchField = (typeof searchFields)[number];
export const searchSorts = ['relevance', 'date-desc', 'date-asc', 'code'] as const;
export type SearchSort = (typeof searchSorts)[number];
export const facetNames = ['fonds', 'category', 'year', 'retention', 'openness', 'agency', 'format'] as const;
export type FacetName = (typeof facetNames)[number];
export const clauseOps = ['and', 'or', 'not'] as const;
export type ClauseOp = (typeof clauseOps)[number];

/** The most clauses the server takes in one advanced search. */
export const maxClauses = 10;
/** The most pages the server pages through (page ≤ 500). */
export const maxPage = 500;

/** Text with the matched parts marked, as segments: rendered with <mark>, never as HTML. */
export const highlightedSchema = z.array(z.object({ text: z.string(), hit: z.boolean() }));
export type Highlighted = z.infer<typeof highlightedSchema>;

export const searchHitSchema = z.object({
  id: z.string(),
  archivalCode: z.nullable(z.string()),
  title: highlightedSchema,
  responsible: z.nullable(z.string()),
  docNumber: z.nullable(z.string()),
  date: z.nullable(z.string()),
  year: z.nullable(z.number()),
  fondsId: z.string(),
  fondsCode: z.nullable(z.string()),
  fondsName: z.nullable(z.string()),
  categoryCode: z.nullable(z.string()),
  categoryName: z.nullable(z.string()),
  retention: z.nullable(z.string()),
  openness: z.enum(opennessValues),
  classification: z.enum(classifications),
  /** 'catalog': title and metadata only; 'content': files, text and thumbnail too. */
  visibility: z.enum(['catalog', 'content']),
  snippets: z.array(z.object({ fileId: z.string(), fileName: z.string(), page: z.number(), text: highlightedSchema })),
  thumbnail: z.nullable(z.string()),
  fileCount: z.number(),
});
export type SearchHit = z.infer<typeof searchHitSchema>;

export const facetBucketSchema = z.object({ value: z.string(), label: z.string(), count: z.number() });
export type FacetBucket = z.infer<typeof facetBucketSchema>;

export const searchResultSchema = z.object({
  total: z.number(),
  /** The total and the facet counts are estimates: show them as "≈ N". */
  approximate: z.boolean(),
  page: z.number(),
  pageSize: z.number(),
  hits: z.array(searchHitSchema),
  facets: z.partialRecord(z.enum(facetNames), z.array(facetBucketSchema)),
  understood: z.array(z.string()),
  truncated: z.boolean(),
  suggestions: z.array(z.object({ q: z.string(), count: z.number() })),
  tookMs: z.number(),
});
export type SearchResult = z.infer<typeof searchResultSchema>;

const clauseSchema = z.object({ field: z.enum(searchFields), text: z.string(), op: z.enum(clauseOps) });
export type AdvancedClause = z.infer<typeof clauseSchema>;

/** A search as the pages hold it; `searchParams` and `readSearchRequest` turn it into the query string and back. */
export interface SearchRequest {
  q: string;
  adv: AdvancedClause[];
  filters: Partial<Record<FacetName, string[]>>;
  /** YYYY, YYYYMM or YYYYMMDD. */
  dateFrom?: string;
  dateTo?: string;
  sort: SearchSort;
  page: number;
  pageSize: number;
}

const datePattern = /^\d{4}(\d{2}(\d{2})?)?$/;

function oneOf<T extends string>(values: readonly T[], value: string | null, fallback: T): T {
  return values.find((candidate) => candidate === value) ?? fallback;
}

function positive(value: string | null, fallback: number, max: number): number {
  const n = Number(value);
  return Number.isInteger(n) && n >= 1 ? Math.min(n, max) : fallback;
}

function readClauses(value: string | null): AdvancedClause[] {
  if (value === null || value === '') return [];
  try {
    const parsed = z.safeParse(z.array(clauseSchema), JSON.parse(value));
    return parsed.success ? parsed.data.slice(0, maxClauses) : [];
  } catch {
    // A hand-edited link with broken JSON: search without the clauses rather than fail.
    return [];
  }
}

/**
 * The search a URL's query string describes, with the defaults filled in.
 * @example
 * const request = readSearchRequest(new URLSearchParams('q=防汛&openness=开放'), 20);
 */
export function readSearchRequest(params: URLSearchParams, defaultPageSize: number): SearchRequest {
  const filters: SearchRequest['filters'] = {};
  for (const name of facetNames) {
    const values = (params.get(name) ?? '').split(',').filter((v) => v !== '');
    if (values.length > 0) filters[name] = values;
  }
  const date = (name: string) => {
    const value = params.get(name) ?? '';
    return datePattern.test(value) ? value : undefined;
  };
  return {
    q: params.get('q') ?? '',
    adv: readClauses(params.get('adv')),
    filters,
    dateFrom: date('dateFrom'),
    dateTo: date('dateTo'),
    sort: oneOf(searchSorts, params.get('sort'), 'relevance'),
    page: positive(params.get('page'), 1, maxPage),
    pageSize: positive(params.get('pageSize'), defaultPageSize, 100),
  };
}

/** The query string of a search (API and page URL alike), leaving out what is at its default. */
export function searchParams(request: SearchRequest, defaultPageSize: number): URLSearchParams {
  const params = new URLSearchParams();
  if (request.q.trim() !== '') params.set('q', request.q.trim());
  const clauses = request.adv.filter((c) => c.text.trim() !== '');
  if (clauses.length > 0) params.set('adv', JSON.stringify(clauses));
  for (const name of facetNames) {
    const values = request.filters[name] ?? [];
    if (values.length > 0) params.set(name, values.join(','));
  }
  if (request.dateFrom) params.set('dateFrom', request.dateFrom);
  if (request.dateTo) params.set('dateTo', request.dateTo);
  if (request.sort !== 'relevance') params.set('sort', request.sort);
  if (request.page > 1) params.set('page', String(request.page));
  if (request.pageSize !== defaultPageSize) params.set('pageSize', String(request.pageSize));
  return params;
}

/** True when the request asks for something: words, clauses, a filter or a date. */
export function hasCriteria(request: SearchRequest): boolean {
  return (
    request.q.trim() !== '' ||
    request.adv.some((c) => c.text.trim() !== '') ||
    facetNames.some((name) => (request.filters[name]?.length ?? 0) > 0) ||
    request.dateFrom !== undefined ||
    request.dateTo !== undefined
  );
}

/** 20240315 → 2024-03-15 (and 202403 → 2024-03), as dates are shown. */
export function formatArchivalDate(date: string | null): string {
  if (date === null) return '';
  if (date.length === 8) return `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6)}`;
  if (date.length === 6) return `${date.slice(0, 4)}-${date.slice(4)}`;
  return date;
}

/**
 * Runs a search; the previous page of results stays on screen while the next loads.
 * Refusals (429 for a flood of anonymous searches, 400 for malformed clauses) are not retried.
 */
export const useSearch = (request: SearchRequest, enabled: boolean) => {
  const query = searchParams(request, -1).toString();
  return useQuery({
    queryKey: ['search', query],
    queryFn: ({ signal }) => apiGet(`/api/search?${query}`, searchResultSchema, { signal }),
    enabled,
    placeholderData: keepPreviousData,
    retry: retryUnlessRefused,
  });
};
