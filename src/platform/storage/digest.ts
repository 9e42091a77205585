/**
 * SHA-256 and SM3 in one streaming pass.
 *
 * One thread cannot hash both at disk speed (SM3 alone runs at a few hundred MB/s),
 * so large streams are hashed by two worker threads, one per algorithm, each fed the
 * same bytes through a SharedArrayBuffer (one copy per chunk, no per-worker copy).
 * Streams shorter than INLINE_LIMIT are hashed on the calling thread, where starting
 * workers would cost more than the hashing. Idle workers are kept in a small pool.
 */
import { createHash, type Hash } from 'node:crypto';
import { Worker } from 'node:worker_threads';

export type Algorithm = 'sha256' | 'sm3';
export const ALGORITHMS: readonly Algorithm[] = ['sha256', 'sm3'];

const INLINE_LIMIT = 4 * 1024 * 1024;
const BATCH_BYTES = 4 * 1024 * 1024;
const MAX_IN_FLIGHT = 8;
const POOL_MAX_IDLE = 4;

// CommonJS source run with { eval: true }: it works the same from TypeScript sources and
// from the compiled build, with no loader to configure in the worker.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
// SM3 needs a whole core to keep up with the disk; on a two-core machine the SHA-256
// thread (four times faster) yields to it. Linux only: a thread's id is its own pid.
if (workerData.algorithm === 'sha256') {
  try {
    const tid = Number(require('node:fs').readlinkSync('/proc/thread-self').split('/').pop());
    require('node:os').setPriority(tid, 5);
  } catch {}
}
let hash = createHash(workerData.algorithm);
parentPort.on('message', (message) => {
  if (message.type === 'update') {
    hash.update(new Uint8Array(message.buffer, 0, message.length));
    parentPort.postMessage({ type: 'ack', slot: message.slot });
  } else if (message.type === 'digest') {
    parentPort.postMessage({ type: 'digest', hex: hash.digest('hex') });
    hash = createHash(workerData.algorithm);
  }
});
`;

// Batches travel in reusable SharedArrayBuffers: a fresh SAB per batch is freed only
// when every isolate that saw it has collected it, which idle workers rarely do.
const slotPool: SharedArrayBuffer[] = [];
const SLOT_POOL_MAX = MAX_IN_FLIGHT * 2;

interface DigestWorker {
  algorithm: Algorithm;
  worker: Worker;
}

const idle: Record<Algorithm, DigestWorker[]> = { sha256: [], sm3: [] };

function borrow(algorithm: Algorithm): DigestWorker {
  const pooled = idle[algorithm].pop();
  if (pooled) return pooled;
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { algorithm } });
  worker.unref();
  return { algorithm, worker };
}

function giveBack(w: DigestWorker): void {
  w.worker.removeAllListeners('message');
  w.worker.removeAllListeners('error');
  if (idle[w.algorithm].length < POOL_MAX_IDLE) idle[w.algorithm].push(w);
  else void w.worker.terminate();
}

/** Terminates pooled digest workers (tests and shutdown). */
export async function closeDigestWorkers(): Promise<void> {
  const all = [...idle.sha256.splice(0), ...idle.sm3.splice(0)];
  await Promise.all(all.map((w) => w.worker.terminate()));
}

export interface DualDigest {
  /** Feeds bytes; resolves when the hashers can take more (backpressure). */
  update(chunk: Uint8Array): Promise<void>;
  /** Finishes and returns the hex digests and the byte count. */
  digest(): Promise<{ sha256: string; sm3: string; size: number }>;
  /** Abandons the computation and returns the workers to the pool. */
  abort(): void;
}

/** Starts a SHA-256 + SM3 computation over a stream of chunks. */
export function createDualDigest(): DualDigest {
  let size = 0;
  let head: Uint8Array[] = [];
  let inline: Record<Algorithm, Hash> | null = { sha256: createHash('sha256'), sm3: createHash('sm3') };
  let inlineBytes = 0;
  let workers: DigestWorker[] | null = null;
  let failure: Error | null = null;
  let waiter: (() => void) | null = null;
  const finishers = new Map<DigestWorker, (hex: string) => void>();
  // Slots owned by this digest: index -> buffer, and how many workers still read each.
  const slots: SharedArrayBuffer[] = [];
  const readers: number[] = [];
  const free: number[] = [];
  let current = -1;
  let fill = 0;

  const wake = () => {
    const w = waiter;
    waiter = null;
    w?.();
  };

  function startWorkers(): void {
    workers = ALGORITHMS.map(borrow);
    for (const w of workers) {
      w.worker.on('message', (m: { type: 'ack'; slot: number } | { type: 'digest'; hex: string }) => {
        if (m.type === 'ack') {
          readers[m.slot] = (readers[m.slot] ?? 1) - 1;
          if (readers[m.slot] === 0) free.push(m.slot);
          wake();
        } else {
          const done = finishers.get(w);
          finishers.delete(w);
          done?.(m.hex);
        }
      });
      w.worker.on('error', (err: Error) => {
        failure = err;
        wake();
      });
    }
  }

  async function acquire(): Promise<void> {
    while (free.length === 0 && slots.length >= MAX_IN_FLIGHT && !failure) {
      await new Promise<void>((resolve) => (waiter = resolve));
    }
    if (failure) throw failure;
    const reused = free.pop();
    if (reused !== undefined) {
      current = reused;
    } else {
      current = slots.length;
      slots.push(slotPool.pop() ?? new SharedArrayBuffer(BATCH_BYTES));
      readers.push(0);
    }
    fill = 0;
  }

  function dispatch(): void {
    if (current < 0 || fill === 0 || !workers) return;
    readers[current] = workers.length;
    for (const w of workers) w.worker.postMessage({ type: 'update', buffer: slots[current], slot: current, length: fill });
    current = -1;
    fill = 0;
  }

  async function feed(bytes: Uint8Array): Promise<void> {
    let offset = 0;
    while (offset < bytes.byteLength) {
      if (current < 0) await acquire();
      const slot = slots[current];
      if (!slot) throw new Error('digest slot missing');
      const n = Math.min(bytes.byteLength - offset, BATCH_BYTES - fill);
      new Uint8Array(slot, fill, n).set(bytes.subarray(offset, offset + n));
      fill += n;
      offset += n;
      if (fill === BATCH_BYTES) dispatch();
    }
  }

  function releaseSlots(): void {
    for (const slot of slots.splice(0)) if (slotPool.length < SLOT_POOL_MAX) slotPool.push(slot);
  }

  return {
    async update(chunk) {
      if (failure) throw failure;
      size += chunk.byteLength;
      if (inline) {
        if (inlineBytes + chunk.byteLength <= INLINE_LIMIT) {
          inline.sha256.update(chunk);
          inline.sm3.update(chunk);
          inlineBytes += chunk.byteLength;
          head.push(Buffer.from(chunk));
          return;
        }
        // Large stream: drop the inline hashes and replay the buffered head to the workers.
        inline = null;
        startWorkers();
        for (const c of head) await feed(c);
        head = [];
      }
      await feed(chunk);
      if (failure) throw failure;
    },
    async digest() {
      if (failure) throw failure;
      if (inline) {
        return { sha256: inline.sha256.digest('hex'), sm3: inline.sm3.digest('hex'), size };
      }
      dispatch();
      const active = workers ?? [];
      const hexes = await Promise.all(
        active.map(
          (w) =>
            new Promise<string>((resolve, reject) => {
              if (failure) reject(failure);
              finishers.set(w, resolve);
              w.worker.postMessage({ type: 'digest' });
            }),
        ),
      );
      for (const w of active) giveBack(w);
      workers = null;
      releaseSlots();
      const byAlgorithm = Object.fromEntries(active.map((w, i) => [w.algorithm, hexes[i]]));
      return { sha256: String(byAlgorithm.sha256), sm3: String(byAlgorithm.sm3), size };
    },
    abort() {
      // Wake an update() waiting for a free slot; it rethrows this.
      failure ??= new Error('digest aborted');
      wake();
      if (workers) {
        // A worker may still be busy with queued batches: end it rather than reuse it.
        for (const w of workers) void w.worker.terminate();
        workers = null;
      }
      inline = null;
      head = [];
      slots.splice(0);
      finishers.clear();
    },
  };
}

/** Digests of a complete stream, consumed to the end. */
export async function digestStream(source: AsyncIterable<Uint8Array>): Promise<{ sha256: string; sm3: string; size: number }> {
  const d = createDualDigest();
  try {
    for await (const chunk of source) await d.update(chunk);
    return await d.digest();
  } catch (err) {
    d.abort();
    throw err;
  }
}
