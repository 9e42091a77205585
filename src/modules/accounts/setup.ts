/**
 * Creating an installation's first accounts: the archive itself and the three
 * separated admins (`lantai setup`), or the demo's one account per role
 * (`lantai serve --demo`, `lantai demo`).
 */
import { randomInt } from 'node:crypto';
import type { Tx } from '../../platform/db/database.js';
import type { Role } from './model.js';
import { passwordProblems } from './password.js';
import { SYSTEM_ACTOR, type AccountsService } from './service.js';

/** Demo-only accounts (README lists them). Passwords follow the policy; never use them outside the demo. */
export const DEMO_ACCOUNTS: ReadonlyArray<{ username: string; displayName: string; role: Role; org: 'archive' | 'agency' | 'government' | 'public' }> = [
  { username: 'sysadmin', displayName: '系统管理员（演示）', role: 'system_admin', org: 'archive' },
  { username: 'secadmin', displayName: '安全保密管理员（演示）', role: 'security_admin', org: 'archive' },
  { username: 'auditor', displayName: '安全审计员（演示）', role: 'auditor', org: 'archive' },
  { username: 'archivist', displayName: '档案业务人员（演示）', role: 'archivist', org: 'archive' },
  { username: 'reader', displayName: '利用服务人员（演示）', role: 'reading_room', org: 'archive' },
  { username: 'approver', displayName: '审批人（演示）', role: 'approver', org: 'archive' },
  { username: 'clerk', displayName: '立档单位档案员（演示）', role: 'agency_clerk', org: 'agency' },
  { username: 'gov', displayName: '政务用户（演示）', role: 'government_user', org: 'government' },
  { username: 'citizen', displayName: '公众用户（演示）', role: 'public_user', org: 'public' },
];
export const DEMO_PASSWORD = 'Demo@2026';

/**
 * A random password that meets the policy (14 characters, or the policy's longer minimum), for
 * first sign-in (it must be changed then). Drawn again in the rare case it holds the username,
 * which the policy refuses: about one draw in 75 for a two-letter username (13 adjacent
 * pairs, each matching case-insensitively with chance (2/62)²).
 */
export function temporaryPassword(username: string, minLength = 14): string {
  for (;;) {
    const password = randomPassword(minLength);
    if (passwordProblems(password, username, minLength).length === 0) return password;
  }
}

function randomPassword(minLength: number): string {
  const sets = ['ABCDEFGHJKLMNPQRSTUVWXYZ', 'abcdefghijkmnpqrstuvwxyz', '23456789', '@#%+=?'];
  const chars = sets.map((s) => s[randomInt(s.length)] ?? '');
  const all = sets.join('');
  while (chars.length < Math.max(14, minLength)) chars.push(all[randomInt(all.length)] ?? '');
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j] ?? '', chars[i] ?? ''];
  }
  return chars.join('');
}

export interface AdminNames {
  systemAdmin: string;
  securityAdmin: string;
  auditor: string;
}

/** Creates the archive organisation and the three admins; returns their one-time passwords. */
export async function setupInstallation(tx: Tx, accounts: AccountsService, input: { archiveName: string; admins: AdminNames }): Promise<Array<{ username: string; role: Role; password: string }>> {
  const archiveId = await accounts.createOrganisation(tx, SYSTEM_ACTOR, { kind: 'archive', code: null, name: input.archiveName, parentId: null });
  const created: Array<{ username: string; role: Role; password: string }> = [];
  for (const [username, role] of [
    [input.admins.systemAdmin, 'system_admin'],
    [input.admins.securityAdmin, 'security_admin'],
    [input.admins.auditor, 'auditor'],
  ] as const) {
    const password = temporaryPassword(username);
    const id = await accounts.createUser(tx, SYSTEM_ACTOR, { username, displayName: username, organisationId: archiveId, password });
    await accounts.setRoles(tx, SYSTEM_ACTOR, id, [role], true);
    created.push({ username, role, password });
  }
  return created;
}

/** The demo's organisations and one account per role, all with DEMO_PASSWORD and no forced change. */
export async function seedDemoAccounts(tx: Tx, accounts: AccountsService): Promise<void> {
  const orgs = {
    archive: await accounts.createOrganisation(tx, SYSTEM_ACTOR, { kind: 'archive', code: 'DEMO', name: '演示市档案馆', parentId: null }),
    agency: await accounts.createOrganisation(tx, SYSTEM_ACTOR, { kind: 'agency', code: 'J001', name: '演示市人民政府办公室', parentId: null }),
    government: await accounts.createOrganisation(tx, SYSTEM_ACTOR, { kind: 'government', code: 'G001', name: '演示市审计局', parentId: null }),
    public: await accounts.createOrganisation(tx, SYSTEM_ACTOR, { kind: 'public', code: 'PUBLIC', name: '社会公众（注册用户）', parentId: null }),
  };
  for (const account of DEMO_ACCOUNTS) {
    const id = await accounts.createUser(tx, SYSTEM_ACTOR, { username: account.username, displayName: account.displayName, organisationId: orgs[account.org], password: DEMO_PASSWORD });
    await accounts.setRoles(tx, SYSTEM_ACTOR, id, [account.role], true);
    await tx.updateTable('users').set({ must_change_password: 0 }).where('id', '=', id).execute();
  }
}
