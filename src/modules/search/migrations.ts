/**
 * The search index's tables. Both databases hold the same rows; the full-text part
 * differs: SQLite keeps the token streams in two contentless FTS5 tables (rowid = doc
 * key / page key), PostgreSQL in tsvector columns with GIN indexes. Neither parses raw
 * text: tokenize.ts makes the streams, so matching is the same on both.
 */
import { sql } from 'kysely';
import type { Migration } from '../../platform/db/migrations.js';
import { columnTypes } from '../../platform/db/migrations.js';
import { createFtsTables } from './fts5.js';

type MigrationDb = Parameters<Migration['up']>[0];

/** search_pages as migration 05 made it (PostgreSQL): hash-partitioned four ways, for the pages' GIN index of the time. */
async function createPgPagesV1(db: MigrationDb): Promise<void> {
  await sql`create table search_pages (key bigint primary key, doc_key bigint not null, file_id text not null, page integer not null, text text not null, text_v tsvector not null) partition by hash (key)`.execute(db);
  for (let n = 0; n < 4; n++) await sql`create table ${sql.table(`search_pages_p${n}`)} partition of search_pages for values with (modulus 4, remainder ${sql.lit(n)})`.execute(db);
  await sql`create index search_pages_doc on search_pages (doc_key)`.execute(db);
}

/** The first two FTS5 tables (SQLite): metadata per document, text per page (replaced by migration 06). */
async function createFtsTablesV1(db: MigrationDb, tokenizer: string): Promise<void> {
  const options = sql.raw(`content='', contentless_delete=1, tokenize="${tokenizer}"`);
  await sql`create virtual table search_meta_fts using fts5(title, title_w, resp, resp_w, docno, docno_w, other, other_w, ${options})`.execute(db);
  await sql`create virtual table search_page_fts using fts5(text, ${options})`.execute(db);
}

/** Empties the derived index and queues every record for the index job (extracted text is kept). */
async function emptyAndQueueAll(db: MigrationDb, pg: boolean): Promise<void> {
  await sql`delete from search_pages`.execute(db);
  await sql`delete from search_docs`.execute(db);
  // Milliseconds, as markDirty writes: the drain deletes marks not newer than what it read back.
  const now = pg ? sql`date_trunc('milliseconds', now())` : sql`${new Date().toISOString()}`;
  await sql`insert into search_dirty (record_id, queued_at) select id, ${now} from records where id not in (select record_id from search_dirty)`.execute(db);
}

export const searchMigrations: Migration[] = [
  {
    name: '2026-12-10-01-search-index',
    async up(db, caps) {
      const t = columnTypes(caps);
      const pg = caps.dialect === 'postgres';
      let docs = db.schema.createTable('search_docs');
      docs = pg ? docs.addColumn('key', 'bigint', (c) => c.primaryKey().generatedByDefaultAsIdentity()) : docs.addColumn('key', 'integer', (c) => c.primaryKey());
      docs = docs
        .addColumn('record_id', 'text', (c) => c.notNull().unique())
        .addColumn('fonds_id', 'text', (c) => c.notNull())
        .addColumn('category_id', 'text', (c) => c.notNull())
        .addColumn('agency_id', 'text')
        .addColumn('volume_id', 'text')
        .addColumn('classification', 'text', (c) => c.notNull())
        .addColumn('control', 'text')
        .addColumn('openness', 'text', (c) => c.notNull())
        .addColumn('year', 'integer')
        .addColumn('retention', 'text')
        .addColumn('date', 'text')
        .addColumn('date_key', 'text', (c) => c.notNull())
        .addColumn('archival_code', t.sortableText)
        .addColumn('code_key', 'text')
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('responsible', 'text')
        .addColumn('doc_number', 'text')
        .addColumn('file_count', 'integer', (c) => c.notNull())
        .addColumn('formats', 'text', (c) => c.notNull())
        .addColumn('thumb_file_id', 'text')
        .addColumn('indexed_at', t.timestamp, (c) => c.notNull());
      if (pg) docs = docs.addColumn('meta_v', sql`tsvector`, (c) => c.notNull());
      await docs.execute();
      for (const column of ['fonds_id', 'date_key', 'code_key', 'year']) {
        await db.schema.createIndex(`search_docs_${column}`).on('search_docs').column(column).execute();
      }

      let pages = db.schema
        .createTable('search_pages')
        .addColumn('key', 'bigint', (c) => c.primaryKey())
        .addColumn('doc_key', 'bigint', (c) => c.notNull())
        .addColumn('file_id', 'text', (c) => c.notNull())
        .addColumn('page', 'integer', (c) => c.notNull())
        .addColumn('text', 'text', (c) => c.notNull());
      if (pg) pages = pages.addColumn('text_v', sql`tsvector`, (c) => c.notNull());
      await pages.execute();
      await db.schema.createIndex('search_pages_doc').on('search_pages').column('doc_key').execute();

      if (pg) {
        await sql`create index search_docs_meta_v on search_docs using gin (meta_v)`.execute(db);
        await sql`create index search_pages_text_v on search_pages using gin (text_v)`.execute(db);
      } else {
        await createFtsTablesV1(db, 'unicode61 remove_diacritics 0');
      }

      await db.schema
        .createTable('search_extractions')
        .addColumn('file_id', 'text', (c) => c.primaryKey())
        .addColumn('record_id', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('tool', 'text')
        .addColumn('tool_version', 'text')
        .addColumn('pages', 'integer', (c) => c.notNull())
        .addColumn('ocr_pages', 'integer', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('error', 'text')
        .addColumn('updated_at', t.timestamp, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('search_extractions_record').on('search_extractions').column('record_id').execute();
      await db.schema
        .createTable('search_file_pages')
        .addColumn('file_id', 'text', (c) => c.notNull())
        .addColumn('page', 'integer', (c) => c.notNull())
        .addColumn('method', 'text', (c) => c.notNull())
        .addColumn('text', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('search_file_pages_pk', ['file_id', 'page'])
        .execute();
      await db.schema
        .createTable('search_dirty')
        .addColumn('record_id', 'text', (c) => c.primaryKey())
        .addColumn('queued_at', t.timestamp, (c) => c.notNull())
        .execute();
    },
  },
  {
    // 档号 prefixes are looked up as a range in code-point order; PostgreSQL's default
    // collation orders by locale (and ignores '-' and '·'), so the range needs a "C" index.
    name: '2026-12-10-02-search-code-prefix',
    async up(db, caps) {
      if (caps.dialect === 'postgres') await sql`create index search_docs_code_key_c on search_docs (code_key collate "C")`.execute(db);
    },
  },
  {
    // Document keys became pseudo-random (a hash of the record id; indexer.ts), which the
    // search estimates rely on, and a tokenising fix changed some streams: the index is
    // derived data, so it is emptied and every record queued; the scheduled index job
    // rebuilds it within minutes (extracted text is kept and not extracted again).
    name: '2026-12-10-03-search-rekey',
    async up(db, caps) {
      if (caps.dialect === 'sqlite') {
        await sql`delete from search_meta_fts`.execute(db);
        await sql`delete from search_page_fts`.execute(db);
      }
      await emptyAndQueueAll(db, caps.dialect === 'postgres');
    },
  },
  {
    // SQLite only. The streams hold only tokens and spaces (tokenize.ts), so FTS5's `ascii`
    // tokenizer splits them exactly as unicode61 did — except that it keeps combining marks
    // inside a token as tokenize.ts does — and it is cheaper: 100,000 pages went in 19 %
    // faster (857 against 718 pages/s). Tables are recreated and the index rebuilt.
    name: '2026-12-11-04-search-fts-ascii',
    async up(db, caps) {
      if (caps.dialect !== 'sqlite') return;
      await sql`drop table search_meta_fts`.execute(db);
      await sql`drop table search_page_fts`.execute(db);
      await createFtsTablesV1(db, 'ascii');
      await emptyAndQueueAll(db, false);
    },
  },
  {
    // PostgreSQL only. PostgreSQL builds a GIN index on one core, and the pages' index is
    // most of a full rebuild (at 20,000 pages 67 of 80 s); search_pages becomes
    // hash-partitioned on the page key, so a rebuild builds the partitions' indexes side by
    // side (two halves: 36 s). The index is derived data: emptied and rebuilt by the index job.
    name: '2026-12-12-05-search-pages-partitioned',
    async up(db, caps) {
      if (caps.dialect !== 'postgres') return;
      await sql`drop table search_pages`.execute(db);
      await createPgPagesV1(db);
      await sql`create index search_pages_text_v on search_pages using gin (text_v)`.execute(db);
      await emptyAndQueueAll(db, true);
    },
  },
  {
    // SQLite only. The text of a document's pages is indexed in one FTS5 row with its
    // metadata (search_doc_fts, fts5.ts) instead of a row per page, so FTS5 answers a whole
    // query in one MATCH; pages stay rows of search_pages for snippets. Rebuilt by the index job.
    name: '2026-12-13-06-search-doc-fts',
    async up(db, caps) {
      if (caps.dialect !== 'sqlite') return;
      for (const table of ['search_meta_fts', 'search_page_fts', 'search_doc_fts']) await sql`drop table if exists ${sql.table(table)}`.execute(db);
      await createFtsTables(db);
      await emptyAndQueueAll(db, false);
    },
  },
  {
    // PostgreSQL only. A page's text and its vector (13 KB of lexemes and positions for
    // 1,000 characters) barely compress: pglz tried on every row and kept nothing (under its
    // 25 % saving), lz4 saves 4 %. Stored out of line without trying: writing 30,000 pages
    // took 8.6 s against pglz's 10.8–11.3 (lz4 9.0), the same size, and reading a vector
    // for a phrase decompresses nothing. Rows already stored are unchanged until rewritten.
    name: '2026-12-14-07-search-pages-uncompressed',
    async up(db, caps) {
      if (caps.dialect !== 'postgres') return;
      // On the partitioned table this applies to every partition, and to partitions made later.
      await sql`alter table search_pages alter column text set storage external, alter column text_v set storage external`.execute(db);
    },
  },
  {
    // PostgreSQL only. Each item gets terms_v, every token of its metadata and pages once
    // without positions, in four partial GIN indexes (pg-text-index.ts): a query is one
    // bitmap scan of search_docs instead of page lookups and a key lookup per page found.
    // Pages lose their tsvector and its GIN index (and RUM as an option); a phrase is found
    // in their runs (tokenize.ts runsText), kept in the row where it fits (toast_tuple_target),
    // so the table no longer needs partitions. Derived data: emptied and rebuilt by the index job.
    name: '2026-12-15-08-search-terms',
    async up(db, caps) {
      if (caps.dialect !== 'postgres') return;
      await emptyAndQueueAll(db, true);
      await sql`drop table search_pages`.execute(db);
      await sql`create table search_pages (key bigint primary key, doc_key bigint not null, file_id text not null, page integer not null, text text not null, runs text not null) with (toast_tuple_target = 8160)`.execute(db);
      await sql`alter table search_pages alter column text set storage external, alter column runs set storage external`.execute(db);
      await sql`create index search_pages_doc on search_pages (doc_key)`.execute(db);
      await sql`alter table search_docs add column if not exists terms_v tsvector not null default ''`.execute(db);
      await sql`alter table search_docs alter column terms_v drop default, alter column terms_v set storage external`.execute(db);
      for (let n = 0; n < 4; n++) {
        await sql`create index if not exists ${sql.raw(`search_docs_terms_v${n}`)} on search_docs using gin (terms_v) where key % 4 = ${sql.lit(n)}`.execute(db);
      }
    },
  },
  {
    // PostgreSQL only. The runs of all an item's pages move from search_pages into the item's
    // own row (pages joined by a line break, which no phrase crosses), kept in the row where
    // it fits and never compressed: a phrase's candidates are rows the terms index's bitmap
    // visits anyway, so checking one is a strpos there instead of a lookup of its pages
    // (6 µs per candidate at 100,000 items, 48 of 62 ms for 贯彻落实's 7,979). Derived data:
    // emptied and rebuilt by the index job.
    name: '2026-12-20-09-search-doc-runs',
    async up(db, caps) {
      if (caps.dialect !== 'postgres') return;
      await emptyAndQueueAll(db, true);
      await sql`alter table search_pages drop column if exists runs`.execute(db);
      await sql`alter table search_docs add column if not exists runs text not null default ''`.execute(db);
      await sql`alter table search_docs alter column runs drop default, alter column runs set storage external`.execute(db);
      await sql`alter table search_docs set (toast_tuple_target = 8160)`.execute(db);
    },
  },
  {
    // PostgreSQL only. The "C" code index carries the key (INCLUDE), so a 档号 prefix's keys are
    // read from the index alone instead of from each item's row: at 100,000 items J002's
    // 9,873 keys had visited 9,531 heap pages (rows of about 4 KB since migration 09) before
    // the same rows were looked up again by key.
    name: '2026-12-25-10-search-code-keys',
    async up(db, caps) {
      if (caps.dialect !== 'postgres') return;
      await sql`create index if not exists search_docs_code_key_ck on search_docs (code_key collate "C") include (key)`.execute(db);
      await sql`drop index if exists search_docs_code_key_c`.execute(db);
    },
  },
  {
    // PostgreSQL only. terms_v (a tsvector) becomes terms_a, an int4[] of token codes
    // (pg-terms.ts) under GIN's array operator class: building the terms index, most of a
    // rebuild, compared text lexemes in its red-black tree (de-TOASTing two datums each time);
    // integers compare in place. Every Han character is now a code too, so a one-character
    // query is one posting list (chars_a, a column and index of its own: in terms_a's tree
    // they cost three times as much) instead of a prefix scan. Derived data: emptied and
    // rebuilt by the index job.
    name: '2026-12-29-11-search-term-codes',
    async up(db, caps) {
      if (caps.dialect !== 'postgres') return;
      await emptyAndQueueAll(db, true);
      await sql`alter table search_docs drop column if exists terms_v`.execute(db);
      await sql`alter table search_docs add column if not exists terms_a int4[] not null default '{}'`.execute(db);
      await sql`alter table search_docs add column if not exists chars_a int4[] not null default '{}'`.execute(db);
      await sql`alter table search_docs alter column terms_a drop default, alter column terms_a set storage external, alter column chars_a drop default, alter column chars_a set storage external`.execute(db);
      for (const column of ['terms_a', 'chars_a']) {
        for (let n = 0; n < 4; n++) {
          await sql`create index if not exists ${sql.raw(`search_docs_${column}${n}`)} on search_docs using gin (${sql.ref(column)}) where key % 4 = ${sql.lit(n)}`.execute(db);
        }
      }
    },
  },
  {
    // PostgreSQL only. The vocabulary of common bigrams (pg-vocabulary.ts): one row, generation
    // 0 (none: every bigram's code exact, as every row written so far), so nothing is rebuilt.
    name: '2027-01-03-12-search-vocabulary',
    async up(db, caps) {
      if (caps.dialect !== 'postgres') return;
      await sql`create table if not exists search_vocabulary (id smallint primary key check (id = 1), generation integer not null, buckets integer not null, common int4[] not null, sampled integer not null, learnt_at timestamptz)`.execute(db);
      await sql`insert into search_vocabulary (id, generation, buckets, common, sampled) values (1, 0, 0, '{}', 0) on conflict (id) do nothing`.execute(db);
    },
  },
  {
    // PostgreSQL only. How many of the sampled items held each common bigram (parallel to
    // `common`), so a query of rare enough bigrams is known to be small before it is run
    // (pg-vocabulary.ts shareOf). A vocabulary learnt before has none and is asked as before.
    name: '2027-01-10-13-search-vocabulary-counts',
    async up(db, caps) {
      if (caps.dialect !== 'postgres') return;
      await sql`alter table search_vocabulary add column if not exists counts int4[] not null default '{}'`.execute(db);
    },
  },
];
