/**
 * `lantai user create | disable | reset-password`: the system admin's account
 * commands, and how any command that acts for an admin role signs its person in.
 *
 * These commands ask for the system admin's credentials (DESIGN.md "CLI"): on a
 * terminal by prompts, in scripts with `--as <username>` and the password on
 * standard input. The checks are the web's (auth.ts: lockout, password, TOTP); the
 * audit log records the signed-in admin, never the operating-system user. A new
 * or reset account gets a temporary password, printed once, on this terminal only,
 * and changed at its first sign-in. `lantai setup` on an empty installation is the
 * one command that needs no credentials (main.ts).
 */
import os from 'node:os';
import type { Command } from 'commander';
import type { Output } from '../../platform/cli/output.js';
import { terminalCredentials, withCredentialOptions } from '../../platform/cli/credentials.js';
import type { Db } from '../../platform/db/database.js';
import { platformErrors } from '../../platform/http/errors.js';
import { auditedCommand } from './audited-command.js';
import type { AccessPolicyReader } from './access-policy.js';
import type { Auth } from './auth.js';
import { usernameSchema, type Role } from './model.js';
import type { AccountsService, Actor, AuditSink } from './service.js';
import { temporaryPassword } from './setup.js';

/** A command acting for a role (an admin role, or archivist for exports): what to check, what to audit, and the `--as` / `--totp` given. */
export interface RoleCommand {
  role: Role;
  /** The audit action of the command (a refusal for the wrong role is recorded under it). */
  action: string;
  /** What the command does, for the refusal message (`中文 / English`). */
  label: string;
  as?: string;
  totp?: string;
}

/** The terminal as an address for lockout and the audit log: `cli:<os user>@<host>`. */
function terminalAddress(): string {
  let user = 'unknown';
  try {
    user = os.userInfo().username;
  } catch {
    // No passwd entry for this uid (some containers): the host alone still says where.
  }
  return `cli:${user}@${os.hostname()}`;
}

/** Asks for the credentials of someone holding `command.role` and signs them in; the actor the command runs as. */
export async function signInAtTerminal(app: { services: { auth: Auth } }, command: RoleCommand): Promise<Actor> {
  const credentials = terminalCredentials({ as: command.as, totp: command.totp });
  try {
    return await app.services.auth.signInForCommand(credentials, { role: command.role, action: command.action, label: command.label, address: terminalAddress() });
  } finally {
    credentials.close();
  }
}

interface AccountsCliApp {
  database: { db: Db };
  services: { accounts: AccountsService; audit: AuditSink; accessPolicy: AccessPolicyReader };
}

/** The part of the CLI context these commands use (main.ts's CliContext fits it). */
export interface AccountsCliContext {
  output(): Output;
  /** Builds the app, signs the person at the terminal in for the command's role, and runs it as them. */
  withSignedIn<T>(command: RoleCommand, fn: (app: AccountsCliApp, actor: Actor) => Promise<T>): Promise<T>;
}

type CredentialFlags = { as?: string; totp?: string };

function checkUsername(username: string): string {
  const parsed = usernameSchema.safeParse(username);
  if (!parsed.success) throw platformErrors.VALIDATION_FAILED({ summary: `username "${username}": 3–64 letters, digits, _ . -` });
  return parsed.data;
}

export function registerAccountsCli(program: Command, context: AccountsCliContext): void {
  const user = program.command('user').description('账号管理（系统管理员）/ accounts (system admin)');

  withCredentialOptions(
    user
      .command('create <username>')
      .description('新建账号，打印一次性密码（首次登录须修改）/ create an account; prints a one-time password, changed at first sign-in')
      .option('--display-name <name>', '姓名 / display name (default: the username)')
      .option('--organisation <code>', '所属单位的代码或编号（默认档案馆本身）/ code or id of the organisation (default: the archive)'),
  ).action(async (username: string, opts: CredentialFlags & { displayName?: string; organisation?: string }) => {
    const out = context.output();
    const name = checkUsername(username);
    const created = await context.withSignedIn({ role: 'system_admin', action: 'accounts.user.create', label: '创建账号 / create account', as: opts.as, totp: opts.totp }, async (app, actor) => {
      const { accounts } = app.services;
      const org = await accounts.organisationByCode(app.database.db, opts.organisation ?? null);
      const password = temporaryPassword(name, (await app.services.accessPolicy.current(app.database.db)).passwordMinLength);
      const id = await auditedCommand({ db: app.database.db, audit: app.services.audit }, actor, 'accounts.user.create', { type: 'user', id: null, label: name }, (tx, by) =>
        accounts.createUser(tx, by, { username: name, displayName: opts.displayName?.trim() || name, organisationId: org.id, password }),
      );
      return { id, username: name, organisation: org.name, password };
    });
    // The one-time password goes to this terminal only, never to a log.
    out.result(created, () => {
      out.say(`已创建账号 ${created.username}（${created.organisation}），一次性密码如下，首次登录须修改：`, `account ${created.username} created; its one-time password, to be changed at first sign-in:`);
      process.stdout.write(`  ${created.username}\t${created.password}\n`);
    });
  });

  withCredentialOptions(user.command('disable <username>').description('停用账号并结束其会话 / disable an account and end its sessions')).action(async (username: string, opts: CredentialFlags) => {
    const out = context.output();
    const done = await context.withSignedIn({ role: 'system_admin', action: 'accounts.user.disable', label: '停用账号 / disable account', as: opts.as, totp: opts.totp }, async (app, actor) => {
      const target = await app.services.accounts.userByUsername(app.database.db, username);
      await auditedCommand({ db: app.database.db, audit: app.services.audit }, actor, 'accounts.user.disable', { type: 'user', id: target.id, label: target.username }, (tx, by) => app.services.accounts.setDisabled(tx, by, target.id, true));
      return { id: target.id, username: target.username, disabled: true };
    });
    out.result(done, () => out.say(`已停用账号 ${done.username}`, `account ${done.username} disabled`));
  });

  withCredentialOptions(
    user.command('reset-password <username>').description('重置密码，打印一次性密码（下次登录须修改）/ reset a password; prints a one-time password, changed at the next sign-in'),
  ).action(async (username: string, opts: CredentialFlags) => {
    const out = context.output();
    const reset = await context.withSignedIn({ role: 'system_admin', action: 'accounts.user.reset-password', label: '重置密码 / reset password', as: opts.as, totp: opts.totp }, async (app, actor) => {
      const target = await app.services.accounts.userByUsername(app.database.db, username);
      const password = temporaryPassword(target.username, (await app.services.accessPolicy.current(app.database.db)).passwordMinLength);
      await auditedCommand({ db: app.database.db, audit: app.services.audit }, actor, 'accounts.user.reset-password', { type: 'user', id: target.id, label: target.username }, (tx, by) =>
        app.services.accounts.resetPassword(tx, by, target.id, password),
      );
      return { id: target.id, username: target.username, password };
    });
    out.result(reset, () => {
      out.say(`已重置 ${reset.username} 的密码，一次性密码如下，下次登录须修改：`, `password of ${reset.username} reset; its one-time password, to be changed at the next sign-in:`);
      process.stdout.write(`  ${reset.username}\t${reset.password}\n`);
    });
  });
}
