/**
 * The security audit log (安全审计, GB/T 22239 level 3): who, organisation, roles,
 * address, when, action, target, result — for every state-changing action, every
 * refusal, and every view of a controlled record.
 *
 * Tamper evidence, in three layers:
 *  1. triggers refuse UPDATE and DELETE (migrations.ts);
 *  2. each entry's hash is SM3(previous hash ‖ the entry's fields), so an edited,
 *     deleted or reordered row breaks the chain at that row;
 *  3. anchors: a checkpoint (seq, head hash, time) HMAC-SM3'd with a key kept in a
 *     file outside the database and appended to a checkpoint file outside it, so a
 *     chain rewritten consistently by someone who dropped the triggers no longer
 *     matches the anchors.
 * `append` writes inside the caller's transaction: if the action rolls back, so does
 * its entry. It locks the single chain-head row, which serialises appends on
 * PostgreSQL (SQLite's immediate transactions already do); that lock is held until
 * the caller commits, so callers append as their last statement.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Selectable } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { Capabilities, Db, Executor, Tx } from '../../platform/db/database.js';
import { GENESIS_HASH } from './migrations.js';
import type { AuditEntriesTable } from './tables.js';
import './tables.js';

export interface AuditActor {
  userId: string | null;
  username: string | null;
  organisationId: string | null;
  roles: string[];
  address: string | null;
}

export interface AuditEntryInput {
  actor: AuditActor;
  action: string;
  target: { type: string; id: string | null; label?: string } | null;
  result: 'ok' | 'refused' | 'failed';
  reason?: string;
  details?: Record<string, unknown>;
}

/** Review is split (三员分立): the security admin reviews users, the auditor reviews the two admins. */
export type ActorClass = 'system_admin' | 'security_admin' | 'auditor' | 'user' | 'anonymous';

export function actorClass(actor: AuditActor): ActorClass {
  for (const admin of ['system_admin', 'security_admin', 'auditor'] as const) if (actor.roles.includes(admin)) return admin;
  return actor.userId ? 'user' : 'anonymous';
}

type Entry = Selectable<AuditEntriesTable>;

/** SM3 over the previous hash and the entry's fields in a fixed order. */
export function entryHash(prevHash: string, e: Omit<Entry, 'hash' | 'prev_hash'>): string {
  const fields = [e.seq, e.id, e.at, e.actor_user_id, e.actor_username, e.actor_organisation_id, e.actor_roles, e.actor_class, e.actor_address, e.action, e.target_type, e.target_id, e.target_label, e.result, e.reason, e.details];
  return createHash('sm3').update(prevHash).update(JSON.stringify(fields)).digest('hex');
}

export interface AuditFiles {
  /** 32 random bytes; readable by the auditor's tooling, not stored in the database. */
  keyFile: string;
  /** JSON lines of signed checkpoints. */
  checkpointFile: string;
}

export interface Checkpoint {
  seq: number;
  hash: string;
  at: string;
  hmac: string;
}

export interface VerifyReport {
  ok: boolean;
  entries: number;
  checkpointsChecked: number;
  firstBroken: { seq: number; id: string | null; zh: string; en: string } | null;
}

/** Every entry in seq order, a page at a time (keyset paging: the same on both databases). */
async function* pages(db: Executor, after = 0): AsyncGenerator<Entry> {
  for (;;) {
    const rows = await db.selectFrom('audit_entries').selectAll().where('seq', '>', after).orderBy('seq').limit(1000).execute();
    yield* rows;
    const last = rows.at(-1);
    if (!last || rows.length < 1000) return;
    after = last.seq;
  }
}

export function createAuditLog(deps: { caps: Capabilities; files: AuditFiles }) {
  const { caps, files } = deps;

  async function key(): Promise<Buffer> {
    try {
      return await fs.readFile(files.keyFile);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      await fs.mkdir(path.dirname(files.keyFile), { recursive: true, mode: 0o700 });
      const fresh = randomBytes(32);
      await fs.writeFile(files.keyFile, fresh, { mode: 0o600, flag: 'wx' }).catch(async (e: NodeJS.ErrnoException) => {
        if (e.code !== 'EEXIST') throw e;
      });
      return fs.readFile(files.keyFile);
    }
  }

  const sign = (k: Buffer, c: Omit<Checkpoint, 'hmac'>) => createHmac('sm3', k).update(JSON.stringify([c.seq, c.hash, c.at])).digest('hex');

  async function readCheckpoints(): Promise<Checkpoint[]> {
    const text = await fs.readFile(files.checkpointFile, 'utf8').catch(() => '');
    return text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Checkpoint);
  }

  return {
    async append(tx: Tx, input: AuditEntryInput): Promise<{ id: string; seq: number; hash: string }> {
      let headQuery = tx.selectFrom('audit_chain_head').select(['seq', 'hash']).where('id', '=', 1);
      if (caps.supportsSkipLocked) headQuery = headQuery.forUpdate();
      const head = await headQuery.executeTakeFirstOrThrow();
      const entry = {
        seq: head.seq + 1,
        id: uuidv7(),
        at: new Date().toISOString(),
        actor_user_id: input.actor.userId,
        actor_username: input.actor.username,
        actor_organisation_id: input.actor.organisationId,
        actor_roles: JSON.stringify([...input.actor.roles].sort()),
        actor_class: actorClass(input.actor),
        actor_address: input.actor.address,
        action: input.action,
        target_type: input.target?.type ?? null,
        target_id: input.target?.id ?? null,
        target_label: input.target?.label ?? null,
        result: input.result,
        reason: input.reason ?? null,
        details: JSON.stringify(input.details ?? {}),
      };
      const hash = entryHash(head.hash, entry);
      await tx.insertInto('audit_entries').values({ ...entry, prev_hash: head.hash, hash }).execute();
      await tx.updateTable('audit_chain_head').set({ seq: entry.seq, hash }).where('id', '=', 1).execute();
      return { id: entry.id, seq: entry.seq, hash };
    },

    /** Anchors the committed head outside the database (run by a schedule and by `lantai audit-log checkpoint`). */
    async checkpoint(db: Executor): Promise<Checkpoint | null> {
      const head = await db.selectFrom('audit_chain_head').select(['seq', 'hash']).where('id', '=', 1).executeTakeFirstOrThrow();
      const last = (await readCheckpoints()).at(-1);
      if (head.seq === 0 || last?.seq === head.seq) return null;
      const unsigned = { seq: head.seq, hash: head.hash, at: new Date().toISOString() };
      const c: Checkpoint = { ...unsigned, hmac: sign(await key(), unsigned) };
      await fs.mkdir(path.dirname(files.checkpointFile), { recursive: true });
      const handle = await fs.open(files.checkpointFile, 'a', 0o600);
      try {
        await handle.write(`${JSON.stringify(c)}\n`);
        await handle.sync();
      } finally {
        await handle.close();
      }
      return c;
    },

    /** Re-computes the chain and checks it against every anchor; names the first broken entry. */
    async verify(db: Executor): Promise<VerifyReport> {
      const k = await key();
      const checkpoints = new Map<number, Checkpoint>();
      for (const c of await readCheckpoints()) {
        if (sign(k, c) !== c.hmac) {
          return { ok: false, entries: 0, checkpointsChecked: 0, firstBroken: { seq: c.seq, id: null, zh: `第 ${c.seq} 号检查点签名无效（检查点文件被改动）`, en: `checkpoint at ${c.seq} has an invalid signature (the checkpoint file was altered)` } };
        }
        checkpoints.set(c.seq, c);
      }
      // Entries detached by archiving are vouched for by their signed segment file.
      const lastSegment = await db.selectFrom('audit_archived_segments').selectAll().orderBy('to_seq', 'desc').limit(1).executeTakeFirst();
      let prev = lastSegment?.head_hash ?? GENESIS_HASH;
      let expectedSeq = (lastSegment?.to_seq ?? 0) + 1;
      for (const seq of [...checkpoints.keys()]) if (seq < expectedSeq) checkpoints.delete(seq);
      let entries = 0;
      let checked = 0;
      const broken = (seq: number, id: string | null, zh: string, en: string): VerifyReport => ({ ok: false, entries, checkpointsChecked: checked, firstBroken: { seq, id, zh, en } });
      for await (const e of pages(db, expectedSeq - 1)) {
        if (e.seq !== expectedSeq) return broken(expectedSeq, null, `缺少第 ${expectedSeq} 号审计记录（被删除）`, `audit entry ${expectedSeq} is missing (deleted)`);
        if (e.prev_hash !== prev) return broken(e.seq, e.id, `第 ${e.seq} 号记录与前一条的链接断开（记录被删除、调换或改动）`, `entry ${e.seq} does not link to the one before it (deleted, reordered or altered)`);
        const { hash, prev_hash: _p, ...fields } = e;
        if (entryHash(prev, fields) !== hash) return broken(e.seq, e.id, `第 ${e.seq} 号记录内容被改动`, `entry ${e.seq} was altered`);
        const anchor = checkpoints.get(e.seq);
        if (anchor) {
          checked += 1;
          if (anchor.hash !== hash) return broken(e.seq, e.id, `第 ${e.seq} 号记录与签名检查点不符（审计链被整体重写）`, `entry ${e.seq} does not match its signed checkpoint (the chain was rewritten)`);
        }
        prev = hash;
        expectedSeq += 1;
        entries += 1;
      }
      const lastAnchor = [...checkpoints.values()].at(-1);
      if (lastAnchor && lastAnchor.seq >= expectedSeq) {
        return broken(lastAnchor.seq, null, `检查点记录到第 ${lastAnchor.seq} 号，数据库中缺少其后的记录（被截断）`, `checkpoints reach entry ${lastAnchor.seq} but the log ends earlier (truncated)`);
      }
      return { ok: true, entries, checkpointsChecked: checked, firstBroken: null };
    },

    /**
     * Exports the entries older than `before` to a signed segment file in `outDir`,
     * verifies the file, and only then detaches those entries from the database.
     */
    async archive(db: Db, input: { before: Date; outDir: string; actor: AuditActor }): Promise<{ file: string; fromSeq: number; toSeq: number } | null> {
      const report = await this.verify(db);
      if (!report.ok) throw new Error(`the audit chain does not verify (${report.firstBroken?.en ?? ''}); nothing archived`);
      const last = await db.selectFrom('audit_archived_segments').select(['to_seq', 'head_hash']).orderBy('to_seq', 'desc').limit(1).executeTakeFirst();
      const fromSeq = (last?.to_seq ?? 0) + 1;
      const upTo = await db.selectFrom('audit_entries').select((eb) => eb.fn.max('seq').as('seq')).where('at', '<', input.before.toISOString()).executeTakeFirst();
      const toSeq = Number(upTo?.seq ?? 0);
      if (!toSeq || toSeq < fromSeq) return null;
      const rows: Entry[] = [];
      for await (const e of pages(db, fromSeq - 1)) {
        if (e.seq > toSeq) break;
        rows.push(e);
      }
      const headHash = rows.at(-1)?.hash ?? '';
      await fs.mkdir(input.outDir, { recursive: true });
      const file = path.join(input.outDir, `audit-segment-${fromSeq}-${toSeq}.jsonl`);
      const body = rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
      const handle = await fs.open(file, 'wx', 0o400);
      try {
        await handle.writeFile(body);
        await handle.sync();
      } finally {
        await handle.close();
      }
      // Read back what is on disk and check it chains from the previous head to this one.
      const written = await fs.readFile(file, 'utf8');
      let prev = last?.head_hash ?? GENESIS_HASH;
      for (const line of written.split('\n').filter(Boolean)) {
        const { hash, prev_hash: linked, ...fields } = JSON.parse(line) as Entry;
        if (linked !== prev || entryHash(prev, fields) !== hash) throw new Error(`segment file ${file} does not verify; nothing detached`);
        prev = hash;
      }
      if (prev !== headHash) throw new Error(`segment file ${file} is incomplete; nothing detached`);
      const digest = (algorithm: string) => createHash(algorithm).update(written).digest('hex');
      const manifest = { fromSeq, toSeq, previousHash: last?.head_hash ?? GENESIS_HASH, headHash, sha256: digest('sha256'), sm3: digest('sm3'), at: new Date().toISOString() };
      const hmac = createHmac('sm3', await key()).update(JSON.stringify(manifest)).digest('hex');
      await fs.writeFile(`${file}.manifest.json`, JSON.stringify({ ...manifest, hmac }, null, 2), { mode: 0o400, flag: 'wx' });
      await db.transaction().execute(async (tx) => {
        await tx.insertInto('audit_archived_segments').values({ to_seq: toSeq, from_seq: fromSeq, head_hash: headHash, file_sha256: manifest.sha256, file_sm3: manifest.sm3, archived_by: input.actor.userId, archived_at: manifest.at }).execute();
        await tx.deleteFrom('audit_entries').where('seq', '<=', toSeq).execute();
        await this.append(tx, { actor: input.actor, action: 'audit.archive', target: { type: 'audit_segment', id: `${fromSeq}-${toSeq}`, label: path.basename(file) }, result: 'ok', details: { sha256: manifest.sha256, sm3: manifest.sm3 } });
      });
      return { file, fromSeq, toSeq };
    },

    /** Entries a reviewer may see: the security admin sees users', the auditor the admins'. */
    async review(db: Executor, reviewer: 'security_admin' | 'auditor', filters: { action?: string; actor?: string; limit?: number } = {}): Promise<Entry[]> {
      const classes: ActorClass[] = reviewer === 'auditor' ? ['system_admin', 'security_admin'] : ['user', 'anonymous'];
      let q = db.selectFrom('audit_entries').selectAll().where('actor_class', 'in', classes);
      if (filters.action) q = q.where('action', '=', filters.action);
      if (filters.actor) q = q.where('actor_username', '=', filters.actor);
      return q.orderBy('seq', 'desc').limit(Math.min(filters.limit ?? 100, 1000)).execute();
    },
  };
}

export type AuditLog = ReturnType<typeof createAuditLog>;
