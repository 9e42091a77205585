/**
 * Accounts: organisations, users, roles, clearances and grants.
 *
 * Roles follow the separation of the three admin roles (三员分立, GB/T 22239 level 3
 * and the classified-system rules): the three admin roles exclude each other and
 * every business role. Classification levels are the statutory ones of GB/T 7156
 * (非密 < 秘密 < 机密 < 绝密), stored as the Chinese terms the metadata standards use.
 */
import { z } from 'zod';

export const ADMIN_ROLES = ['system_admin', 'security_admin', 'auditor'] as const;
export const BUSINESS_ROLES = ['archivist', 'reading_room', 'approver', 'agency_clerk', 'government_user', 'public_user'] as const;
export const ROLES = [...ADMIN_ROLES, ...BUSINESS_ROLES] as const;

export const roleSchema = z.enum(ROLES);
export type Role = z.infer<typeof roleSchema>;
export type AdminRole = (typeof ADMIN_ROLES)[number];

/** Archive staff see controlled records of every agency (within their clearance). */
export const ARCHIVE_STAFF_ROLES: readonly Role[] = ['archivist', 'reading_room', 'approver'];

export const ROLE_LABELS: Record<Role, { zh: string; en: string }> = {
  system_admin: { zh: '系统管理员', en: 'System administrator' },
  security_admin: { zh: '安全保密管理员', en: 'Security administrator' },
  auditor: { zh: '安全审计员', en: 'Security auditor' },
  archivist: { zh: '档案业务人员', en: 'Archivist' },
  reading_room: { zh: '利用服务人员', en: 'Reading-room staff' },
  approver: { zh: '审批人', en: 'Approver' },
  agency_clerk: { zh: '立档单位档案员', en: 'Agency records clerk' },
  government_user: { zh: '政务用户', en: 'Government user' },
  public_user: { zh: '公众用户', en: 'Registered public user' },
};

export const CLASSIFICATIONS = ['非密', '秘密', '机密', '绝密'] as const;
export const classificationSchema = z.enum(CLASSIFICATIONS);
export type Classification = z.infer<typeof classificationSchema>;

export const OPENNESS = ['开放', '控制', '待定'] as const;
export const opennessSchema = z.enum(OPENNESS);
export type Openness = z.infer<typeof opennessSchema>;

/** DA/T 46 控制标识: a marking separate from classification. */
export const CONTROLS = ['内部', '限制'] as const;
export const controlSchema = z.enum(CONTROLS);
export type Control = z.infer<typeof controlSchema>;

export const ORGANISATION_KINDS = ['archive', 'agency', 'government', 'public'] as const;
export const organisationKindSchema = z.enum(ORGANISATION_KINDS);
export type OrganisationKind = z.infer<typeof organisationKindSchema>;

export type Visibility = 'none' | 'catalog' | 'content';
export const GRANT_LEVELS = ['catalog', 'content'] as const;
export type GrantLevel = (typeof GRANT_LEVELS)[number];
export const GRANT_SUBJECTS = ['record', 'volume', 'fonds'] as const;
export type GrantSubject = (typeof GRANT_SUBJECTS)[number];

export function classificationRank(c: Classification): number {
  return CLASSIFICATIONS.indexOf(c);
}

export function isAdminRole(role: Role): role is AdminRole {
  return (ADMIN_ROLES as readonly Role[]).includes(role);
}
