import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DIALECTS } from '../../../platform/db/test-support/databases.js';
import { createCatalogFixture, type CatalogFixture } from '../../catalog/test-support/fixture.js';
import { makeFixtureFiles } from '../test-support/files.js';

describe.each(DIALECTS)('offline hand-over from a mounted carrier on %s', (dialect) => {
  let f: CatalogFixture;
  let dir = '';
  let carriers = '';

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'lantai-carrier-'));
    carriers = path.join(dir, 'media');
    const disc = path.join(carriers, 'disc1');
    await fs.mkdir(path.join(disc, '2023'), { recursive: true });
    const files = await makeFixtureFiles(path.join(dir, 'fixtures'));
    await fs.writeFile(path.join(disc, '2023', '通知.pdf'), files.pdf);
    await fs.writeFile(path.join(disc, '目录.csv'), '题名,责任者,日期,年度,保管期限,文件名\n关于做好2023年档案工作的通知,演示市人民政府办公室,20230315,2023,永久,2023/通知.pdf\n');
    await fs.writeFile(path.join(disc, 'autorun.inf'), '[autorun]\nopen=setup.exe\n');
    await fs.writeFile(path.join(dir, 'secret.txt'), 'outside the carrier');
    await fs.symlink(path.join(dir, 'secret.txt'), path.join(disc, 'link.txt'));
    f = await createCatalogFixture(dialect, { LANTAI_CARRIER_ROOT: carriers });
    f.t.app.startWorkers();
  }, 180_000);
  afterAll(async () => {
    await f?.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('reads the carrier, ignores links out of it, and fails the carrier check for files outside the declared content', { timeout: 120_000 }, async () => {
    const a = f.sessions.archivist;
    const created = await f.call(a, 'POST', '/api/transfers', { agencyId: f.agencyId, fondsId: f.fondsId, categoryId: f.categories.WS, title: '2023年度光盘移交', yearFrom: 2023, yearTo: 2023, declaredItems: 1, carrier: { type: '光盘', label: '演示市政府办 2023-1', number: 'GP-2023-001' } });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json().id;
    expect((await f.call(f.sessions.clerk, 'POST', `/api/transfers/${id}/carrier`, { path: 'disc1' })).statusCode).toBe(403);
    expect((await f.call(a, 'POST', `/api/transfers/${id}/carrier`, { path: '../' })).json().code).toBe('TRANSFER_CARRIER_PATH');
    const read = await f.call(a, 'POST', `/api/transfers/${id}/carrier`, { path: 'disc1' });
    expect(read.json()).toEqual({ files: 2, items: 1, extra: ['autorun.inf'] });
    await f.call(a, 'POST', `/api/transfers/${id}/submit`);
    await vi.waitFor(async () => expect((await f.call(a, 'GET', `/api/transfers/${id}`)).json().status).toBe('checked'), { timeout: 60_000, interval: 200 });
    const report = (await f.call(a, 'GET', `/api/transfers/${id}/report`)).json();
    expect(report.package).toEqual(expect.arrayContaining([expect.objectContaining({ checkId: 'YJ-AQ-02', result: '不通过', found: ['autorun.inf'] }), expect.objectContaining({ checkId: 'YJ-AQ-03', message: expect.stringContaining('GP-2023-001') })]));
    const receipt = await f.call(a, 'GET', `/api/transfers/${id}/receipt`);
    expect(receipt.body).toContain('离线移交；载体 光盘 演示市政府办 2023-1（编号 GP-2023-001）');
  });
});
