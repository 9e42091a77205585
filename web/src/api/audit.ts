/**
 * The security audit log (/api/audit/*): the security admin reviews ordinary
 * users' entries, the auditor the two other admins' and verifies the chain.
 */
import { useQuery } from '@tanstack/react-query';
import * as z from 'zod/mini';
import { ApiError, apiGet } from './client.js';

export const auditEntrySchema = z.object({
  seq: z.number(),
  id: z.string(),
  at: z.string(),
  actorUsername: z.nullable(z.string()),
  actorClass: z.string(),
  actorAddress: z.nullable(z.string()),
  action: z.string(),
  targetType: z.nullable(z.string()),
  targetId: z.nullable(z.string()),
  targetLabel: z.nullable(z.string()),
  result: z.string(),
  reason: z.nullable(z.string()),
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;

export const verifySchema = z.object({
  ok: z.boolean(),
  entries: z.number(),
  checkpointsChecked: z.number(),
  firstBroken: z.nullable(z.object({ seq: z.number(), zh: z.string(), en: z.string() })),
});
export type AuditVerification = z.infer<typeof verifySchema>;

export interface AuditFilters {
  action?: string;
  actor?: string;
  limit?: number;
}

function retryUnlessRefused(failureCount: number, error: Error): boolean {
  if (error instanceof ApiError && error.status >= 400 && error.status < 500) return false;
  return failureCount < 1;
}

/** The query string of GET /api/audit/entries for these filters and format. */
export function auditEntriesPath(filters: AuditFilters, format: 'json' | 'csv'): string {
  const params = new URLSearchParams();
  if (filters.action) params.set('action', filters.action);
  if (filters.actor) params.set('actor', filters.actor);
  params.set('limit', String(filters.limit ?? 200));
  params.set('format', format);
  return `/api/audit/entries?${params.toString()}`;
}

export function useAuditEntries(filters: AuditFilters) {
  return useQuery({
    queryKey: ['audit', 'entries', filters],
    queryFn: ({ signal }) => apiGet(auditEntriesPath(filters, 'json'), z.array(auditEntrySchema), { signal }),
    retry: retryUnlessRefused,
  });
}

/** The chain check; only asked for when the viewer is the auditor. */
export function useAuditVerification(enabled: boolean) {
  return useQuery({
    queryKey: ['audit', 'verify'],
    queryFn: ({ signal }) => apiGet('/api/audit/verify', verifySchema, { signal }),
    retry: retryUnlessRefused,
    enabled,
  });
}
