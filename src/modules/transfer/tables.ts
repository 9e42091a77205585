/** Table shapes of the hand-over (transfer) module, merged into the platform's Tables. */

export type TransferStatus = 'draft' | 'submitted' | 'checking' | 'checked' | 'accepted' | 'returned';
export type TransferChannel = 'web' | 'api' | 'cli' | 'offline';

export interface TransfersTable {
  id: string;
  agency_id: string;
  fonds_id: string;
  category_id: string;
  title: string;
  year_from: number;
  year_to: number;
  declared_items: number;
  /** The agency's openness opinion for the whole batch (档案法 art. 30); items may carry their own. */
  openness_opinion: string | null;
  channel: TransferChannel;
  /** Offline hand-overs: { type, label, number } as JSON. */
  carrier: string | null;
  status: TransferStatus;
  /** 1 for the first submission; a resubmission after return is a new transfer with version + 1. */
  version: number;
  previous_id: string | null;
  idempotency_key: string | null;
  /** The checks' summary as JSON (counts per result and property, pass rate), once checked. */
  summary: string | null;
  return_reason: string | null;
  created_by: string | null;
  created_at: string;
  updated_at: string;
  submitted_at: string | null;
  checked_at: string | null;
  decided_at: string | null;
  decided_by: string | null;
  /** The latest check job (submit or self-check), for its progress. */
  check_job_id: string | null;
}

export interface TransferItemsTable {
  id: string;
  transfer_id: string;
  /** Order in the package (row of the catalog spreadsheet, position in the API call). */
  position: number;
  /** The item's description as given (catalog item input, as JSON). */
  metadata: string;
  title: string;
  archival_code: string | null;
  openness_opinion: string | null;
  /** The files the item names: [{ path, role, sha256?, sm3?, size? }] as JSON. */
  declared_files: string;
  /** Worst check result of the item: 通过 / 警告 / 不通过 / 未检测. */
  result: string | null;
  return_reason: string | null;
}

export interface TransferFilesTable {
  id: string;
  transfer_id: string;
  item_id: string | null;
  /** Relative path in the package (posix, NFC). */
  path: string;
  /** Absolute path of the bytes in staging. */
  staged_path: string;
  size: number;
  sha256: string;
  sm3: string;
  /** What the package or the agency declared, for the fixity check. */
  declared_size: number | null;
  declared_sha256: string | null;
  declared_sm3: string | null;
  role: string;
  position: number;
  mime: string | null;
  received_at: string;
}

export interface TransferUploadsTable {
  id: string;
  transfer_id: string;
  path: string;
  size: number;
  declared_sha256: string | null;
  received: number;
  status: 'open' | 'complete';
  staged_path: string;
  created_at: string;
  updated_at: string;
}

export interface TransferCheckResultsTable {
  id: string;
  transfer_id: string;
  check_id: string;
  item_id: string | null;
  file_id: string | null;
  result: string;
  /** { expected?, found?, message } as JSON. */
  evidence: string;
}

declare module '../../platform/db/tables.js' {
  interface Tables {
    transfers: TransfersTable;
    transfer_items: TransferItemsTable;
    transfer_files: TransferFilesTable;
    transfer_uploads: TransferUploadsTable;
    transfer_check_results: TransferCheckResultsTable;
  }
}
