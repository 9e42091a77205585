/** Runs inside a piscina worker thread: loads a cpu job module and calls its default export. */
import { pathToFileURL } from 'node:url';
import type { MessagePort } from 'node:worker_threads';
import type { CpuJobContext, JobProgress } from './model.js';

type CpuJobModule = { default: (payload: unknown, ctx: CpuJobContext) => unknown };

async function load(file: string): Promise<CpuJobModule> {
  if (file.endsWith('.ts')) {
    // Running from TypeScript sources (tests, development): loader hooks are not
    // inherited by worker threads on Node 20, so load through tsx explicitly.
    const { tsImport } = await import('tsx/esm/api');
    return (await tsImport(pathToFileURL(file).href, import.meta.url)) as CpuJobModule;
  }
  return (await import(pathToFileURL(file).href)) as CpuJobModule;
}

export default async function runCpuJob(task: { file: string; payload: unknown; port: MessagePort }): Promise<unknown> {
  const mod = await load(task.file);
  try {
    return await mod.default(task.payload, { progress: (p: JobProgress) => task.port.postMessage(p) });
  } finally {
    task.port.close();
  }
}
