/**
 * Access copies (利用副本): a thumbnail and reading-size page images of every accepted
 * file that has pages to show, made by a job after accession and never replacing the
 * original, which stays byte for byte as it came.
 *
 *  - PDF: Poppler's pdftoppm renders the pages (up to LANTAI_PREVIEW_MAX_PAGES);
 *  - JPEG, PNG, TIFF (every page of a multi-page scan), WebP, GIF: sharp (libvips);
 *  - JPEG 2000: OpenJPEG's opj_decompress first (sharp's libvips has no JP2 reader);
 *  - MP4 and other video: ffmpeg takes a frame one second in, as the thumbnail.
 * OFD has no renderer on Debian yet: no copies, and the event says so.
 *
 * The copies are blobs in the primary store (content-addressed like everything else),
 * listed in access_copies, with one PREMIS "creation" event per file. The renderers
 * run as child processes or on libvips' own threads, so the web server's event loop is
 * never blocked; one file per core at a time. A file that cannot be rendered gets a
 * failure event and no copies; the job carries on with the next.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import pLimit from 'p-limit';
import sharp from 'sharp';
import { v7 as uuidv7 } from 'uuid';
import type { Db, Tx } from '../../platform/db/database.js';
import type { JobContext } from '../../platform/jobs/model.js';
import type { JobQueue } from '../../platform/jobs/queue.js';
import type { BlobStore } from '../../platform/storage/blob-store.js';
import type { PremisAgent, PreservationService } from './service.js';

const execFileAsync = promisify(execFile);

export const ACCESS_COPIES_JOB = 'preservation.access-copies';
export const THUMBNAIL_PX = 320;
export const PAGE_PX = 1600;
const RENDER_TIMEOUT_MS = 5 * 60_000;

const IMAGE_MIMES = new Set(['image/jpeg', 'image/png', 'image/tiff', 'image/webp', 'image/gif']);

export interface AccessCopiesDeps {
  db: Db;
  jobs: Pick<JobQueue, 'enqueue'>;
  store: BlobStore;
  preservation: PreservationService;
  /** Where originals are copied for the renderers, and pages are written. */
  tmpDir: string;
  maxPages: number;
  version: string;
}

export interface AccessCopiesPayload {
  /** Every file accepted from this hand-over that has no copies yet. */
  transferId?: string;
  /** Or these record files. */
  fileIds?: string[];
}

interface Image {
  kind: 'thumbnail' | 'page';
  page: number;
  bytes: Buffer;
  width: number;
  height: number;
}

interface Rendered {
  images: Image[];
  tool: PremisAgent | null;
  /** Pages the original has, when the renderer says (a PDF longer than the limit is cut short). */
  pages: number | null;
  note: string | null;
}

/** The first line a tool prints of its version (`pdftoppm -v` writes to stderr), once per process. */
const versions = new Map<string, Promise<string | null>>();
function toolVersion(command: string, args: string[]): Promise<string | null> {
  let found = versions.get(command);
  if (!found) {
    found = execFileAsync(command, args, { timeout: 10_000 })
      .then(({ stdout, stderr }) => `${stdout}${stderr}`.split('\n').find((l) => l.trim() !== '')?.trim() ?? null)
      .catch((err: { stdout?: string; stderr?: string }) => `${err.stdout ?? ''}${err.stderr ?? ''}`.split('\n').find((l) => l.trim() !== '')?.trim() ?? null);
    versions.set(command, found);
  }
  return found;
}

async function jpeg(input: sharp.Sharp, px: number): Promise<{ bytes: Buffer; width: number; height: number }> {
  const { data, info } = await input.rotate().resize(px, px, { fit: 'inside', withoutEnlargement: true }).flatten({ background: '#ffffff' }).jpeg({ quality: 80, mozjpeg: false }).toBuffer({ resolveWithObject: true });
  return { bytes: data, width: info.width, height: info.height };
}

async function fromImage(file: string, maxPages: number): Promise<Omit<Rendered, 'tool'>> {
  const meta = await sharp(file, { limitInputPixels: 1 << 28 }).metadata();
  const pages = meta.pages ?? 1;
  const images: Image[] = [];
  for (let page = 0; page < Math.min(pages, maxPages); page++) {
    const open = () => sharp(file, { page, limitInputPixels: 1 << 28 });
    images.push({ kind: 'page', page: page + 1, ...(await jpeg(open(), PAGE_PX)) });
    if (page === 0) images.push({ kind: 'thumbnail', page: 1, ...(await jpeg(open(), THUMBNAIL_PX)) });
  }
  return { images, pages, note: pages > maxPages ? `仅前 ${maxPages} 页` : null };
}

async function fromPdf(file: string, work: string, maxPages: number): Promise<Omit<Rendered, 'tool'>> {
  const prefix = path.join(work, 'page');
  await execFileAsync('pdftoppm', ['-jpeg', '-jpegopt', 'quality=80', '-scale-to', String(PAGE_PX), '-l', String(maxPages), file, prefix], { timeout: RENDER_TIMEOUT_MS });
  const names = (await fs.readdir(work)).filter((n) => /^page-\d+\.jpg$/.test(n)).sort((a, b) => Number(/\d+/.exec(a)?.[0]) - Number(/\d+/.exec(b)?.[0]));
  const images: Image[] = [];
  for (const name of names) {
    const page = Number(/\d+/.exec(name)?.[0]);
    const bytes = await fs.readFile(path.join(work, name));
    const meta = await sharp(bytes).metadata();
    images.push({ kind: 'page', page, bytes, width: meta.width ?? 0, height: meta.height ?? 0 });
    if (images.length === 1) images.push({ kind: 'thumbnail', page, ...(await jpeg(sharp(bytes), THUMBNAIL_PX)) });
  }
  if (names.length === 0) throw new Error('pdftoppm produced no page');
  let pages: number | null = null;
  try {
    const { stdout } = await execFileAsync('pdfinfo', [file], { timeout: 60_000 });
    pages = Number(/^Pages:\s+(\d+)/m.exec(stdout)?.[1] ?? NaN) || null;
  } catch {
    // the page count is a nicety here: the check already recorded it
  }
  return { images, pages, note: pages !== null && pages > maxPages ? `仅前 ${maxPages} 页（共 ${pages} 页）` : null };
}

async function fromJp2(file: string, work: string, maxPages: number): Promise<Omit<Rendered, 'tool'>> {
  const png = path.join(work, 'decoded.png');
  await execFileAsync('opj_decompress', ['-i', file, '-o', png], { timeout: RENDER_TIMEOUT_MS });
  return fromImage(png, maxPages);
}

async function fromVideo(file: string, work: string): Promise<Omit<Rendered, 'tool'>> {
  const frame = path.join(work, 'frame.jpg');
  // One second in skips a black first frame; a shorter video falls back to its first frame.
  try {
    await execFileAsync('ffmpeg', ['-v', 'error', '-ss', '1', '-i', file, '-frames:v', '1', '-y', frame], { timeout: RENDER_TIMEOUT_MS });
    await fs.access(frame);
  } catch {
    await execFileAsync('ffmpeg', ['-v', 'error', '-i', file, '-frames:v', '1', '-y', frame], { timeout: RENDER_TIMEOUT_MS });
  }
  return { images: [{ kind: 'thumbnail', page: 1, ...(await jpeg(sharp(frame), THUMBNAIL_PX)) }], pages: null, note: '视频首帧缩略图' };
}

/** Renders one original (a local file) by its MIME type; null when Lantai makes no copies of that format. */
export async function renderAccessCopies(file: string, mime: string | null, work: string, maxPages: number): Promise<Rendered | null> {
  if (mime === 'application/pdf') return { ...(await fromPdf(file, work, maxPages)), tool: { role: 'tool', name: 'pdftoppm (Poppler)', version: await toolVersion('pdftoppm', ['-v']) } };
  if (mime && IMAGE_MIMES.has(mime)) return { ...(await fromImage(file, maxPages)), tool: { role: 'tool', name: 'sharp (libvips)', version: sharp.versions.vips ?? null } };
  if (mime === 'image/jp2') return { ...(await fromJp2(file, work, maxPages)), tool: { role: 'tool', name: 'opj_decompress (OpenJPEG) + sharp (libvips)', version: await toolVersion('opj_decompress', ['-h']) } };
  if (mime?.startsWith('video/')) return { ...(await fromVideo(file, work)), tool: { role: 'tool', name: 'ffmpeg', version: await toolVersion('ffmpeg', ['-version']) } };
  return null;
}

export function createAccessCopies(deps: AccessCopiesDeps) {
  const { db } = deps;
  const lantai: PremisAgent = { role: 'executing program', name: 'Lantai 兰台', version: deps.version };

  async function makeFor(file: { id: string; record_id: string; sha256: string; mime: string | null; name: string }, signal: AbortSignal): Promise<number> {
    const work = path.join(deps.tmpDir, `access-${randomUUID()}`);
    await fs.mkdir(work, { recursive: true });
    const at = () => new Date().toISOString();
    try {
      const original = path.join(work, 'original');
      await pipeline(await deps.store.get(file.sha256), createWriteStream(original), { signal });
      let rendered: Rendered | null;
      try {
        rendered = await renderAccessCopies(original, file.mime, work, deps.maxPages);
      } catch (err) {
        const reason = ((err as { stderr?: string }).stderr || (err as Error).message || String(err)).trim().split('\n')[0]?.slice(0, 300);
        await db.transaction().execute((tx) => deps.preservation.addEvents(tx, [{ subjectType: 'file', subjectId: file.id, recordId: file.record_id, type: 'creation', at: at(), outcome: 'failure', detail: `未能生成利用副本（${file.mime ?? '未知格式'}）：${reason}`, agents: [lantai] }]));
        return 0;
      }
      if (!rendered) return 0;
      const stored: Array<{ image: Image; digests: { sha256: string; size: number } }> = [];
      for (const image of rendered.images) {
        const digests = await deps.store.put(Readable.from([image.bytes]));
        stored.push({ image, digests });
      }
      const pages = rendered.images.filter((i) => i.kind === 'page').length;
      await db.transaction().execute(async (tx) => {
        // A rerun after a crash between the puts and this transaction finds no rows and writes them now.
        const had = await tx.selectFrom('access_copies').select('id').where('file_id', '=', file.id).executeTakeFirst();
        if (had) return;
        const created = at();
        await tx.insertInto('access_copies').values(stored.map(({ image, digests }) => ({ id: uuidv7(), file_id: file.id, record_id: file.record_id, kind: image.kind, page: image.page, sha256: digests.sha256, size: digests.size, mime: 'image/jpeg', width: image.width, height: image.height, created_at: created }))).execute();
        const what = [stored.some((s) => s.image.kind === 'thumbnail') ? '缩略图 1 张' : null, pages > 0 ? `页面预览 ${pages} 页（长边 ${PAGE_PX} 像素）` : null].filter(Boolean).join('，');
        await deps.preservation.addEvents(tx, [{ subjectType: 'file', subjectId: file.id, recordId: file.record_id, type: 'creation', at: created, outcome: 'success', detail: `生成利用副本：${what}${rendered.note ? `；${rendered.note}` : ''}；原件未改动`, agents: rendered.tool ? [lantai, rendered.tool] : [lantai] }]);
      });
      return stored.length;
    } finally {
      await fs.rm(work, { recursive: true, force: true });
    }
  }

  return {
    /** Queues the copies of a hand-over's accepted files, in the accepting transaction. */
    async enqueue(tx: Tx, payload: AccessCopiesPayload): Promise<void> {
      await deps.jobs.enqueue(tx, ACCESS_COPIES_JOB, payload, payload.transferId ? { dedupeKey: `access-copies:${payload.transferId}` } : {});
    },

    /** The job: every file named by the payload that has no copies yet (so a rerun resumes), one per core at a time. */
    async run(payload: AccessCopiesPayload, ctx: Pick<JobContext, 'signal' | 'progress'>): Promise<{ files: number; copies: number }> {
      let query = db
        .selectFrom('record_files as f')
        .innerJoin('preservation_files as p', 'p.id', 'f.id')
        .select(['f.id', 'f.record_id', 'f.sha256', 'f.mime', 'f.name'])
        .where((eb) => eb.not(eb.exists(eb.selectFrom('access_copies as a').select('a.id').whereRef('a.file_id', '=', 'f.id'))));
      if (payload.transferId) query = query.where('p.transfer_id', '=', payload.transferId);
      else if (payload.fileIds && payload.fileIds.length > 0) query = query.where('f.id', 'in', payload.fileIds);
      else return { files: 0, copies: 0 };
      const files = await query.orderBy('f.record_id').orderBy('f.position').execute();
      const limit = pLimit(Math.max(1, os.availableParallelism()));
      let done = 0;
      let copies = 0;
      await Promise.all(
        files.map((file) =>
          limit(async () => {
            ctx.signal.throwIfAborted();
            copies += await makeFor(file, ctx.signal);
            done += 1;
            await ctx.progress({ done, total: files.length, unit: 'files', message: '生成利用副本' });
          }),
        ),
      );
      return { files: files.length, copies };
    },
  };
}

export type AccessCopies = ReturnType<typeof createAccessCopies>;

/** A file's access copies, for the item page and the preview routes. */
export async function accessCopiesOf(db: Db | Tx, recordId: string) {
  return db.selectFrom('access_copies').select(['file_id', 'kind', 'page', 'sha256', 'size', 'width', 'height']).where('record_id', '=', recordId).orderBy('file_id').orderBy('kind').orderBy('page').execute();
}
