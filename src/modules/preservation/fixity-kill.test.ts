/**
 * An audit killed halfway (SIGKILL of `lantai fixity run`, on both databases) resumes
 * from its cursor when run again: every file gets exactly one fixity event for the
 * run, none is skipped, and the run's count is the number of files.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../platform/db/test-support/databases.js';
import { runLantai } from '../../test-support/cli.js';
import { DEMO_PASSWORD } from '../accounts/setup.js';
import { createCatalogFixture, type CatalogFixture } from '../catalog/test-support/fixture.js';

const MAIN = fileURLToPath(new URL('../../main.ts', import.meta.url));
const FILES = 260;

describe.each(DIALECTS)('a fixity audit killed halfway on %s', (dialect) => {
  let f: CatalogFixture;
  let env: Record<string, string>;

  beforeAll(async () => {
    f = await createCatalogFixture(dialect);
    const { app } = f.t;
    const { catalog } = app.services;
    const archivist = await app.database.db.selectFrom('users').select(['id', 'organisation_id']).where('username', '=', 'archivist').executeTakeFirstOrThrow();
    const actor = { userId: archivist.id, username: 'archivist', roles: ['archivist' as const], organisationId: archivist.organisation_id, address: null };
    const viewer = { userId: archivist.id, roles: ['archivist' as const], clearance: '非密' as const, organisationId: archivist.organisation_id, zone: 'lan' as const, grants: [] };
    const kept: Array<{ sha256: string; sm3: string; size: number }> = [];
    for (let i = 0; i < FILES; i++) kept.push(await app.stores.primary.put(Readable.from([Buffer.from(`第${i}号文件 ${'档案'.repeat(2000 + i)}`)])));
    await app.database.db.transaction().execute(async (tx) => {
      const ids = await catalog.createItems(tx, actor, viewer, kept.map((_, i) => ({ fondsId: f.fondsId, categoryId: f.categories.WS, volumeId: null, title: `文件${i + 1}`, responsible: '演示市人民政府办公室', date: '20240101', year: 2024, retention: 'Y' })), { action: 'catalog.item.create', label: 'test' });
      await catalog.attachFiles(tx, actor, kept.map((d, i) => ({ recordId: ids[i] as string, sha256: d.sha256, sm3: d.sm3, size: d.size, name: `${i + 1}.txt`, role: '正本', position: 1, pageCount: null, mime: 'text/plain' })));
    });
    // Slow enough (1 MB/s over ~3 MB) that the kill lands mid-run, after the first page (100 files) is committed.
    env = { PATH: process.env.PATH ?? '', LANTAI_LOG_LEVEL: 'warn', LANTAI_DATABASE_URL: app.config.database.url, LANTAI_STORES: `primary=${path.join(f.t.dir, 'blobs')}`, LANTAI_DATA_DIR: f.t.dir, LANTAI_DEMO: '1', LANTAI_FIXITY_MAX_MBPS: '1' };
  }, 240_000);
  afterAll(async () => {
    await f?.close();
  });

  it('resumes after SIGKILL with every file counted once and none skipped', { timeout: 120_000 }, async () => {
    const db = f.t.app.database.db;
    const since = new Date().toISOString();
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', `const { main } = await import(${JSON.stringify(new URL(`file://${MAIN}`).href)}); await main(['node', 'lantai', ...process.argv.slice(1)]);`, '--', 'fixity', 'run', '--store', 'primary', '--as', 'sysadmin'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdin.end(`${DEMO_PASSWORD}\n`);
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    let committed = 0;
    for (let i = 0; i < 600 && committed < 100; i++) {
      await new Promise((r) => setTimeout(r, 50));
      committed = Number((await db.selectFrom('fixity_runs').select('blobs').where('store', '=', 'primary').executeTakeFirst())?.blobs ?? 0);
    }
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    const interrupted = await db.selectFrom('fixity_runs').selectAll().where('store', '=', 'primary').executeTakeFirstOrThrow();
    expect(interrupted.status).toBe('running');
    expect(Number(interrupted.blobs)).toBeGreaterThanOrEqual(100);
    expect(Number(interrupted.blobs)).toBeLessThan(FILES);

    // Its heartbeat is fresh for a minute; make it look as old as a dead node's.
    await db.updateTable('fixity_runs').set({ heartbeat_at: new Date(Date.now() - 120_000).toISOString() }).where('id', '=', interrupted.id).execute();
    const again = await runLantai(['--json', 'fixity', 'run', '--store', 'primary', '--as', 'sysadmin'], { ...env, LANTAI_FIXITY_MAX_MBPS: '0' }, { input: `${DEMO_PASSWORD}\n` });
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toEqual([expect.objectContaining({ id: interrupted.id, resumed: true, status: 'completed', blobs: FILES, ok: FILES })]);
    const events = await db.selectFrom('preservation_events').select(['subject_id']).where('event_type', '=', 'fixity check').where('at', '>=', since).execute();
    const perFile = new Map<string, number>();
    for (const e of events) perFile.set(e.subject_id, (perFile.get(e.subject_id) ?? 0) + 1);
    expect(perFile.size).toBe(FILES);
    expect([...perFile.values()].every((n) => n === 1)).toBe(true);
  });
});
