/**
 * The catalog (/api/catalog/*): fonds, categories, the fonds–category–year tree,
 * items (件) with their DA/T 46 description, volumes and per-user settings.
 * Shapes follow src/modules/catalog/model.ts; archival codes, batches and the
 * openness review are in catalog-arrange.ts, the spreadsheet import in catalog-import.ts.
 */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import * as z from 'zod/mini';
import { ApiError, apiGet, apiSend } from './client.js';

/** 保管期限: Y/D30/D10 since 2006; 长期 (C) and 短期 (D) kept for older records. */
export const retentions = ['Y', 'D30', 'D10', 'C', 'D'] as const;
export type Retention = (typeof retentions)[number];
export const classifications = ['非密', '秘密', '机密', '绝密'] as const;
export const controls = ['内部', '限制'] as const;
export const opennessValues = ['开放', '控制', '待定'] as const;
export type Openness = (typeof opennessValues)[number];
export const combinationTypes = ['单件', '组合文件'] as const;

export const fondsSchema = z.object({
  id: z.string(),
  code: z.string(),
  name: z.string(),
  agencyId: z.string(),
  agencyName: z.string(),
  history: z.nullable(z.string()),
  createdAt: z.string(),
});
export type Fonds = z.infer<typeof fondsSchema>;

export const agencySchema = z.object({ id: z.string(), code: z.nullable(z.string()), name: z.string() });
export const orgCodeSchema = z.object({ id: z.string(), fondsId: z.string(), code: z.string(), name: z.string() });
export type OrgCode = z.infer<typeof orgCodeSchema>;

export const fieldDeclarationSchema = z.object({
  key: z.string(),
  label: z.string(),
  labelEn: z.optional(z.string()),
  type: z.enum(['text', 'integer', 'date', 'choice']),
  required: z.boolean(),
  maxLength: z.optional(z.number()),
  choices: z.optional(z.array(z.string())),
});
export type FieldDeclaration = z.infer<typeof fieldDeclarationSchema>;

export const categorySchema = z.object({
  id: z.string(),
  code: z.string(),
  name: z.string(),
  parentId: z.nullable(z.string()),
  arrangement: z.enum(['item', 'volume']),
  pattern: z.array(z.object({ segment: z.string(), separator: z.string(), width: z.optional(z.number()), optional: z.boolean() })),
  fields: z.array(fieldDeclarationSchema),
  openAfterYears: z.number(),
  enabled: z.boolean(),
});
export type Category = z.infer<typeof categorySchema>;

export const treeEntrySchema = z.object({ fondsId: z.string(), categoryId: z.string(), year: z.number(), count: z.number() });
export type TreeEntry = z.infer<typeof treeEntrySchema>;

const extensionsSchema = z.record(z.string(), z.union([z.string(), z.number(), z.null()]));

export const itemSchema = z.object({
  id: z.string(),
  fondsId: z.string(),
  fondsCode: z.string(),
  categoryId: z.string(),
  categoryCode: z.string(),
  volumeId: z.nullable(z.string()),
  archivalCode: z.nullable(z.string()),
  itemNo: z.nullable(z.number()),
  aggregationLevel: z.string(),
  title: z.string(),
  responsible: z.string(),
  date: z.string(),
  year: z.number(),
  retention: z.enum(retentions),
  classification: z.string(),
  secrecyTerm: z.nullable(z.string()),
  control: z.nullable(z.string()),
  openness: z.enum(opennessValues),
  opennessDueYear: z.number(),
  orgCode: z.nullable(z.string()),
  combinationType: z.string(),
  docNumber: z.nullable(z.string()),
  pageCount: z.nullable(z.number()),
  visibility: z.enum(['catalog', 'content']),
  version: z.number(),
  updatedAt: z.string(),
});
export type Item = z.infer<typeof itemSchema>;
export const itemPageSchema = z.object({ items: z.array(itemSchema), total: z.number() });
export type ItemPage = z.infer<typeof itemPageSchema>;

export const itemDetailSchema = z.extend(itemSchema, {
  agencyName: z.string(),
  agencyOpennessOpinion: z.nullable(z.string()),
  docType: z.nullable(z.string()),
  urgency: z.nullable(z.string()),
  mainRecipients: z.nullable(z.string()),
  copyRecipients: z.nullable(z.string()),
  subjectTerms: z.nullable(z.string()),
  keywords: z.nullable(z.string()),
  abstract: z.nullable(z.string()),
  remarks: z.nullable(z.string()),
  extensions: extensionsSchema,
  createdAt: z.string(),
  files: z.array(
    z.object({ id: z.string(), name: z.string(), size: z.number(), role: z.string(), position: z.number(), pageCount: z.nullable(z.number()), mime: z.nullable(z.string()), sha256: z.string() }),
  ),
  codeHistory: z.array(z.object({ oldCode: z.nullable(z.string()), newCode: z.nullable(z.string()), reason: z.string(), changedBy: z.nullable(z.string()), changedAt: z.string() })),
});
export type ItemDetail = z.infer<typeof itemDetailSchema>;

export const volumeSchema = z.object({
  id: z.string(),
  fondsId: z.string(),
  categoryId: z.string(),
  archivalCode: z.nullable(z.string()),
  volumeNo: z.nullable(z.number()),
  title: z.string(),
  year: z.number(),
  retention: z.enum(retentions),
  itemCount: z.number(),
});
export type Volume = z.infer<typeof volumeSchema>;

/** What the items list, the export and the print-out are filtered by. */
export interface ItemFilters {
  fondsId?: string;
  categoryId?: string;
  year?: number;
  volumeId?: string;
  retention?: Retention;
  openness?: Openness;
  classification?: string;
  uncoded?: boolean;
  q?: string;
}

export const itemSorts = ['archivalCode', 'date', 'title', 'updatedAt', 'itemNo'] as const;
export type ItemSort = (typeof itemSorts)[number];

export interface ItemQuery extends ItemFilters {
  sort?: ItemSort;
  order?: 'asc' | 'desc';
  offset?: number;
  limit?: number;
}

/** The query string for these filters (items, review/due, export.xlsx, print). */
export function itemQueryString(query: ItemQuery): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== '') params.set(key, String(value));
  }
  return params.toString();
}

const idSchema = z.object({ id: z.string() });
const okSchema = z.object({ ok: z.literal(true) });

/** A 4xx is the server's answer, not a glitch: asking again does not help. */
export function retryUnlessRefused(failureCount: number, error: Error): boolean {
  if (error instanceof ApiError && error.status >= 400 && error.status < 500) return false;
  return failureCount < 1;
}

export const useFonds = () =>
  useQuery({ queryKey: ['catalog', 'fonds'], queryFn: ({ signal }) => apiGet('/api/catalog/fonds', z.array(fondsSchema), { signal }), retry: retryUnlessRefused });

export const useAgencies = () =>
  useQuery({ queryKey: ['catalog', 'agencies'], queryFn: ({ signal }) => apiGet('/api/catalog/agencies', z.array(agencySchema), { signal }), retry: retryUnlessRefused });

export const useOrgCodes = (fondsId: string | undefined) =>
  useQuery({
    queryKey: ['catalog', 'org-codes', fondsId],
    queryFn: ({ signal }) => apiGet(`/api/catalog/fonds/${encodeURIComponent(fondsId ?? '')}/org-codes`, z.array(orgCodeSchema), { signal }),
    enabled: fondsId !== undefined,
    retry: retryUnlessRefused,
  });

export const useCategories = () =>
  useQuery({
    queryKey: ['catalog', 'categories'],
    queryFn: ({ signal }) => apiGet('/api/catalog/categories', z.array(categorySchema), { signal }),
    staleTime: 60_000,
    retry: retryUnlessRefused,
  });

export const useTree = () =>
  useQuery({ queryKey: ['catalog', 'tree'], queryFn: ({ signal }) => apiGet('/api/catalog/tree', z.array(treeEntrySchema), { signal }), retry: retryUnlessRefused });

export const useItems = (query: ItemQuery) =>
  useQuery({
    queryKey: ['catalog', 'items', query],
    queryFn: ({ signal }) => apiGet(`/api/catalog/items?${itemQueryString(query)}`, itemPageSchema, { signal }),
    placeholderData: keepPreviousData,
    retry: retryUnlessRefused,
  });

export const useItem = (id: string | null) =>
  useQuery({
    queryKey: ['catalog', 'item', id],
    queryFn: ({ signal }) => apiGet(`/api/catalog/items/${encodeURIComponent(id ?? '')}`, itemDetailSchema, { signal }),
    enabled: id !== null,
    retry: retryUnlessRefused,
  });

/** One of a record's files, shown in the browser where it can be (PDF, images, text), or with `download` saved. */
export const itemFilePath = (id: string, fileId: string, download = false) =>
  `/api/catalog/items/${encodeURIComponent(id)}/files/${encodeURIComponent(fileId)}${download ? '?download=1' : ''}`;

export const useVolumes = (filters: { fondsId?: string; categoryId?: string }, enabled: boolean) =>
  useQuery({
    queryKey: ['catalog', 'volumes', filters],
    queryFn: ({ signal }) => apiGet(`/api/catalog/volumes?${itemQueryString(filters)}`, z.array(volumeSchema), { signal }),
    enabled,
    retry: retryUnlessRefused,
  });

/** A mutation that refreshes everything of the catalog when it succeeds. */
export function useCatalogMutation<I, O>(send: (input: I) => Promise<O>) {
  const queryClient = useQueryClient();
  return useMutation({ mutationFn: send, onSuccess: () => queryClient.invalidateQueries({ queryKey: ['catalog'] }) });
}

export interface NewFonds {
  code: string;
  name: string;
  agencyId: string;
  history?: string | null;
}

export const useCreateFonds = () => useCatalogMutation((input: NewFonds) => apiSend('POST', '/api/catalog/fonds', idSchema, input));

export const useAddOrgCode = () =>
  useCatalogMutation(({ fondsId, ...input }: { fondsId: string; code: string; name: string }) =>
    apiSend('POST', `/api/catalog/fonds/${encodeURIComponent(fondsId)}/org-codes`, idSchema, input),
  );

/** The description of an item as the form sends it (itemInputSchema on the server). */
export interface ItemValues {
  volumeId?: string | null;
  title: string;
  responsible: string;
  date: string;
  year: number;
  retention: Retention;
  classification: string;
  secrecyTerm?: string | null;
  control?: string | null;
  openness: Openness;
  orgCode?: string | null;
  combinationType: string;
  docNumber?: string | null;
  docType?: string | null;
  urgency?: string | null;
  mainRecipients?: string | null;
  copyRecipients?: string | null;
  pageCount?: number | null;
  subjectTerms?: string | null;
  keywords?: string | null;
  abstract?: string | null;
  remarks?: string | null;
  extensions: Record<string, string | number | null>;
}

export const useCreateItem = () =>
  useCatalogMutation((input: ItemValues & { fondsId: string; categoryId: string }) => apiSend('POST', '/api/catalog/items', idSchema, input));

export const useUpdateItem = () =>
  useCatalogMutation(({ id, ...patch }: Partial<ItemValues> & { id: string; version: number }) =>
    apiSend('PATCH', `/api/catalog/items/${encodeURIComponent(id)}`, okSchema, patch),
  );

const preferenceSchema = z.object({ value: z.unknown() });

/** A personal setting (e.g. `catalog.columns`), null until saved once. */
export const usePreference = (key: string) =>
  useQuery({
    queryKey: ['preferences', key],
    queryFn: ({ signal }) => apiGet(`/api/catalog/preferences/${encodeURIComponent(key)}`, preferenceSchema, { signal }),
    staleTime: Infinity,
    retry: retryUnlessRefused,
  });

export function useSavePreference(key: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (value: unknown) => apiSend('PUT', `/api/catalog/preferences/${encodeURIComponent(key)}`, okSchema, { value }),
    onMutate: (value) => queryClient.setQueryData(['preferences', key], { value }),
  });
}
