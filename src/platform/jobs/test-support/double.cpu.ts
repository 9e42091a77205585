/** A cpu job module for the pool test: reports progress and where it ran. */
import { isMainThread, threadId } from 'node:worker_threads';
import type { CpuJobContext } from '../model.js';

export default async function double(payload: { n: number }, ctx: CpuJobContext): Promise<{ value: number; isMainThread: boolean; threadId: number }> {
  ctx.progress({ done: 1, total: 2, message: 'halfway' });
  return { value: payload.n * 2, isMainThread, threadId };
}
