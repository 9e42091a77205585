/**
 * The database schema as Kysely sees it. The platform declares its own tables here;
 * each module adds its tables by declaration merging in its repo.ts:
 *
 * @example
 * declare module '../../platform/db/tables.js' {
 *   interface Tables { fonds: FondsTable }
 * }
 *
 * Conventions, the same on SQLite and PostgreSQL: ids are UUIDv7 text; times are
 * ISO-8601 UTC strings (timestamptz on PostgreSQL, read back as ISO strings); JSON
 * is text (jsonb on PostgreSQL, read back as text); flags are integers 0/1.
 */
import type { Generated } from 'kysely';

export interface JobsTable {
  id: string;
  type: string;
  payload: string;
  status: 'pending' | 'running' | 'succeeded' | 'failed' | 'cancelled';
  priority: number;
  attempts: Generated<number>;
  max_attempts: number;
  run_at: string;
  dedupe_key: string | null;
  lease_owner: string | null;
  lease_expires_at: string | null;
  progress: string | null;
  result: string | null;
  last_error: string | null;
  cancel_requested: Generated<number>;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
}

export interface JobSchedulesTable {
  name: string;
  cron: string;
  last_slot: string | null;
  updated_at: string;
}

export interface InstallationTable {
  key: string;
  value: string;
}

// Declaration merging needs an interface; modules extend it.
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface Tables {
  jobs: JobsTable;
  job_schedules: JobSchedulesTable;
  installation: InstallationTable;
}
