/**
 * The scheduled backup (LANTAI_BACKUP_DIR, LANTAI_BACKUP_CRON): the same backup as
 * `lantai backup`, into a new folder named by its time under LANTAI_BACKUP_DIR,
 * encrypted for the security admin's public key (LANTAI_BACKUP_PUBLIC_KEY_FILE), and
 * audited under the system actor. A failed run leaves no half-made folder, is audited
 * as failed, and the job runner retries it.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { DatabaseConfig } from '../../config.js';
import type { Db } from '../../platform/db/database.js';
import type { BlobStore } from '../../platform/storage/blob-store.js';
import { SYSTEM_ACTOR, type AuditSink } from '../accounts/service.js';
import { BACKUP_ACTION, makeBackup } from './backup.js';
import { readBackupPublicKey } from './backup-crypto.js';
import { databaseBackup } from './backup-database.js';

export const BACKUP_JOB = 'preservation.backup';

export interface BackupJobDeps {
  db: Db;
  audit: AuditSink;
  database: DatabaseConfig;
  stores: ReadonlyMap<string, BlobStore>;
  dir: string;
  publicKeyFile: string;
  tmpDir: string;
  version: string;
}

export function scheduledBackup(deps: BackupJobDeps) {
  return async (): Promise<{ id: string; dir: string }> => {
    const dir = path.join(deps.dir, new Date().toISOString().replace(/[:.]/g, '-'));
    const audit = (entry: Parameters<AuditSink['append']>[1]) => deps.db.transaction().execute((tx) => deps.audit.append(tx, entry));
    try {
      const publicKey = await readBackupPublicKey(deps.publicKeyFile);
      await fs.mkdir(dir, { recursive: true });
      const made = await makeBackup({ database: databaseBackup(deps.database, { tmpDir: deps.tmpDir }), stores: deps.stores, version: deps.version }, { dir, publicKey, createdBy: null, host: os.hostname() });
      await audit({ actor: { ...SYSTEM_ACTOR, roles: [...SYSTEM_ACTOR.roles] }, action: BACKUP_ACTION, target: { type: 'backup', id: made.id, label: dir }, result: 'ok', details: { scheduled: true, keyId: made.encryption.dataKey.keyId, counts: made.counts } });
      return { id: made.id, dir };
    } catch (err) {
      await fs.rm(dir, { recursive: true, force: true });
      await audit({ actor: { ...SYSTEM_ACTOR, roles: [...SYSTEM_ACTOR.roles] }, action: BACKUP_ACTION, target: { type: 'backup', id: null, label: dir }, result: 'failed', reason: (err as { code?: string }).code ?? 'error', details: { scheduled: true, message: (err as Error).message.slice(0, 300) } });
      throw err;
    }
  };
}
