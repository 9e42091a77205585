/**
 * Restoring a backup (`lantai restore`), in the order that keeps a refusal harmless:
 *
 *  1. open: the private key must be the one the backup was made for, the data key
 *     must unwrap and the manifest must match its seal;
 *  2. verify: every part is decrypted through once and thrown away — every chunk
 *     authenticated, no chunk missing, size and SHA-256 as the manifest says;
 *  3. only into an empty database of the same kind;
 *  4. restore, and hold the result against the manifest's facts (every table's rows,
 *     the migrations, the audit chain's head).
 * A wrong key, a flipped byte, a cut-off file or a database already in use stops at
 * 1–3 with nothing changed. Then (backup-cli.ts) the system admin signs in against
 * the restored accounts, the audit chain is checked against its signed checkpoints,
 * and the stores are checked against the inventory.
 */
import type { KeyObject } from 'node:crypto';
import type { Executor } from '../../platform/db/database.js';
import { LantaiError } from '../../platform/http/errors.js';
import type { BlobStore } from '../../platform/storage/blob-store.js';
import type { CheckpointSink } from '../audit/checkpoints.js';
import type { VerifyReport } from '../audit/model.js';
import { verifyChain } from '../audit/verify.js';
import { manifestSeal, partKey, sealMatches, unwrapDataKey } from './backup-crypto.js';
import type { DatabaseBackup } from './backup-database.js';
import { backupErrors } from './backup-errors.js';
import { readManifest, type BackupManifest, type BackupPart, type DatabaseFacts } from './backup-manifest.js';
import { readPart, verifyPart } from './backup-parts.js';

export const RESTORE_ACTION = 'preservation.backup.restore';

export interface OpenedBackup {
  dir: string;
  manifest: BackupManifest;
  dataKey: Buffer;
}

/** Opens a backup folder with the security admin's private key: the manifest, now trusted, and the data key. */
export async function openBackup(dir: string, privateKey: KeyObject): Promise<OpenedBackup> {
  const { manifest, bytes, seal } = await readManifest(dir);
  const dataKey = unwrapDataKey(manifest.encryption.dataKey, privateKey, manifest.id);
  if (!sealMatches(manifestSeal(dataKey, manifest.id, bytes), seal)) {
    throw backupErrors.BACKUP_TAMPERED({ what: 'manifest.json 与其封签 manifest.seal 不符', whatEn: 'manifest.json does not match its seal manifest.seal' });
  }
  return { dir, manifest, dataKey };
}

function partOf(backup: OpenedBackup, name: BackupPart['name']): BackupPart {
  const part = backup.manifest.parts.find((p) => p.name === name);
  if (!part) throw backupErrors.BACKUP_TAMPERED({ what: `清单中没有 ${name} 部分`, whatEn: `the manifest lists no ${name} part` });
  return part;
}

/** The decrypted bytes of one part (checked as they come; see readPart). */
export function backupPart(backup: OpenedBackup, name: BackupPart['name'], onRead?: (bytes: number) => void): AsyncGenerator<Buffer> {
  return readPart(backup.dir, partOf(backup, name), partKey(backup.dataKey, backup.manifest.id, name), onRead);
}

/** Reads every part through once; `onRead` gets the encrypted bytes read so far, of all parts. */
export async function verifyBackup(backup: OpenedBackup, onRead?: (bytes: number) => void): Promise<void> {
  let before = 0;
  for (const part of backup.manifest.parts) {
    await verifyPart(backup.dir, part, partKey(backup.dataKey, backup.manifest.id, part.name), (n) => onRead?.(before + n));
    before += part.encryptedBytes;
  }
}

/** Restores the database part into `target`, which must be empty and of the backup's kind. */
export async function restoreDatabase(backup: OpenedBackup, target: DatabaseBackup): Promise<DatabaseFacts> {
  const { kind } = backup.manifest.database;
  if (target.kind !== kind) throw backupErrors.BACKUP_RESTORE_KIND({ kind, configured: target.describe });
  const found = await target.installation();
  if (found) throw backupErrors.BACKUP_RESTORE_NOT_EMPTY({ database: target.describe, found: found.zh, foundEn: found.en });
  return target.restore(backupPart(backup, 'database'), backup.manifest.database);
}

export interface AuditAnchors {
  report: VerifyReport | null;
  /** Why the chain could not be checked (a missing key file), when it could not. */
  problem: { code: string; zh: string; en: string } | null;
  /** Entries the signed checkpoints name beyond the backup's head: recorded after the backup, lost with the database. */
  lost: { from: number; to: number } | null;
}

/**
 * Holds the restored audit chain against the checkpoint file. Checkpoints written
 * after the backup reach past its head: the entries they sign were lost with the
 * database, and the file must be set aside before new entries take those numbers.
 */
export async function auditAnchors(db: Executor, sink: CheckpointSink): Promise<AuditAnchors> {
  try {
    const report = await verifyChain(db, sink);
    if (report.firstBroken?.kind !== 'truncated') return { report, problem: null, lost: null };
    const reach = (await sink.readAll()).reduce((most, line) => Math.max(most, line.checkpoint?.seq ?? 0), 0);
    return { report, problem: null, lost: { from: report.firstBroken.seq, to: reach } };
  } catch (err) {
    if (!(err instanceof LantaiError)) throw err;
    return { report: null, problem: { code: err.code, zh: err.zh, en: err.en }, lost: null };
  }
}

export interface BlobFinding {
  store: string;
  sha256: string;
  size: number;
  /** The size found in the store; absent when the blob is missing. */
  actual?: number;
}

export interface InventoryReport {
  /** Blobs of the inventory looked for in a configured store. */
  checked: number;
  missing: BlobFinding[];
  wrongSize: BlobFinding[];
  /** Blobs of stores that are not configured here, by store: not checked. */
  unchecked: Record<string, number>;
}

async function* inventoryEntries(bytes: AsyncIterable<Buffer>): AsyncGenerator<{ store: string; sha256: string; size: number }> {
  let rest = '';
  for await (const chunk of bytes) {
    const lines = (rest + chunk.toString('utf8')).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) if (line) yield JSON.parse(line) as { store: string; sha256: string; size: number };
  }
  if (rest) yield JSON.parse(rest) as { store: string; sha256: string; size: number };
}

/** Looks up every blob of the inventory in the configured stores (size only; fixity audits recompute digests). */
export async function checkInventory(backup: OpenedBackup, stores: ReadonlyMap<string, Pick<BlobStore, 'stat'>>, onBlob?: (done: number) => void): Promise<InventoryReport> {
  const report: InventoryReport = { checked: 0, missing: [], wrongSize: [], unchecked: {} };
  const inFlight = new Set<Promise<void>>();
  for await (const entry of inventoryEntries(backupPart(backup, 'inventory'))) {
    const store = stores.get(entry.store);
    if (!store) {
      report.unchecked[entry.store] = (report.unchecked[entry.store] ?? 0) + 1;
      continue;
    }
    const looking: Promise<void> = store.stat(entry.sha256).then((stat) => {
      if (!stat) report.missing.push(entry);
      else if (stat.size !== entry.size) report.wrongSize.push({ ...entry, actual: stat.size });
      report.checked += 1;
      onBlob?.(report.checked);
    });
    inFlight.add(looking);
    void looking.finally(() => inFlight.delete(looking)).catch(() => undefined);
    // Sixteen look-ups at a time: an S3 store answers each in a round trip.
    if (inFlight.size >= 16) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  const order = (a: BlobFinding, b: BlobFinding) => a.store.localeCompare(b.store) || a.sha256.localeCompare(b.sha256);
  report.missing.sort(order);
  report.wrongSize.sort(order);
  return report;
}
