/**
 * The worker-thread pool for jobs marked `cpu` (piscina): text extraction, OCR,
 * thumbnails. The web server's event loop never runs them.
 *
 * A cpu job names a module whose default export is `(payload, ctx) => result`.
 * From TypeScript sources (tests, tsx) the module is `.ts` and the worker loads tsx;
 * from the build it is the compiled `.js`.
 */
import fs from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { MessageChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import type { JobProgress } from './model.js';

const WORKER_ENTRY = new URL(`./cpu-worker.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url);

/** Finds the file behind a module URL whether we run from sources or from the build. */
export function resolveModuleFile(url: URL): string {
  const file = fileURLToPath(url);
  if (fs.existsSync(file)) return file;
  const alternative = file.endsWith('.js') ? `${file.slice(0, -3)}.ts` : `${file.slice(0, -3)}.js`;
  if (fs.existsSync(alternative)) return alternative;
  throw new Error(`cpu job module not found: ${file}`);
}

export interface CpuPool {
  run(module: URL, payload: unknown, options: { signal: AbortSignal; onProgress(p: JobProgress): void }): Promise<unknown>;
  close(): Promise<void>;
}

export function createCpuPool(threads = Math.max(1, os.availableParallelism())): CpuPool {
  const entry = resolveModuleFile(WORKER_ENTRY);
  const execArgv = entry.endsWith('.ts') ? [...process.execArgv, '--import', 'tsx'] : process.execArgv;
  const pool = new Piscina({ filename: entry, maxThreads: threads, minThreads: 0, idleTimeout: 30_000, execArgv });
  return {
    async run(module, payload, { signal, onProgress }) {
      const channel = new MessageChannel();
      channel.port1.on('message', (p: JobProgress) => onProgress(p));
      try {
        return await pool.run(
          { file: resolveModuleFile(module), payload, port: channel.port2 },
          { transferList: [channel.port2], signal },
        );
      } finally {
        channel.port1.close();
      }
    },
    close: () => pool.destroy(),
  };
}
