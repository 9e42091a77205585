/**
 * A background job and its progress (GET /api/jobs/:id; shapes of
 * src/platform/jobs/model.ts). The server lets the archive's staff and admins
 * follow jobs; agencies' clerks may not, so a page asks only for those.
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

/** Roles the server lets follow jobs (src/modules/accounts/routes.ts, guardJobs). */
const followers: readonly string[] = ['system_admin', 'security_admin', 'auditor', 'archivist', 'reading_room', 'approver'];

export const mayFollowJobs = (roles: readonly string[]) => roles.some((role) => followers.includes(role));

/** The job, asked again every second until it has finished. */
export const useJob = (id: string | null, enabled: boolean) =>
  useQuery({
    queryKey: ['jobs', id],
    queryFn: ({ signal }) => apiGet(`/api/jobs/${encodeURIComponent(id ?? '')}`, jobSchema, { signal }),
    enabled: enabled && id !== null,
    retry: retryUnlessRefused,
    refetchInterval: (query) => (query.state.data?.finishedAt ? false : 1000),
  });
