/**
 * What a backup folder holds, and its manifest.
 *
 *     manifest.json   what the backup is (readable without the key, so people and
 *                     scripts can tell backups apart): Lantai version, time, database
 *                     kind, migrations, row counts, the audit chain's head, the stores'
 *                     totals, the wrapped data key, each part's size and SHA-256
 *     manifest.seal   HMAC-SHA256 of manifest.json's bytes under a key derived from
 *                     the data key: whoever holds the private key can tell an edited
 *                     manifest (backup-crypto.ts)
 *     database.*.enc  the database (SQLite online backup, or pg_dump --format=custom)
 *     inventory.jsonl.enc  every blob of every store: {"store","sha256","size"} a line
 *     README.txt      the same in words, for whoever finds the folder on a shelf
 *
 * Blobs are not copied: replicas and offline media keep them (the inventory says
 * what a restored database expects to find).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { backupErrors } from './backup-errors.js';
import { shortKeyId } from './backup-crypto.js';

export const BACKUP_FORMAT = 'lantai-backup/1';
export const MANIFEST_FILE = 'manifest.json';
export const SEAL_FILE = 'manifest.seal';
export const README_FILE = 'README.txt';

const hex64 = z.string().regex(/^[0-9a-f]{64}$/);
const count = z.number().int().min(0);

export const partSchema = z.object({
  name: z.enum(['database', 'inventory']),
  file: z.string().regex(/^[a-z0-9][a-z0-9.-]*$/),
  content: z.enum(['sqlite', 'pg_dump-custom', 'jsonl']),
  bytes: count,
  sha256: hex64,
  encryptedBytes: count,
  encryptedSha256: hex64,
});
export type BackupPart = z.infer<typeof partSchema>;

export const databaseFactsSchema = z.object({
  kind: z.enum(['sqlite', 'postgres']),
  serverVersion: z.string(),
  /** Names of the schema migrations applied. */
  migrations: z.array(z.string()),
  /** Rows of every table, by name. */
  tables: z.record(z.string(), count),
  auditHead: z.object({ chain: z.string(), seq: count, hash: z.string() }).nullable(),
});
export type DatabaseFacts = z.infer<typeof databaseFactsSchema>;

export const manifestSchema = z.object({
  format: z.literal(BACKUP_FORMAT),
  id: z.string().min(1),
  createdAt: z.string(),
  createdBy: z.string().nullable(),
  host: z.string(),
  lantaiVersion: z.string(),
  /** What dumped the database (pg_dump's version, or SQLite's). */
  tool: z.string(),
  database: databaseFactsSchema,
  counts: z.object({ records: count, files: count, events: count, auditEntries: count }),
  stores: z.array(z.object({ name: z.string(), kind: z.string(), blobs: count, bytes: count })),
  blobsIncluded: z.literal(false),
  encryption: z.object({
    cipher: z.literal('AES-256-GCM'),
    chunkBytes: count,
    keyAgreement: z.literal('X25519'),
    kdf: z.literal('HKDF-SHA256'),
    dataKey: z.object({ keyId: hex64, ephemeralPublicKey: z.string(), nonce: z.string(), sealed: z.string() }),
  }),
  parts: z.array(partSchema),
});
export type BackupManifest = z.infer<typeof manifestSchema>;

/** The row counts people ask about, from the per-table counts. */
export function summaryCounts(tables: Readonly<Record<string, number>>): BackupManifest['counts'] {
  return { records: tables.records ?? 0, files: tables.record_files ?? 0, events: tables.preservation_events ?? 0, auditEntries: tables.audit_entries ?? 0 };
}

export interface ReadManifest {
  manifest: BackupManifest;
  /** manifest.json as stored (the seal covers these bytes). */
  bytes: Buffer;
  seal: string;
}

/** Reads a backup folder's manifest (not yet trusted: the seal is checked once the data key is unwrapped). */
export async function readManifest(dir: string): Promise<ReadManifest> {
  const notBackup = (reason: string, reasonEn: string) => backupErrors.BACKUP_NOT_A_BACKUP({ dir, reason, reasonEn });
  let bytes: Buffer;
  let seal: string;
  try {
    bytes = await fs.readFile(path.join(dir, MANIFEST_FILE));
    seal = (await fs.readFile(path.join(dir, SEAL_FILE), 'utf8')).trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw notBackup(`缺少 ${MANIFEST_FILE} 或 ${SEAL_FILE}`, `${MANIFEST_FILE} or ${SEAL_FILE} is missing`);
    throw err;
  }
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw backupErrors.BACKUP_TAMPERED({ what: `${MANIFEST_FILE} 不是有效的 JSON`, whatEn: `${MANIFEST_FILE} is not valid JSON` });
  }
  const format = (value as { format?: unknown } | null)?.format;
  if (format !== BACKUP_FORMAT) throw notBackup(`格式为 ${String(format)}，本版本只认 ${BACKUP_FORMAT}`, `its format is ${String(format)}; this version reads ${BACKUP_FORMAT}`);
  const parsed = manifestSchema.safeParse(value);
  if (!parsed.success) throw backupErrors.BACKUP_TAMPERED({ what: `${MANIFEST_FILE} 的内容不完整`, whatEn: `${MANIFEST_FILE} is incomplete` });
  return { manifest: parsed.data, bytes, seal };
}

/** A file of the backup folder, written whole and fsync'd. */
export async function writeBackupFile(dir: string, name: string, text: string): Promise<Buffer> {
  const bytes = Buffer.from(text, 'utf8');
  const handle = await fs.open(path.join(dir, name), 'wx', 0o644);
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
  return bytes;
}

/** README.txt: what the folder is and how it comes back, in Chinese and English. */
export function backupReadme(m: BackupManifest): string {
  const key = shortKeyId(m.encryption.dataKey.keyId);
  const c = m.counts;
  return [
    `兰台数字档案馆系统备份 / Lantai backup ${m.id}`,
    `时间 / made at: ${m.createdAt}   版本 / Lantai ${m.lantaiVersion}   数据库 / database: ${m.database.kind}`,
    `档案 ${c.records} 件，文件 ${c.files} 个，保存事件 ${c.events} 条，审计记录 ${c.auditEntries} 条 / ${c.records} records, ${c.files} files, ${c.events} PREMIS events, ${c.auditEntries} audit entries`,
    '',
    `本备份含数据库和各存储库的清单（每个文件的 SHA-256 与大小），以 AES-256-GCM 加密，只有安全保密管理员保管的私钥（密钥 ${key}）能解密。`,
    '电子文件本身（存储库中的 blob）不在备份中：它们由副本存储库和离线介质保存；恢复时按清单逐一核对。',
    `恢复：系统管理员在空数据库上运行 lantai restore <本目录> --key <私钥文件>，私钥由安全保密管理员提供。`,
    '',
    `This backup holds the database and the inventory of every store (each blob's SHA-256 and size), encrypted with AES-256-GCM;`,
    `only the private key the security admin keeps (key ${key}) decrypts it.`,
    'The blobs themselves are not in it: replicas and offline media keep them, and a restore checks them against the inventory.',
    'To restore: the system admin runs lantai restore <this folder> --key <private key file> on an empty database, with the key from the security admin.',
    '',
  ].join('\n');
}
