/**
 * `lantai fixity run` through the real command line on both databases: the system
 * admin audits every store, a damaged file is repaired from the replica and reported;
 * a file damaged everywhere makes the command exit 1; a sample, an unknown store and
 * the wrong role get clear answers.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DIALECTS } from '../../platform/db/test-support/databases.js';
import { runLantai } from '../../test-support/cli.js';
import { DEMO_PASSWORD } from '../accounts/setup.js';
import { createCatalogFixture, type CatalogFixture } from '../catalog/test-support/fixture.js';
import { acceptedHandOver } from './test-support/hand-overs.js';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe.each(DIALECTS)('lantai fixity run on %s', (dialect) => {
  let f: CatalogFixture;
  let dir = '';
  let env: Record<string, string>;
  const contents = Array.from({ length: 3 }, (_, i) => Buffer.from(`关于第${i + 1}项工作的通知\n${'请按要求做好档案工作。\n'.repeat(30 + i)}`));
  const blob = (store: string, sha: string) => path.join(dir, store, 'blobs', sha.slice(0, 2), sha.slice(2, 4), sha);
  async function flip(store: string, sha: string) {
    const file = blob(store, sha);
    await fs.chmod(file, 0o644);
    const bytes = await fs.readFile(file);
    bytes[5] = (bytes[5] as number) ^ 0xff;
    await fs.writeFile(file, bytes);
  }
  const lantai = (username: string, args: string[]) => runLantai([...args, '--as', username], env, { input: `${DEMO_PASSWORD}\n` });

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'lantai-fixity-cli-'));
    const stores = `primary=${path.join(dir, 'primary')},replica1=${path.join(dir, 'replica1')}`;
    f = await createCatalogFixture(dialect, { LANTAI_STORES: stores });
    f.t.app.startWorkers();
    await acceptedHandOver(f, {
      categoryId: f.categories.WS as string,
      title: '审计批次',
      items: contents.map((bytes, i) => ({ metadata: { title: `关于第${i + 1}项工作的通知`, responsible: '演示市人民政府办公室', date: '20240305', year: 2024, retention: 'Y', classification: '非密', archivalCode: `J001-WS·2024-Y-${String(i + 1).padStart(4, '0')}` }, file: { name: `${i + 1}.txt`, bytes } })),
    });
    const db = f.t.app.database.db;
    await vi.waitFor(async () => expect((await db.selectFrom('jobs').select('status').where('type', '=', 'preservation.replicate').executeTakeFirstOrThrow()).status).toBe('succeeded'), { timeout: 60_000, interval: 200 });
    env = { LANTAI_DATABASE_URL: f.t.app.config.database.url, LANTAI_STORES: stores, LANTAI_DATA_DIR: f.t.dir, LANTAI_DEMO: '1' };
  }, 240_000);
  afterAll(async () => {
    await f?.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('audits every store, repairs a damaged copy from the replica, and says so', { timeout: 60_000 }, async () => {
    await flip('primary', sha256(contents[0] as Buffer));
    const res = await lantai('sysadmin', ['fixity', 'run']);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toContain('存储库 primary：审计 3 个文件');
    expect(res.stdout).toContain('损坏 1，已修复 1，处于风险 0');
    expect(res.stdout).toContain('存储库 replica1：审计 3 个文件');
    expect(await fs.readFile(blob('primary', sha256(contents[0] as Buffer)))).toEqual(contents[0]);
    const entry = await f.t.app.database.db.selectFrom('audit_entries').select(['actor_username', 'result']).where('action', '=', 'preservation.fixity.run').executeTakeFirstOrThrow();
    expect(entry).toEqual({ actor_username: 'sysadmin', result: 'ok' });
  });

  it('exits 1 when a file is damaged in every store, and prints JSON for scripts', { timeout: 60_000 }, async () => {
    const sha = sha256(contents[1] as Buffer);
    await flip('primary', sha);
    await flip('replica1', sha);
    const res = await lantai('sysadmin', ['--json', 'fixity', 'run', '--store', 'primary']);
    expect(res.code).toBe(1);
    expect(JSON.parse(res.stdout)).toEqual([expect.objectContaining({ store: 'primary', status: 'completed', damaged: 1, atRisk: 1 })]);
  });

  it('answers a bad sample, an unknown store and the wrong role clearly', { timeout: 60_000 }, async () => {
    const sample = await lantai('sysadmin', ['fixity', 'run', '--sample', '200%']);
    expect(sample.code).not.toBe(0);
    expect(sample.stderr).toContain('抽样比例“200%”无效');
    const store = await lantai('sysadmin', ['fixity', 'run', '--store', 'nope']);
    expect(store.code).not.toBe(0);
    expect(store.stderr).toContain('没有名为 nope 的存储库');
    const archivist = await lantai('archivist', ['fixity', 'run']);
    expect(archivist.code).not.toBe(0);
    expect(archivist.stderr).toContain('档案业务人员无权执行此操作：运行固定性审计');
  });
});
