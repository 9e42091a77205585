/**
 * Verifying the audit log: recompute the chain and hold it against its anchors.
 *
 * In order: every line of the checkpoint file must carry a valid signature; the
 * archived segments must be signed and follow one another from seq 1; then every
 * entry still in the database, from the end of the last segment up to the committed
 * head, must follow in seq (a gap is a deleted row), link to the one before it (a
 * reordered or substituted row does not) and give its own hash again (an edited row
 * does not). Wherever a signed checkpoint names a seq, the recomputed hash must be
 * the signed one: that catches a chain rewritten consistently by someone who
 * dropped the triggers, since without the key nobody can sign a matching line.
 * Finally the head row must agree with the last entry, and no checkpoint may reach
 * past it (a cut-off tail).
 *
 * Entries appended after the last checkpoint rest on the chain and the triggers
 * alone until the next checkpoint; `anchoredThrough` says how far the anchors reach.
 *
 * Appends may go on while verify runs (it stops at the head it read first). An
 * archive should not: rows it detaches mid-walk would look deleted.
 */
import type { Executor } from '../../platform/db/database.js';
import type { CheckpointSink } from './checkpoints.js';
import { entryHash, GENESIS_HASH } from './hash-chain.js';
import { segmentManifestSchema, type BreakKind, type SegmentManifest, type VerifyReport } from './model.js';
import { entriesInOrder, readHead, segments as readSegments } from './repo.js';

type Reason = { zh: string; en: string };

function manifestOf(text: string): SegmentManifest | null {
  try {
    const parsed = segmentManifestSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export async function verifyChain(db: Executor, sink: CheckpointSink): Promise<VerifyReport> {
  let entries = 0;
  let checked = 0;
  let anchoredThrough: number | null = null;
  let archivedThrough = 0;
  const report = (firstBroken: VerifyReport['firstBroken']): VerifyReport => ({ ok: firstBroken === null, entries, archivedThrough, checkpointsChecked: checked, anchoredThrough, firstBroken });
  const broken = (seq: number, id: string | null, kind: BreakKind, reason: Reason) => report({ seq, id, kind, ...reason });

  // Checkpoints first, then the head: a checkpoint written meanwhile cannot reach past the head read.
  const lines = await sink.readAll();
  const head = await readHead(db);
  const anchors = new Map<number, string[]>();
  let reach = 0;
  for (const line of lines) {
    if (line.problem !== null || !line.checkpoint) {
      const why = line.problem === 'signature' ? { zh: '签名不符', en: 'its signature does not match' } : { zh: '无法读取', en: 'it cannot be read' };
      return broken(line.checkpoint?.seq ?? 0, null, 'checkpoint', {
        zh: `检查点文件第 ${line.line} 行${why.zh}（检查点文件被改动或损坏）`,
        en: `line ${line.line} of the checkpoint file: ${why.en} (the checkpoint file was altered or damaged)`,
      });
    }
    if (line.checkpoint.chain !== head.chain_id) {
      return broken(line.checkpoint.seq, null, 'checkpoint', {
        zh: `检查点文件第 ${line.line} 行属于另一个审计日志（${line.checkpoint.chain}，本库为 ${head.chain_id}）：每个数据库须有自己的检查点文件（LANTAI_AUDIT_CHECKPOINT_FILE）`,
        en: `line ${line.line} of the checkpoint file belongs to another audit log (${line.checkpoint.chain}; this one is ${head.chain_id}): each database needs a checkpoint file of its own (LANTAI_AUDIT_CHECKPOINT_FILE)`,
      });
    }
    anchors.set(line.checkpoint.seq, [...(anchors.get(line.checkpoint.seq) ?? []), line.checkpoint.hash]);
    reach = Math.max(reach, line.checkpoint.seq);
  }

  let lastAnchorOk = 0;
  /** Compares the chain at `seq` with every checkpoint signed for that seq. */
  const holdAgainstAnchors = (seq: number, id: string | null, hash: string): VerifyReport | null => {
    for (const signed of anchors.get(seq) ?? []) {
      checked += 1;
      if (signed !== hash) {
        return broken(seq, id, 'rewritten', {
          zh: `第 ${seq} 号记录与签名检查点不符：第 ${lastAnchorOk + 1} 至 ${seq} 号之间的记录被改写（审计链被整体重算）`,
          en: `entry ${seq} does not match its signed checkpoint: entries ${lastAnchorOk + 1} to ${seq} were rewritten (the chain was recomputed)`,
        });
      }
      lastAnchorOk = seq;
      anchoredThrough = seq;
    }
    return null;
  };

  let prev = GENESIS_HASH;
  for (const segment of await readSegments(db)) {
    if (segment.manifest === null) {
      return broken(segment.from_seq, null, 'segment', { zh: `第 ${segment.from_seq} 至 ${segment.to_seq} 号的归档段记录没有签名清单`, en: `the archive segment record for entries ${segment.from_seq} to ${segment.to_seq} has no signed manifest` });
    }
    const manifest = manifestOf(segment.manifest);
    const expectedFrom = archivedThrough + 1;
    if (!manifest || manifest.chain !== head.chain_id || manifest.fromSeq !== segment.from_seq || manifest.toSeq !== segment.to_seq || manifest.headHash !== segment.head_hash) {
      return broken(segment.from_seq, null, 'segment', { zh: `第 ${segment.from_seq} 号起的归档段记录与其清单不符`, en: `the archive segment record from entry ${segment.from_seq} does not match its manifest` });
    }
    const { hmac, ...signed } = manifest;
    if (!(await sink.verifySignature(signed, hmac))) {
      return broken(segment.from_seq, null, 'segment', { zh: `第 ${segment.from_seq} 至 ${segment.to_seq} 号的归档段记录签名不符（伪造的归档段）`, en: `the archive segment record for entries ${segment.from_seq} to ${segment.to_seq} is not validly signed (a forged segment)` });
    }
    if (segment.from_seq !== expectedFrom || manifest.prevHash !== prev) {
      return broken(expectedFrom, null, 'segment', { zh: `归档段不连续：应从第 ${expectedFrom} 号开始并接续前一段`, en: `archive segments are not contiguous: one should start at entry ${expectedFrom} and link to the previous one` });
    }
    archivedThrough = segment.to_seq;
    prev = segment.head_hash;
    const mismatch = holdAgainstAnchors(segment.to_seq, null, segment.head_hash);
    if (mismatch) return mismatch;
  }

  let expected = archivedThrough + 1;
  for await (const e of entriesInOrder(db, 0, head.seq)) {
    if (e.seq < expected) {
      return broken(e.seq, e.id, 'segment', { zh: `第 ${e.seq} 号记录已归档却仍在数据库中`, en: `entry ${e.seq} was archived but is still in the database` });
    }
    if (e.seq > expected) return broken(expected, null, 'missing', { zh: `缺少第 ${expected} 号审计记录（被删除）`, en: `audit entry ${expected} is missing (deleted)` });
    if (e.prev_hash !== prev) {
      return broken(e.seq, e.id, 'relinked', { zh: `第 ${e.seq} 号记录与前一条的链接断开（记录被调换、替换或删除）`, en: `entry ${e.seq} does not link to the one before it (rows were reordered, replaced or deleted)` });
    }
    const { prev_hash: _prev, hash, ...fields } = e;
    if (entryHash(prev, fields) !== hash) return broken(e.seq, e.id, 'altered', { zh: `第 ${e.seq} 号记录内容被改动`, en: `entry ${e.seq} was altered` });
    const mismatch = holdAgainstAnchors(e.seq, e.id, hash);
    if (mismatch) return mismatch;
    prev = hash;
    expected += 1;
    entries += 1;
  }

  const last = expected - 1;
  if (last < head.seq) return broken(expected, null, 'missing', { zh: `第 ${expected} 至 ${head.seq} 号审计记录缺失（末尾被删除）`, en: `audit entries ${expected} to ${head.seq} are missing (the tail was deleted)` });
  if (head.hash !== prev || head.count !== entries) {
    return broken(head.seq, null, 'head', { zh: '审计链头与记录不符（链头被改动）', en: 'the chain head does not match the entries (the head row was altered)' });
  }
  if (reach > last) {
    return broken(last + 1, null, 'truncated', { zh: `签名检查点记录到第 ${reach} 号，数据库中的记录只到第 ${last} 号（被截断）`, en: `signed checkpoints reach entry ${reach} but the log ends at entry ${last} (truncated)` });
  }
  return report(null);
}
