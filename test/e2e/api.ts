/**
 * A signed-in API client for e2e set-up done in Node rather than the browser:
 * keeps the `lantai_session` cookie of the login reply and sends the session's
 * anti-forgery token on every mutating request, as the web client does.
 */
export interface SessionReply {
  csrfToken: string;
  mustChangePassword: boolean;
  secondFactor: string;
  user: { id: string; username: string; displayName: string; roles: string[]; organisationId: string | null };
}

export interface ApiSession {
  readonly session: SessionReply;
  /** Sends a JSON request with the cookie (and X-CSRF-Token unless GET); throws on a non-2xx reply. */
  request<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', pathname: string, body?: unknown): Promise<T>;
}

/** Password of every demo account (`lantai serve --demo`). */
export const demoPassword = 'Demo@2026';

/**
 * Signs in through POST /api/auth/login.
 * @example
 * const admin = await signIn(lantai.url('/'), 'sysadmin', demoPassword);
 * await admin.request('POST', '/api/accounts/users', { ... });
 */
export async function signIn(baseUrl: string, username: string, password: string): Promise<ApiSession> {
  const response = await fetch(new URL('/api/auth/login', baseUrl), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (!response.ok) throw new Error(`login as ${username}: ${response.status} ${await response.text()}`);
  const session = (await response.json()) as SessionReply;
  const cookie = response.headers
    .getSetCookie()
    .map((line) => line.split(';')[0] ?? '')
    .find((pair) => pair.startsWith('lantai_session='));
  if (!cookie) throw new Error(`login as ${username}: no lantai_session cookie in the reply`);

  return {
    session,
    async request<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', pathname: string, body?: unknown): Promise<T> {
      const headers: Record<string, string> = { Accept: 'application/json', Cookie: cookie };
      if (method !== 'GET') headers['X-CSRF-Token'] = session.csrfToken;
      if (body !== undefined) headers['Content-Type'] = 'application/json';
      const reply = await fetch(new URL(pathname, baseUrl), { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
      const text = await reply.text();
      if (!reply.ok) throw new Error(`${method} ${pathname} as ${username}: ${reply.status} ${text}`);
      return (text === '' ? undefined : JSON.parse(text)) as T;
    },
  };
}
