/**
 * The files a record holds: attached at accession (bytes already in the blob store
 * under their SHA-256), read through the Viewer. Part of the catalog service
 * (service.ts spreads these in), kept apart from the description rules.
 */
import { v7 as uuidv7 } from 'uuid';
import type { Executor, Tx } from '../../platform/db/database.js';
import type { Actor, AuditSink } from '../accounts/service.js';
import type { Viewer } from '../accounts/viewer.js';
import { catalogErrors } from './errors.js';
import * as repo from './repo.js';
import { requireArchivist } from './service.js';

/** A file whose bytes are in the blob store under `sha256`, as a record holds it. */
export interface KeptFile {
  sha256: string;
  sm3: string;
  size: number;
  name: string;
  role: string;
  position: number;
  pageCount: number | null;
  mime: string | null;
}

export function recordFiles(deps: { audit: AuditSink; notifyRecordsChanged: (tx: Tx, ids: readonly string[]) => Promise<void> }) {
  return {
    /** Attaches kept files to records (accession); ids in input order. */
    async attachFiles(tx: Tx, actor: Actor, files: ReadonlyArray<KeptFile & { recordId: string }>): Promise<string[]> {
      requireArchivist(actor);
      const at = new Date().toISOString();
      const rows = files.map((file) => ({ id: uuidv7(), record_id: file.recordId, sha256: file.sha256, sm3: file.sm3, size: file.size, name: file.name, role: file.role, position: file.position, page_count: file.pageCount, mime: file.mime, created_at: at }));
      for (let i = 0; i < rows.length; i += 500) await tx.insertInto('record_files').values(rows.slice(i, i + 500)).execute();
      await deps.notifyRecordsChanged(tx, [...new Set(files.map((f) => f.recordId))]);
      return rows.map((r) => r.id);
    },

    /**
     * The ids of a record's files when the viewer may see its content, else null: for listing
     * what can be previewed without recording a view of the record (the item page already did).
     */
    async visibleFileIds(db: Executor, viewer: Viewer, recordId: string): Promise<string[] | null> {
      if (viewer.roles.some((r) => r === 'system_admin' || r === 'security_admin' || r === 'auditor')) return null;
      const found = await repo.itemRow(db, repo.scopedItems(db, viewer), recordId);
      if (!found || found.summary.visibility !== 'content') return null;
      return (await db.selectFrom('record_files').select('id').where('record_id', '=', recordId).orderBy('position').execute()).map((f) => f.id);
    },

    /**
     * A record's file for reading (download, preview), through the Viewer: the viewer must see the
     * record's content. Reads (and previews: access copies) of controlled records (控制, or not yet open) are audited. The three
     * admin roles never read records (三员分立), and their attempts are refused, not hidden.
     */
    async openFile(tx: Tx, actor: Actor, viewer: Viewer, recordId: string, fileId: string, purpose: 'read' | 'preview' = 'read'): Promise<{ sha256: string; name: string; mime: string | null; size: number }> {
      if (viewer.roles.some((r) => r === 'system_admin' || r === 'security_admin' || r === 'auditor')) throw catalogErrors.CATALOG_FILE_ADMIN();
      const found = await repo.itemRow(tx, repo.scopedItems(tx, viewer), recordId);
      if (!found || found.summary.visibility !== 'content') throw catalogErrors.CATALOG_FILE_NOT_FOUND({ id: recordId, fileId });
      const file = await tx.selectFrom('record_files').selectAll().where('id', '=', fileId).where('record_id', '=', recordId).executeTakeFirst();
      if (!file) throw catalogErrors.CATALOG_FILE_NOT_FOUND({ id: recordId, fileId });
      const { full } = found;
      if (full.openness !== '开放' || full.control !== null) {
        await deps.audit.append(tx, {
          actor: { ...actor, roles: [...actor.roles] },
          action: purpose === 'preview' ? 'catalog.file.preview' : 'catalog.file.read',
          target: { type: 'record_file', id: fileId, label: `${full.archival_code ?? full.title.slice(0, 40)} ${file.name}` },
          result: 'ok',
          details: { recordId, openness: full.openness, control: full.control },
        });
      }
      return { sha256: file.sha256, name: file.name, mime: file.mime, size: Number(file.size) };
    },
  };
}
