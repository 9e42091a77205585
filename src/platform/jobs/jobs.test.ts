import { spawn } from 'node:child_process';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../db/test-support/databases.js';
import type { Database } from '../db/database.js';
import { createJobQueue, type JobQueue } from './queue.js';
import { startRunner, type Runner, type RunnerOptions } from './runner.js';

const log = pino({ level: 'silent' });

describe.each(DIALECTS)('job queue on %s', (dialect) => {
  let t: TestDatabase;
  let database: Database;
  const runners: Runner[] = [];
  beforeAll(async () => {
    t = await createTestDatabase(dialect);
    database = t.database;
  });
  afterEach(async () => {
    await Promise.all(runners.splice(0).map((r) => r.stop()));
    await database.db.deleteFrom('jobs').execute();
    await database.db.deleteFrom('job_schedules').execute();
  });
  afterAll(async () => t?.drop());

  function runner(queue: JobQueue, extra: Partial<RunnerOptions> = {}): Runner {
    const r = startRunner({ database, queue, log, autoStart: false, retryBaseMs: 1, leaseMs: 2000, ...extra });
    runners.push(r);
    return r;
  }

  async function drain(r: Runner): Promise<void> {
    for (let i = 0; i < 50; i++) {
      const started = await r.tick();
      await r.idle();
      if (started === 0) return;
    }
  }

  it('leaves no job behind when the transaction that enqueued it rolls back', async () => {
    const queue = createJobQueue();
    queue.define('extract-text', async () => null);
    await expect(
      database.db.transaction().execute(async (tx) => {
        await queue.enqueue(tx, 'extract-text', { fileId: 'f1' });
        throw new Error('accession failed');
      }),
    ).rejects.toThrow('accession failed');
    expect(await database.db.selectFrom('jobs').selectAll().execute()).toEqual([]);
  });

  it('runs a job once, records its progress and result, and shows them by id', async () => {
    const queue = createJobQueue();
    queue.define<{ pages: number }>('extract-text', async (payload, ctx) => {
      await ctx.progress({ done: payload.pages, total: payload.pages, unit: 'page' });
      return { pages: payload.pages };
    });
    const { id } = await database.db.transaction().execute((tx) => queue.enqueue(tx, 'extract-text', { pages: 12 }));
    expect((await queue.get(database.db, id)).status).toBe('pending');
    await drain(runner(queue));
    const job = await queue.get(database.db, id);
    expect(job).toMatchObject({ status: 'succeeded', attempts: 1, result: { pages: 12 }, progress: { done: 12, total: 12, unit: 'page' } });
    expect(job.finishedAt).not.toBeNull();
  });

  it('keeps one pending or running job per dedupe key, and allows a new one after it finished', async () => {
    const queue = createJobQueue();
    queue.define('reindex', async () => 'ok');
    const enqueue = () => database.db.transaction().execute((tx) => queue.enqueue(tx, 'reindex', {}, { dedupeKey: 'item:42' }));
    const first = await enqueue();
    const second = await enqueue();
    expect(second).toEqual({ id: first.id, deduplicated: true });
    await drain(runner(queue));
    const third = await enqueue();
    expect(third.deduplicated).toBe(false);
    expect(third.id).not.toBe(first.id);
  });

  it('never fails an enqueue whose pending or running twin finishes meanwhile, and queues one again once a running twin has started', async () => {
    const queue = createJobQueue();
    let runs = 0;
    queue.define('index', async () => {
      runs += 1;
    }, { dedupe: 'pending' });
    const r = runner(queue, { autoStart: true, pollMs: 1 });
    // Four writers marking work while the runner keeps claiming and finishing the job:
    // the twin found by the insert can finish before it is read back.
    const writers = [1, 2, 3, 4].map(async () => {
      for (let i = 0; i < 100; i++) await database.db.transaction().execute((tx) => queue.enqueue(tx, 'index', {}, { dedupeKey: 'index' }));
    });
    await Promise.all(writers);
    await r.stop();
    await drain(runner(queue));
    expect(runs).toBeGreaterThan(0);
    // A running job let go of its key: whatever was marked after it started got a job of its own, which ran.
    const left = await database.db.selectFrom('jobs').select(['status', 'dedupe_key']).where('status', '!=', 'succeeded').execute();
    expect(left).toEqual([]);
  });

  it('lets a job that released its key on start be joined by one new pending twin, not more', async () => {
    const queue = createJobQueue();
    let release: () => void = () => undefined;
    const started = new Promise<void>((resolve) => {
      queue.define('index', () => {
        resolve();
        return new Promise<void>((done) => (release = done));
      }, { dedupe: 'pending' });
    });
    const enqueue = () => database.db.transaction().execute((tx) => queue.enqueue(tx, 'index', {}, { dedupeKey: 'index' }));
    const first = await enqueue();
    const r = runner(queue);
    await r.tick();
    await started;
    const second = await enqueue();
    const third = await enqueue();
    expect(second.deduplicated).toBe(false);
    expect(second.id).not.toBe(first.id);
    expect(third).toEqual({ id: second.id, deduplicated: true });
    release();
    await r.idle();
    expect((await queue.get(database.db, first.id)).status).toBe('succeeded');
    expect((await queue.get(database.db, second.id)).status).toBe('pending');
  });

  it('retries a failing job with back-off and then marks it failed with the last error', async () => {
    const queue = createJobQueue();
    let calls = 0;
    queue.define(
      'ocr',
      async () => {
        calls += 1;
        throw new Error(`tesseract crashed (${calls})`);
      },
      { maxAttempts: 3 },
    );
    const { id } = await database.db.transaction().execute((tx) => queue.enqueue(tx, 'ocr', {}));
    const r = runner(queue);
    await vi.waitFor(async () => {
      await r.tick();
      await r.idle();
      expect((await queue.get(database.db, id)).status).toBe('failed');
    }, { timeout: 10_000, interval: 20 });
    expect(calls).toBe(3);
    expect(await queue.get(database.db, id)).toMatchObject({ attempts: 3, lastError: 'tesseract crashed (3)' });
  });

  it('cancels a pending job at once and a running job cooperatively', async () => {
    const queue = createJobQueue();
    let sawAbort = false;
    let started!: () => void;
    const startedP = new Promise<void>((resolve) => (started = resolve));
    queue.define('fixity', async (_p, ctx) => {
      started();
      await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve()));
      sawAbort = true;
      return 'stopped early';
    });
    queue.define('thumbnail', async () => 'never');
    const pending = await database.db.transaction().execute((tx) => queue.enqueue(tx, 'thumbnail', {}, { runAt: new Date(Date.now() + 3_600_000) }));
    expect((await database.db.transaction().execute((tx) => queue.cancel(tx, pending.id))).status).toBe('cancelled');

    const { id } = await database.db.transaction().execute((tx) => queue.enqueue(tx, 'fixity', {}));
    const r = runner(queue, { leaseMs: 300 });
    await r.tick();
    await startedP;
    expect((await database.db.transaction().execute((tx) => queue.cancel(tx, id))).cancelRequested).toBe(true);
    await r.idle();
    expect(sawAbort).toBe(true);
    expect((await queue.get(database.db, id)).status).toBe('cancelled');
  });

  it('takes higher-priority jobs first and never runs more of a type than its concurrency', async () => {
    const queue = createJobQueue();
    const order: string[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    queue.define<{ name: string }>(
      'work',
      async (p) => {
        inFlight += 1;
        maxInFlight = Math.max(maxInFlight, inFlight);
        order.push(p.name);
        await new Promise((r) => setTimeout(r, 5));
        inFlight -= 1;
      },
      { concurrency: 2 },
    );
    await database.db.transaction().execute(async (tx) => {
      for (let i = 0; i < 4; i++) await queue.enqueue(tx, 'work', { name: `low${i}` });
      await queue.enqueue(tx, 'work', { name: 'urgent' }, { priority: 10 });
    });
    await drain(runner(queue));
    expect(order[0]).toBe('urgent');
    expect(order).toHaveLength(5);
    expect(maxInFlight).toBe(2);
  });

  it('runs each job exactly once when several runners share the queue', async () => {
    const queue = createJobQueue();
    const seen: string[] = [];
    queue.define<{ n: number }>('work', async (p) => {
      seen.push(String(p.n));
      await new Promise((r) => setTimeout(r, 2));
    }, { concurrency: 3 });
    await database.db.transaction().execute(async (tx) => {
      for (let n = 0; n < 30; n++) await queue.enqueue(tx, 'work', { n });
    });
    const a = runner(queue, { owner: 'node-a' });
    const b = runner(queue, { owner: 'node-b' });
    await vi.waitFor(async () => {
      await Promise.all([a.tick(), b.tick()]);
      await Promise.all([a.idle(), b.idle()]);
      expect(seen).toHaveLength(30);
    }, { timeout: 20_000, interval: 10 });
    expect(new Set(seen).size).toBe(30);
    const statuses = await database.db.selectFrom('jobs').select('status').distinct().execute();
    expect(statuses).toEqual([{ status: 'succeeded' }]);
  });

  it('enqueues a scheduled job once per cron slot however many nodes run the scheduler', async () => {
    const queue = createJobQueue();
    queue.define('fixity', async () => 'audited');
    queue.schedule('fixity', '* * * * * *'); // every second (six-field cron)
    // Pretend the schedule last fired long ago so the current slot is due.
    await database.db.insertInto('job_schedules').values({ name: 'fixity', cron: '* * * * * *', last_slot: '2020-01-01T00:00:00.000Z', updated_at: '2020-01-01T00:00:00.000Z' }).execute();
    const nodes = [runner(queue, { owner: 'n1' }), runner(queue, { owner: 'n2' }), runner(queue, { owner: 'n3' })];
    await Promise.all(nodes.map((n) => n.tick()));
    await Promise.all(nodes.map((n) => n.idle()));
    const jobs = await database.db.selectFrom('jobs').select(['type', 'dedupe_key', 'status']).execute();
    expect(jobs.length).toBeGreaterThanOrEqual(1);
    // At most one job per slot: dedupe keys are distinct.
    expect(new Set(jobs.map((j) => j.dedupe_key)).size).toBe(jobs.length);
    expect(jobs.every((j) => j.dedupe_key?.startsWith('fixity@'))).toBe(true);
  });

  it('runs cpu jobs in a worker thread and reports their progress', async () => {
    const queue = createJobQueue();
    queue.define('double', { cpuModule: new URL('./test-support/double.cpu.js', import.meta.url) }, { cpu: true });
    const { id } = await database.db.transaction().execute((tx) => queue.enqueue(tx, 'double', { n: 21 }));
    await drain(runner(queue, { cpuThreads: 1 }));
    const job = await queue.get(database.db, id);
    expect(job.lastError).toBeNull();
    expect(job.status).toBe('succeeded');
    expect(job.result).toMatchObject({ value: 42, isMainThread: false });
    expect(job.progress).toEqual({ done: 1, total: 2, message: 'halfway' });
  });

  it('runs a job again after the worker running it was killed with SIGKILL', async () => {
    const queue = createJobQueue();
    let reruns = 0;
    queue.define('index-text', async () => {
      reruns += 1;
      return 'indexed';
    });
    const { id } = await database.db.transaction().execute((tx) => queue.enqueue(tx, 'index-text', { fileId: 'f9' }));
    const child = spawn(process.execPath, ['--import', 'tsx', new URL('./test-support/hanging-worker.ts', import.meta.url).pathname, t.config.url], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => d.toString().includes(`started ${id}`) && resolve());
      child.on('exit', (code) => reject(new Error(`worker exited early (${code})`)));
    });
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    expect((await queue.get(database.db, id)).status).toBe('running');
    const r = runner(queue, { leaseMs: 1000 });
    await vi.waitFor(async () => {
      await r.tick();
      await r.idle();
      expect((await queue.get(database.db, id)).status).toBe('succeeded');
    }, { timeout: 15_000, interval: 100 });
    expect(reruns).toBe(1);
    expect((await queue.get(database.db, id)).attempts).toBe(2);
  });
});
