/**
 * Making a backup (`lantai backup`): the database and the stores' inventory, each
 * encrypted for the security admin's public key, and a sealed manifest.
 *
 * Order matters: the database is dumped first and the stores are walked after, so
 * every blob the dumped database points at is in the inventory (blobs are never
 * deleted while referenced). The blobs themselves are not copied: replicas and
 * offline media protect them, and a restore checks them against the inventory.
 */
import { randomBytes, type KeyObject } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import type { BlobStore } from '../../platform/storage/blob-store.js';
import { DATA_KEY_BYTES, manifestSeal, partKey, wrapDataKey } from './backup-crypto.js';
import type { DatabaseBackup } from './backup-database.js';
import { BACKUP_FORMAT, backupReadme, MANIFEST_FILE, README_FILE, SEAL_FILE, summaryCounts, writeBackupFile, type BackupManifest } from './backup-manifest.js';
import { writePart } from './backup-parts.js';
import { CHUNK_BYTES } from './backup-stream.js';
import { fsyncDir } from '../../platform/files/fsync-dir.js';

export const BACKUP_ACTION = 'preservation.backup.create';

export interface BackupDeps {
  database: DatabaseBackup;
  /** Every named store (app.stores.all). */
  stores: ReadonlyMap<string, Pick<BlobStore, 'kind' | 'iterate'>>;
  version: string;
  clock?: () => Date;
}

export interface BackupInput {
  /** An empty folder: the backup's own. */
  dir: string;
  /** The security admin's public key (X25519). */
  publicKey: KeyObject;
  createdBy: string | null;
  host: string;
  /** Plaintext bytes per encrypted chunk (tests make it small). */
  chunkBytes?: number;
  /** Called as the backup moves on: a phase, and bytes or blobs done in it. */
  progress?: (phase: 'database' | 'inventory', done: number) => void;
}

type StoreTotals = BackupManifest['stores'][number];

/** The inventory as JSON lines, batched into pieces of about 64 KiB; `totals` fills in as the stores are walked. */
async function* inventoryLines(stores: BackupDeps['stores'], totals: StoreTotals[], progress?: (blobs: number) => void): AsyncGenerator<Buffer> {
  let batch = '';
  let blobs = 0;
  for (const [name, store] of stores) {
    const total: StoreTotals = { name, kind: store.kind, blobs: 0, bytes: 0 };
    totals.push(total);
    for await (const blob of store.iterate()) {
      batch += `${JSON.stringify({ store: name, sha256: blob.sha256, size: blob.size })}\n`;
      total.blobs += 1;
      total.bytes += blob.size;
      progress?.((blobs += 1));
      if (batch.length >= 64 * 1024) {
        yield Buffer.from(batch, 'utf8');
        batch = '';
      }
    }
  }
  if (batch) yield Buffer.from(batch, 'utf8');
}

/** Writes a backup into `input.dir`; its manifest. On failure the caller removes what was written. */
export async function makeBackup(deps: BackupDeps, input: BackupInput): Promise<BackupManifest> {
  const clock = deps.clock ?? (() => new Date());
  const id = uuidv7();
  const createdAt = clock().toISOString();
  const dataKey = randomBytes(DATA_KEY_BYTES);
  const chunkBytes = input.chunkBytes ?? CHUNK_BYTES;
  const wrapped = wrapDataKey(dataKey, input.publicKey, id);

  const database = await deps.database.dump(async (bytes) => {
    async function* counted(): AsyncGenerator<Uint8Array> {
      let done = 0;
      for await (const piece of bytes) {
        input.progress?.('database', (done += piece.length));
        yield piece;
      }
    }
    return writePart(path.join(input.dir, deps.database.file), counted(), partKey(dataKey, id, 'database'), chunkBytes);
  });
  const stores: StoreTotals[] = [];
  const inventoryFile = 'inventory.jsonl.enc';
  const inventory = await writePart(
    path.join(input.dir, inventoryFile),
    inventoryLines(deps.stores, stores, (n) => input.progress?.('inventory', n)),
    partKey(dataKey, id, 'inventory'),
    chunkBytes,
  );

  const manifest: BackupManifest = {
    format: BACKUP_FORMAT,
    id,
    createdAt,
    createdBy: input.createdBy,
    host: input.host,
    lantaiVersion: deps.version,
    tool: database.tool,
    database: database.facts,
    counts: summaryCounts(database.facts.tables),
    stores,
    blobsIncluded: false,
    encryption: { cipher: 'AES-256-GCM', chunkBytes, keyAgreement: 'X25519', kdf: 'HKDF-SHA256', dataKey: wrapped },
    parts: [
      { name: 'database', file: deps.database.file, content: deps.database.content, ...database.saved },
      { name: 'inventory', file: inventoryFile, content: 'jsonl', ...inventory },
    ],
  };
  const bytes = await writeBackupFile(input.dir, MANIFEST_FILE, `${JSON.stringify(manifest, null, 2)}\n`);
  await writeBackupFile(input.dir, SEAL_FILE, `${manifestSeal(dataKey, id, bytes)}\n`);
  await writeBackupFile(input.dir, README_FILE, backupReadme(manifest));
  await fsyncDir(input.dir);
  return manifest;
}
