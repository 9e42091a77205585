/** Table shapes of the catalog module, merged into the platform's Tables. */
import type { Generated } from 'kysely';

export interface FondsTable {
  id: string;
  code: string;
  name: string;
  agency_id: string;
  history: string | null;
  created_at: string;
  updated_at: string;
}

export interface CategoriesTable {
  id: string;
  code: string;
  name: string;
  parent_id: string | null;
  arrangement: 'item' | 'volume';
  /** CodePattern as JSON. */
  pattern: string;
  /** FieldDeclaration[] as JSON. */
  fields: string;
  open_after_years: number;
  position: number;
  enabled: number;
}

export interface OrgCodesTable {
  id: string;
  fonds_id: string;
  code: string;
  name: string;
}

/** Columns shared by volumes and items: what the Viewer reads. */
interface Described {
  id: string;
  fonds_id: string;
  category_id: string;
  agency_id: string;
  archival_code: string | null;
  year: number;
  retention: string;
  org_code: string | null;
  title: string;
  classification: string;
  secrecy_term: string | null;
  control: string | null;
  openness: string;
  remarks: string | null;
  created_at: string;
  updated_at: string;
  version: number;
}

export interface VolumesTable extends Described {
  volume_no: number | null;
}

export interface RecordsTable extends Described {
  volume_id: string | null;
  /** The lowest class the item number restarts in (the code without its item number). */
  class_key: string | null;
  item_no: number | null;
  aggregation_level: string;
  responsible: string;
  date: string;
  openness_due_year: number;
  openness_reviewed_at: string | null;
  agency_openness_opinion: string | null;
  combination_type: string;
  doc_number: string | null;
  doc_type: string | null;
  urgency: string | null;
  main_recipients: string | null;
  copy_recipients: string | null;
  page_count: number | null;
  subject_terms: string | null;
  keywords: string | null;
  abstract: string | null;
  /** Category fields and local extensions as JSON. */
  extensions: string;
  created_by: string | null;
}

export interface RecordFilesTable {
  id: string;
  record_id: string;
  sha256: string;
  sm3: string;
  size: number;
  name: string;
  role: string;
  position: number;
  page_count: number | null;
  mime: string | null;
  created_at: string;
}

export interface ArchivalCodeChangesTable {
  id: string;
  entity_type: 'record' | 'volume';
  entity_id: string;
  old_code: string | null;
  new_code: string | null;
  reason: string;
  batch_id: string | null;
  changed_by: string | null;
  changed_at: string;
}

export interface OpennessReviewsTable {
  id: string;
  record_id: string;
  previous: string;
  decision: string;
  reason: string;
  agency_opinion: string | null;
  reviewer_id: string | null;
  reviewed_at: string;
  batch_id: string;
}

export interface CatalogImportMappingsTable {
  agency_id: string;
  category_id: string;
  /** { header: field } as JSON. */
  mapping: string;
  updated_at: string;
}

export interface CatalogImportsTable {
  id: string;
  fonds_id: string;
  category_id: string;
  file_name: string;
  sheet: string | null;
  /** [{ header, field }] as JSON: how the file's columns were mapped. */
  columns: string;
  status: 'checking' | 'checked' | 'applied' | 'failed';
  total_rows: number;
  error_rows: number;
  created_by: string | null;
  created_at: string;
  applied_at: string | null;
}

export interface CatalogImportRowsTable {
  import_id: string;
  row_no: number;
  /** The row's cells by field, as read (JSON). */
  raw: string;
  /** The checked item row as JSON, ready to insert; null while the row has problems. */
  data: string | null;
  /** Problem[] as JSON, or null. */
  problems: string | null;
}

export interface CatalogPreferencesTable {
  user_id: string;
  key: string;
  value: string;
  updated_at: string;
}

declare module '../../platform/db/tables.js' {
  interface Tables {
    fonds: FondsTable;
    categories: CategoriesTable;
    org_codes: OrgCodesTable;
    volumes: VolumesTable;
    records: RecordsTable;
    record_files: RecordFilesTable;
    archival_code_changes: ArchivalCodeChangesTable;
    openness_reviews: OpennessReviewsTable;
    catalog_import_mappings: CatalogImportMappingsTable;
    catalog_imports: CatalogImportsTable;
    catalog_import_rows: CatalogImportRowsTable;
    catalog_preferences: CatalogPreferencesTable;
  }
}

export type { Generated };
