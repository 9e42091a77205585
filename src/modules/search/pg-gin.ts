/**
 * PostgreSQL's partitioned search tables and the GIN indexes of the search tables: how
 * they are partitioned and how the GIN indexes are built after a bulk write
 * (index-sql.ts drops them; `buildGin` builds whatever is missing or incomplete).
 */
import os from 'node:os';
import { sql, type QueryExecutorProvider } from 'kysely';
import type { Db } from '../../platform/db/database.js';

/**
 * PostgreSQL's search_doc_terms is hash-partitioned on its key into this many tables, so its
 * GIN index, which PostgreSQL builds on one core, is built a partition per core: at 20,000
 * pages one index took 67 s, two halves built side by side 36 s. (search_pages was
 * partitioned so from migration 05 until 07, when it lost its GIN index.)
 */
export const PAGE_PARTITIONS = 4;
const PARTITION_NUMBERS = Array.from({ length: PAGE_PARTITIONS }, (_, n) => n);
const partitionOf = (table: string, n: number) => `${table}_p${n}`;
const termsGin = (n: number) => `search_doc_terms_p${n}_v`;

/** A table hash-partitioned on `key` (columns as SQL), with its partitions. */
async function createPartitioned(db: QueryExecutorProvider, table: string, columns: string): Promise<void> {
  await sql`create table ${sql.table(table)} (${sql.raw(columns)}) partition by hash (key)`.execute(db);
  for (const n of PARTITION_NUMBERS) {
    await sql`create table ${sql.table(partitionOf(table, n))} partition of ${sql.table(table)} for values with (modulus ${sql.lit(PAGE_PARTITIONS)}, remainder ${sql.lit(n)})`.execute(db);
  }
}

/** search_pages (PostgreSQL) as migration 05 made it: partitioned, with its doc_key index (migration 07 makes it a plain table again). */
export async function createPgPages(db: QueryExecutorProvider): Promise<void> {
  await createPartitioned(db, 'search_pages', 'key bigint primary key, doc_key bigint not null, file_id text not null, page integer not null, text text not null, text_v tsvector not null');
  await sql`create index search_pages_doc on search_pages (doc_key)`.execute(db);
}

/** search_doc_terms (PostgreSQL): partitioned, with its GIN index and the partitions' (named as `buildGin` names them). */
export async function createPgDocTerms(db: QueryExecutorProvider): Promise<void> {
  await createPartitioned(db, 'search_doc_terms', 'key bigint primary key, terms_v tsvector not null');
  await sql`create index search_doc_terms_v on only search_doc_terms using gin (terms_v)`.execute(db);
  for (const n of PARTITION_NUMBERS) {
    await sql`create index ${sql.raw(termsGin(n))} on ${sql.table(partitionOf('search_doc_terms', n))} using gin (terms_v)`.execute(db);
    await sql`alter index search_doc_terms_v attach partition ${sql.raw(termsGin(n))}`.execute(db);
  }
}

/** The GIN indexes of the search tables (search_doc_terms_v: the partitioned parent of the partitions' own). */
export const GIN_NAMES = ['search_docs_meta_v', 'search_doc_terms_v'] as const;
/** Every GIN index that holds entries (the partitions', not their parent's), for cleaning pending lists. */
export const GIN_LEAVES = ['search_docs_meta_v', ...PARTITION_NUMBERS.map(termsGin)];

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
 * or a crash interrupted this): the document terms' one partition by partition, as many at once as
 * there are cores, each attached to the parent index, which is valid once all are.
 */
export async function buildGin(db: Db): Promise<void> {
  const valid = new Set(
    (await sql<{ relname: string }>`select c.relname from pg_class as c join pg_index as i on i.indexrelid = c.oid where c.relname in (${sql.join(GIN_NAMES)}) and i.indisvalid`.execute(db)).rows.map((r) => r.relname),
  );
  if (!valid.has('search_docs_meta_v')) await createGin(db, 'search_docs_meta_v', 'search_docs', 'meta_v');
  if (valid.has('search_doc_terms_v')) return;
  await createGin(db, 'search_doc_terms_v', 'search_doc_terms', 'terms_v', true);
  await eachAtMost(PARTITION_NUMBERS, os.availableParallelism(), async (n) => {
    await createGin(db, termsGin(n), partitionOf('search_doc_terms', n), 'terms_v');
    // Attaching an index already attached does nothing, so a build interrupted anywhere resumes here.
    await sql`alter index search_doc_terms_v attach partition ${sql.raw(termsGin(n))}`.execute(db);
  });
}
