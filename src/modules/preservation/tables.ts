/** Tables of the preservation module: what each kept file is, and what happened to it (PREMIS events). */

export interface PreservationFilesTable {
  /** The catalog's record_files id: one preservation record per file of a record. */
  id: string;
  record_id: string;
  transfer_id: string | null;
  sha256: string;
  sm3: string;
  size: number;
  mime: string | null;
  /** PRONOM identifier (fmt/477), null where PRONOM has none (OFD). */
  puid: string | null;
  format_name: string | null;
  format_version: string | null;
  creating_application: string | null;
  original_name: string;
  original_path: string;
  created_at: string;
}

export interface PreservationEventsTable {
  id: string;
  /** 'file' (a preservation_files id) or 'record' (a catalog record id). */
  subject_type: string;
  subject_id: string;
  /** The record the subject belongs to, for a record's whole timeline. */
  record_id: string;
  /** PREMIS event type: ingestion, message digest calculation, format identification, validation, virus check, accession, fixity check, … */
  event_type: string;
  at: string;
  /** PREMIS outcome: success, warning, failure, not checked. */
  outcome: string;
  detail: string;
  /** JSON: [{ role: 'implementer' | 'executing program' | 'tool', name, id?, version? }]. */
  agents: string;
}

/** Derivatives for viewing (利用副本): never a replacement for the original, which stays as it came. */
export interface AccessCopiesTable {
  id: string;
  /** The catalog's record_files id of the original. */
  file_id: string;
  record_id: string;
  /** 'thumbnail' (page 1, small) or 'page' (one page at reading size). */
  kind: string;
  /** 1-based page (a single image is page 1). */
  page: number;
  sha256: string;
  size: number;
  mime: string;
  width: number;
  height: number;
  created_at: string;
}

/** One fixity audit of one store: where it has got to (cursor: the last SHA-256 done) and what it found. */
export interface FixityRunsTable {
  id: string;
  store: string;
  /** running (or interrupted: a stale heartbeat), completed, failed (store unreachable). */
  status: string;
  sample_percent: number;
  algorithms: string;
  cursor: string;
  blobs: number;
  bytes: number;
  ok: number;
  missing: number;
  damaged: number;
  repaired: number;
  at_risk: number;
  detail: string | null;
  started_by: string;
  started_at: string;
  heartbeat_at: string;
  finished_at: string | null;
}

/** The last known state of each blob's copy in each store (replica lag, files at risk). */
export interface BlobCopiesTable {
  sha256: string;
  store: string;
  /** ok, missing, damaged, repaired, unreachable. */
  status: string;
  detail: string | null;
  checked_at: string;
  ok_at: string | null;
}

/** What archivists and the system admin must hear about: a file at risk, a store unreachable. */
export interface PreservationAlertsTable {
  id: string;
  /** at-risk, store-unreachable. */
  kind: string;
  store: string | null;
  sha256: string | null;
  message: string;
  created_at: string;
  resolved_at: string | null;
}

declare module '../../platform/db/tables.js' {
  interface Tables {
    fixity_runs: FixityRunsTable;
    blob_copies: BlobCopiesTable;
    preservation_alerts: PreservationAlertsTable;
    access_copies: AccessCopiesTable;
    preservation_files: PreservationFilesTable;
    preservation_events: PreservationEventsTable;
  }
}
