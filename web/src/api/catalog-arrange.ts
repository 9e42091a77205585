/**
 * Arranging the catalog (/api/catalog/codes/*, batch/*, review/*): archival codes
 * generated or re-numbered after a preview (编制档号), the continuity check of item
 * numbers, batch changes with a reason, and the openness review (开放审核).
 */
import { keepPreviousData, useMutation, useQuery } from '@tanstack/react-query';
import * as z from 'zod/mini';
import { apiGet, apiSend } from './client.js';
import { itemPageSchema, itemQueryString, retryUnlessRefused, useCatalogMutation, type ItemQuery } from './catalog.js';

/** Which items to code: the chosen ones, or every visible one under a tree node. */
export interface CodeRequest {
  mode: 'generate' | 'renumber';
  itemIds?: string[];
  filter?: { fondsId: string; categoryId?: string; year?: number };
  reason?: string;
}

const problemSchema = z.object({ id: z.string(), title: z.string(), zh: z.string(), en: z.string() });

export const codePlanSchema = z.object({
  changes: z.array(
    z.object({
      entityType: z.enum(['record', 'volume']),
      id: z.string(),
      title: z.string(),
      oldCode: z.nullable(z.string()),
      newCode: z.string(),
      classKey: z.string(),
      number: z.number(),
    }),
  ),
  problems: z.array(problemSchema),
  unchanged: z.number(),
});
export type CodePlan = z.infer<typeof codePlanSchema>;
export type CodeChange = CodePlan['changes'][number];
export type CodeProblem = CodePlan['problems'][number];

const codeResultSchema = z.object({ batchId: z.string(), changed: z.number(), problems: z.array(problemSchema) });

/** Previews are questions, not changes: nothing to refresh afterwards. */
export const useCodePreview = () => useMutation({ mutationFn: (request: CodeRequest) => apiSend('POST', '/api/catalog/codes/preview', codePlanSchema, request) });

export const useCodeApply = () => useCatalogMutation((request: CodeRequest) => apiSend('POST', '/api/catalog/codes/apply', codeResultSchema, request));

export const continuitySchema = z.array(
  z.object({
    classKey: z.string(),
    count: z.number(),
    first: z.number(),
    last: z.number(),
    gaps: z.array(z.tuple([z.number(), z.number()])),
    duplicates: z.array(z.number()),
  }),
);
export type ContinuityReport = z.infer<typeof continuitySchema>;

export const useContinuity = (filter: { fondsId?: string; categoryId?: string; year?: number }, enabled: boolean) =>
  useQuery({
    queryKey: ['catalog', 'continuity', filter],
    queryFn: ({ signal }) => apiGet(`/api/catalog/codes/continuity?${itemQueryString(filter)}`, continuitySchema, { signal }),
    enabled: enabled && filter.fondsId !== undefined,
    retry: retryUnlessRefused,
  });

export type BatchChange =
  | { kind: 'retention'; value: string }
  | { kind: 'openness'; value: string }
  | { kind: 'control'; value: string | null }
  | { kind: 'volume'; value: string | null };

export interface BatchRequest {
  itemIds: string[];
  change: BatchChange;
  reason: string;
}

export const batchPreviewSchema = z.object({
  affected: z.array(z.object({ id: z.string(), archivalCode: z.nullable(z.string()), title: z.string(), from: z.nullable(z.string()), to: z.nullable(z.string()) })),
  refused: z.array(z.object({ id: z.string(), archivalCode: z.nullable(z.string()), title: z.string(), zh: z.string(), en: z.string() })),
  unchanged: z.number(),
});
export type BatchPreview = z.infer<typeof batchPreviewSchema>;

export const useBatchPreview = () => useMutation({ mutationFn: (request: BatchRequest) => apiSend('POST', '/api/catalog/batch/preview', batchPreviewSchema, request) });

export const useBatchApply = () =>
  useCatalogMutation((request: BatchRequest) =>
    apiSend('POST', '/api/catalog/batch/apply', z.object({ batchId: z.string(), changed: z.number(), refused: z.number() }), request),
  );

export const useDueItems = (query: ItemQuery) =>
  useQuery({
    queryKey: ['catalog', 'review', 'due', query],
    queryFn: ({ signal }) => apiGet(`/api/catalog/review/due?${itemQueryString(query)}`, itemPageSchema, { signal }),
    placeholderData: keepPreviousData,
    retry: retryUnlessRefused,
  });

export const opennessDecisions = ['开放', '控制', '延期'] as const;
export type OpennessDecision = (typeof opennessDecisions)[number];

export interface OpennessReviewRequest {
  itemIds: string[];
  decision: OpennessDecision;
  reason: string;
  reviewAgainIn?: number;
}

export const useOpennessReview = () =>
  useCatalogMutation((request: OpennessReviewRequest) =>
    apiSend('POST', '/api/catalog/review', z.object({ batchId: z.string(), reviewed: z.number() }), request),
  );
