/** The format risk registry (格式风险登记): what the archive thinks of each file format it keeps. */

export interface FormatRisksTable {
  /** The format's key: its PRONOM identifier (fmt/477), else its MIME type (OFD has no PUID), else 'unidentified'. */
  format_key: string;
  /** ok (正常), watch (关注), at-risk (高风险). A format never set counts as ok. */
  status: string;
  note: string | null;
  /** The archivist who set it (users.id). */
  set_by: string;
  set_at: string;
}

declare module '../../platform/db/tables.js' {
  interface Tables {
    format_risks: FormatRisksTable;
  }
}
