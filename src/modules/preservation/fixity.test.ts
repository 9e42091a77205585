/**
 * Fixity audits, replication and self-repair, on both databases and with a replica of
 * each store kind (a second folder, an S3 bucket): accepted files are copied to the
 * replica by a job; a flipped byte or a deleted blob is found by the next audit and
 * repaired from the other store, with PREMIS events; damaging every copy leaves the
 * file at risk, reported, and nothing overwritten; an audit stopped halfway resumes
 * from its cursor without counting a file twice or skipping one; an unreachable
 * replica is reported and the audit of the rest completes.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DIALECTS } from '../../platform/db/test-support/databases.js';
import type { BlobStore } from '../../platform/storage/blob-store.js';
import { createS3Client } from '../../platform/storage/s3-client.js';
import { startS3Server, type TestS3Server } from '../../platform/storage/test-support/s3-server.js';
import { createCatalogFixture, type CatalogFixture } from '../catalog/test-support/fixture.js';
import { createFixity } from './fixity.js';
import { acceptedHandOver } from './test-support/hand-overs.js';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const CASES = DIALECTS.flatMap((dialect) => (['folder', 's3'] as const).map((replica) => ({ dialect, replica })));

describe.each(CASES)('fixity and repair on $dialect with a $replica replica', ({ dialect, replica }) => {
  let f: CatalogFixture;
  let dir = '';
  let s3: TestS3Server | null = null;
  let client: S3Client | null = null;
  const prefix = `replica-${dialect}`;
  const contents = Array.from({ length: 7 }, (_, i) => Buffer.from(`关于第${i + 1}项工作的通知\n${'各单位：请按要求做好档案归档和移交工作。\n'.repeat(20 + i)}`));
  let files: Array<{ sha256: string; fileId: string; recordId: string }> = [];

  const store = (name: 'primary' | 'replica1') => f.t.app.stores.all.get(name) as BlobStore;
  const read = async (name: 'primary' | 'replica1', sha: string) => Buffer.concat(await (await store(name).get(sha)).toArray());
  const folderBlob = (root: string, sha: string) => path.join(root, 'blobs', sha.slice(0, 2), sha.slice(2, 4), sha);
  const s3Key = (sha: string) => `${prefix}/blobs/${sha.slice(0, 2)}/${sha.slice(2, 4)}/${sha}`;

  async function damage(name: 'primary' | 'replica1', sha: string): Promise<void> {
    if (name === 'primary' || replica === 'folder') {
      const file = folderBlob(path.join(dir, name), sha);
      await fs.chmod(file, 0o644);
      const handle = await fs.open(file, 'r+');
      const byte = Buffer.alloc(1);
      await handle.read(byte, 0, 1, 20);
      await handle.write(Buffer.from([(byte[0] as number) ^ 0x01]), 0, 1, 20);
      await handle.close();
      return;
    }
    const object = await client?.send(new GetObjectCommand({ Bucket: s3?.bucket, Key: s3Key(sha) }));
    const bytes = Buffer.from((await object?.Body?.transformToByteArray()) ?? []);
    bytes[20] = (bytes[20] as number) ^ 0x01;
    await client?.send(new PutObjectCommand({ Bucket: s3?.bucket, Key: s3Key(sha), Body: bytes }));
  }

  async function remove(name: 'primary' | 'replica1', sha: string): Promise<void> {
    if (name === 'primary' || replica === 'folder') await fs.rm(folderBlob(path.join(dir, name), sha));
    else await client?.send(new DeleteObjectCommand({ Bucket: s3?.bucket, Key: s3Key(sha) }));
  }

  const fixityEvents = async (fileId: string, since: string) =>
    f.t.app.database.db.selectFrom('preservation_events').select(['event_type', 'outcome', 'detail']).where('subject_id', '=', fileId).where('event_type', 'in', ['fixity check', 'repair']).where('at', '>=', since).orderBy('at').orderBy('id').execute();

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'lantai-fixity-'));
    let replicaTarget = path.join(dir, 'replica1');
    const env: Record<string, string> = {};
    if (replica === 's3') {
      s3 = await startS3Server();
      client = createS3Client(s3.s3, s3.credentials);
      process.env.AWS_ACCESS_KEY_ID = s3.credentials.accessKeyId;
      process.env.AWS_SECRET_ACCESS_KEY = s3.credentials.secretAccessKey;
      replicaTarget = `s3://${s3.bucket}/${prefix}`;
      env.LANTAI_S3_ENDPOINT = s3.endpoint;
    }
    f = await createCatalogFixture(dialect, { ...env, LANTAI_STORES: `primary=${path.join(dir, 'primary')},replica1=${replicaTarget}` });
    f.t.app.startWorkers();
    const { records } = await acceptedHandOver(f, {
      categoryId: f.categories.WS as string,
      title: '保存批次',
      items: contents.map((bytes, i) => ({ metadata: { title: `关于第${i + 1}项工作的通知`, responsible: '演示市人民政府办公室', date: '20240305', year: 2024, retention: 'Y', classification: '非密', archivalCode: `J001-WS·2024-Y-${String(i + 1).padStart(4, '0')}` }, file: { name: `${i + 1}.txt`, bytes } })),
    });
    const db = f.t.app.database.db;
    const rows = await db.selectFrom('record_files').select(['id', 'record_id', 'sha256']).where('record_id', 'in', records.map((r) => r.id)).execute();
    files = contents.map((bytes) => {
      const row = rows.find((r) => r.sha256 === sha256(bytes));
      if (!row) throw new Error('file not kept');
      return { sha256: row.sha256, fileId: row.id, recordId: row.record_id };
    });
    // The replication job queued by the accept copies every file to the replica and verifies it there.
    await vi.waitFor(async () => expect((await db.selectFrom('jobs').select('status').where('type', '=', 'preservation.replicate').executeTakeFirstOrThrow()).status).toBe('succeeded'), { timeout: 60_000, interval: 200 });
  }, 240_000);

  afterAll(async () => {
    await f?.close();
    client?.destroy();
    await s3?.stop();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('copies every accepted file to the replica, verified, with a replication event', async () => {
    for (const [i, file] of files.entries()) expect((await read('replica1', file.sha256)).equals(contents[i] as Buffer)).toBe(true);
    const events = await f.t.app.database.db.selectFrom('preservation_events').select(['subject_id', 'detail']).where('event_type', '=', 'replication').where('subject_id', 'in', files.map((x) => x.fileId)).execute();
    expect(events).toHaveLength(files.length);
    expect(events[0]?.detail).toContain('已复制到存储库 replica1');
  });

  it('finds a flipped byte in the primary and a blob deleted from the replica, and repairs both from the other store, with events', { timeout: 60_000 }, async () => {
    const since = new Date().toISOString();
    const [flipped, deleted] = files as [(typeof files)[number], (typeof files)[number]];
    await damage('primary', flipped.sha256);
    await remove('replica1', deleted.sha256);
    const { fixity } = f.t.app.services;
    const primary = await fixity.audit('primary', { startedBy: 'tester' });
    expect(primary).toMatchObject({ status: 'completed', blobs: files.length, ok: files.length - 1, damaged: 1, missing: 0, repaired: 1, atRisk: 0 });
    expect((await read('primary', flipped.sha256)).equals(contents[0] as Buffer)).toBe(true);
    const onReplica = await fixity.audit('replica1', { startedBy: 'tester' });
    expect(onReplica).toMatchObject({ status: 'completed', blobs: files.length, missing: 1, repaired: 1, atRisk: 0 });
    expect((await read('replica1', deleted.sha256)).equals(contents[1] as Buffer)).toBe(true);

    expect(await fixityEvents(flipped.fileId, since)).toEqual([
      { event_type: 'fixity check', outcome: 'failure', detail: expect.stringMatching(/^存储库 primary：副本损坏（SHA-256 应为/) },
      { event_type: 'repair', outcome: 'success', detail: '存储库 primary 的副本已用存储库 replica1 中核验无误的副本修复' },
      { event_type: 'fixity check', outcome: 'success', detail: '存储库 replica1：SHA-256、SM3 复核一致' },
    ]);
    expect((await fixityEvents(deleted.fileId, since)).map((e) => [e.event_type, e.outcome, e.detail])).toEqual([
      ['fixity check', 'success', '存储库 primary：SHA-256、SM3 复核一致'],
      ['fixity check', 'failure', '存储库 replica1：副本缺失'],
      ['repair', 'success', '存储库 replica1 的副本已用存储库 primary 中核验无误的副本修复'],
    ]);
    // The next audit finds everything in order.
    expect(await fixity.audit('primary', { startedBy: 'tester' })).toMatchObject({ ok: files.length, damaged: 0, missing: 0 });
  });

  it('leaves a file damaged in every store at risk: reported to archivists, and no copy overwritten', { timeout: 60_000 }, async () => {
    const victim = files[2] as (typeof files)[number];
    await damage('primary', victim.sha256);
    await damage('replica1', victim.sha256);
    const before = { primary: await read('primary', victim.sha256), replica: await read('replica1', victim.sha256) };
    const result = await f.t.app.services.fixity.audit('primary', { startedBy: 'tester' });
    expect(result).toMatchObject({ status: 'completed', damaged: 1, repaired: 0, atRisk: 1 });
    expect((await read('primary', victim.sha256)).equals(before.primary)).toBe(true);
    expect((await read('replica1', victim.sha256)).equals(before.replica)).toBe(true);
    const alerts = await f.t.app.services.fixity.openAlerts(f.t.app.database.db);
    expect(alerts).toContainEqual(expect.objectContaining({ kind: 'at-risk', store: 'primary', sha256: victim.sha256, message: expect.stringContaining('没有可用于修复的完好副本') }));
    const repair = await f.t.app.database.db.selectFrom('preservation_events').select(['outcome', 'detail']).where('subject_id', '=', victim.fileId).where('event_type', '=', 'repair').orderBy('at', 'desc').executeTakeFirstOrThrow();
    expect(repair).toMatchObject({ outcome: 'failure', detail: expect.stringContaining('原副本未被覆盖') });
    // Put right from the original bytes (as from offline media): the next audit settles the alert.
    await f.t.app.stores.primary.replace(victim.sha256, (async function* () { yield contents[2] as Buffer; })());
    await f.t.app.stores.all.get('replica1')?.replace(victim.sha256, (async function* () { yield contents[2] as Buffer; })());
    expect(await f.t.app.services.fixity.audit('primary', { startedBy: 'tester' })).toMatchObject({ damaged: 0, atRisk: 0 });
    expect((await f.t.app.services.fixity.openAlerts(f.t.app.database.db)).filter((a) => a.sha256 === victim.sha256)).toEqual([]);
  });

  it('resumes an audit stopped halfway from its cursor: every file once, none skipped; a live audit is not run twice', { timeout: 60_000 }, async () => {
    const { app } = f.t;
    const small = createFixity({ db: app.database.db, stores: app.stores.all, preservation: app.services.preservation, algorithms: ['sha256', 'sm3'], maxMbps: 0, version: 'test', pageSize: 2, staleMs: 0 });
    const since = new Date().toISOString();
    const stop = new AbortController();
    await expect(small.audit('replica1', { startedBy: 'tester', signal: stop.signal, onProgress: (p) => (p.blobs >= 4 ? stop.abort() : undefined) })).rejects.toThrow();
    const run = await app.database.db.selectFrom('fixity_runs').selectAll().where('store', '=', 'replica1').where('status', '=', 'running').executeTakeFirstOrThrow();
    expect(Number(run.blobs)).toBe(4);
    // While its heartbeat is fresh, another audit of the store is refused rather than run beside it.
    const live = createFixity({ db: app.database.db, stores: app.stores.all, preservation: app.services.preservation, algorithms: ['sha256', 'sm3'], maxMbps: 0, version: 'test', pageSize: 2 });
    await expect(live.audit('replica1', { startedBy: 'tester' })).rejects.toMatchObject({ code: 'FIXITY_RUNNING' });
    const resumed = await small.audit('replica1', { startedBy: 'tester' });
    expect(resumed).toMatchObject({ id: run.id, resumed: true, status: 'completed', blobs: files.length, ok: files.length });
    for (const file of files) {
      const events = (await fixityEvents(file.fileId, since)).filter((e) => e.detail.startsWith('存储库 replica1'));
      expect(events, file.sha256).toHaveLength(1);
    }
  });

  it('reports an unreachable replica and completes the audit of the primary (a damaged file it cannot repair is at risk)', { timeout: 60_000 }, async () => {
    const victim = files[3] as (typeof files)[number];
    if (replica === 'folder') await fs.rename(path.join(dir, 'replica1'), path.join(dir, 'replica1-away'));
    else await s3?.stop();
    await damage('primary', victim.sha256);
    const runs = await f.t.app.services.fixity.auditAll({ startedBy: 'tester' });
    expect(runs.map((r) => [r.store, r.status])).toEqual([['primary', 'completed'], ['replica1', 'failed']]);
    expect(runs[0]).toMatchObject({ blobs: files.length, damaged: 1, atRisk: 1 });
    expect(runs[1]?.detail).toContain('存储库无法访问');
    const alerts = await f.t.app.services.fixity.openAlerts(f.t.app.database.db);
    expect(alerts).toContainEqual(expect.objectContaining({ kind: 'store-unreachable', store: 'replica1' }));
    expect(alerts).toContainEqual(expect.objectContaining({ kind: 'at-risk', store: 'primary', sha256: victim.sha256 }));
    if (replica === 'folder') await fs.rename(path.join(dir, 'replica1-away'), path.join(dir, 'replica1'));
  });
});
