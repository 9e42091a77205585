/**
 * Sign-in, the current session and the signed-in user's own account
 * (/api/auth/*). The session cookie is HttpOnly, so the page cannot see it;
 * a flag in localStorage remembers that this browser signed in, so that
 * anonymous visitors of the portal do not ask the server for a session they
 * do not have. The session's anti-forgery token is kept in the query cache and
 * handed to the API client for every mutating request.
 */
import { useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import * as z from 'zod/mini';
import { ApiError, apiGet, apiSend, setCsrfToken } from './client.js';

export const sessionSchema = z.object({
  csrfToken: z.string(),
  mustChangePassword: z.boolean(),
  secondFactor: z.enum(['not-needed', 'ok', 'verify', 'enrol']),
  user: z.object({
    id: z.string(),
    username: z.string(),
    displayName: z.string(),
    roles: z.array(z.string()),
    organisationId: z.nullable(z.string()),
  }),
});

export type Session = z.infer<typeof sessionSchema>;

const okSchema = z.object({ ok: z.literal(true) });
const enrolSchema = z.object({ uri: z.string(), qrDataUrl: z.string() });

/** Roles that work in the archive workbench (/admin); the others use the portal only. Agencies' clerks use it for their hand-overs (接收 › 移交管理). */
export const staffRoles: readonly string[] = ['system_admin', 'security_admin', 'auditor', 'archivist', 'reading_room', 'approver', 'agency_clerk'];

/** Whether the user may open the workbench. */
export function isStaff(session: Session | null | undefined): boolean {
  return session?.user.roles.some((role) => staffRoles.includes(role)) ?? false;
}

/** Whether the session still has to pass a step (password change, second factor) before it can be used. */
export function pendingStep(session: Session): 'password' | 'verify' | 'enrol' | null {
  if (session.secondFactor === 'verify') return 'verify';
  if (session.secondFactor === 'enrol') return 'enrol';
  if (session.mustChangePassword) return 'password';
  return null;
}

const signedInKey = 'lantai.signedIn';
const sessionKey = ['session'] as const;

function rememberSignedIn(signedIn: boolean): void {
  try {
    if (signedIn) localStorage.setItem(signedInKey, '1');
    else localStorage.removeItem(signedInKey);
  } catch {
    // Without storage the session is asked for on every visit instead.
  }
}

function maybeSignedIn(): boolean {
  try {
    return localStorage.getItem(signedInKey) !== null;
  } catch {
    return true;
  }
}

async function fetchSession(signal: AbortSignal): Promise<Session | null> {
  if (!maybeSignedIn()) {
    setCsrfToken(undefined);
    return null;
  }
  try {
    const session = await apiGet('/api/auth/session', sessionSchema, { signal });
    setCsrfToken(session.csrfToken);
    return session;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      rememberSignedIn(false);
      setCsrfToken(undefined);
      return null;
    }
    throw error;
  }
}

function storeSession(queryClient: QueryClient, session: Session | null): void {
  rememberSignedIn(session !== null);
  setCsrfToken(session?.csrfToken);
  queryClient.setQueryData(sessionKey, session);
}

/** The current session, or null when nobody is signed in. */
export function useSession() {
  return useQuery({
    queryKey: sessionKey,
    queryFn: ({ signal }) => fetchSession(signal),
    staleTime: 60_000,
    retry: false,
  });
}

export function useLogin() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: { username: string; password: string }) => apiSend('POST', '/api/auth/login', sessionSchema, input),
    onSuccess: (session) => storeSession(queryClient, session),
  });
}

export function useLogout() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (everywhere: boolean) => {
      try {
        await apiSend('POST', '/api/auth/logout', okSchema, { everywhere });
      } catch (error) {
        // An expired session is signed out already.
        if (!(error instanceof ApiError && error.status === 401)) throw error;
      }
    },
    onSuccess: () => {
      storeSession(queryClient, null);
      queryClient.removeQueries({ predicate: (query) => query.queryKey[0] !== sessionKey[0] && query.queryKey[0] !== 'meta' });
    },
  });
}

export function useChangePassword() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: { current: string; next: string }) => apiSend('POST', '/api/auth/password', okSchema, input),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: sessionKey }),
  });
}

export function useTotpEnrol() {
  return useMutation({ mutationFn: () => apiSend('POST', '/api/auth/totp/enrol', enrolSchema) });
}

export function useTotpVerify() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (code: string) => apiSend('POST', '/api/auth/totp/verify', okSchema, { code }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: sessionKey }),
  });
}
