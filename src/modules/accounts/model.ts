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

/** Letters, digits and `_ . -`, 3 to 64 of them. */
export const usernameSchema = z.string().regex(/^[A-Za-z0-9_.-]{3,64}$/, '3–64 letters, digits, _ . -');

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

/** Where a grant or an API key stands now. */
export const GRANT_STATUSES = ['active', 'expired', 'revoked'] as const;
export type CredentialStatus = (typeof GRANT_STATUSES)[number];

const personRef = z.object({ id: z.string(), username: z.string().nullable() });

/** An access grant as the security admin reviews it (GET /api/accounts/grants). */
export const grantViewSchema = z.object({
  id: z.string(),
  /** A user's display name and username, or an organisation's name (username null). */
  grantee: z.object({ kind: z.enum(['user', 'organisation']), id: z.string(), name: z.string().nullable(), username: z.string().nullable() }),
  subjectType: z.enum(GRANT_SUBJECTS),
  subjectId: z.string(),
  level: z.enum(GRANT_LEVELS),
  expiresAt: z.string().nullable(),
  grantedAt: z.string(),
  grantedBy: personRef,
  revokedAt: z.string().nullable(),
  revokedBy: personRef.nullable(),
  status: z.enum(GRANT_STATUSES),
});
export type GrantView = z.infer<typeof grantViewSchema>;

export const grantFilterSchema = z.object({
  granteeUserId: z.string().max(64).optional(),
  granteeOrganisationId: z.string().max(64).optional(),
  limit: z.coerce.number().int().min(1).max(2000).default(500),
});
export type GrantFilter = z.infer<typeof grantFilterSchema>;

/** A filing-API key as the system admin reviews it: never its secret or hash. */
export const apiKeyViewSchema = z.object({
  id: z.string(),
  organisationId: z.string(),
  organisationName: z.string(),
  name: z.string(),
  createdAt: z.string(),
  createdBy: personRef,
  expiresAt: z.string(),
  revokedAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
  status: z.enum(GRANT_STATUSES),
});
export type ApiKeyView = z.infer<typeof apiKeyViewSchema>;

/** Revoked beats expired; an expiry at or before `now` has passed. */
export function credentialStatus(revokedAt: string | null, expiresAt: string | null, now: Date): CredentialStatus {
  if (revokedAt !== null) return 'revoked';
  return expiresAt !== null && new Date(expiresAt).getTime() <= now.getTime() ? 'expired' : 'active';
}

/**
 * The access policy the security admin sets (access-policy.ts). The two catalog
 * settings widen the Viewer's default rule to the description — never the content —
 * of 控制 items; the other two tighten sign-in. Every setting has a default, so an
 * installation that never set one behaves as before.
 */
export const accessPolicySchema = z.object({
  /** 政务用户 see the catalog of other agencies' 控制 items without a grant. */
  controlledCatalogForGovernment: z.boolean(),
  /** Registered public users see the catalog of 控制 items without a grant. */
  controlledCatalogForPublic: z.boolean(),
  /** The password policy's minimum length (GB/T 22239 asks for at least 8). */
  passwordMinLength: z.number().int().min(8).max(32),
  /** Overrides LANTAI_SESSION_IDLE_MINUTES; null keeps the configured value. */
  sessionIdleMinutes: z.number().int().min(5).max(480).nullable(),
});
export type AccessPolicy = z.infer<typeof accessPolicySchema>;

export const DEFAULT_ACCESS_POLICY: Readonly<AccessPolicy> = Object.freeze({
  controlledCatalogForGovernment: false,
  controlledCatalogForPublic: false,
  passwordMinLength: 8,
  sessionIdleMinutes: null,
});

/** PUT /api/accounts/access-policy: the settings to change, at least one. */
export const accessPolicyPatchSchema = accessPolicySchema.partial().refine((p) => Object.keys(p).length > 0, 'change at least one setting');
export type AccessPolicyPatch = z.infer<typeof accessPolicyPatchSchema>;

/** GET /api/accounts/access-policy: the settings, the configured idle timeout, and the last change. */
export const accessPolicyViewSchema = accessPolicySchema.extend({
  configuredSessionIdleMinutes: z.number().int(),
  updatedAt: z.string().nullable(),
  updatedBy: z.string().nullable(),
});
export type AccessPolicyView = z.infer<typeof accessPolicyViewSchema>;

/** A staff user's organisation scope: the filing agencies their staff privilege covers (empty: all). */
export const agencyScopeSchema = z.object({ userId: z.string(), agencyIds: z.array(z.string()) });
export type AgencyScope = z.infer<typeof agencyScopeSchema>;
