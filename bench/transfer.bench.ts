/**
 * Hand-over at scale (issue "Hand-over"), over real HTTP on the embedded default:
 *  - one 2 GB file from upload start to `checked`, against L = min(dd conv=fsync,
 *    openssl dgst -sm3, openssl dgst -sha256) on the same file: target ≥ 60 % of L;
 *  - 10,000 small files (10 KB–1 MB: PDFs, PNGs, text) checked at ≥ 500 files/s
 *    with RSS < 300 MB; the virus scan, when a clamd is given (--clamd <socket>),
 *    is timed in a separate run.
 *
 *   npm run bench -- transfer [--size 2G] [--files 10000] [--skip-big] [--skip-small] [--clamd /run/clamav/clamd.ctl | --clamd test]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import http from 'node:http';
import { pipeline } from 'node:stream/promises';
import fs from 'node:fs/promises';
import path from 'node:path';
import pino from 'pino';
import { buildApp, type App } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { SYSTEM_ACTOR } from '../src/modules/accounts/service.js';
import { makeFixtureFiles } from '../src/modules/transfer/test-support/files.js';
import { startTestClamd } from '../src/platform/scan/test-support/clamd.js';
import { formatBytes, megabytesPerSecond, parseBytes, type BenchContext, type BenchRow } from './benchmark.js';
import { createRandomFile, ddFsyncWrite, opensslDigest, warmPageCache } from './reference-rates.js';

interface Server {
  app: App;
  url: string;
  key: string;
  fondsId: string;
  categoryId: string;
}

/** Builds the app on the server's database (no listening, no workers) and sets up an agency, its fonds and an API key. */
async function setUp(dir: string, env: Record<string, string>): Promise<Server> {
  const config = loadConfig({ LANTAI_DATABASE_URL: `sqlite:${path.join(dir, 'lantai.db')}`, LANTAI_STORES: `primary=${path.join(dir, 'blobs')}`, LANTAI_DATA_DIR: dir, LANTAI_PORT: '0', LANTAI_DEMO: '1', ...env });
  const app = await buildApp(config, { log: pino({ level: 'silent' }), webRoot: path.join(dir, 'no-web') });
  const { db } = app.database;
  const archivist = { ...SYSTEM_ACTOR, roles: ['archivist' as const], userId: 'bench' };
  const admin = { ...SYSTEM_ACTOR, roles: ['system_admin' as const], userId: 'bench-admin' };
  const { agency, fondsId, key } = await db.transaction().execute(async (tx) => {
    const agency = await app.services.accounts.createOrganisation(tx, SYSTEM_ACTOR, { kind: 'agency', code: 'B001', name: '基准测试单位', parentId: null });
    const fondsId = await app.services.catalog.createFonds(tx, archivist, { code: 'B001', name: '基准测试单位', agencyId: agency, history: null });
    const issued = await app.services.apiKeys.issue(tx, admin, { organisationId: agency, name: 'bench', days: 1 });
    return { agency, fondsId, key: issued.key };
  });
  void agency;
  const categoryId = (await app.services.catalog.listCategories(db)).find((c) => c.code === 'WS')?.id ?? '';
  return { app, url: '', key, fondsId, categoryId };
}

const openSetup = (dir: string, env: Record<string, string>) => setUp(dir, env);

async function api(s: Server, method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<Record<string, unknown>> {
  const res = await fetch(`${s.url}${url}`, { method, headers: { authorization: `Bearer ${s.key}`, ...(body !== undefined && !(body instanceof Uint8Array) ? { 'content-type': 'application/json' } : {}), ...headers }, body: body === undefined ? undefined : body instanceof Uint8Array ? (body as Uint8Array<ArrayBuffer>) : JSON.stringify(body) });
  const json = (await res.json()) as Record<string, unknown>;
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/**
 * Uploads one file in one streamed PUT (the server checkpoints as it goes), through node:http
 * with the file piped in: the leanest sender, as an agency's own machine would be. fetch with a
 * web stream costs as much CPU as the server's whole receive path, and here both share two cores.
 */
async function uploadFile(s: Server, id: string, name: string, file: string, size: number, sha256?: string): Promise<void> {
  const state = await api(s, 'POST', `/api/filing/transfers/${id}/uploads`, { path: name, size, ...(sha256 ? { sha256 } : {}) });
  const received = Number(state.received);
  const target = new URL(`${s.url}/api/filing/transfers/${id}/uploads/${String(state.id)}?offset=${received}`);
  const done = await new Promise<{ status: number; body: Record<string, unknown> }>((resolve, reject) => {
    const req = http.request(target, { method: 'PUT', headers: { authorization: `Bearer ${s.key}`, 'content-type': 'application/octet-stream', 'content-length': String(size - received) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> }));
      res.on('error', reject);
    });
    req.on('error', reject);
    pipeline(createReadStream(file, { start: received, highWaterMark: 1024 * 1024 }), req).catch(reject);
  });
  if (done.status >= 300 || done.body.complete !== true) throw new Error(`upload: ${done.status} ${JSON.stringify(done.body)}`);
}

async function waitChecked(s: Server, id: string): Promise<Record<string, unknown>> {
  for (;;) {
    const t = await api(s, 'GET', `/api/filing/transfers/${id}`);
    if (t.status === 'checked') return t;
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function bigFile({ workDir, flags, log }: BenchContext): Promise<BenchRow[]> {
  const size = parseBytes(flags.get('size') || '2G');
  const file = path.join(workDir, 'big.dat');
  log(`making a ${formatBytes(size)} file`);
  await createRandomFile(file, size);
  await warmPageCache(file);
  const dd = await ddFsyncWrite(file, path.join(workDir, 'dd.out'));
  const sm3 = await opensslDigest(file, 'sm3');
  const sha = await opensslDigest(file, 'sha256');
  const limit = Math.min(megabytesPerSecond(size, dd.milliseconds), megabytesPerSecond(size, sm3.milliseconds), megabytesPerSecond(size, sha.milliseconds));
  // The server runs in its own process, as in production; this process is the client (the CLI's way of sending).
  const server = await startServerProcess(path.join(workDir, 'server-big'), {});
  const s = await openSetup(path.join(workDir, 'server-big'), {});
  s.url = server.url;
  const pid = server.child.pid as number;
  try {
    const cpuBefore = await cpuSecondsOf(pid);
    const ownBefore = process.cpuUsage();
    const started = performance.now();
    const { id } = await api(s, 'POST', '/api/filing/transfers/package', { transfer: { fondsId: s.fondsId, categoryId: s.categoryId, title: '大文件', yearFrom: 2024, yearTo: 2024, declaredItems: 1 }, items: [{ metadata: { title: '大文件', responsible: '基准测试单位', date: '20240101', year: 2024, retention: 'Y' }, files: [{ path: 'big.dat', sha256: sha.hex }] }] });
    log('uploading');
    await uploadFile(s, String(id), 'big.dat', file, size, sha.hex);
    await api(s, 'POST', `/api/filing/transfers/${String(id)}/submit`);
    await waitChecked(s, String(id));
    const ms = performance.now() - started;
    const own = process.cpuUsage(ownBefore);
    log(`upload → checked in ${(ms / 1000).toFixed(1)} s; server CPU ${((await cpuSecondsOf(pid)) - cpuBefore).toFixed(1)} s, client CPU ${((own.user + own.system) / 1e6).toFixed(1)} s`);
    return [
      { benchmark: `L = min(dd fsync ${megabytesPerSecond(size, dd.milliseconds).toFixed(0)}, sm3 ${megabytesPerSecond(size, sm3.milliseconds).toFixed(0)}, sha256 ${megabytesPerSecond(size, sha.milliseconds).toFixed(0)})`, figure: limit, unit: 'MB/s' },
      { benchmark: `hand-over of one ${formatBytes(size)} file, upload → checked`, figure: megabytesPerSecond(size, ms), unit: 'MB/s', limit, target: { atLeastPercent: 60 }, note: 'HTTP chunks of 8 MiB, each fsync\'d; SHA-256 + SM3 on arrival' },
    ];
  } finally {
    await s.app.close();
    server.child.kill('SIGTERM');
    await new Promise((resolve) => server.child.once('exit', resolve));
  }
}

/** A server in its own process (the built one), as production runs it, so its memory is measured alone. */
async function startServerProcess(dir: string, env: Record<string, string>): Promise<{ child: ChildProcess; url: string }> {
  const main = path.resolve('bin/lantai.js');
  await fs.access(path.resolve('dist/src/main.js')).catch(() => {
    throw new Error('the small-files bench runs the built server: npm run build first');
  });
  await fs.mkdir(dir, { recursive: true });
  // BENCH_SERVER_ARGS passes Node options to the server, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
  const child = spawn(process.execPath, [...(process.env.BENCH_SERVER_ARGS?.split(' ').filter(Boolean) ?? []), main, 'serve', '--demo'], {
    // MALLOC_ARENA_MAX=2 as the README's systemd unit and `npm start` run the server.
    env: { MALLOC_ARENA_MAX: '2', ...process.env, LANTAI_DATABASE_URL: `sqlite:${path.join(dir, 'lantai.db')}`, LANTAI_STORES: `primary=${path.join(dir, 'blobs')}`, LANTAI_DATA_DIR: dir, LANTAI_PORT: '0', LANTAI_LOG_LEVEL: process.env.BENCH_SERVER_LOG ?? 'warn', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      if (process.env.BENCH_SERVER_LOG) process.stderr.write(chunk);
      out += chunk.toString();
      const found = /Lantai is running: (\S+)/.exec(out);
      if (found) resolve((found[1] as string).replace(/\/$/, ''));
    });
    child.once('exit', (code) => reject(new Error(`server exited (${code}) before it listened`)));
  });
  return { child, url };
}

/** Resident set of a process and of its children (the PDF helpers), in bytes, from /proc. */
async function residentOf(pid: number): Promise<{ own: number; children: number }> {
  const rss = async (p: number) => Number(/VmRSS:\s+(\d+) kB/.exec(await fs.readFile(`/proc/${p}/status`, 'utf8').catch(() => ''))?.[1] ?? 0) * 1024;
  const children = (await fs.readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => '')).trim().split(/\s+/).filter(Boolean).map(Number);
  let sum = 0;
  for (const c of children) sum += await rss(c);
  return { own: await rss(pid), children: sum };
}

async function cpuSecondsOf(pid: number): Promise<number> {
  const fields = (await fs.readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
  // utime, stime and the children's (exited ones), in clock ticks (100 a second on Linux).
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function smallFiles({ workDir, flags, log }: BenchContext, clamd: string | null): Promise<BenchRow[]> {
  const count = Number(flags.get('files') || 10_000);
  const fixtures = await makeFixtureFiles(path.join(workDir, 'fixtures'));
  const dir = path.join(workDir, `small-${clamd ? 'av' : 'plain'}`);
  const env: Record<string, string> = clamd ? { LANTAI_CLAMD_SOCKET: clamd } : {};
  const server = await startServerProcess(path.join(dir, 'server'), env);
  // This process sets up the agency and stages the files straight into the server's database.
  const s = await openSetup(path.join(dir, 'server'), env);
  s.url = server.url;
  try {
    const { id } = await api(s, 'POST', '/api/filing/transfers/package', { transfer: { fondsId: s.fondsId, categoryId: s.categoryId, title: '小文件', yearFrom: 2024, yearTo: 2024, declaredItems: count }, items: [] });
    log(`staging ${count} files`);
    // The files go straight into the hand-over's tables as an upload would leave them; the bench measures the checks.
    const staging = path.join(dir, 'files');
    await fs.mkdir(staging, { recursive: true });
    const items = [];
    const rows = [];
    for (let i = 0; i < count; i++) {
      const kind = i % 3;
      const pad = Buffer.alloc(10 * 1024 + ((i * 7919) % (1024 * 1024 - 10 * 1024)), i % 251);
      const bytes = kind === 0 ? Buffer.concat([fixtures.pdf, Buffer.from('\n%'), pad.subarray(0, 2048)]) : kind === 1 ? Buffer.concat([fixtures.png]) : pad;
      const name = `${i}.${kind === 0 ? 'pdf' : kind === 1 ? 'png' : 'txt'}`;
      const staged = path.join(staging, name);
      await fs.writeFile(staged, bytes);
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      rows.push({ id: `f${i}`, transfer_id: String(id), item_id: null, path: name, staged_path: staged, size: bytes.length, sha256, sm3: createHash('sm3').update(bytes).digest('hex'), declared_size: null, declared_sha256: sha256, declared_sm3: null, role: '正本', position: i + 1, mime: null, received_at: new Date().toISOString() });
      items.push({ metadata: { title: `文件${i}`, responsible: '基准测试单位', date: '20240101', year: 2024, retention: 'Y', archivalCode: `B001-WS·2024-Y-${String(i + 1).padStart(4, '0').slice(-4)}` }, files: [{ path: name }] });
    }
    for (let i = 0; i < rows.length; i += 500) await s.app.database.db.insertInto('transfer_files').values(rows.slice(i, i + 500)).execute();
    for (let i = 0; i < items.length; i += 2000) await api(s, 'POST', `/api/filing/transfers/${String(id)}/items`, { items: items.slice(i, i + 2000) });
    const pid = server.child.pid as number;
    const before = await residentOf(pid);
    let peak = before;
    const timer = setInterval(() => {
      void residentOf(pid).then((now) => {
        peak = { own: Math.max(peak.own, now.own), children: Math.max(peak.children, now.children) };
      });
    }, 50);
    const cpuBefore = await cpuSecondsOf(pid);
    const ownBefore = process.cpuUsage();
    const started = performance.now();
    await api(s, 'POST', `/api/filing/transfers/${String(id)}/submit`);
    await waitChecked(s, String(id));
    const seconds = (performance.now() - started) / 1000;
    const cpu = (await cpuSecondsOf(pid)) - cpuBefore;
    const own = process.cpuUsage(ownBefore);
    clearInterval(timer);
    const mib = (n: number) => (n / 2 ** 20).toFixed(0);
    log(`checked in ${seconds.toFixed(1)} s; server CPU ${cpu.toFixed(1)} s (bench client ${((own.user + own.system) / 1e6).toFixed(1)} s); server RSS ${mib(before.own)} MiB before, ${mib(peak.own)} MiB peak; PDF helpers ${mib(peak.children)} MiB peak`);
    const label = clamd ? 'with clamd virus scan' : 'without virus scan';
    return [
      { benchmark: `check ${count} small files, ${label}`, figure: count / seconds, unit: 'files/s', limit: 500, target: { atLeastPercent: 100 }, note: `${seconds.toFixed(1)} s; 1/3 PDF, 1/3 PNG page scans, 1/3 text` },
      { benchmark: `server peak RSS while checking, ${label}`, figure: peak.own / 2 ** 20, unit: 'MiB', limit: 300, target: { atMostPercent: 100 }, note: `server process alone; its PDF helpers ${mib(peak.children)} MiB more` },
    ];
  } finally {
    await s.app.close();
    server.child.kill('SIGTERM');
    await new Promise((resolve) => server.child.once('exit', resolve));
  }
}

export default async function transferBench(context: BenchContext): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  if (context.flags.get('skip-big') === undefined) rows.push(...(await bigFile(context)));
  if (context.flags.get('skip-small') === undefined) rows.push(...(await smallFiles(context, null)));
  // --clamd <socket> scans with a running clamd; --clamd test starts a private one (one test signature:
  // the engine's streaming cost without the official databases' matching cost).
  const clamd = context.flags.get('clamd');
  if (clamd === 'test') {
    const test = await startTestClamd(path.join(context.workDir, 'clamd'), { streamMaxBytes: 64 * 1024 * 1024 });
    try {
      rows.push(...(await smallFiles(context, test.socket)));
    } finally {
      await test.stop();
    }
  } else if (clamd) rows.push(...(await smallFiles(context, clamd)));
  return rows;
}
