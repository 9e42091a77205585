/**
 * Bringing an account set up by `lantai setup` or created by an admin to where it
 * can work, through the real HTTP flow (app.inject): first sign-in with the
 * one-time password, TOTP enrolment for admins, the forced password change.
 */
import { Secret, TOTP } from 'otpauth';
import type { App } from '../../../app.js';
import { SESSION_COOKIE } from '../routes.js';

/** The current code of an authenticator holding this base32 secret. */
export function totpCode(secret: string): string {
  return new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30 }).generate();
}

async function expectOk(res: { statusCode: number; body: string }, what: string): Promise<void> {
  if (res.statusCode !== 200) throw new Error(`${what}: ${res.statusCode} ${res.body}`);
}

/**
 * Signs in with the one-time password, enrols TOTP when `withTotp` (admins under
 * LANTAI_REQUIRE_2FA), changes the password to `password`, and returns the TOTP
 * secret (null without enrolment).
 */
export async function firstSignIn(app: App, username: string, oneTimePassword: string, password: string, withTotp: boolean): Promise<string | null> {
  const login = await app.http.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password: oneTimePassword }, remoteAddress: '10.0.0.1' });
  await expectOk(login, `sign-in of ${username}`);
  const cookie = login.cookies.find((c) => c.name === SESSION_COOKIE);
  const headers = { cookie: `${SESSION_COOKIE}=${cookie?.value ?? ''}`, 'x-csrf-token': (login.json() as { csrfToken: string }).csrfToken };
  let secret: string | null = null;
  if (withTotp) {
    const enrol = await app.http.inject({ method: 'POST', url: '/api/auth/totp/enrol', headers });
    await expectOk(enrol, `TOTP enrolment of ${username}`);
    secret = new URL((enrol.json() as { uri: string }).uri).searchParams.get('secret');
    if (!secret) throw new Error('no secret in the otpauth URI');
    await expectOk(await app.http.inject({ method: 'POST', url: '/api/auth/totp/verify', headers, payload: { code: totpCode(secret) } }), `TOTP check of ${username}`);
  }
  await expectOk(await app.http.inject({ method: 'POST', url: '/api/auth/password', headers, payload: { current: oneTimePassword, next: password } }), `password change of ${username}`);
  return secret;
}
