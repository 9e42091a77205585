/**
 * The access policy the security admin sets (/api/accounts/access-policy), the
 * shape following the server's schema (src/modules/accounts/model.ts
 * accessPolicySchema): the catalog of controlled items for government and
 * registered public users, the password minimum length, the idle timeout.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import * as z from 'zod/mini';
import { ApiError, apiGet, apiSend } from './client.js';

const policyShape = {
  controlledCatalogForGovernment: z.boolean(),
  controlledCatalogForPublic: z.boolean(),
  passwordMinLength: z.number(),
  sessionIdleMinutes: z.nullable(z.number()),
};
export const accessPolicySchema = z.object(policyShape);
export type AccessPolicy = z.infer<typeof accessPolicySchema>;

export const accessPolicyViewSchema = z.object({
  ...policyShape,
  configuredSessionIdleMinutes: z.number(),
  updatedAt: z.nullable(z.string()),
  updatedBy: z.nullable(z.string()),
});
export type AccessPolicyView = z.infer<typeof accessPolicyViewSchema>;

/** The bounds the server enforces. */
export const PASSWORD_MIN_LENGTH = { min: 8, max: 32 } as const;
export const SESSION_IDLE_MINUTES = { min: 5, max: 480 } as const;

const policyKey = ['accounts', 'access-policy'] as const;

/** The policy, for the security admin only (`enabled` keeps others from asking). */
export function useAccessPolicy(enabled: boolean) {
  return useQuery({
    queryKey: policyKey,
    queryFn: ({ signal }) => apiGet('/api/accounts/access-policy', accessPolicyViewSchema, { signal }),
    retry: (failureCount, error) => !(error instanceof ApiError && error.status < 500) && failureCount < 1,
    enabled,
  });
}

export function useSetAccessPolicy() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (patch: Partial<AccessPolicy>) => apiSend('PUT', '/api/accounts/access-policy', accessPolicySchema, patch),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: policyKey }),
  });
}
