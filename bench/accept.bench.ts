/**
 * Accession at scale (issue "Accession"), on the embedded default, in one run:
 *  - accept of 10,000 small files (10 KB–1 MB, one per item): target ≥ 500 files/s;
 *  - accept of one 2 GB file against the blob store's own put of the same bytes in
 *    the same run: target ≥ 80 % (adopt links the staged file: no second copy).
 *
 *   npm run bench -- accept [--files 10000] [--size 2G] [--skip-big] [--skip-small]
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import pino from 'pino';
import { v7 as uuidv7 } from 'uuid';
import { buildApp, type App } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { SYSTEM_ACTOR } from '../src/modules/accounts/service.js';
import { digestStream } from '../src/platform/storage/digest.js';
import { formatBytes, megabytesPerSecond, parseBytes, type BenchContext, type BenchRow } from './benchmark.js';
import { createRandomFile } from './reference-rates.js';

interface Setup {
  app: App;
  transferId: string;
  actor: { userId: string; username: string; roles: ['archivist']; organisationId: string | null; address: string };
  viewer: { userId: string; roles: ['archivist']; clearance: '非密'; organisationId: string | null; zone: 'lan'; grants: [] };
}

/** An installation with one checked hand-over whose files are `files` (already staged), one per item. */
async function setUp(dir: string, files: Array<{ staged: string; name: string; size: number; sha256: string; sm3: string }>): Promise<Setup> {
  const config = loadConfig({ LANTAI_DATABASE_URL: `sqlite:${path.join(dir, 'lantai.db')}`, LANTAI_STORES: `primary=${path.join(dir, 'blobs')}`, LANTAI_DATA_DIR: dir, LANTAI_PORT: '0' });
  const app = await buildApp(config, { log: pino({ level: 'silent' }), webRoot: path.join(dir, 'no-web') });
  const db = app.database.db;
  const { accounts, catalog, transfers } = app.services;
  const ids = await db.transaction().execute(async (tx) => {
    const agency = await accounts.createOrganisation(tx, SYSTEM_ACTOR, { kind: 'agency', code: 'B001', name: '基准测试单位', parentId: null });
    const archive = await accounts.createOrganisation(tx, SYSTEM_ACTOR, { kind: 'archive', code: 'A001', name: '基准测试档案馆', parentId: null });
    const archivist = await accounts.createUser(tx, SYSTEM_ACTOR, { username: 'bench.archivist', displayName: '档案员', organisationId: archive, password: 'Bench#Pass2026' });
    await accounts.setRoles(tx, SYSTEM_ACTOR, archivist, ['archivist'], true);
    const actor = { ...SYSTEM_ACTOR, roles: ['archivist' as const], userId: archivist };
    const fondsId = await catalog.createFonds(tx, actor, { code: 'B001', name: '基准测试单位', agencyId: agency, history: null });
    const categoryId = (await catalog.listCategories(tx)).find((c) => c.code === 'WS')?.id ?? '';
    const clerk = { userId: null, username: 'bench', roles: ['agency_clerk' as const], organisationId: agency, address: null };
    const { id } = await transfers.create(tx, clerk, { fondsId, categoryId, title: '基准批次', yearFrom: 2020, yearTo: 2024, declaredItems: files.length, opennessOpinion: null, carrier: null }, 'api');
    return { transferId: id, archivist, archive, clerk };
  });
  const rows = files.map((f, i) => ({ id: uuidv7(), transfer_id: ids.transferId, item_id: null, path: f.name, staged_path: f.staged, size: f.size, sha256: f.sha256, sm3: f.sm3, declared_size: f.size, declared_sha256: f.sha256, declared_sm3: null, role: '正本', position: i + 1, mime: null, received_at: new Date().toISOString() }));
  for (let i = 0; i < rows.length; i += 500) await db.insertInto('transfer_files').values(rows.slice(i, i + 500)).execute();
  // 件号 has four digits: 5,000 items a year, over as many years as it takes.
  const items = files.map((f, i) => {
    const year = 2024 - Math.floor(i / 5000);
    return { metadata: { title: `文件${i + 1}`, responsible: '基准测试单位', date: `${year}0101`, year, retention: 'Y', archivalCode: `B001-WS·${year}-Y-${String((i % 5000) + 1).padStart(4, '0')}` }, files: [{ path: f.name, role: '正本' }] };
  });
  for (let i = 0; i < items.length; i += 2000) await db.transaction().execute((tx) => transfers.addItems(tx, ids.clerk, ids.transferId, items.slice(i, i + 2000)));
  // As the check leaves it: each file linked to its item (file n is item n's).
  for (const row of rows) {
    await db.updateTable('transfer_files').set({ item_id: db.selectFrom('transfer_items').select('id').where('transfer_id', '=', ids.transferId).where('position', '=', row.position) }).where('id', '=', row.id).execute();
  }
  await db.updateTable('transfer_items').set({ result: '通过' }).where('transfer_id', '=', ids.transferId).execute();
  await db.updateTable('transfers').set({ status: 'checked' }).where('id', '=', ids.transferId).execute();
  return {
    app,
    transferId: ids.transferId,
    actor: { userId: ids.archivist, username: 'bench.archivist', roles: ['archivist'], organisationId: ids.archive, address: 'bench' },
    viewer: { userId: ids.archivist, roles: ['archivist'], clearance: '非密', organisationId: ids.archive, zone: 'lan', grants: [] },
  };
}

async function smallFiles({ workDir, flags, log }: BenchContext): Promise<BenchRow[]> {
  const count = Number(flags.get('files') || 10_000);
  const dir = path.join(workDir, 'small');
  const staging = path.join(dir, 'staging');
  await fs.mkdir(staging, { recursive: true });
  log(`staging ${count} files`);
  const files = [];
  for (let i = 0; i < count; i++) {
    const bytes = randomBytes(10 * 1024 + ((i * 7919 * 31) % (1024 * 1024 - 10 * 1024)));
    const name = `${String(i + 1).padStart(5, '0')}.dat`;
    const staged = path.join(staging, name);
    // As an upload leaves it: written and fsync'd.
    const handle = await fs.open(staged, 'w');
    await handle.writeFile(bytes);
    await handle.sync();
    await handle.close();
    files.push({ staged, name, size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex'), sm3: createHash('sm3').update(bytes).digest('hex') });
  }
  const s = await setUp(dir, files);
  try {
    log('accepting');
    const started = performance.now();
    let recording = 0;
    const result = await s.app.services.accession.accept(s.actor, s.viewer, s.transferId, {}, (p) => {
      if (p.phase === 'recording') recording = performance.now();
    });
    const ended = performance.now();
    const seconds = (ended - started) / 1000;
    const phases = `storing ${((recording - started) / 1000).toFixed(1)} s (adopt + verify + format), transaction ${((ended - recording) / 1000).toFixed(1)} s`;
    return [{ benchmark: `accept ${result.files} small files (${formatBytes(result.bytes)})`, figure: result.files / seconds, unit: 'files/s', limit: 500, target: { atLeastPercent: 100 }, note: `${seconds.toFixed(1)} s: ${phases}` }];
  } finally {
    await s.app.close();
  }
}

async function bigFile({ workDir, flags, log }: BenchContext): Promise<BenchRow[]> {
  const size = parseBytes(flags.get('size') || '2G');
  const dir = path.join(workDir, 'big');
  await fs.mkdir(path.join(dir, 'staging'), { recursive: true });
  const staged = path.join(dir, 'staging', 'big.dat');
  log(`making a ${formatBytes(size)} file`);
  await createRandomFile(staged, size);
  const digests = await digestStream(createReadStream(staged, { highWaterMark: 1 << 22 }));
  const s = await setUp(dir, [{ staged, name: 'big.dat', size, sha256: digests.sha256, sm3: digests.sm3 }]);
  try {
    // The peer: the same store's own put of the same bytes, into a second store folder.
    const config = loadConfig({ LANTAI_DATABASE_URL: `sqlite:${path.join(dir, 'peer.db')}`, LANTAI_STORES: `primary=${path.join(dir, 'peer-blobs')}`, LANTAI_DATA_DIR: path.join(dir, 'peer'), LANTAI_PORT: '0' });
    const peer = await buildApp(config, { log: pino({ level: 'silent' }), webRoot: path.join(dir, 'no-web') });
    let putMs: number;
    try {
      const t = performance.now();
      await peer.stores.primary.put(createReadStream(staged, { highWaterMark: 1 << 22 }));
      putMs = performance.now() - t;
    } finally {
      await peer.close();
    }
    log('accepting');
    const started = performance.now();
    await s.app.services.accession.accept(s.actor, s.viewer, s.transferId);
    const ms = performance.now() - started;
    const put = megabytesPerSecond(size, putMs);
    return [
      { benchmark: `blob store put of the ${formatBytes(size)} file (peer)`, figure: put, unit: 'MB/s' },
      { benchmark: `accept of one ${formatBytes(size)} file`, figure: megabytesPerSecond(size, ms), unit: 'MB/s', limit: put, target: { atLeastPercent: 80 }, note: 'adopt links the staged file and re-verifies SHA-256 and SM3' },
    ];
  } finally {
    await s.app.close();
  }
}

export default async function acceptBench(context: BenchContext): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  if (context.flags.get('skip-big') === undefined) rows.push(...(await bigFile(context)));
  if (context.flags.get('skip-small') === undefined) rows.push(...(await smallFiles(context)));
  return rows;
}
