/**
 * The 保存 section's API: the storage dashboard (/api/preservation/dashboard) and the
 * format risk registry (/api/preservation/formats, …/holdings). Shapes follow
 * src/modules/preservation/dashboard-model.ts and format-risk-model.ts.
 */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import * as z from 'zod/mini';
import { retryUnlessRefused } from './catalog.js';
import { apiGet, apiSend } from './client.js';

export const formatRiskStatuses = ['ok', 'watch', 'at-risk'] as const;
export type FormatRiskStatus = (typeof formatRiskStatuses)[number];
const statusSchema = z.enum(formatRiskStatuses);

const counts = { files: z.number(), bytes: z.number() };

const runSchema = z.object({
  id: z.string(),
  store: z.string(),
  status: z.string(),
  samplePercent: z.number(),
  blobs: z.number(),
  bytes: z.number(),
  ok: z.number(),
  missing: z.number(),
  damaged: z.number(),
  repaired: z.number(),
  atRisk: z.number(),
  detail: z.nullable(z.string()),
  startedBy: z.string(),
  startedAt: z.string(),
  heartbeatAt: z.string(),
  finishedAt: z.nullable(z.string()),
});
export type FixityRun = z.infer<typeof runSchema>;

const storeSchema = z.object({
  name: z.string(),
  kind: z.string(),
  primary: z.boolean(),
  ok: z.boolean(),
  detail: z.string(),
  freeBytes: z.nullable(z.number()),
  copies: z.object({ ok: z.number(), repaired: z.number(), missing: z.number(), damaged: z.number(), unreachable: z.number() }),
});
export type DashboardStore = z.infer<typeof storeSchema>;

const alertSchema = z.object({ id: z.string(), kind: z.string(), store: z.nullable(z.string()), sha256: z.nullable(z.string()), message: z.string(), createdAt: z.string() });
export type PreservationAlert = z.infer<typeof alertSchema>;

const volumeSchema = z.object({
  id: z.string(),
  label: z.string(),
  set: z.string(),
  status: z.string(),
  bytes: z.number(),
  files: z.number(),
  writtenAt: z.nullable(z.string()),
  location: z.nullable(z.string()),
  lastVerifiedAt: z.nullable(z.string()),
  lastVerifyResult: z.nullable(z.string()),
});
export type OfflineVolume = z.infer<typeof volumeSchema>;

export const dashboardSchema = z.object({
  generatedAt: z.string(),
  totals: z.object({ records: z.number(), ...counts, blobs: z.number(), blobBytes: z.number() }),
  stores: z.array(storeSchema),
  growth: z.array(z.object({ month: z.string(), ...counts })),
  formats: z.array(z.object({ format: z.string(), name: z.nullable(z.string()), version: z.nullable(z.string()), status: statusSchema, ...counts })),
  years: z.array(z.object({ year: z.number(), records: z.number(), ...counts })),
  audits: z.array(runSchema),
  auditFailures: z.array(runSchema),
  replicaLag: z.array(z.object({ store: z.string(), blobs: z.number(), bytes: z.number() })),
  atRisk: z.object({
    blobs: z.number(),
    alerts: z.array(
      z.object({
        id: z.string(),
        store: z.nullable(z.string()),
        sha256: z.nullable(z.string()),
        message: z.string(),
        createdAt: z.string(),
        records: z.array(z.object({ id: z.string(), archivalCode: z.nullable(z.string()), title: z.string() })),
      }),
    ),
  }),
  alerts: z.array(alertSchema),
  volumes: z.array(volumeSchema),
});
export type StorageDashboard = z.infer<typeof dashboardSchema>;

const formatRiskShape = {
  format: z.string(),
  status: statusSchema,
  note: z.nullable(z.string()),
  setBy: z.nullable(z.string()),
  setAt: z.nullable(z.string()),
};
export const formatRiskSchema = z.object(formatRiskShape);

export const formatEntrySchema = z.object({
  ...formatRiskShape,
  puid: z.nullable(z.string()),
  mime: z.nullable(z.string()),
  name: z.nullable(z.string()),
  version: z.nullable(z.string()),
  ...counts,
  byFonds: z.array(z.object({ fondsId: z.string(), fondsCode: z.string(), fondsName: z.string(), ...counts })),
});
export type FormatEntry = z.infer<typeof formatEntrySchema>;

export const formatRegistrySchema = z.object({ formats: z.array(formatEntrySchema), totals: z.object(counts) });

export const holdingSchema = z.object({
  id: z.string(),
  archivalCode: z.nullable(z.string()),
  title: z.string(),
  fondsCode: z.string(),
  year: z.number(),
  openness: z.string(),
  visibility: z.enum(['catalog', 'content']),
  formats: z.array(z.object({ format: z.string(), name: z.nullable(z.string()), status: statusSchema, ...counts })),
});
export type Holding = z.infer<typeof holdingSchema>;
export const holdingsSchema = z.object({ items: z.array(holdingSchema), total: z.number() });

export interface HoldingsQuery {
  status?: 'watch' | 'at-risk';
  format?: string;
  offset: number;
  limit: number;
}

const key = ['preservation'] as const;

/** The storage dashboard, refreshed every minute while shown. */
export const useStorageDashboard = () =>
  useQuery({ queryKey: [...key, 'dashboard'], queryFn: ({ signal }) => apiGet('/api/preservation/dashboard', dashboardSchema, { signal }), retry: retryUnlessRefused, refetchInterval: 60_000 });

export const useFormatRegistry = () =>
  useQuery({ queryKey: [...key, 'formats'], queryFn: ({ signal }) => apiGet('/api/preservation/formats', formatRegistrySchema, { signal }), retry: retryUnlessRefused });

/** The records the viewer may see with files in formats at risk or watched; `enabled` false for those the server refuses (the admins). */
export function useFormatHoldings(query: HoldingsQuery, enabled: boolean) {
  const params = new URLSearchParams({ offset: String(query.offset), limit: String(query.limit) });
  if (query.status) params.set('status', query.status);
  if (query.format) params.set('format', query.format);
  return useQuery({
    queryKey: [...key, 'holdings', query],
    queryFn: ({ signal }) => apiGet(`/api/preservation/formats/holdings?${params.toString()}`, holdingsSchema, { signal }),
    retry: retryUnlessRefused,
    placeholderData: keepPreviousData,
    enabled,
  });
}

/** Judges a format (archivists only); the registry, the holdings and the dashboard are asked again. */
export function useSetFormatRisk() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: { format: string; status: FormatRiskStatus; note: string | null }) => apiSend('PUT', '/api/preservation/formats', formatRiskSchema, input),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: key }),
  });
}
