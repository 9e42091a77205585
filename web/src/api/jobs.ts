/**
 * A background job and its progress (GET /api/jobs/:id; shapes of
 * src/platform/jobs/model.ts). The server lets the archive's staff and admins
 * follow jobs; agencies' clerks may not, so a hand-over's check is followed
 * through GET /api/transfers/:id/check-job, which both may read.
 */
import { useQuery } from '@tanstack/react-query';
import * as z from 'zod/mini';
import { apiGet } from './client.js';
import { retryUnlessRefused } from './catalog.js';

export const jobSchema = z.object({
  id: z.string(),
  type: z.string(),
  status: z.enum(['pending', 'running', 'succeeded', 'failed', 'cancelled']),
  progress: z.nullable(z.object({ done: z.number(), total: z.optional(z.number()), unit: z.optional(z.string()), message: z.optional(z.string()) })),
  lastError: z.nullable(z.string()),
  finishedAt: z.nullable(z.string()),
});
export type Job = z.infer<typeof jobSchema>;


/** The latest check of a hand-over (自检 or after 提交), asked again every second until it has finished. */
export const useTransferCheckJob = (transferId: string, enabled: boolean) =>
  useQuery({
    queryKey: ['transfers', transferId, 'check-job'],
    queryFn: ({ signal }) => apiGet(`/api/transfers/${encodeURIComponent(transferId)}/check-job`, z.nullable(jobSchema), { signal }),
    enabled,
    retry: retryUnlessRefused,
    refetchInterval: (query) => (query.state.data?.finishedAt ? false : 1000),
  });
