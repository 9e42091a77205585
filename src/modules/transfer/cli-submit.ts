/**
 * `lantai transfer submit`, the steps: hash the package, create the draft through
 * the filing API (an Idempotency-Key makes a re-run find the same draft), upload
 * the package resumably, have the server unpack it into files and items, submit it
 * for the four-property checks (DA/T 70), and optionally wait for their result.
 *
 * A re-run picks up where the last one stopped: the server tells what it has (the
 * draft's status and items, the open upload's received bytes), so nothing is kept
 * on the agency's side. Without --idempotency-key the key is the package's SHA-256:
 * the same package is one hand-over however often it is sent.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { z } from 'zod';
import { LantaiError } from '../../platform/http/errors.js';
import { createFilingClient, type FilingClient } from './cli-client.js';
import { transferCliErrors } from './cli-errors.js';
import { openPackageSource } from './cli-package.js';
import { silentProgress } from './cli-progress.js';
import { digestPackage, uploadPackage, type SentPackage, type UploadHooks } from './cli-upload.js';
import { STATUS_LABELS, type TransferSummary, type transferInputSchema } from './model.js';

export interface SubmitRequest {
  /** A folder, or a zip / tar / .tar.gz file. */
  source: string;
  server: string;
  apiKey: string;
  transfer: z.input<typeof transferInputSchema>;
  idempotencyKey?: string;
  /** Waits for the checks, polling every `intervalMs`, for at most `minutes`. */
  wait?: { minutes: number; intervalMs?: number };
}

export interface SubmitHooks extends Partial<UploadHooks> {
  /** A line for people (nothing in --json mode). */
  say?(zh: string, en: string): void;
  fetch?: typeof fetch;
}

export interface SubmitResult {
  id: string;
  idempotencyKey: string;
  /** False when an earlier run (or call) with the same key had created it. */
  created: boolean;
  package: { name: string; kind: string; size: number; sha256: string };
  /** What this run uploaded; null when the package had been received and unpacked before. */
  upload: SentPackage | null;
  /** What the server made of the package in this run. */
  unpacked: { files: number; items: number; kind: 'bagit' | 'catalog' | 'files' } | null;
  /** The checks' job, when this run submitted the hand-over. */
  jobId: string | null;
  status: TransferSummary['status'];
  items: number;
  files: number;
  /** Share of items passing every check, in percent, once checked. */
  passRate: number | null;
  passedItems: number | null;
  /** The printable check report, for the clerk signed in on the web. */
  reportUrl: string;
}

const DONE: ReadonlySet<TransferSummary['status']> = new Set(['checked', 'accepted', 'returned']);

/** The checks' figures from a hand-over's summary, once there are any. */
function checkFigures(summary: TransferSummary): { passRate: number | null; passedItems: number | null } {
  const s = summary.summary as { passRate?: unknown; passedItems?: unknown; draft?: unknown } | null;
  if (!DONE.has(summary.status) || !s || typeof s.passRate !== 'number') return { passRate: null, passedItems: null };
  return { passRate: s.passRate, passedItems: typeof s.passedItems === 'number' ? s.passedItems : null };
}

async function waitForChecks(client: FilingClient, id: string, wait: NonNullable<SubmitRequest['wait']>, signal: AbortSignal | undefined): Promise<TransferSummary> {
  const deadline = Date.now() + wait.minutes * 60_000;
  let last: TransferSummary | null = null;
  for (;;) {
    try {
      last = await client.get(id);
      if (DONE.has(last.status)) return last;
    } catch (err) {
      // A server restarting or a network blip while the checks run is not the hand-over failing.
      if (signal?.aborted || !(err instanceof LantaiError) || !(err.code === 'TRANSFER_CLI_UNREACHABLE' || err.status >= 500)) throw err;
    }
    if (Date.now() >= deadline) {
      const label = last ? STATUS_LABELS[last.status] : { zh: '未知', en: 'unknown' };
      throw transferCliErrors.TRANSFER_CLI_WAIT_TIMEOUT({ id, minutes: wait.minutes, state: label.zh, stateEn: label.en });
    }
    await delay(wait.intervalMs ?? 2_000, undefined, { signal });
  }
}

/** Hands a package over through the filing API; see the module header for the steps and how a re-run resumes. */
export async function submitTransfer(request: SubmitRequest, hooks: SubmitHooks = {}): Promise<SubmitResult> {
  const progress = hooks.progress ?? silentProgress;
  const say = hooks.say ?? (() => undefined);
  const client = createFilingClient({ server: request.server, apiKey: request.apiKey, signal: hooks.signal, fetch: hooks.fetch });

  const source = await openPackageSource(request.source);
  const digest = await digestPackage(source, progress, hooks.signal);
  progress.stop();
  const idempotencyKey = request.idempotencyKey ?? `lantai-cli-${digest.sha256}`;
  const { id, created } = await client.createTransfer(request.transfer, idempotencyKey);
  say(created ? `已创建移交批次 ${id}` : `继续移交批次 ${id}`, created ? `created hand-over ${id}` : `continuing hand-over ${id}`);

  let summary = await client.get(id);
  let upload: SentPackage | null = null;
  let unpacked: SubmitResult['unpacked'] = null;
  let jobId: string | null = null;
  if (summary.status === 'draft') {
    // Items come only from the package, so a draft with items has had its package unpacked.
    if (summary.items === 0) {
      try {
        upload = await uploadPackage(client, id, source, digest, { ...hooks, progress });
      } catch (err) {
        if (err instanceof LantaiError && err.code === 'TRANSFER_PATH_TAKEN') throw transferCliErrors.TRANSFER_CLI_PACKAGE_STUCK({ id, path: source.name });
        throw err;
      }
      progress.stop();
      say('服务器正在展开压缩包…', 'the server is unpacking the package…');
      unpacked = await client.unpack(id, upload.fileId);
      if (unpacked.items === 0) throw transferCliErrors.TRANSFER_CLI_NO_ITEMS({ id, files: unpacked.files });
    }
    jobId = (await client.submit(id)).jobId;
    summary = await client.get(id);
  }
  progress.stop();
  if (request.wait && !DONE.has(summary.status)) {
    say('等待四性检测完成…', 'waiting for the four-property checks…');
    summary = await waitForChecks(client, id, request.wait, hooks.signal);
  }
  return {
    id,
    idempotencyKey,
    created,
    package: { name: source.name, kind: source.kind, size: digest.size, sha256: digest.sha256 },
    upload,
    unpacked,
    jobId,
    status: summary.status,
    items: summary.items,
    files: summary.files,
    ...checkFigures(summary),
    reportUrl: client.reportUrl(id),
  };
}
