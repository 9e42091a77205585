/**
 * Keeping the index true to the catalog. Every change to a record (description,
 * openness, codes, files) marks it dirty inside the changing transaction and enqueues
 * one de-duplicated index job; the job drains the dirty list in batches: it reads the
 * records through the catalog's feed, tokenises on every core, and replaces each
 * record's document, pages and token streams in one transaction per batch. A rebuild
 * (`lantai search reindex`) walks every record the same way while searches go on.
 */
import { createHash } from 'node:crypto';
import type { Database, Executor, Tx } from '../../platform/db/database.js';
import type { JobQueue } from '../../platform/jobs/queue.js';
import type { FeedRecord } from '../catalog/search-feed.js';
import { DOC_KEY_SPACE, PAGE_SPAN, type MetaField, type MetaStreams, type StreamPair } from './index-common.js';
import { indexDialect, type IndexDialect } from './index-sql.js';
import { tokenizeBatch } from './tokenize-pool.js';
import { VOCABULARY_FROM } from './pg-vocabulary.js';
import { normalize } from './tokenize.js';
import type { TokenizeAnswer } from './tokenize-worker.js';

export const INDEX_JOB = 'search.index';
export const EXTRACT_JOB = 'search.extract';
/** Pages longer than this are indexed as several chunks (PostgreSQL keeps 16,383 positions). */
export const PAGE_CHARS = 8_000;
/** Records written at once from which the index is written in bulk (index-sql.ts `bulk`). */
export const BULK_FROM = 10_000;

export interface IndexFeed {
  searchFeed(db: Executor, ids: readonly string[]): Promise<FeedRecord[]>;
  recordIdsForIndex(db: Executor, options: { after: string | null; fondsId?: string | null; limit: number }): Promise<string[]>;
  countRecordsForIndex(db: Executor, fondsId?: string | null): Promise<number>;
}

export interface ExtractPayload {
  fileId: string;
  recordId: string;
  sha256: string;
  name: string;
  mime: string | null;
}

/** One record as the index takes it: its description and its files' page text in order. */
export interface IndexDocument {
  record: FeedRecord;
  pages: ReadonlyArray<{ fileId: string; page: number; text: string }>;
}

interface PreparedDocuments {
  records: FeedRecord[];
  docPages: Array<Array<{ fileId: string; page: number; text: string }>>;
  tokens: TokenizeAnswer;
}

export interface IndexerDeps {
  database: Database;
  jobs: JobQueue;
  feed: IndexFeed;
  /** Whether a file's text can be extracted (extract/extract.ts). */
  canExtract(file: { name: string; mime: string | null }): boolean;
  /** Records from which a write is a bulk write (BULK_FROM), and from which it offers PostgreSQL a sample to learn a vocabulary from (VOCABULARY_FROM); tests lower them. */
  thresholds?: { bulkFrom?: number; vocabularyFrom?: number };
}

const FORMAT_BY_MIME: Record<string, string> = {
  'application/pdf': 'pdf',
  'application/ofd': 'ofd',
  'image/jpeg': 'jpeg',
  'image/png': 'png',
  'image/tiff': 'tiff',
  'image/jp2': 'jp2',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'docx',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'xlsx',
  'application/msword': 'doc',
  'text/plain': 'txt',
  'text/html': 'html',
  'application/xml': 'xml',
  'text/xml': 'xml',
};
/** A short, stable format name for the facet (PDF, OFD, JPEG…), from the MIME type or the file name. */
export function formatOf(file: { name: string; mime: string | null }): string {
  if (file.mime && FORMAT_BY_MIME[file.mime]) return FORMAT_BY_MIME[file.mime] as string;
  const ext = /\.([a-z0-9]{1,8})$/i.exec(file.name)?.[1]?.toLowerCase();
  if (ext) return ext === 'jpg' ? 'jpeg' : ext === 'tif' ? 'tiff' : ext;
  return file.mime?.split('/')[1]?.slice(0, 20) ?? 'other';
}

const MIDDLE_DOTS = /[·・•‧∙⋅]/g;
export function codeKey(code: string | null): string | null {
  return code === null ? null : normalize(code).replace(MIDDLE_DOTS, '·').replace(/\s+/g, '');
}

/** Cuts pages longer than PAGE_CHARS at a line break (or anywhere) into chunks of the same page number. */
export function chunkPage(text: string): string[] {
  if (text.length <= PAGE_CHARS) return [text];
  const out: string[] = [];
  let rest = text;
  while (rest.length > PAGE_CHARS) {
    let cut = rest.lastIndexOf('\n', PAGE_CHARS);
    if (cut < PAGE_CHARS / 2) cut = PAGE_CHARS;
    // Never split a surrogate pair.
    if (/[\ud800-\udbff]/.test(rest[cut - 1] ?? '')) cut--;
    out.push(rest.slice(0, cut));
    rest = rest.slice(cut);
  }
  if (rest !== '') out.push(rest);
  return out;
}

/** Where a record's document key starts looking: a hash of its id, spread over the key space. */
export function homeKey(recordId: string): number {
  const h = createHash('sha1').update(recordId).digest();
  return (h.readUIntBE(0, 6) % DOC_KEY_SPACE) + 1;
}

/**
 * Document keys for records, each its home key or the next free one. Keys are
 * pseudo-random over the key space, so any range of keys is a uniform sample of the
 * index (what an estimate counts on), however records were handed over; and a record
 * keeps its key when it is indexed again.
 */
async function freeKeys(tx: Tx, recordIds: readonly string[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const taken = new Set<number>();
  let pending = recordIds.map((id) => ({ id, key: homeKey(id) }));
  while (pending.length > 0) {
    const used = new Set<number>();
    for (let i = 0; i < pending.length; i += 500) {
      for (const row of await tx.selectFrom('search_docs').select('key').where('key', 'in', pending.slice(i, i + 500).map((p) => p.key)).execute()) used.add(Number(row.key));
    }
    const next: typeof pending = [];
    for (const p of pending) {
      if (used.has(p.key) || taken.has(p.key)) next.push({ id: p.id, key: (p.key % DOC_KEY_SPACE) + 1 });
      else {
        taken.add(p.key);
        out.set(p.id, p.key);
      }
    }
    pending = next;
  }
  return out;
}

export function createIndexer(deps: IndexerDeps) {
  const { database, jobs, feed } = deps;
  const db = database.db;
  const dialect: IndexDialect = indexDialect(database.caps);
  const bulkFrom = deps.thresholds?.bulkFrom ?? BULK_FROM;
  const vocabularyFrom = deps.thresholds?.vocabularyFrom ?? VOCABULARY_FROM;

  /** Marks records for re-indexing and enqueues the (single, de-duplicated) index job, in the caller's transaction. */
  async function markDirty(tx: Tx, recordIds: readonly string[]): Promise<void> {
    if (recordIds.length === 0) return;
    const at = new Date().toISOString();
    const unique = [...new Set(recordIds)];
    for (let i = 0; i < unique.length; i += 500) {
      await tx
        .insertInto('search_dirty')
        .values(unique.slice(i, i + 500).map((id) => ({ record_id: id, queued_at: at })))
        .onConflict((oc) => oc.column('record_id').doUpdateSet({ queued_at: at }))
        .execute();
    }
    await jobs.enqueue(tx, INDEX_JOB, {}, { dedupeKey: INDEX_JOB });
  }

  /** Indexes these records now (documents, pages, streams); records that no longer exist leave the index. */
  async function indexRecords(recordIds: readonly string[]): Promise<{ indexed: number; removed: number }> {
    if (recordIds.length === 0) return { indexed: 0, removed: 0 };
    const loaded = await loadRecords(recordIds);
    return indexDocuments(loaded.documents, { replace: recordIds, extract: loaded.extract });
  }

  /** The records' descriptions and extracted page text, and their files still waiting for extraction. */
  async function loadRecords(recordIds: readonly string[]): Promise<{ documents: IndexDocument[]; extract: ExtractPayload[] }> {
    const records = await feed.searchFeed(db, recordIds);
    const fileIds = records.flatMap((r) => r.files.map((f) => f.id));
    const pageRows: Array<{ file_id: string; page: number; text: string }> = [];
    const extracted = new Set<string>();
    for (let i = 0; i < fileIds.length; i += 500) {
      const part = fileIds.slice(i, i + 500);
      pageRows.push(...(await db.selectFrom('search_file_pages').select(['file_id', 'page', 'text']).where('file_id', 'in', part).orderBy('file_id').orderBy('page').execute()));
      for (const e of await db.selectFrom('search_extractions').select('file_id').where('file_id', 'in', part).execute()) extracted.add(e.file_id);
    }
    const pagesByFile = new Map<string, Array<{ page: number; text: string }>>();
    for (const p of pageRows) {
      const list = pagesByFile.get(p.file_id) ?? [];
      list.push({ page: p.page, text: p.text });
      pagesByFile.set(p.file_id, list);
    }
    const documents = records.map((record) => ({ record, pages: record.files.flatMap((f) => (pagesByFile.get(f.id) ?? []).map((p) => ({ fileId: f.id, page: p.page, text: p.text }))) }));
    const extract = records.flatMap((r) => r.files.filter((f) => !extracted.has(f.id) && deps.canExtract(f)).map((f): ExtractPayload => ({ fileId: f.id, recordId: r.id, sha256: f.sha256, name: f.name, mime: f.mime })));
    return { documents, extract };
  }

  /**
   * Writes documents to the index: each record's pages in file and page order, cut into
   * chunks; tokenised on every core; one transaction. `replace` names the records whose
   * old entries go (by default the documents' own); `extract` files to queue for text.
   */
  async function indexDocuments(documents: readonly IndexDocument[], options: { replace?: readonly string[]; extract?: readonly ExtractPayload[] } = {}): Promise<{ indexed: number; removed: number }> {
    return writeDocuments(await prepareDocuments(documents), options);
  }

  /**
   * The CPU half of indexing (chunking, tokenising on the worker threads), which may overlap
   * the last batch's writing; under the index's vocabulary, or (`exact`, for learning one) none.
   */
  async function prepareDocuments(documents: readonly IndexDocument[], under: 'current' | 'exact' = 'current'): Promise<PreparedDocuments> {
    const records = documents.map((d) => d.record);
    const docPages = documents.map((d) => d.pages.flatMap((p) => chunkPage(p.text).map((text) => ({ fileId: p.fileId, page: p.page, text }))));
    const metas = records.map((r): Record<MetaField, string> => ({ title: r.title, resp: r.responsible, docno: r.docNumber ?? '', other: r.other }));
    const vocabulary = under === 'current' ? await dialect.vocabulary(db) : null;
    const tokens = await tokenizeBatch({ metas, pages: docPages.flat().map((p) => p.text), vectors: dialect.kind === 'postgres', docPages: docPages.map((p) => p.length), vocabulary });
    return { records, docPages, tokens };
  }

  /**
   * The terms arrays of documents with every bigram's code exact (a vocabulary's sample),
   * the documents given a thousand at a time by `part` (so a large sample is never held whole).
   */
  async function exactTerms(count: number, part: (from: number, to: number) => Promise<readonly IndexDocument[]>): Promise<Uint8Array[]> {
    const out: Uint8Array[] = [];
    for (let i = 0; i < count; i += 1000) out.push(...((await prepareDocuments(await part(i, Math.min(i + 1000, count)), 'exact')).tokens.termsArrays ?? []));
    return out;
  }

  /** A bulk write's sample for a vocabulary (index-sql.ts VocabularySample), if it is large enough: the exact terms arrays of the first of these records. */
  function sampleOf(expected: number, ids: (n: number) => Promise<readonly string[]>) {
    if (expected < vocabularyFrom) return undefined;
    return async (n: number): Promise<Uint8Array[]> => {
      const all = await ids(n);
      return exactTerms(all.length, async (from, to) => (await loadRecords(all.slice(from, to))).documents);
    };
  }

  /** The database half of indexing: one transaction replacing the records' entries. */
  async function writeDocuments(prepared: PreparedDocuments, options: { replace?: readonly string[]; extract?: readonly ExtractPayload[] } = {}): Promise<{ indexed: number; removed: number }> {
    const { records, docPages, tokens } = prepared;
    const replace = options.replace ?? records.map((r) => r.id);
    const at = new Date().toISOString();

    return db.transaction().execute(async (tx) => {
      await dialect.beginWrite(tx, tokens.vocabulary ?? 0);
      const old: Array<{ key: number; record_id: string }> = [];
      for (let i = 0; i < replace.length; i += 500) old.push(...(await tx.selectFrom('search_docs').select(['key', 'record_id']).where('record_id', 'in', replace.slice(i, i + 500)).execute()));
      const oldKeys = old.map((o) => Number(o.key));
      if (oldKeys.length > 0) {
        await dialect.deleteFullText(tx, oldKeys);
        await dialect.deletePages(tx, oldKeys);
        for (let i = 0; i < oldKeys.length; i += 500) await tx.deleteFrom('search_docs').where('key', 'in', oldKeys.slice(i, i + 500)).execute();
      }

      const keyOf = await freeKeys(tx, records.map((r) => r.id));
      const order = records.map((_, i) => i).sort((a, b) => (keyOf.get(records[a]?.id ?? '') ?? 0) - (keyOf.get(records[b]?.id ?? '') ?? 0));
      let p = 0;
      const pagesOf = records.map((r, i) => {
        const docKey = keyOf.get(r.id) as number;
        return (docPages[i] ?? []).map((page, seq) => ({ key: docKey * PAGE_SPAN + seq, docKey, fileId: page.fileId, page: page.page, text: page.text, streams: tokens.pages[p++] as StreamPair }));
      });
      for (let i = 0; i < order.length; i += 100) {
        await tx
          .insertInto('search_docs')
          .values(order.slice(i, i + 100).map((j) => {
            const r = records[j] as FeedRecord;
            const made = { meta: tokens.metaVectors?.[j], terms: tokens.termsArrays?.[j], chars: tokens.charsArrays?.[j], runs: tokens.docRuns?.[j] };
            const key = keyOf.get(r.id) as number;
            return { key, ...docRow(r, at), ...dialect.metaColumns(key, made) };
          }))
          .execute();
      }
      // Ascending keys: FTS5 writes a batch in one segment only while rowids grow.
      await dialect.writeFullText(
        tx,
        order.map((i) => ({ key: keyOf.get(records[i]?.id ?? '') as number, streams: tokens.metas[i] as MetaStreams, pages: (pagesOf[i] ?? []).map((page) => page.streams) })),
      );
      const pages = pagesOf.flat();
      await dialect.writePages(tx, pages.sort((a, b) => a.key - b.key));
      for (const payload of options.extract ?? []) await jobs.enqueue(tx, EXTRACT_JOB, payload, { dedupeKey: `${EXTRACT_JOB}:${payload.fileId}` });
      const present = new Set(records.map((r) => r.id));
      return { indexed: records.length, removed: old.filter((o) => !present.has(o.record_id)).length };
    });
  }

  /** Drains the dirty list in batches; a mark made while a batch ran stays for the next. */
  async function drain(options: { batch?: number; signal?: AbortSignal; onProgress?: (done: number) => void } = {}): Promise<number> {
    const batch = options.batch ?? 500;
    let done = 0;
    // A long list (a migration queued every record) is a rebuild: written in bulk.
    const queued = Number((await db.selectFrom('search_dirty').select((eb) => eb.fn.countAll().as('n')).executeTakeFirst())?.n ?? 0);
    if (queued < bulkFrom) {
      await dialect.settle(db);
      return drainBatches(batch, done, options);
    }
    const end = await dialect.bulk(
      db,
      queued,
      sampleOf(queued, async (n) => (await db.selectFrom('search_dirty').select('record_id').orderBy('queued_at').limit(n).execute()).map((d) => d.record_id)),
    );
    try {
      done = await drainBatches(batch, done, options);
    } finally {
      await end();
    }
    return done;
  }

  async function drainBatches(batch: number, done: number, options: { signal?: AbortSignal; onProgress?: (done: number) => void }): Promise<number> {
    for (;;) {
      options.signal?.throwIfAborted();
      const dirty = await db.selectFrom('search_dirty').select(['record_id', 'queued_at']).orderBy('queued_at').limit(batch).execute();
      if (dirty.length === 0) return done;
      await indexRecords(dirty.map((d) => d.record_id));
      const cleared = await db.transaction().execute(async (tx) => {
        let n = 0;
        for (const d of dirty) n += Number((await tx.deleteFrom('search_dirty').where('record_id', '=', d.record_id).where('queued_at', '<=', d.queued_at).executeTakeFirst()).numDeletedRows);
        return n;
      });
      done += dirty.length;
      options.onProgress?.(done);
      // Every mark of the batch was made again while it ran: the next run takes them (never loop on them here).
      if (cleared === 0) return done;
    }
  }

  /** Rebuilds the index of every record (or one fonds'), batch by batch; searches keep working meanwhile. */
  async function rebuild(options: { fondsId?: string | null; batch?: number; signal?: AbortSignal; onProgress?: (done: number, total: number) => void } = {}): Promise<{ indexed: number; removed: number }> {
    const batch = options.batch ?? 1000;
    const total = await feed.countRecordsForIndex(db, options.fondsId);
    let indexed = 0;
    // The next batch is read before this one is written (SQLite has one connection), and
    // tokenised on the worker threads while this one is written.
    const next = async (after: string | null) => {
      const ids = await feed.recordIdsForIndex(db, { after, fondsId: options.fondsId, limit: batch });
      return ids.length === 0 ? null : { ids, ...(await loadRecords(ids)) };
    };
    const end = total >= bulkFrom ? await dialect.bulk(db, total, sampleOf(total, (n) => feed.recordIdsForIndex(db, { after: null, fondsId: options.fondsId, limit: n }))) : null;
    try {
      let current = await next(null);
      let prepared = current ? await prepareDocuments(current.documents) : null;
      while (current && prepared) {
        options.signal?.throwIfAborted();
        const following = await next(current.ids[current.ids.length - 1] ?? null);
        const writing = writeDocuments(prepared, { replace: current.ids, extract: current.extract });
        const preparing = following ? prepareDocuments(following.documents) : Promise.resolve(null);
        indexed += (await writing).indexed;
        options.onProgress?.(indexed, total);
        [current, prepared] = [following, await preparing];
      }
    } finally {
      await end?.();
    }
    // Documents whose record is gone (none in normal operation: records are never deleted).
    let removed = 0;
    if (!options.fondsId) {
      const stale = await db.selectFrom('search_docs').select('record_id').where(({ not, exists, selectFrom }) => not(exists(selectFrom('records').select('records.id').whereRef('records.id', '=', 'search_docs.record_id')))).execute();
      if (stale.length > 0) removed = (await indexRecords(stale.map((s) => s.record_id))).removed;
    }
    return { indexed, removed };
  }

  return { markDirty, indexRecords, indexDocuments, prepareDocuments, writeDocuments, exactTerms, drain, rebuild, dialect };
}

function docRow(r: FeedRecord, at: string) {
  const formats = [...new Set(r.files.map(formatOf))];
  const thumb = r.files.find((f) => f.mime === 'application/pdf' || (f.mime ?? '').startsWith('image/') || (f.mime ?? '').startsWith('video/'));
  return {
    record_id: r.id,
    fonds_id: r.fondsId,
    category_id: r.categoryId,
    agency_id: r.agencyId,
    volume_id: r.volumeId,
    classification: r.classification,
    control: r.control,
    openness: r.openness,
    year: r.year,
    retention: r.retention,
    date: r.date,
    date_key: r.date.padEnd(8, '0'),
    archival_code: r.archivalCode,
    code_key: codeKey(r.archivalCode),
    title: r.title,
    responsible: r.responsible,
    doc_number: r.docNumber,
    file_count: r.files.length,
    formats: formats.length === 0 ? '' : `,${formats.join(',')},`,
    thumb_file_id: thumb?.id ?? null,
    indexed_at: at,
  };
}

export type Indexer = ReturnType<typeof createIndexer>;
