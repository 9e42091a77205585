/** Where a user goes once signed in: an unfinished step first, then the page they came from, else their home. */
import { isStaff, pendingStep, type Session } from '../api/auth.js';

/** A `next` parameter that stays on this site (a path, not `//host` or a URL). */
export function safeNext(next: string | null): string | null {
  if (next === null || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return null;
  if (next.startsWith('/login') || next.startsWith('/account/')) return null;
  return next;
}

/** The page for this session: /account/password or /account/totp while a step is open, then `next` or /admin (staff) or / (everyone else). */
export function destinationAfterSignIn(session: Session, next: string | null): string {
  const target = safeNext(next) ?? (isStaff(session) ? '/admin' : '/');
  const step = pendingStep(session);
  const query = `?next=${encodeURIComponent(target)}`;
  if (step === 'password') return `/account/password${query}`;
  if (step === 'verify' || step === 'enrol') return `/account/totp${query}`;
  return target;
}

/** /login?next=<here>, for a page that needs a signed-in user. */
export function loginPath(here: string): string {
  return `/login?next=${encodeURIComponent(here)}`;
}
