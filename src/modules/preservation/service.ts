/**
 * Preservation records and PREMIS-style events. Every kept file has one record of
 * what it is (digests, PRONOM format, version, creating application, original name
 * and path); every step taken on a file or a record — ingestion, message digest
 * calculation, format identification, validation, virus check, accession, and
 * later fixity checks, repairs, migrations, access copies — is an event with its
 * time, agents (the person; Lantai and its version; the external tool and its
 * version) and outcome. Events are only ever added, inside the caller's transaction.
 */
import type { Selectable } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { Executor, Tx } from '../../platform/db/database.js';
import type { Digests } from '../../platform/storage/blob-store.js';
import type { PreservationFormat } from '../../platform/formats/pronom.js';
import type { PreservationEventsTable, PreservationFilesTable } from './tables.js';

/** PREMIS event types (Library of Congress vocabulary, id.loc.gov/vocabulary/preservation/eventType). */
export const EVENT_TYPES = ['ingestion', 'message digest calculation', 'format identification', 'validation', 'virus check', 'accession', 'fixity check', 'repair', 'replication', 'migration', 'creation'] as const;
export type EventType = (typeof EVENT_TYPES)[number];
export type EventOutcome = 'success' | 'warning' | 'failure' | 'not checked';

export interface PremisAgent {
  role: 'implementer' | 'executing program' | 'tool';
  name: string;
  id?: string | null;
  version?: string | null;
}

export interface PreservationEventInput {
  subjectType: 'file' | 'record';
  subjectId: string;
  recordId: string;
  type: EventType;
  at: string;
  outcome: EventOutcome;
  detail: string;
  agents: readonly PremisAgent[];
}

export interface PreservationEvent extends PreservationEventInput {
  id: string;
}

export interface KeptFileInput {
  /** The catalog's record_files id. */
  fileId: string;
  recordId: string;
  transferId: string | null;
  digests: Digests;
  format: PreservationFormat;
  originalName: string;
  originalPath: string;
  at: string;
}

export type PreservationService = ReturnType<typeof createPreservationService>;

const CHUNK = 500;

function toEvent(r: Selectable<PreservationEventsTable>): PreservationEvent {
  return { id: r.id, subjectType: r.subject_type as 'file' | 'record', subjectId: r.subject_id, recordId: r.record_id, type: r.event_type as EventType, at: r.at, outcome: r.outcome as EventOutcome, detail: r.detail, agents: JSON.parse(r.agents) as PremisAgent[] };
}

export function createPreservationService() {
  return {
    async recordFiles(tx: Tx, inputs: readonly KeptFileInput[]): Promise<void> {
      const rows = inputs.map((input) => {
        const f = input.format;
        return {
          id: input.fileId, record_id: input.recordId, transfer_id: input.transferId, sha256: input.digests.sha256, sm3: input.digests.sm3, size: input.digests.size,
          mime: f.mime, puid: f.puid, format_name: f.formatName, format_version: f.version, creating_application: f.creatingApplication,
          original_name: input.originalName, original_path: input.originalPath, created_at: input.at,
        };
      });
      for (let i = 0; i < rows.length; i += 300) await tx.insertInto('preservation_files').values(rows.slice(i, i + 300)).execute();
    },

    async addEvents(tx: Tx, events: readonly PreservationEventInput[]): Promise<void> {
      const rows = events.map((e) => ({ id: uuidv7(), subject_type: e.subjectType, subject_id: e.subjectId, record_id: e.recordId, event_type: e.type, at: e.at, outcome: e.outcome, detail: e.detail, agents: JSON.stringify(e.agents) }));
      for (let i = 0; i < rows.length; i += 500) await tx.insertInto('preservation_events').values(rows.slice(i, i + 500)).execute();
    },

    /** A record's events and its files' events, oldest first. The caller has checked the viewer may see the record. */
    async timeline(db: Executor, recordId: string): Promise<PreservationEvent[]> {
      const rows = await db.selectFrom('preservation_events').selectAll().where('record_id', '=', recordId).orderBy('at').orderBy('id').execute();
      return rows.map(toEvent);
    },

    /** The timelines of several records at once (an export's page of records), by record id. */
    async timelines(db: Executor, recordIds: readonly string[]): Promise<Map<string, PreservationEvent[]>> {
      const out = new Map<string, PreservationEvent[]>(recordIds.map((id) => [id, []]));
      for (let i = 0; i < recordIds.length; i += CHUNK) {
        const rows = await db.selectFrom('preservation_events').selectAll().where('record_id', 'in', recordIds.slice(i, i + CHUNK)).orderBy('at').orderBy('id').execute();
        for (const r of rows) out.get(r.record_id)?.push(toEvent(r));
      }
      return out;
    },

    /** The preservation records of a record's files. */
    async files(db: Executor, recordId: string) {
      return db.selectFrom('preservation_files').selectAll().where('record_id', '=', recordId).orderBy('original_path').execute();
    },

    /** The preservation records of several records' files at once, by record id. */
    async filesOf(db: Executor, recordIds: readonly string[]): Promise<Map<string, PreservationFilesTable[]>> {
      const out = new Map<string, PreservationFilesTable[]>(recordIds.map((id) => [id, []]));
      for (let i = 0; i < recordIds.length; i += CHUNK) {
        const rows = await db.selectFrom('preservation_files').selectAll().where('record_id', 'in', recordIds.slice(i, i + CHUNK)).orderBy('original_path').orderBy('id').execute();
        for (const r of rows) out.get(r.record_id)?.push(r);
      }
      return out;
    },

    /** How many files, of how many bytes, these records keep. */
    async totals(db: Executor, recordIds: readonly string[]): Promise<{ files: number; bytes: number }> {
      const totals = { files: 0, bytes: 0 };
      for (let i = 0; i < recordIds.length; i += CHUNK) {
        const row = await db
          .selectFrom('preservation_files')
          .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.sum<number>('size').as('bytes')])
          .where('record_id', 'in', recordIds.slice(i, i + CHUNK))
          .executeTakeFirstOrThrow();
        totals.files += Number(row.n);
        totals.bytes += Number(row.bytes ?? 0);
      }
      return totals;
    },

    /** The records whose files came in with this hand-over (preservation_files.transfer_id). The caller scopes them by the Viewer. */
    async recordsOfTransfer(db: Executor, transferId: string): Promise<string[]> {
      const rows = await db.selectFrom('preservation_files').select('record_id').distinct().where('transfer_id', '=', transferId).execute();
      return rows.map((r) => r.record_id);
    },
  };
}
