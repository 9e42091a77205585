/** Table shapes of the accounts module, merged into the platform's Tables. */
import type { GrantLevel, GrantSubject, OrganisationKind } from './model.js';

export interface OrganisationsTable {
  id: string;
  kind: OrganisationKind;
  code: string | null;
  name: string;
  parent_id: string | null;
  disabled: number;
  created_at: string;
}

export interface UsersTable {
  id: string;
  username: string;
  display_name: string;
  organisation_id: string;
  password_hash: string;
  must_change_password: number;
  password_changed_at: string | null;
  clearance: string;
  totp_secret: string | null;
  totp_enabled: number;
  disabled: number;
  created_at: string;
  updated_at: string;
}

export interface UserRolesTable {
  user_id: string;
  role: string;
  granted_by: string | null;
  granted_at: string;
}

export interface AccessGrantsTable {
  id: string;
  grantee_user_id: string | null;
  grantee_organisation_id: string | null;
  subject_type: GrantSubject;
  subject_id: string;
  level: GrantLevel;
  expires_at: string | null;
  granted_by: string;
  granted_at: string;
  revoked_at: string | null;
  revoked_by: string | null;
}

export interface SessionsTable {
  id: string;
  user_id: string;
  csrf_token: string;
  second_factor_ok: number;
  address: string | null;
  user_agent: string | null;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
}

export interface LoginAttemptsTable {
  id: string;
  username: string;
  address: string;
  ok: number;
  at: string;
}

export interface ApiKeysTable {
  id: string;
  organisation_id: string;
  name: string;
  secret_hash: string;
  created_by: string;
  created_at: string;
  expires_at: string;
  revoked_at: string | null;
  last_used_at: string | null;
}

/** One filing agency in a staff user's organisation scope (no rows: all agencies). */
export interface UserAgencyScopesTable {
  user_id: string;
  agency_id: string;
  granted_by: string;
  granted_at: string;
}

/** One setting of the access policy, its value as JSON (model.ts accessPolicySchema). */
export interface AccessPolicyTable {
  key: string;
  value: string;
  updated_by: string;
  updated_at: string;
}

declare module '../../platform/db/tables.js' {
  interface Tables {
    organisations: OrganisationsTable;
    users: UsersTable;
    user_roles: UserRolesTable;
    access_grants: AccessGrantsTable;
    sessions: SessionsTable;
    login_attempts: LoginAttemptsTable;
    api_keys: ApiKeysTable;
    user_agency_scopes: UserAgencyScopesTable;
    access_policy: AccessPolicyTable;
  }
}
