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

declare module '../../platform/db/tables.js' {
  interface Tables {
    access_copies: AccessCopiesTable;
    preservation_files: PreservationFilesTable;
    preservation_events: PreservationEventsTable;
  }
}
