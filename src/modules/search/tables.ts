/** Table shapes of the search module (the index and the extracted text), merged into the platform's Tables. */
import type { Generated } from 'kysely';

/** One indexed item: the fields results show, filter and facet on, and the Viewer's fields. */
export interface SearchDocsTable {
  key: Generated<number>;
  record_id: string;
  fonds_id: string;
  category_id: string;
  agency_id: string | null;
  volume_id: string | null;
  classification: string;
  control: string | null;
  openness: string;
  year: number | null;
  retention: string | null;
  date: string | null;
  /** The date padded to 8 digits with zeros, for range filters and sorting. */
  date_key: string;
  archival_code: string | null;
  /** The code normalised like query text, for prefix matches. */
  code_key: string | null;
  title: string;
  responsible: string | null;
  doc_number: string | null;
  file_count: number;
  /** Format labels of the item's files, as `,pdf,jpeg,` (facet and filter). */
  formats: string;
  /** The first file with content, for the thumbnail URL. */
  thumb_file_id: string | null;
  indexed_at: string;
  /** PostgreSQL only: the meta fields' token streams (tsvector); SQLite keeps them in search_meta_fts. */
  meta_v?: string;
  /** PostgreSQL only: the pages' runs (pg-index.ts docRuns), where a phrase is checked. */
  runs?: string;
}

/** One page (or ≤ 8,000-character chunk) of an item's file text; key = doc key << 20 | sequence. */
export interface SearchPagesTable {
  key: number;
  doc_key: number;
  file_id: string;
  page: number;
  text: string;
}

/** Text extraction state per file (a file's text is extracted once; OCR is slow). */
export interface SearchExtractionsTable {
  file_id: string;
  record_id: string;
  status: 'done' | 'failed' | 'unsupported';
  tool: string | null;
  tool_version: string | null;
  pages: number;
  ocr_pages: number;
  attempts: number;
  error: string | null;
  updated_at: string;
}

export interface SearchFilePagesTable {
  file_id: string;
  page: number;
  method: string;
  text: string;
}

/** Items whose index entry is out of date; the index job drains it in batches. */
export interface SearchDirtyTable {
  record_id: string;
  queued_at: string;
}

declare module '../../platform/db/tables.js' {
  interface Tables {
    search_docs: SearchDocsTable;
    search_pages: SearchPagesTable;
    search_extractions: SearchExtractionsTable;
    search_file_pages: SearchFilePagesTable;
    search_dirty: SearchDirtyTable;
  }
}
