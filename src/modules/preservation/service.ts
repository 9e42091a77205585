/**
 * Preservation records and PREMIS-style events. Every kept file has one record of
 * what it is (digests, PRONOM format, version, creating application, original name
 * and path); every step taken on a file or a record — ingestion, message digest
 * calculation, format identification, validation, virus check, accession, and
 * later fixity checks, repairs, migrations, access copies — is an event with its
 * time, agents (the person; Lantai and its version; the external tool and its
 * version) and outcome. Events are only ever added, inside the caller's transaction.
 */
import { v7 as uuidv7 } from 'uuid';
import type { Executor, Tx } from '../../platform/db/database.js';
import type { Digests } from '../../platform/storage/blob-store.js';
import type { PreservationFormat } from '../../platform/formats/pronom.js';

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
      return rows.map((r) => ({ id: r.id, subjectType: r.subject_type as 'file' | 'record', subjectId: r.subject_id, recordId: r.record_id, type: r.event_type as EventType, at: r.at, outcome: r.outcome as EventOutcome, detail: r.detail, agents: JSON.parse(r.agents) as PremisAgent[] }));
    },

    /** The preservation records of a record's files. */
    async files(db: Executor, recordId: string) {
      return db.selectFrom('preservation_files').selectAll().where('record_id', '=', recordId).orderBy('original_path').execute();
    },
  };
}
