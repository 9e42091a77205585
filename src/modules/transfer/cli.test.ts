import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLantai } from '../../test-support/cli.js';
import { createCatalogFixture, type CatalogFixture } from '../catalog/test-support/fixture.js';
import { openPackageSource } from './cli-package.js';
import { submitTransfer, type SubmitRequest } from './cli-submit.js';
import { makeFixtureFiles, type FixtureFiles } from './test-support/files.js';

const CATALOG = '题名,责任者,日期,年度,保管期限,密级,档号,文件名\n关于做好2024年档案工作的通知,演示市人民政府办公室,20240315,2024,永久,非密,J001-WS·2024-Y-0001,2024/0001/通知.pdf\n';

async function sha256Of(stream: AsyncIterable<Buffer>): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of stream) hash.update(chunk);
  return hash.digest('hex');
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

// The command is an HTTP client: one real server (on SQLite) is its counterpart; the
// server's own suites cover the databases.
describe('lantai transfer submit, against a running Lantai', () => {
  let f: CatalogFixture;
  let files: FixtureFiles;
  let dir = '';
  let server = '';
  let apiKey = '';
  let folder = '';
  let WS = '';

  /** `lantai --json transfer submit <source> …` with the key on standard input. */
  const submit = (source: string, extra: string[] = [], key = apiKey, at = server) =>
    runLantai(
      ['--json', 'transfer', 'submit', source, '--server', at, '--api-key-file', '-', '--fonds', f.fondsId, '--category', WS, '--title', '2024年度文书档案移交', '--years', '2024', '--declared', '1', ...extra],
      {},
      { input: `${key}\n` },
    );
  const transfersOfAgency = async () => (await f.t.app.database.db.selectFrom('transfers').select(['id', 'idempotency_key', 'channel', 'status']).where('agency_id', '=', f.agencyId).execute());

  /** A folder as an agency prepares it: the catalog at the top naming each item's files. */
  async function makeFolder(name: string): Promise<string> {
    const root = path.join(dir, name);
    await fs.mkdir(path.join(root, '2024', '0001'), { recursive: true });
    await fs.writeFile(path.join(root, '目录.csv'), CATALOG);
    await fs.writeFile(path.join(root, '2024', '0001', '通知.pdf'), files.pdf);
    await fs.writeFile(path.join(root, '.DS_Store'), 'finder litter');
    return root;
  }

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'lantai-transfer-cli-'));
    files = await makeFixtureFiles(path.join(dir, 'fixtures'));
    f = await createCatalogFixture('sqlite');
    WS = f.categories.WS as string;
    f.t.app.startWorkers();
    server = await f.t.app.http.listen({ port: 0, host: '127.0.0.1' });
    const issued = await f.call(f.sessions.sysadmin, 'POST', '/api/accounts/api-keys', { organisationId: f.agencyId, name: '演示市政府办公室 OA', days: 30 });
    expect(issued.statusCode, issued.body).toBe(201);
    apiKey = issued.json().key;
    folder = await makeFolder('2024年文书档案');
  }, 180_000);
  afterAll(async () => {
    await f?.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('hands a folder over with its catalog, waits for the checks and prints the pass rate and the report', { timeout: 120_000 }, async () => {
    const res = await submit(folder, ['--idempotency-key', 'oa-2024-ws-001', '--wait', '--wait-minutes', '2']);
    expect(res.code, res.stderr).toBe(0);
    const result = JSON.parse(res.stdout);
    expect(result).toMatchObject({ created: true, status: 'checked', items: 1, files: 1, idempotencyKey: 'oa-2024-ws-001', package: { name: '2024年文书档案.zip', kind: 'folder' }, upload: { resumedFrom: 0 }, unpacked: { files: 1, items: 1, kind: 'catalog' } });
    expect(result.upload.sent).toBe(result.package.size);
    expect(result.reportUrl).toBe(`${server}/api/transfers/${result.id}/report?format=html`);
    // What the clerk sees on the web is what the command printed.
    const seen = (await f.call(f.sessions.clerk, 'GET', `/api/transfers/${result.id}`)).json();
    expect(seen).toMatchObject({ status: 'checked', channel: 'api', declaredItems: 1 });
    expect(result.passRate).toBe(seen.summary.passRate);
    expect((await f.call(f.sessions.clerk, 'GET', `/api/transfers/${result.id}/report?format=html`)).statusCode).toBe(200);
    // The folder's litter stayed behind; the item's file arrived under its own path.
    const paths = await f.t.app.database.db.selectFrom('transfer_files').select('path').where('transfer_id', '=', result.id).execute();
    expect(paths.map((p) => p.path)).toEqual(['2024/0001/通知.pdf']);
  });

  it('finds the same hand-over when run again with the same idempotency key, and sends nothing twice', { timeout: 60_000 }, async () => {
    const before = await transfersOfAgency();
    const res = await submit(folder, ['--idempotency-key', 'oa-2024-ws-001']);
    expect(res.code, res.stderr).toBe(0);
    const again = JSON.parse(res.stdout);
    const first = before.find((t) => t.idempotency_key === 'oa-2024-ws-001');
    expect(again).toMatchObject({ id: first?.id, created: false, upload: null, unpacked: null, jobId: null, status: 'checked' });
    expect(await transfersOfAgency()).toHaveLength(before.length);
  });

  it('makes the same zip of an unchanged folder every time, so an upload can resume', async () => {
    const source = await openPackageSource(folder);
    expect(source.entries.map((e) => e.path)).toEqual(['2024/0001/通知.pdf', '目录.csv']);
    const whole = await sha256Of(source.read(0));
    expect(await sha256Of(source.read(0))).toBe(whole);
    // And reading from an offset gives the rest of those same bytes.
    const bytes: Buffer[] = [];
    for await (const chunk of source.read(0)) bytes.push(chunk);
    const all = Buffer.concat(bytes);
    const rest: Buffer[] = [];
    for await (const chunk of source.read(1000)) rest.push(chunk);
    expect(Buffer.concat(rest).equals(all.subarray(1000))).toBe(true);
  });

  it('resumes an interrupted upload from the bytes the server had, in the same hand-over', { timeout: 120_000 }, async () => {
    const interrupted = await makeFolder('2024年文书档案（续传）');
    const request: SubmitRequest = { source: interrupted, server, apiKey, transfer: { fondsId: f.fondsId, categoryId: WS, title: '2024年度文书档案移交', yearFrom: 2024, yearTo: 2024, declaredItems: 1 } };
    const stop = new AbortController();
    const cut = await submitTransfer(request, {
      signal: stop.signal,
      chunkSize: 4096,
      onChunk: (state) => {
        if (state.received >= 8192) stop.abort(new Error('cable pulled'));
      },
    }).catch((err: unknown) => err);
    expect(cut).toEqual(new Error('cable pulled'));
    const draft = (await transfersOfAgency()).find((t) => t.idempotency_key?.startsWith('lantai-cli-') && t.status === 'draft');
    const open = await f.t.app.database.db.selectFrom('transfer_uploads').select(['received', 'status']).where('transfer_id', '=', draft?.id ?? '').execute();
    expect(open).toEqual([{ received: 8192, status: 'open' }]);

    // The same command again, without a key: the package's digest finds the draft.
    const res = await submit(interrupted, ['--wait', '--wait-minutes', '2']);
    expect(res.code, res.stderr).toBe(0);
    const resumed = JSON.parse(res.stdout);
    expect(resumed).toMatchObject({ id: draft?.id, created: false, status: 'checked', upload: { resumedFrom: 8192 }, unpacked: { items: 1 } });
    expect(resumed.upload.sent).toBe(resumed.package.size - 8192);
    expect(resumed.idempotencyKey).toBe(`lantai-cli-${resumed.package.sha256}`);
  });

  it('sends a zip file as it is', { timeout: 60_000 }, async () => {
    const zip = path.join(dir, '2024年文书档案-zip.zip');
    const inner = await makeFolder('zip-source');
    execFileSync('zip', ['-r', '-q', zip, '.'], { cwd: inner });
    const res = await submit(zip);
    expect(res.code, res.stderr).toBe(0);
    const result = JSON.parse(res.stdout);
    // Its .DS_Store too: an archive is the agency's own package, unpacked by the server as it is.
    expect(result).toMatchObject({ created: true, package: { name: '2024年文书档案-zip.zip', kind: 'zip' }, unpacked: { files: 2, items: 1, kind: 'catalog' }, jobId: expect.any(String) });
    expect(['submitted', 'checking', 'checked']).toContain(result.status);
  });

  it('refuses a folder without a catalog before creating anything', async () => {
    const bare = path.join(dir, 'no-catalog');
    await fs.mkdir(bare, { recursive: true });
    await fs.writeFile(path.join(bare, '通知.pdf'), files.pdf);
    const before = await transfersOfAgency();
    const res = await submit(bare);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('TRANSFER_CLI_SOURCE');
    expect(res.stderr).toContain('归档文件目录');
    expect(res.stderr).toContain('catalog spreadsheet');
    expect(await transfersOfAgency()).toHaveLength(before.length);
  });

  it('says so when the key is wrong', async () => {
    const res = await submit(folder, [], `lt_${'0'.repeat(32)}_${'A'.repeat(43)}`);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('TRANSFER_CLI_KEY_REFUSED');
    expect(res.stderr).toContain('接口密钥无效');
    expect(res.stderr).toContain('refused the API key');
    expect(res.stderr).not.toMatch(/\bat .*\(.*:\d+:\d+\)/);
  });

  it('says the server cannot be reached', async () => {
    const res = await submit(folder, [], apiKey, `http://127.0.0.1:${await closedPort()}`);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('无法连接服务器');
    expect(res.stderr).toContain('cannot be reached (ECONNREFUSED)');
  });

  it('shows the server’s refusal as the server words it, with its code', async () => {
    const res = await runLantai(
      ['transfer', 'submit', folder, '--server', server, '--api-key-file', '-', '--fonds', f.otherFondsId, '--category', WS, '--title', '别单位的全宗', '--years', '2024', '--declared', '1'],
      {},
      { input: `${apiKey}\n` },
    );
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('错误 TRANSFER_FONDS_AGENCY：全宗 J002 不属于该立档单位。');
    expect(res.stderr).toContain('Error TRANSFER_FONDS_AGENCY: Fonds J002 does not belong to this agency.');
  });
});
