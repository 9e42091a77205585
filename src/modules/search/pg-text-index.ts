/**
 * PostgreSQL's search_pages table and the full-text indexes of the search tables: how the
 * pages are partitioned and how the indexes are built after a bulk write (pg-index.ts
 * drops them; `buildTextIndexes` builds whatever is missing or incomplete).
 *
 * The pages' index is GIN, or RUM where the administrator has installed the `rum`
 * extension in the database (`create extension rum`; Debian's postgresql-15-rum) before
 * the index is built. RUM keeps each lexeme's positions in the index, so a phrase (every
 * term of two or more characters is a phrase of bigrams) is decided there; GIN keeps only
 * which rows hold a lexeme, so PostgreSQL reads the 13 KB vector of every candidate page
 * to test the positions. At 100,000 items that makes RUM much faster: 贯彻落实 (9,971 pages)
 * 8 ms and 892 buffers against GIN's 108 ms and 55,415 buffers. At 1,000,000 items it
 * makes it slower: RUM decodes the positions of every page holding any of the phrase's
 * bigrams, and 按照属地管理原则 took 192 ms in the index alone (管理 is on most pages). RUM
 * also costs a 1.3 × longer build and 2.3 × the size. Hence GIN unless asked for. The
 * metadata index is always GIN (small vectors, read inline).
 */
import os from 'node:os';
import { sql, type QueryExecutorProvider } from 'kysely';
import type { Db } from '../../platform/db/database.js';

/**
 * PostgreSQL's search_pages is hash-partitioned on the page key into this many tables, so
 * its GIN index, which PostgreSQL builds on one core, is built a partition per core: at
 * 20,000 pages one index took 67 s, two halves built side by side 36 s.
 */
export const PAGE_PARTITIONS = 4;
const pagePartition = (n: number) => `search_pages_p${n}`;
const partitionIndex = (n: number) => `search_pages_p${n}_text_v`;
const PAGE_PARTITION_NAMES = Array.from({ length: PAGE_PARTITIONS }, (_, n) => n);

/** search_pages (PostgreSQL): partitioned, its partitions and their indexes, the full-text index left to `buildTextIndexes`. */
export async function createPgPages(db: QueryExecutorProvider): Promise<void> {
  await sql`create table search_pages (key bigint primary key, doc_key bigint not null, file_id text not null, page integer not null, text text not null, text_v tsvector not null) partition by hash (key)`.execute(db);
  for (const n of PAGE_PARTITION_NAMES) {
    await sql`create table ${sql.table(pagePartition(n))} partition of search_pages for values with (modulus ${sql.lit(PAGE_PARTITIONS)}, remainder ${sql.lit(n)})`.execute(db);
  }
  await sql`create index search_pages_doc on search_pages (doc_key)`.execute(db);
}

/** Access methods of the pages' index. */
export type TextIndexMethod = 'gin' | 'rum';

/** The full-text indexes of the search tables (search_pages_text_v: the partitioned parent of the partitions' own). */
export const TEXT_INDEXES = ['search_docs_meta_v', 'search_pages_text_v'] as const;
/** Every index that holds entries (the partitions', not their parent's); the GIN ones among them have pending lists to clean. */
export const TEXT_INDEX_LEAVES = ['search_docs_meta_v', ...PAGE_PARTITION_NAMES.map(partitionIndex)];

/** Runs `fn` on every item, at most `limit` at once. */
async function eachAtMost<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await fn(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
}

/** Builds one index in one sorted pass (GIN and RUM accumulate entries in maintenance_work_mem and write each key's list once). */
async function createTextIndex(db: Db, name: string, table: string, column: string, method: TextIndexMethod, only = false): Promise<void> {
  const using = method === 'rum' ? sql`rum (${sql.ref(column)} rum_tsvector_ops)` : sql`gin (${sql.ref(column)})`;
  await db.transaction().execute(async (tx) => {
    await sql`set local maintenance_work_mem = '256MB'`.execute(tx);
    await sql`create index if not exists ${sql.raw(name)} on ${sql.raw(only ? 'only ' : '')}${sql.table(table)} using ${using}`.execute(tx);
  });
}

/** The access method of the pages' index (its parent, valid or not), or null while there is none. */
export async function pageIndexMethod(db: Db): Promise<TextIndexMethod | null> {
  const row = (await sql<{ amname: string }>`select a.amname from pg_class as c join pg_am as a on a.oid = c.relam where c.relname = 'search_pages_text_v'`.execute(db)).rows[0];
  return row === undefined ? null : row.amname === 'rum' ? 'rum' : 'gin';
}

/** RUM if the administrator has installed the extension in this database, else GIN. */
async function wantedMethod(db: Db): Promise<TextIndexMethod> {
  const row = (await sql<{ n: number }>`select count(*) as n from pg_extension where extname = 'rum'`.execute(db)).rows[0];
  return Number(row?.n ?? 0) > 0 ? 'rum' : 'gin';
}

/**
 * Builds the indexes that are missing or incomplete (after a bulk write dropped them, or a
 * crash interrupted this): the pages' one partition by partition, as many at once as there
 * are cores, each attached to the parent index, which is valid once all are. The pages'
 * index keeps the method of a parent left by an interrupted build. Returns whether it built
 * the pages' index (so its method may have changed).
 */
export async function buildTextIndexes(db: Db): Promise<boolean> {
  const valid = new Set(
    (await sql<{ relname: string }>`select c.relname from pg_class as c join pg_index as i on i.indexrelid = c.oid where c.relname in (${sql.join(TEXT_INDEXES)}) and i.indisvalid`.execute(db)).rows.map((r) => r.relname),
  );
  if (!valid.has('search_docs_meta_v')) await createTextIndex(db, 'search_docs_meta_v', 'search_docs', 'meta_v', 'gin');
  if (valid.has('search_pages_text_v')) return false;
  const pages = (await pageIndexMethod(db)) ?? (await wantedMethod(db));
  await createTextIndex(db, 'search_pages_text_v', 'search_pages', 'text_v', pages, true);
  await eachAtMost(PAGE_PARTITION_NAMES, os.availableParallelism(), async (n) => {
    await createTextIndex(db, partitionIndex(n), pagePartition(n), 'text_v', pages);
    // Attaching an index already attached does nothing, so a build interrupted anywhere resumes here.
    await sql`alter index search_pages_text_v attach partition ${sql.raw(partitionIndex(n))}`.execute(db);
  });
  return true;
}
