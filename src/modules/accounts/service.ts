/**
 * Accounts rules: who may create accounts, grant roles, clearances and access.
 *
 * 三员分立 (GB/T 22239 level 3; BMB17 for classified systems): the system admin
 * creates and disables accounts but grants nothing; the security admin grants
 * roles, clearances and access but creates no account; the auditor changes
 * nothing here. Nobody grants to themselves. The three admin roles exclude each
 * other and every business role. Every change is audited in its own transaction;
 * refusals are audited by the route (their transaction rolls back).
 */
import { v7 as uuidv7 } from 'uuid';
import type { Executor, Tx } from '../../platform/db/database.js';
import type { AccessPolicyReader } from './access-policy.js';
import { accountsErrors } from './errors.js';
import { listGrants } from './grants-repo.js';
import { ADMIN_ROLES, ROLE_LABELS, isAdminRole, type Classification, type GrantFilter, type GrantLevel, type GrantSubject, type GrantView, type OrganisationKind, type Role } from './model.js';
import { hashPassword, passwordProblems, verifyPassword } from './password.js';
import './tables.js';

/** Who is acting, as the audit log records it. */
export interface Actor {
  userId: string | null;
  username: string | null;
  roles: readonly Role[];
  organisationId: string | null;
  address: string | null;
}

/** The part of the audit module accounts needs (DESIGN.md: audit.append(tx, …)). */
export interface AuditSink {
  append(
    tx: Tx,
    entry: {
      actor: Actor & { roles: string[] };
      action: string;
      target: { type: string; id: string | null; label?: string } | null;
      result: 'ok' | 'refused' | 'failed';
      reason?: string;
      details?: Record<string, unknown>;
    },
  ): Promise<unknown>;
}

export const SYSTEM_ACTOR: Actor = { userId: null, username: 'lantai', roles: [], organisationId: null, address: null };

/** Refuses (FORBIDDEN_ROLE, naming the actor's role) unless the actor holds one of `allowed`. */
export function requireRole(actor: Actor, allowed: readonly Role[], action: string): void {
  if (actor.roles.some((r) => allowed.includes(r))) return;
  const role = actor.roles[0];
  throw accountsErrors.FORBIDDEN_ROLE({
    role: role ? ROLE_LABELS[role].zh : '当前用户',
    roleEn: role ? ROLE_LABELS[role].en.toLowerCase() : 'user',
    action,
  });
}

/** Checks the separation rule for a set of roles held by one account. */
export function checkRoleSet(roles: readonly Role[]): void {
  const admins = roles.filter(isAdminRole);
  if (admins.length > 1 || (admins.length === 1 && roles.length > 1)) {
    throw accountsErrors.ROLE_CONFLICT({ roles: roles.map((r) => ROLE_LABELS[r].zh).join('、') });
  }
}

export interface NewUser {
  username: string;
  displayName: string;
  organisationId: string;
  password: string;
}

export function createAccountsService(deps: { audit: AuditSink; policy: AccessPolicyReader }) {
  const { audit } = deps;
  const now = () => new Date().toISOString();
  const log = (tx: Tx, actor: Actor, action: string, target: { type: string; id: string | null; label?: string }, details?: Record<string, unknown>) =>
    audit.append(tx, { actor: { ...actor, roles: [...actor.roles] }, action, target, result: 'ok', details });

  async function requireUser(db: Executor, id: string) {
    const user = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    if (!user) throw accountsErrors.USER_NOT_FOUND({ id });
    return user;
  }

  /** Refuses a password that breaks the policy (whose minimum length the security admin sets), or one reused as its own replacement. */
  async function checkPassword(db: Executor, password: string, username: string, reused = false): Promise<void> {
    const { passwordMinLength } = await deps.policy.current(db);
    if (reused || passwordProblems(password, username, passwordMinLength).length > 0) throw accountsErrors.PASSWORD_POLICY({ min: passwordMinLength });
  }

  async function rolesOf(db: Executor, userId: string): Promise<Role[]> {
    const rows = await db.selectFrom('user_roles').select('role').where('user_id', '=', userId).orderBy('role').execute();
    return rows.map((r) => r.role as Role);
  }

  return {
    rolesOf,

    /** The account with this username (for the command line, which names people, not ids). */
    async userByUsername(db: Executor, username: string): Promise<{ id: string; username: string }> {
      const user = await db.selectFrom('users').select(['id', 'username']).where('username', '=', username).executeTakeFirst();
      if (!user) throw accountsErrors.USER_NOT_FOUND({ id: username });
      return user;
    },

    /** The organisation with this code or id; with neither given, the archive itself. */
    async organisationByCode(db: Executor, codeOrId: string | null): Promise<{ id: string; name: string }> {
      const query = db.selectFrom('organisations').select(['id', 'name']);
      const org = codeOrId === null
        ? await query.where('kind', '=', 'archive').orderBy('created_at').executeTakeFirst()
        : await query.where((eb) => eb.or([eb('code', '=', codeOrId), eb('id', '=', codeOrId)])).executeTakeFirst();
      if (!org) throw accountsErrors.ORGANISATION_NOT_FOUND({ id: codeOrId ?? 'archive' });
      return org;
    },

    async createOrganisation(tx: Tx, actor: Actor, input: { kind: OrganisationKind; code: string | null; name: string; parentId: string | null }): Promise<string> {
      if (actor !== SYSTEM_ACTOR) requireRole(actor, ['system_admin'], '创建单位 / create organisation');
      const id = uuidv7();
      await tx.insertInto('organisations').values({ id, kind: input.kind, code: input.code, name: input.name, parent_id: input.parentId, disabled: 0, created_at: now() }).execute();
      await log(tx, actor, 'accounts.organisation.create', { type: 'organisation', id, label: input.name }, { kind: input.kind, code: input.code });
      return id;
    },

    /** System admin only (or the installation itself at setup). The new account must change its password at first sign-in. */
    async createUser(tx: Tx, actor: Actor, input: NewUser): Promise<string> {
      if (actor !== SYSTEM_ACTOR) requireRole(actor, ['system_admin'], '创建账号 / create account');
      await checkPassword(tx, input.password, input.username);
      const taken = await tx.selectFrom('users').select('id').where('username', '=', input.username).executeTakeFirst();
      if (taken) throw accountsErrors.USERNAME_TAKEN({ username: input.username });
      const org = await tx.selectFrom('organisations').select('id').where('id', '=', input.organisationId).executeTakeFirst();
      if (!org) throw accountsErrors.ORGANISATION_NOT_FOUND({ id: input.organisationId });
      const id = uuidv7();
      const at = now();
      await tx
        .insertInto('users')
        .values({ id, username: input.username, display_name: input.displayName, organisation_id: input.organisationId, password_hash: await hashPassword(input.password), must_change_password: 1, password_changed_at: null, clearance: '非密', totp_secret: null, totp_enabled: 0, disabled: 0, created_at: at, updated_at: at })
        .execute();
      await log(tx, actor, 'accounts.user.create', { type: 'user', id, label: input.username }, { organisationId: input.organisationId });
      return id;
    },

    async setDisabled(tx: Tx, actor: Actor, userId: string, disabled: boolean): Promise<void> {
      requireRole(actor, ['system_admin'], disabled ? '停用账号 / disable account' : '启用账号 / enable account');
      if (actor.userId === userId) throw accountsErrors.SELF_GRANT();
      const user = await requireUser(tx, userId);
      await tx.updateTable('users').set({ disabled: disabled ? 1 : 0, updated_at: now() }).where('id', '=', userId).execute();
      if (disabled) await tx.deleteFrom('sessions').where('user_id', '=', userId).execute();
      await log(tx, actor, disabled ? 'accounts.user.disable' : 'accounts.user.enable', { type: 'user', id: userId, label: user.username });
    },

    /** Security admin only, never for themselves; the three admin roles stay exclusive. */
    async setRoles(tx: Tx, actor: Actor, userId: string, roles: Role[], installation = false): Promise<void> {
      if (!installation) {
        requireRole(actor, ['security_admin'], '授予角色 / grant roles');
        if (actor.userId === userId) throw accountsErrors.SELF_GRANT();
      }
      const unique = [...new Set(roles)];
      checkRoleSet(unique);
      const user = await requireUser(tx, userId);
      const before = await rolesOf(tx, userId);
      await tx.deleteFrom('user_roles').where('user_id', '=', userId).execute();
      if (unique.length > 0) {
        await tx.insertInto('user_roles').values(unique.map((role) => ({ user_id: userId, role, granted_by: actor.userId, granted_at: now() }))).execute();
      }
      await tx.deleteFrom('sessions').where('user_id', '=', userId).execute();
      await log(tx, actor, 'accounts.user.roles', { type: 'user', id: userId, label: user.username }, { before, after: unique });
    },

    async setClearance(tx: Tx, actor: Actor, userId: string, clearance: Classification): Promise<void> {
      requireRole(actor, ['security_admin'], '设置涉密等级 / set clearance');
      if (actor.userId === userId) throw accountsErrors.SELF_GRANT();
      const user = await requireUser(tx, userId);
      await tx.updateTable('users').set({ clearance, updated_at: now() }).where('id', '=', userId).execute();
      await log(tx, actor, 'accounts.user.clearance', { type: 'user', id: userId, label: user.username }, { before: user.clearance, after: clearance });
    },

    async grantAccess(
      tx: Tx,
      actor: Actor,
      input: { userId?: string; organisationId?: string; subjectType: GrantSubject; subjectId: string; level: GrantLevel; expiresAt: string | null },
    ): Promise<string> {
      requireRole(actor, ['security_admin'], '授予利用权限 / grant access');
      if (input.userId && input.userId === actor.userId) throw accountsErrors.SELF_GRANT();
      const id = uuidv7();
      await tx
        .insertInto('access_grants')
        .values({ id, grantee_user_id: input.userId ?? null, grantee_organisation_id: input.userId ? null : (input.organisationId ?? null), subject_type: input.subjectType, subject_id: input.subjectId, level: input.level, expires_at: input.expiresAt, granted_by: actor.userId ?? 'lantai', granted_at: now(), revoked_at: null, revoked_by: null })
        .execute();
      await log(tx, actor, 'accounts.grant.create', { type: input.subjectType, id: input.subjectId }, { grantId: id, level: input.level, userId: input.userId, organisationId: input.organisationId, expiresAt: input.expiresAt });
      return id;
    },

    /** Security admin only: every grant, active, expired or revoked, newest first. */
    async listGrants(db: Executor, actor: Actor, filter: GrantFilter): Promise<GrantView[]> {
      requireRole(actor, ['security_admin'], '查看利用权限 / list grants');
      return listGrants(db, filter);
    },

    async revokeAccess(tx: Tx, actor: Actor, grantId: string): Promise<void> {
      requireRole(actor, ['security_admin'], '撤销利用权限 / revoke access');
      await tx.updateTable('access_grants').set({ revoked_at: now(), revoked_by: actor.userId }).where('id', '=', grantId).where('revoked_at', 'is', null).execute();
      await log(tx, actor, 'accounts.grant.revoke', { type: 'grant', id: grantId });
    },

    /** Anyone signed in, for their own account: the current password proves it is them. */
    async changeOwnPassword(tx: Tx, actor: Actor, current: string, next: string): Promise<void> {
      if (!actor.userId) throw accountsErrors.AUTH_REQUIRED();
      const user = await requireUser(tx, actor.userId);
      if (!(await verifyPassword(user.password_hash, current))) throw accountsErrors.AUTH_INVALID_CREDENTIALS();
      await checkPassword(tx, next, user.username, next === current);
      const at = now();
      await tx.updateTable('users').set({ password_hash: await hashPassword(next), must_change_password: 0, password_changed_at: at, updated_at: at }).where('id', '=', user.id).execute();
      await log(tx, actor, 'accounts.user.change-password', { type: 'user', id: user.id, label: user.username });
    },

    /** System admin: sets a temporary password that must be changed at the next sign-in. */
    async resetPassword(tx: Tx, actor: Actor, userId: string, temporary: string): Promise<void> {
      requireRole(actor, ['system_admin'], '重置密码 / reset password');
      const user = await requireUser(tx, userId);
      const targetRoles = await rolesOf(tx, userId);
      if (actor.userId === userId || targetRoles.some((r) => (ADMIN_ROLES as readonly Role[]).includes(r) && r !== 'system_admin')) {
        // Resetting another admin's password would let the system admin act as them.
        throw accountsErrors.FORBIDDEN_ROLE({ role: ROLE_LABELS.system_admin.zh, roleEn: 'system administrator', action: '重置其他管理员的密码 / reset another admin’s password' });
      }
      await checkPassword(tx, temporary, user.username);
      await tx.updateTable('users').set({ password_hash: await hashPassword(temporary), must_change_password: 1, updated_at: now() }).where('id', '=', userId).execute();
      await tx.deleteFrom('sessions').where('user_id', '=', userId).execute();
      await log(tx, actor, 'accounts.user.reset-password', { type: 'user', id: userId, label: user.username });
    },
  };
}

export type AccountsService = ReturnType<typeof createAccountsService>;
