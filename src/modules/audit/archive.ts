/**
 * Archiving old audit entries (`lantai audit-log archive --before DATE`).
 *
 * GB/T 22239 level 3 asks that audit records be kept (at least six months, after
 * the Cybersecurity Law art. 21) and protected; an archive may move them out of the
 * live table, but only in an order that never loses one:
 *
 *   1. refuse a cut-off less than six months ago, and refuse a chain that does not verify;
 *   2. write the oldest entries before the cut-off as JSON lines (the stored rows,
 *      canonical JSON), hashing the bytes with SM3 and SHA-256 on the way, fsync;
 *   3. write a manifest (range, first prev_hash, head hash, digests) signed with the
 *      checkpoint key (HMAC-SM3), fsync;
 *   4. read both back and check everything again: digests, signature, and the chain
 *      recomputed line by line from the manifest's prev_hash to its head hash;
 *   5. only then, in one transaction: record the segment (with its signed manifest),
 *      delete its rows (the DELETE trigger allows exactly the rows of a recorded
 *      segment) and audit the archive itself.
 *
 * A crash before 5 leaves the files and an unchanged database; a second run stops
 * at the existing files rather than overwrite them.
 */
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import type { Db, Tx } from '../../platform/db/database.js';
import type { CheckpointSink } from './checkpoints.js';
import { auditErrors } from './errors.js';
import { canonicalJson, entryHash, GENESIS_HASH } from './hash-chain.js';
import { segmentManifestSchema, type AuditActor, type AuditEntryInput, type SegmentManifest } from './model.js';
import { detachSegment, entriesInOrder, firstSeqAtOrAfter, readHead, segments, type EntryRow } from './repo.js';
import { verifyChain } from './verify.js';

export const RETENTION_MONTHS = 6;

export interface ArchiveOptions {
  /** Entries before this instant may go. */
  before: Date;
  outDir: string;
  /** Who archives, for the audit entry of the archive itself. */
  actor: AuditActor;
}

export interface ArchivedSegment {
  fromSeq: number;
  toSeq: number;
  entries: number;
  file: string;
  manifestFile: string;
  sha256: string;
  sm3: string;
}

export interface ArchiveDeps {
  db: Db;
  sink: CheckpointSink;
  clock: () => Date;
  append(tx: Tx, input: AuditEntryInput): Promise<unknown>;
}

/** The latest cut-off allowed at `now`: six calendar months earlier. */
export function latestCutoff(now: Date): Date {
  const cutoff = new Date(now);
  cutoff.setMonth(cutoff.getMonth() - RETENTION_MONTHS);
  return cutoff;
}

const pad = (seq: number) => String(seq).padStart(12, '0');

async function writeSynced(file: string, write: (handle: fs.FileHandle) => Promise<void>): Promise<void> {
  const handle = await fs.open(file, 'wx', 0o600);
  try {
    await write(handle);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Lines of a file, with every byte also fed to the digests. */
async function* linesOf(file: string, digests: Hash[]): AsyncGenerator<string> {
  // A chunk may end inside a multi-byte character; the decoder carries it over.
  const decoder = new StringDecoder('utf8');
  let rest = '';
  for await (const chunk of createReadStream(file)) {
    const bytes = chunk as Buffer;
    for (const d of digests) d.update(bytes);
    const lines = (rest + decoder.write(bytes)).split('\n');
    rest = lines.pop() ?? '';
    yield* lines;
  }
  rest += decoder.end();
  if (rest !== '') yield rest;
}

/** Step 4: what is on disk is what was meant, or the reason it is not. */
async function checkWritten(dataFile: string, manifestFile: string, sink: CheckpointSink): Promise<string | null> {
  const { hmac, ...manifest } = segmentManifestSchema.parse(JSON.parse(await fs.readFile(manifestFile, 'utf8')));
  if (!(await sink.verifySignature(manifest, hmac))) return 'manifest signature';
  const sha256 = createHash('sha256');
  const sm3 = createHash('sm3');
  let prev = manifest.prevHash;
  let seq = manifest.fromSeq;
  let count = 0;
  for await (const line of linesOf(dataFile, [sha256, sm3])) {
    const row = JSON.parse(line) as EntryRow;
    const { prev_hash: linked, hash, ...fields } = row;
    if (row.seq !== seq || linked !== prev || entryHash(prev, fields) !== hash) return `entry ${seq}`;
    prev = hash;
    seq += 1;
    count += 1;
  }
  if (count !== manifest.entries || prev !== manifest.headHash) return 'entry count or head hash';
  if (sha256.digest('hex') !== manifest.sha256 || sm3.digest('hex') !== manifest.sm3) return 'file digest';
  return null;
}

/** Archives the entries before the cut-off; null when there are none. */
export async function archiveSegment(deps: ArchiveDeps, options: ArchiveOptions): Promise<ArchivedSegment | null> {
  const { db, sink, clock } = deps;
  const latest = latestCutoff(clock());
  if (options.before.getTime() > latest.getTime()) {
    throw auditErrors.AUDIT_ARCHIVE_TOO_RECENT({ latest: latest.toISOString(), before: options.before.toISOString() });
  }
  const report = await verifyChain(db, sink);
  if (report.firstBroken) throw auditErrors.AUDIT_ARCHIVE_CHAIN_BROKEN({ seq: report.firstBroken.seq, reasonZh: report.firstBroken.zh, reason: report.firstBroken.en });

  // The head first: anything appended after it is newer than the cut-off anyway.
  const head = await readHead(db);
  const fromSeq = report.archivedThrough + 1;
  const firstKept = await firstSeqAtOrAfter(db, options.before.toISOString(), report.archivedThrough);
  const toSeq = Math.min(head.seq, firstKept === null ? head.seq : firstKept - 1);
  if (toSeq < fromSeq) return null;
  const prevHash = (await segments(db)).at(-1)?.head_hash ?? GENESIS_HASH;

  await fs.mkdir(options.outDir, { recursive: true });
  const name = `audit-${pad(fromSeq)}-${pad(toSeq)}`;
  const dataFile = path.join(options.outDir, `${name}.jsonl`);
  const manifestFile = path.join(options.outDir, `${name}.manifest.json`);
  for (const file of [dataFile, manifestFile]) {
    if (await fs.stat(file).then(() => true, () => false)) throw auditErrors.AUDIT_ARCHIVE_EXISTS({ file });
  }
  const partialData = `${dataFile}.partial`;
  const partialManifest = `${manifestFile}.partial`;
  await fs.rm(partialData, { force: true });
  await fs.rm(partialManifest, { force: true });

  // Step 2.
  const sha256 = createHash('sha256');
  const sm3 = createHash('sm3');
  let bytes = 0;
  let entries = 0;
  let firstAt = '';
  let lastAt = '';
  let headHash = prevHash;
  await writeSynced(partialData, async (handle) => {
    let batch: string[] = [];
    const flush = async () => {
      const chunk = Buffer.from(batch.join(''), 'utf8');
      sha256.update(chunk);
      sm3.update(chunk);
      bytes += chunk.length;
      await handle.write(chunk);
      batch = [];
    };
    for await (const row of entriesInOrder(db, fromSeq - 1, toSeq)) {
      if (entries === 0) firstAt = row.at;
      lastAt = row.at;
      headHash = row.hash;
      entries += 1;
      batch.push(`${canonicalJson(row)}\n`);
      if (batch.length >= 1000) await flush();
    }
    await flush();
  });

  // Step 3.
  const manifest: Omit<SegmentManifest, 'hmac'> = { format: 'lantai-audit-segment/1', chain: head.chain_id, fromSeq, toSeq, entries, prevHash, headHash, firstAt, lastAt, file: path.basename(dataFile), bytes, sha256: sha256.digest('hex'), sm3: sm3.digest('hex'), createdAt: clock().toISOString() };
  const manifestText = `${JSON.stringify({ ...manifest, hmac: await sink.sign(manifest) }, null, 2)}\n`;
  await writeSynced(partialManifest, (handle) => handle.write(manifestText).then(() => undefined));

  // Step 4.
  const problem = entries === toSeq - fromSeq + 1 ? await checkWritten(partialData, partialManifest, sink).catch((err: Error) => err.message) : 'entry count';
  if (problem) {
    await fs.rm(partialData, { force: true });
    await fs.rm(partialManifest, { force: true });
    throw auditErrors.AUDIT_ARCHIVE_VERIFY_FAILED({ file: dataFile, reason: problem });
  }
  await fs.rename(partialData, dataFile);
  await fs.rename(partialManifest, manifestFile);
  const dir = await fs.open(options.outDir, 'r');
  await dir.sync().finally(() => dir.close());

  // Step 5.
  await db.transaction().execute(async (tx) => {
    const detached = await detachSegment(tx, {
      from_seq: fromSeq,
      to_seq: toSeq,
      head_hash: headHash,
      file_sha256: manifest.sha256,
      file_sm3: manifest.sm3,
      archived_by: options.actor.userId ?? options.actor.username,
      archived_at: clock().toISOString(),
      manifest: manifestText,
    });
    if (detached !== entries) throw auditErrors.AUDIT_ARCHIVE_VERIFY_FAILED({ file: dataFile, reason: `${detached} rows to detach, ${entries} written` });
    await deps.append(tx, {
      actor: options.actor,
      action: 'audit.archive',
      target: { type: 'audit-segment', id: `${fromSeq}-${toSeq}`, label: manifest.file },
      result: 'ok',
      details: { fromSeq, toSeq, entries, before: options.before.toISOString(), sha256: manifest.sha256, sm3: manifest.sm3 },
    });
  });
  return { fromSeq, toSeq, entries, file: dataFile, manifestFile, sha256: manifest.sha256, sm3: manifest.sm3 };
}
