/** Table shapes of the audit module, merged into the platform's Tables. */
export interface AuditEntriesTable {
  seq: number;
  id: string;
  at: string;
  actor_user_id: string | null;
  actor_username: string | null;
  actor_organisation_id: string | null;
  actor_roles: string;
  actor_class: string;
  actor_address: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  target_label: string | null;
  result: 'ok' | 'refused' | 'failed';
  reason: string | null;
  details: string;
  prev_hash: string;
  hash: string;
}

export interface AuditChainHeadTable {
  id: number;
  seq: number;
  hash: string;
}

export interface AuditArchivedSegmentsTable {
  to_seq: number;
  from_seq: number;
  head_hash: string;
  file_sha256: string;
  file_sm3: string;
  archived_by: string | null;
  archived_at: string;
}

declare module '../../platform/db/tables.js' {
  interface Tables {
    audit_entries: AuditEntriesTable;
    audit_chain_head: AuditChainHeadTable;
    audit_archived_segments: AuditArchivedSegmentsTable;
  }
}
