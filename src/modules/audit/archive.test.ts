import { createHash, createHmac } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../platform/db/test-support/databases.js';
import { latestCutoff } from './archive.js';
import { canonicalJson, entryHash, GENESIS_HASH } from './hash-chain.js';
import type { EntryRow } from './repo.js';
import { ACTORS, auditFixture, type AuditFixture } from './test-support/fixture.js';

const NOW = '2026-11-27T08:00:00.000Z';

describe.each(DIALECTS)('archiving audit entries older than six months on %s', (dialect) => {
  let f: AuditFixture;
  let out: string;
  const archivist = ACTORS.auditor;

  // Eight entries from early 2025, four from spring 2026, three from today.
  beforeEach(async () => {
    f = await auditFixture(dialect);
    out = path.join(f.dir, 'archive');
    f.clock.set('2025-01-10T09:00:00.000Z');
    await f.appendMany(8);
    f.clock.set('2026-04-01T09:00:00.000Z');
    await f.appendMany(4);
    f.clock.set(NOW);
    await f.appendMany(3);
    await f.audit.checkpointNow(f.db);
  });
  afterEach(async () => f?.drop());

  it('refuses a cut-off less than six months ago and touches nothing', async () => {
    expect(latestCutoff(new Date(NOW)).getTime()).toBe(new Date(NOW).setMonth(new Date(NOW).getMonth() - 6));
    await expect(f.audit.archive(f.db, { before: new Date('2026-06-01T00:00:00Z'), outDir: out, actor: archivist })).rejects.toMatchObject({ code: 'AUDIT_ARCHIVE_TOO_RECENT' });
    await expect(fs.stat(out)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await f.db.selectFrom('audit_entries').select('seq').execute()).toHaveLength(15);
  });

  it('exports the entries before the cut-off as a signed segment, checks it, detaches them, and the log still verifies', async () => {
    const segment = await f.audit.archive(f.db, { before: new Date('2025-06-01T00:00:00Z'), outDir: out, actor: archivist });
    expect(segment).toMatchObject({ fromSeq: 1, toSeq: 8, entries: 8, file: path.join(out, 'audit-000000000001-000000000008.jsonl') });
    if (!segment) throw new Error('nothing archived');

    // The files stand on their own: digests, signature, and the chain from the genesis hash.
    const data = await fs.readFile(segment.file);
    const { hmac, ...manifest } = JSON.parse(await fs.readFile(segment.manifestFile, 'utf8')) as Record<string, unknown> & { hmac: string };
    expect(manifest).toMatchObject({ format: 'lantai-audit-segment/1', fromSeq: 1, toSeq: 8, entries: 8, prevHash: GENESIS_HASH, bytes: data.length, sha256: createHash('sha256').update(data).digest('hex'), sm3: createHash('sm3').update(data).digest('hex') });
    expect(hmac).toBe(createHmac('sm3', await fs.readFile(f.keyFile)).update(canonicalJson(manifest)).digest('hex'));
    let prev = GENESIS_HASH;
    for (const line of data.toString('utf8').trimEnd().split('\n')) {
      const { prev_hash: linked, hash, ...fields } = JSON.parse(line) as EntryRow;
      expect(linked).toBe(prev);
      expect(entryHash(prev, fields)).toBe(hash);
      prev = hash;
    }
    expect(prev).toBe(manifest.headHash);

    // Detached from the database, the archive itself audited, and the rest still verifies.
    const left = await f.db.selectFrom('audit_entries').select(['seq', 'action']).orderBy('seq').execute();
    expect(left.map((e) => e.seq)).toEqual([9, 10, 11, 12, 13, 14, 15, 16]);
    expect(left.at(-1)?.action).toBe('audit.archive');
    expect(await f.audit.verify(f.db)).toMatchObject({ ok: true, entries: 8, archivedThrough: 8, firstBroken: null });
    expect(await f.db.selectFrom('audit_chain_head').select(['seq', 'count']).executeTakeFirst()).toEqual({ seq: 16, count: 8 });
  });

  it('continues the next segment where the last one ended, and archives nothing twice', async () => {
    await f.audit.archive(f.db, { before: new Date('2025-06-01T00:00:00Z'), outDir: out, actor: archivist });
    expect(await f.audit.archive(f.db, { before: new Date('2025-06-01T00:00:00Z'), outDir: out, actor: archivist })).toBeNull();
    f.clock.set('2026-12-31T09:00:00.000Z');
    const second = await f.audit.archive(f.db, { before: new Date('2026-05-01T00:00:00Z'), outDir: out, actor: archivist });
    expect(second).toMatchObject({ fromSeq: 9, toSeq: 12 });
    const manifest = JSON.parse(await fs.readFile(second?.manifestFile ?? '', 'utf8')) as { prevHash: string };
    const firstHead = await f.db.selectFrom('audit_archived_segments').select('head_hash').where('from_seq', '=', 1).executeTakeFirstOrThrow();
    expect(manifest.prevHash).toBe(firstHead.head_hash);
    expect(await f.audit.verify(f.db)).toMatchObject({ ok: true, archivedThrough: 12 });
  });

  it('still refuses to delete entries that no recorded segment covers, and recorded segments themselves', async () => {
    await f.audit.archive(f.db, { before: new Date('2025-06-01T00:00:00Z'), outDir: out, actor: archivist });
    await expect(sql`delete from audit_entries where seq = 9`.execute(f.db)).rejects.toThrow(/append-only/);
    await expect(sql`delete from audit_archived_segments`.execute(f.db)).rejects.toThrow(/append-only/);
    await expect(sql`update audit_archived_segments set to_seq = 100`.execute(f.db)).rejects.toThrow(/append-only/);
  });

  it('reports a forged segment record inserted to unlock deletes', async () => {
    // The attacker can read everything in the database, but has no key to sign with.
    const { chain_id: chain } = await f.db.selectFrom('audit_chain_head').select('chain_id').executeTakeFirstOrThrow();
    const forged = { format: 'lantai-audit-segment/1', chain, fromSeq: 1, toSeq: 5, entries: 5, prevHash: GENESIS_HASH, headHash: 'f'.repeat(64), firstAt: NOW, lastAt: NOW, file: 'x.jsonl', bytes: 1, sha256: '', sm3: '', createdAt: NOW, hmac: '0'.repeat(64) };
    await f.db.insertInto('audit_archived_segments').values({ from_seq: 1, to_seq: 5, head_hash: forged.headHash, file_sha256: '', file_sm3: '', archived_by: null, archived_at: NOW, manifest: JSON.stringify(forged) }).execute();
    await sql`delete from audit_entries where seq <= 5`.execute(f.db);
    expect((await f.audit.verify(f.db)).firstBroken).toMatchObject({ seq: 1, kind: 'segment', en: 'the archive segment record for entries 1 to 5 is not validly signed (a forged segment)' });
  });

  it('reports a segment record that has no signed manifest at all', async () => {
    await f.db.insertInto('audit_archived_segments').values({ from_seq: 1, to_seq: 3, head_hash: 'f'.repeat(64), file_sha256: '', file_sm3: '', archived_by: null, archived_at: NOW, manifest: null }).execute();
    await sql`delete from audit_entries where seq <= 3`.execute(f.db);
    expect((await f.audit.verify(f.db)).firstBroken).toMatchObject({ seq: 1, kind: 'segment', en: 'the archive segment record for entries 1 to 3 has no signed manifest' });
  });

  it('refuses to archive a chain that does not verify', async () => {
    await f.asAttacker(() => sql`update audit_entries set reason = 'nothing happened' where seq = 2`.execute(f.db).then(() => undefined));
    await expect(f.audit.archive(f.db, { before: new Date('2025-06-01T00:00:00Z'), outDir: out, actor: archivist })).rejects.toMatchObject({ code: 'AUDIT_ARCHIVE_CHAIN_BROKEN' });
    await expect(fs.readdir(out)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('stops at an existing segment file and leaves the database as it was', async () => {
    await fs.mkdir(out, { recursive: true });
    await fs.writeFile(path.join(out, 'audit-000000000001-000000000008.jsonl'), 'an earlier attempt\n');
    await expect(f.audit.archive(f.db, { before: new Date('2025-06-01T00:00:00Z'), outDir: out, actor: archivist })).rejects.toMatchObject({ code: 'AUDIT_ARCHIVE_EXISTS' });
    expect(await f.db.selectFrom('audit_entries').select('seq').execute()).toHaveLength(15);
    expect(await fs.readFile(path.join(out, 'audit-000000000001-000000000008.jsonl'), 'utf8')).toBe('an earlier attempt\n');
  });
});
