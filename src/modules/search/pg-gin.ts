/**
 * PostgreSQL's search_pages table and the GIN indexes of the search tables: how the
 * pages are partitioned and how the GIN indexes are built after a bulk write
 * (index-sql.ts drops them; `buildGin` builds whatever is missing or incomplete).
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
const partitionGin = (n: number) => `search_pages_p${n}_text_v`;
const PAGE_PARTITION_NAMES = Array.from({ length: PAGE_PARTITIONS }, (_, n) => n);

/** search_pages (PostgreSQL): partitioned, its partitions and their indexes, the GIN index left to `buildGin`. */
export async function createPgPages(db: QueryExecutorProvider): Promise<void> {
  await sql`create table search_pages (key bigint primary key, doc_key bigint not null, file_id text not null, page integer not null, text text not null, text_v tsvector not null) partition by hash (key)`.execute(db);
  for (const n of PAGE_PARTITION_NAMES) {
    await sql`create table ${sql.table(pagePartition(n))} partition of search_pages for values with (modulus ${sql.lit(PAGE_PARTITIONS)}, remainder ${sql.lit(n)})`.execute(db);
  }
  await sql`create index search_pages_doc on search_pages (doc_key)`.execute(db);
}

/** The GIN indexes of the search tables (search_pages_text_v: the partitioned parent of the partitions' own). */
export const GIN_NAMES = ['search_docs_meta_v', 'search_pages_text_v'] as const;
/** Every GIN index that holds entries (the partitions', not their parent's), for cleaning pending lists. */
export const GIN_LEAVES = ['search_docs_meta_v', ...PAGE_PARTITION_NAMES.map(partitionGin)];

/** Runs `fn` on every item, at most `limit` at once. */
async function eachAtMost<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await fn(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
}

/** Builds one GIN index in one sorted pass (GIN accumulates entries in maintenance_work_mem and writes each key's list once). */
async function createGin(db: Db, name: string, table: string, column: string, only = false): Promise<void> {
  await db.transaction().execute(async (tx) => {
    await sql`set local maintenance_work_mem = '256MB'`.execute(tx);
    await sql`create index if not exists ${sql.raw(name)} on ${sql.raw(only ? 'only ' : '')}${sql.table(table)} using gin (${sql.ref(column)})`.execute(tx);
  });
}

/**
 * Builds the GIN indexes that are missing or incomplete (after a bulk write dropped them,
 * or a crash interrupted this): the pages' one partition by partition, as many at once as
 * there are cores, each attached to the parent index, which is valid once all are.
 */
export async function buildGin(db: Db): Promise<void> {
  const valid = new Set(
    (await sql<{ relname: string }>`select c.relname from pg_class as c join pg_index as i on i.indexrelid = c.oid where c.relname in (${sql.join(GIN_NAMES)}) and i.indisvalid`.execute(db)).rows.map((r) => r.relname),
  );
  if (!valid.has('search_docs_meta_v')) await createGin(db, 'search_docs_meta_v', 'search_docs', 'meta_v');
  if (valid.has('search_pages_text_v')) return;
  await createGin(db, 'search_pages_text_v', 'search_pages', 'text_v', true);
  await eachAtMost(PAGE_PARTITION_NAMES, os.availableParallelism(), async (n) => {
    await createGin(db, partitionGin(n), pagePartition(n), 'text_v');
    // Attaching an index already attached does nothing, so a build interrupted anywhere resumes here.
    await sql`alter index search_pages_text_v attach partition ${sql.raw(partitionGin(n))}`.execute(db);
  });
}
