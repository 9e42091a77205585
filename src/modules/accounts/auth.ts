/**
 * Sign-in and sessions (GB/T 22239 level 3, identification and authentication).
 *
 * A session is a random token in an HttpOnly, SameSite=Strict cookie; the table keeps
 * only its SHA-256. A new token at every sign-in (no fixation), an idle timeout
 * (LANTAI_SESSION_IDLE_MINUTES, or the access policy's override) and an absolute
 * one (12 h). State-changing requests carry the session's anti-forgery token in
 * X-CSRF-Token (synchronizer token; the session row holds it, so no extra plugin is
 * needed). Five failures in ten minutes lock the account, and separately the
 * address, for the rest of that window. The session builds the Viewer on every
 * request: roles, grants, organisation scope and the access policy's catalog settings.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Selectable } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { Zone } from '../../config.js';
import type { CredentialSource } from '../../platform/cli/credentials.js';
import type { Db } from '../../platform/db/database.js';
import type { LantaiError } from '../../platform/http/errors.js';
import type { AccessPolicyReader } from './access-policy.js';
import { agencyScopesOf } from './agency-scopes.js';
import { accountsErrors } from './errors.js';
import { activeGrants } from './grants-repo.js';
import { ARCHIVE_STAFF_ROLES, ROLE_LABELS, isAdminRole, type Classification, type Role } from './model.js';
import { checkTotp, enrolment, newTotpSecret } from './totp.js';
import type { TotpSecretBox } from './totp-secrets.js';
import { verifyPassword } from './password.js';
import type { Actor, AuditSink } from './service.js';
import type { UsersTable } from './tables.js';
import type { Viewer } from './viewer.js';
import './tables.js';

export const LOCKOUT_FAILURES = 5;
export const LOCKOUT_WINDOW_MS = 10 * 60 * 1000;
export const ABSOLUTE_SESSION_MS = 12 * 60 * 60 * 1000;

export interface AuthSettings {
  zone: Zone;
  idleMinutes: number;
  /** Admin roles must pass a TOTP second factor (LANTAI_REQUIRE_2FA). */
  require2fa: boolean;
}

/** Where the session stands with the second factor. */
export type SecondFactor = 'not-needed' | 'ok' | 'verify' | 'enrol';

export interface SignedIn {
  token: string;
  csrfToken: string;
  userId: string;
  mustChangePassword: boolean;
}

export interface SessionContext {
  sessionId: string;
  csrfToken: string;
  viewer: Viewer;
  actor: Actor;
  mustChangePassword: boolean;
  displayName: string;
  secondFactor: SecondFactor;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

export function createAuth(deps: { db: Db; audit: AuditSink; settings: AuthSettings; totpSecrets: TotpSecretBox; policy: AccessPolicyReader }) {
  const { db, audit, settings, totpSecrets } = deps;

  async function recentFailures(column: 'username' | 'address', value: string, since: string): Promise<number> {
    const row = await db
      .selectFrom('login_attempts')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where(column, '=', value)
      .where('ok', '=', 0)
      .where('at', '>', since)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async function recordAttempt(username: string, address: string, ok: boolean, actor: Actor, reason?: string, details?: Record<string, unknown>): Promise<void> {
    await db.transaction().execute(async (tx) => {
      await tx.insertInto('login_attempts').values({ id: uuidv7(), username, address, ok: ok ? 1 : 0, at: new Date().toISOString() }).execute();
      await audit.append(tx, { actor: { ...actor, roles: [...actor.roles] }, action: 'accounts.login', target: { type: 'user', id: actor.userId, label: username }, result: ok ? 'ok' : 'refused', reason, details });
    });
  }

  /** Whether the code is right for the account's enrolled (or enrolling) authenticator, whose secret is stored sealed. */
  async function totpMatches(user: Pick<Selectable<UsersTable>, 'id' | 'username' | 'totp_secret'>, code: string): Promise<boolean> {
    return user.totp_secret !== null && checkTotp(await totpSecrets.open(user.id, user.totp_secret), user.username, code);
  }

  /**
   * Checks a username and password: lockout first (per account and per address),
   * then the hash, then that the account is enabled. Every failure is recorded
   * (it counts towards lockout) and audited.
   */
  async function authenticate(input: { username: string; password: string; address: string }): Promise<{ user: Selectable<UsersTable>; actor: Actor }> {
    const since = new Date(Date.now() - LOCKOUT_WINDOW_MS).toISOString();
    const anonymous: Actor = { userId: null, username: input.username, roles: [], organisationId: null, address: input.address };
    if ((await recentFailures('username', input.username, since)) >= LOCKOUT_FAILURES || (await recentFailures('address', input.address, since)) >= LOCKOUT_FAILURES) {
      await recordAttempt(input.username, input.address, false, anonymous, 'locked');
      throw accountsErrors.AUTH_LOCKED({ minutes: LOCKOUT_WINDOW_MS / 60_000 });
    }
    const user = await db.selectFrom('users').selectAll().where('username', '=', input.username).executeTakeFirst();
    // Verify against a dummy hash when the user does not exist, so timing does not reveal usernames.
    const ok = user ? await verifyPassword(user.password_hash, input.password) : (await verifyPassword(DUMMY_HASH, input.password), false);
    if (!user || !ok) {
      await recordAttempt(input.username, input.address, false, { ...anonymous, userId: user?.id ?? null }, 'bad credentials');
      throw accountsErrors.AUTH_INVALID_CREDENTIALS();
    }
    const roles = (await db.selectFrom('user_roles').select('role').where('user_id', '=', user.id).execute()).map((r) => r.role as Role);
    const actor: Actor = { userId: user.id, username: user.username, roles, organisationId: user.organisation_id, address: input.address };
    if (user.disabled === 1) {
      await recordAttempt(input.username, input.address, false, actor, 'disabled');
      throw accountsErrors.AUTH_ACCOUNT_DISABLED();
    }
    return { user, actor };
  }

  /** What a user may see: roles, clearance, grants, organisation scope and the access policy's catalog settings. */
  async function viewerFor(user: Pick<Selectable<UsersTable>, 'id' | 'organisation_id' | 'clearance'>, roles: Role[], policy: Awaited<ReturnType<AccessPolicyReader['current']>>): Promise<Viewer> {
    return {
      userId: user.id,
      roles,
      clearance: user.clearance as Classification,
      organisationId: user.organisation_id,
      zone: settings.zone,
      grants: await activeGrants(db, user.id, user.organisation_id),
      // Scopes bind archive staff only; nobody else's privilege depends on them.
      scopes: roles.some((r) => ARCHIVE_STAFF_ROLES.includes(r)) ? await agencyScopesOf(db, user.id) : null,
      policy: { controlledCatalogForGovernment: policy.controlledCatalogForGovernment, controlledCatalogForPublic: policy.controlledCatalogForPublic },
    };
  }

  return {
    async login(input: { username: string; password: string; address: string; userAgent: string | null }): Promise<SignedIn> {
      const { user, actor } = await authenticate(input);
      const token = randomBytes(32).toString('base64url');
      const csrfToken = randomBytes(24).toString('base64url');
      const now = new Date();
      await db.transaction().execute(async (tx) => {
        await tx.insertInto('login_attempts').values({ id: uuidv7(), username: input.username, address: input.address, ok: 1, at: now.toISOString() }).execute();
        await tx
          .insertInto('sessions')
          .values({ id: sha256(token), user_id: user.id, csrf_token: csrfToken, second_factor_ok: 0, address: input.address, user_agent: input.userAgent?.slice(0, 300) ?? null, created_at: now.toISOString(), last_seen_at: now.toISOString(), expires_at: new Date(now.getTime() + ABSOLUTE_SESSION_MS).toISOString() })
          .execute();
        await audit.append(tx, { actor: { ...actor, roles: [...actor.roles] }, action: 'accounts.login', target: { type: 'user', id: user.id, label: user.username }, result: 'ok' });
      });
      return { token, csrfToken, userId: user.id, mustChangePassword: user.must_change_password === 1 };
    },

    /**
     * Signs a person in for one command-line command that acts for `command.role`
     * (no session): the web's lockout, password and TOTP checks. A wrong password or
     * one-time code counts towards lockout. A one-time password must first be changed
     * on the web, and while 2FA is required an admin must have enrolled TOTP there.
     * Every refusal is audited; the wrong role under the command's own action.
     */
    async signInForCommand(credentials: CredentialSource, command: { role: Role; action: string; label: string; address: string }): Promise<Actor> {
      const username = await credentials.username();
      const password = username === null ? null : await credentials.password();
      if (username === null || password === null) throw accountsErrors.CLI_CREDENTIALS_REQUIRED({ role: ROLE_LABELS[command.role].zh, roleEn: ROLE_LABELS[command.role].en.toLowerCase() });
      const { address } = command;
      const { user, actor } = await authenticate({ username, password, address });
      const refuse = async (err: LantaiError, action: string) => {
        await db.transaction().execute((tx) => audit.append(tx, { actor: { ...actor, roles: [...actor.roles] }, action, target: { type: 'user', id: user.id, label: user.username }, result: 'refused', reason: err.code, details: { channel: 'cli', command: command.action } }));
        return err;
      };
      if (user.must_change_password === 1) throw await refuse(accountsErrors.AUTH_PASSWORD_CHANGE_REQUIRED(), 'accounts.login');
      if (user.totp_enabled === 1) {
        const code = await credentials.oneTimeCode();
        if (code === null || !(await totpMatches(user, code))) {
          await recordAttempt(username, address, false, actor, 'bad one-time code', { channel: 'cli', command: command.action });
          throw accountsErrors.TOTP_INVALID();
        }
      } else if (settings.require2fa && actor.roles.some(isAdminRole)) {
        throw await refuse(accountsErrors.TOTP_ENROL_REQUIRED(), 'accounts.login');
      }
      await recordAttempt(username, address, true, actor, undefined, { channel: 'cli', command: command.action });
      if (!actor.roles.includes(command.role)) {
        const held = actor.roles[0];
        throw await refuse(
          accountsErrors.FORBIDDEN_ROLE({ role: held ? ROLE_LABELS[held].zh : '当前用户', roleEn: held ? ROLE_LABELS[held].en.toLowerCase() : 'user', action: command.label }),
          command.action,
        );
      }
      return actor;
    },

    /** The Viewer of someone signed in for a command (signInForCommand): what they may see, as on the web. */
    async commandViewer(actor: Actor): Promise<Viewer> {
      const user = await db.selectFrom('users').select(['id', 'organisation_id', 'clearance']).where('id', '=', actor.userId ?? '').executeTakeFirst();
      if (!user) throw accountsErrors.AUTH_REQUIRED();
      return viewerFor(user, [...actor.roles], await deps.policy.current(db));
    },

    /** Resolves a cookie token to its session, enforcing the idle and absolute timeouts. */
    async session(token: string, address: string | null): Promise<SessionContext> {
      const id = sha256(token);
      const row = await db
        .selectFrom('sessions')
        .innerJoin('users', 'users.id', 'sessions.user_id')
        .select(['sessions.id as sid', 'sessions.csrf_token', 'sessions.last_seen_at', 'sessions.expires_at', 'users.id as uid', 'users.username', 'users.display_name', 'users.organisation_id', 'users.clearance', 'users.disabled', 'users.must_change_password', 'users.totp_enabled', 'sessions.second_factor_ok'])
        .where('sessions.id', '=', id)
        .executeTakeFirst();
      const now = Date.now();
      if (!row) throw accountsErrors.AUTH_REQUIRED();
      const policy = await deps.policy.current(db);
      const idleMinutes = policy.sessionIdleMinutes ?? settings.idleMinutes;
      const idleExpired = new Date(row.last_seen_at).getTime() + idleMinutes * 60_000 < now;
      if (idleExpired || new Date(row.expires_at).getTime() < now || row.disabled === 1) {
        await db.deleteFrom('sessions').where('id', '=', id).execute();
        throw accountsErrors.AUTH_SESSION_EXPIRED();
      }
      // Touch at most once a minute: sessions are read on every request.
      if (now - new Date(row.last_seen_at).getTime() > 60_000) {
        await db.updateTable('sessions').set({ last_seen_at: new Date(now).toISOString() }).where('id', '=', id).execute();
      }
      const roles = (await db.selectFrom('user_roles').select('role').where('user_id', '=', row.uid).execute()).map((r) => r.role as Role);
      const viewer = await viewerFor({ id: row.uid, organisation_id: row.organisation_id, clearance: row.clearance }, roles, policy);
      const needsSecond = settings.require2fa && roles.some(isAdminRole);
      const secondFactor: SecondFactor = !needsSecond ? 'not-needed' : row.second_factor_ok === 1 ? 'ok' : row.totp_enabled === 1 ? 'verify' : 'enrol';
      return {
        secondFactor,
        sessionId: id,
        csrfToken: row.csrf_token,
        viewer,
        actor: { userId: row.uid, username: row.username, roles, organisationId: row.organisation_id, address },
        mustChangePassword: row.must_change_password === 1,
        displayName: row.display_name,
      };
    },

    /** Starts (or restarts, while not yet confirmed) TOTP enrolment for the signed-in user. */
    async beginTotp(s: SessionContext): Promise<{ uri: string; qrDataUrl: string }> {
      const userId = s.viewer.userId ?? '';
      const user = await db.selectFrom('users').select(['username', 'totp_enabled']).where('id', '=', userId).executeTakeFirstOrThrow();
      if (user.totp_enabled === 1) throw accountsErrors.TOTP_ALREADY_ENROLLED();
      const secret = newTotpSecret();
      await db.updateTable('users').set({ totp_secret: await totpSecrets.seal(userId, secret), updated_at: new Date().toISOString() }).where('id', '=', userId).execute();
      return enrolment(secret, user.username);
    },

    /** Confirms enrolment (first code) or passes the second factor for this session. */
    async verifyTotp(s: SessionContext, code: string): Promise<void> {
      const userId = s.viewer.userId ?? '';
      const user = await db.selectFrom('users').select(['id', 'username', 'totp_secret', 'totp_enabled']).where('id', '=', userId).executeTakeFirstOrThrow();
      const ok = await totpMatches(user, code);
      await db.transaction().execute(async (tx) => {
        if (ok) {
          if (user.totp_enabled === 0) await tx.updateTable('users').set({ totp_enabled: 1, updated_at: new Date().toISOString() }).where('id', '=', userId).execute();
          await tx.updateTable('sessions').set({ second_factor_ok: 1 }).where('id', '=', s.sessionId).execute();
        }
        await audit.append(tx, { actor: { ...s.actor, roles: [...s.actor.roles] }, action: user.totp_enabled === 0 ? 'accounts.totp.enrol' : 'accounts.totp.verify', target: { type: 'user', id: userId, label: user.username }, result: ok ? 'ok' : 'refused' });
      });
      if (!ok) throw accountsErrors.TOTP_INVALID();
    },

    async logout(sessionId: string, everywhere: boolean, actor: Actor): Promise<void> {
      await db.transaction().execute(async (tx) => {
        if (everywhere && actor.userId) await tx.deleteFrom('sessions').where('user_id', '=', actor.userId).execute();
        else await tx.deleteFrom('sessions').where('id', '=', sessionId).execute();
        await audit.append(tx, { actor: { ...actor, roles: [...actor.roles] }, action: everywhere ? 'accounts.logout-everywhere' : 'accounts.logout', target: { type: 'user', id: actor.userId }, result: 'ok' });
      });
    },
  };
}

// argon2id hash of a random string, used to spend the same time on unknown usernames.
const DUMMY_HASH = '$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$0S1Q9lbDm2Wm6n1Q5OQ7c0sS1lB3Yv8fLZ1nJq3Uu3s';

export type Auth = ReturnType<typeof createAuth>;
