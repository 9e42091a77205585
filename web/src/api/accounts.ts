/**
 * Accounts, organisations, filing-API keys and access grants (/api/accounts/*),
 * the shapes following the server's schemas (src/modules/accounts/model.ts).
 * Reading is for the system admin and the security admin; each mutation is for
 * the one of them that 三员分立 gives it to, and the server refuses the other.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import * as z from 'zod/mini';
import { ApiError, apiGet, apiSend } from './client.js';

export const roles = ['system_admin', 'security_admin', 'auditor', 'archivist', 'reading_room', 'approver', 'agency_clerk', 'government_user', 'public_user'] as const;
export type Role = (typeof roles)[number];

export const clearances = ['非密', '秘密', '机密', '绝密'] as const;
export type Clearance = (typeof clearances)[number];

export const organisationKinds = ['archive', 'agency', 'government', 'public'] as const;
export type OrganisationKind = (typeof organisationKinds)[number];

export const userSchema = z.object({
  id: z.string(),
  username: z.string(),
  displayName: z.string(),
  organisationId: z.string(),
  organisationName: z.string(),
  roles: z.array(z.string()),
  clearance: z.string(),
  disabled: z.boolean(),
  mustChangePassword: z.boolean(),
  totpEnabled: z.boolean(),
});
export type User = z.infer<typeof userSchema>;

export const organisationSchema = z.object({
  id: z.string(),
  kind: z.string(),
  code: z.nullable(z.string()),
  name: z.string(),
  disabled: z.boolean(),
});
export type Organisation = z.infer<typeof organisationSchema>;

const idSchema = z.object({ id: z.string() });
const okSchema = z.object({ ok: z.literal(true) });
export const issuedKeySchema = z.object({ id: z.string(), key: z.string(), expiresAt: z.string() });
export type IssuedKey = z.infer<typeof issuedKeySchema>;

export const credentialStatuses = ['active', 'expired', 'revoked'] as const;
const personSchema = z.object({ id: z.string(), username: z.nullable(z.string()) });

/** GET /api/accounts/grants (security admin). */
export const grantViewSchema = z.object({
  id: z.string(),
  grantee: z.object({ kind: z.enum(['user', 'organisation']), id: z.string(), name: z.nullable(z.string()), username: z.nullable(z.string()) }),
  subjectType: z.enum(['record', 'volume', 'fonds']),
  subjectId: z.string(),
  level: z.enum(['catalog', 'content']),
  expiresAt: z.nullable(z.string()),
  grantedAt: z.string(),
  grantedBy: personSchema,
  revokedAt: z.nullable(z.string()),
  revokedBy: z.nullable(personSchema),
  status: z.enum(credentialStatuses),
});
export type GrantView = z.infer<typeof grantViewSchema>;

/** GET /api/accounts/api-keys (system admin): never the secret. */
export const apiKeyViewSchema = z.object({
  id: z.string(),
  organisationId: z.string(),
  organisationName: z.string(),
  name: z.string(),
  createdAt: z.string(),
  createdBy: personSchema,
  expiresAt: z.string(),
  revokedAt: z.nullable(z.string()),
  lastUsedAt: z.nullable(z.string()),
  status: z.enum(credentialStatuses),
});
export type ApiKeyView = z.infer<typeof apiKeyViewSchema>;

/** A 403 is the server's answer, not a glitch: asking again does not help. */
function retryUnlessRefused(failureCount: number, error: Error): boolean {
  if (error instanceof ApiError && error.status >= 400 && error.status < 500) return false;
  return failureCount < 1;
}

const usersKey = ['accounts', 'users'] as const;
const organisationsKey = ['accounts', 'organisations'] as const;

export function useUsers() {
  return useQuery({
    queryKey: usersKey,
    queryFn: ({ signal }) => apiGet('/api/accounts/users', z.array(userSchema), { signal }),
    retry: retryUnlessRefused,
  });
}

export function useOrganisations() {
  return useQuery({
    queryKey: organisationsKey,
    queryFn: ({ signal }) => apiGet('/api/accounts/organisations', z.array(organisationSchema), { signal }),
    retry: retryUnlessRefused,
  });
}

/** A mutation that refreshes the account lists when it succeeds. */
function useAccountsMutation<I, O>(send: (input: I) => Promise<O>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: send,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['accounts'] }),
  });
}

export interface NewUser {
  username: string;
  displayName: string;
  organisationId: string;
  password: string;
}

export const useCreateUser = () => useAccountsMutation((input: NewUser) => apiSend('POST', '/api/accounts/users', idSchema, input));

export const useSetDisabled = () =>
  useAccountsMutation(({ id, disabled }: { id: string; disabled: boolean }) =>
    apiSend('POST', `/api/accounts/users/${encodeURIComponent(id)}/${disabled ? 'disable' : 'enable'}`, okSchema),
  );

export const useResetPassword = () =>
  useAccountsMutation(({ id, temporaryPassword }: { id: string; temporaryPassword: string }) =>
    apiSend('POST', `/api/accounts/users/${encodeURIComponent(id)}/reset-password`, okSchema, { temporaryPassword }),
  );

export const useSetRoles = () =>
  useAccountsMutation(({ id, roles: chosen }: { id: string; roles: string[] }) =>
    apiSend('PUT', `/api/accounts/users/${encodeURIComponent(id)}/roles`, okSchema, { roles: chosen }),
  );

export const useSetClearance = () =>
  useAccountsMutation(({ id, clearance }: { id: string; clearance: Clearance }) =>
    apiSend('PUT', `/api/accounts/users/${encodeURIComponent(id)}/clearance`, okSchema, { clearance }),
  );

export interface NewOrganisation {
  kind: OrganisationKind;
  code: string | null;
  name: string;
}

export const useCreateOrganisation = () =>
  useAccountsMutation((input: NewOrganisation) => apiSend('POST', '/api/accounts/organisations', idSchema, input));

export const useIssueApiKey = () =>
  useAccountsMutation((input: { organisationId: string; name: string; days: number }) => apiSend('POST', '/api/accounts/api-keys', issuedKeySchema, input));

export const useRevokeApiKey = () =>
  useAccountsMutation((id: string) => apiSend('DELETE', `/api/accounts/api-keys/${encodeURIComponent(id)}`, okSchema));

export interface NewGrant {
  userId?: string;
  organisationId?: string;
  subjectType: 'record' | 'volume' | 'fonds';
  subjectId: string;
  level: 'catalog' | 'content';
  expiresAt: string | null;
}

export const useCreateGrant = () => useAccountsMutation((input: NewGrant) => apiSend('POST', '/api/accounts/grants', idSchema, input));

export const useRevokeGrant = () =>
  useAccountsMutation((id: string) => apiSend('DELETE', `/api/accounts/grants/${encodeURIComponent(id)}`, okSchema));

/** The grants, all or those of one grantee (a user or an organisation). */
export function useGrants(grantee: { userId?: string; organisationId?: string } = {}) {
  const query = new URLSearchParams();
  if (grantee.userId) query.set('granteeUserId', grantee.userId);
  if (grantee.organisationId) query.set('granteeOrganisationId', grantee.organisationId);
  const search = query.toString();
  return useQuery({
    queryKey: ['accounts', 'grants', search],
    queryFn: ({ signal }) => apiGet(`/api/accounts/grants${search ? `?${search}` : ''}`, z.array(grantViewSchema), { signal }),
    retry: retryUnlessRefused,
  });
}

export function useApiKeys() {
  return useQuery({
    queryKey: ['accounts', 'api-keys'],
    queryFn: ({ signal }) => apiGet('/api/accounts/api-keys', z.array(apiKeyViewSchema), { signal }),
    retry: retryUnlessRefused,
  });
}

/** The roles whose staff privilege an organisation scope can confine (server: ARCHIVE_STAFF_ROLES). */
export const staffRoles: readonly Role[] = ['archivist', 'reading_room', 'approver'];

/** GET /api/accounts/scopes (security admin): the staff users with a scope and their agencies. */
export const agencyScopeSchema = z.object({ userId: z.string(), agencyIds: z.array(z.string()) });
export type AgencyScope = z.infer<typeof agencyScopeSchema>;

/** Every organisation scope, for the security admin only (`enabled` keeps others from asking). */
export function useScopes(enabled: boolean) {
  return useQuery({
    queryKey: ['accounts', 'scopes'],
    queryFn: ({ signal }) => apiGet('/api/accounts/scopes', z.array(agencyScopeSchema), { signal }),
    retry: retryUnlessRefused,
    enabled,
  });
}

/** Replaces a staff user's scope; an empty list means every agency. */
export const useSetScopes = () =>
  useAccountsMutation(({ id, agencyIds }: { id: string; agencyIds: string[] }) =>
    apiSend('PUT', `/api/accounts/users/${encodeURIComponent(id)}/scopes`, okSchema, { agencyIds }),
  );
