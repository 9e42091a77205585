/**
 * How many OCR processes this Node process runs at once: one per core, shared by every
 * extraction in flight. Tesseract is CPU-bound, and one single-threaded process per core
 * gave the best throughput measured here (its own OpenMP threads were slower than one
 * thread: 5.9 s against 2.9 s for the same page on two cores). A waiter whose signal
 * aborts leaves the queue at once instead of waiting for a free slot.
 */
import os from 'node:os';

export interface Slots {
  /** Resolves with a release function once a slot is free; rejects with the signal's reason on abort. */
  acquire(signal?: AbortSignal): Promise<() => void>;
}

export function createSlots(size: number): Slots {
  let free = size;
  const waiting: Array<{ grant: () => void }> = [];

  const release = () => {
    const next = waiting.shift();
    if (next) next.grant();
    else free += 1;
  };
  const releaseOnce = () => {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      release();
    };
  };

  return {
    acquire(signal) {
      if (signal?.aborted) return Promise.reject(signal.reason);
      if (free > 0) {
        free -= 1;
        return Promise.resolve(releaseOnce());
      }
      return new Promise((resolve, reject) => {
        const waiter = {
          grant: () => {
            signal?.removeEventListener('abort', onAbort);
            resolve(releaseOnce());
          },
        };
        const onAbort = () => {
          const at = waiting.indexOf(waiter);
          if (at >= 0) waiting.splice(at, 1);
          reject(signal?.reason);
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        waiting.push(waiter);
      });
    },
  };
}

/** The slots every extraction in this process shares. */
export const ocrSlots: Slots = createSlots(Math.max(1, os.availableParallelism()));
