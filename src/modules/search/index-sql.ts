/**
 * Where the two databases differ in the search index: how token streams are stored
 * and how one term becomes a set of document keys. Everything else (filters, the
 * Viewer's rule, ranking, facets, snippets) is the same SQL or the same JavaScript.
 *
 *  - SQLite: contentless FTS5 tables keyed by document (fts5.ts) fed the token streams
 *    separated by spaces; a term is an FTS5 phrase in the substring columns, or an AND
 *    of words in the *_w columns, and a whole query is one MATCH where FTS5 can say it.
 *  - PostgreSQL: tsvector columns on search_docs with GIN indexes, and each page's runs for
 *    phrases (pg-index.ts).
 * Both give the same key sets for the same term (a conformance suite checks it).
 */
import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { Capabilities, Db, Executor } from '../../platform/db/database.js';
import { bulkBegin, bulkEnd, bulkUnderWay, chunks, inRange, type KeyRange, type MetaField, type MetaStreams, type StreamPair } from './index-common.js';
import { createPostgresDialect } from './pg-index.js';
import { deleteFts, fts5MetaMatch, fts5TextMatch, fts5Tree, ftsSet, mergeAll, mergingPaused, pauseMerging, writeFts } from './fts5.js';
import type { VocabularyTask } from './pg-vocabulary.js';
import type { QueryNode, TermNode } from './query.js';

/** The exact terms arrays (tokenised under no vocabulary) of up to `n` of the items a bulk write is about to write, from which PostgreSQL learns a vocabulary. */
export type VocabularySample = (n: number) => Promise<Uint8Array[]>;

/** What the tokenizer threads made for PostgreSQL's row of one item (tokenize-worker.ts): its meta_v literal, terms_a and chars_a in binary form, its runs as UTF-8. */
export interface MadeColumns {
  meta?: string;
  terms?: Uint8Array;
  chars?: Uint8Array;
  runs?: Uint8Array;
}

export interface IndexDialect {
  /** What the tokenizer threads should prepare for this database. */
  readonly kind: 'sqlite' | 'postgres';
  /** Runs a search's reads with the planner settings the index needs (PostgreSQL: in one read-only transaction). */
  read<T>(db: Db, fn: (ex: Executor) => Promise<T>): Promise<T>;
  /**
   * Columns of a search_docs row that carry its streams, written with the row: PostgreSQL's
   * meta_v (the metadata's vector), terms_a and chars_a (the codes of every token and Han
   * character of the metadata and pages) and runs (the pages' runs, for phrases), as the
   * tokenizer threads `made` them.
   */
  metaColumns(key: number, made: MadeColumns): { meta_v?: RawBuilder<string>; terms_a?: RawBuilder<string>; chars_a?: RawBuilder<string>; runs?: RawBuilder<string> };
  /** Writes the full-text part kept outside the rows (SQLite's FTS5 tables: metadata and every page of a document), after the rows exist. */
  writeFullText(tx: Executor, rows: ReadonlyArray<{ key: number; streams: MetaStreams; pages: readonly StreamPair[] }>): Promise<void>;
  /** Drops the full-text part of documents, before their rows or pages go. */
  deleteFullText(tx: Executor, keys: readonly number[]): Promise<void>;
  /** Adds pages (the rows snippets are cut from). */
  writePages(tx: Executor, rows: ReadonlyArray<{ key: number; docKey: number; fileId: string; page: number; text: string; streams: StreamPair }>): Promise<void>;
  /** Drops every page of the documents. */
  deletePages(tx: Executor, docKeys: readonly number[]): Promise<void>;
  /** `select … as k`: keys (within `ranges`, if given) of documents whose meta fields hold the term. */
  metaSet(term: TermNode, fields: readonly MetaField[], mode: 'sub' | 'word', range?: KeyRange | null): RawBuilder<unknown>;
  /** Whether the row `d` (search_docs) holds the term in these meta fields: a set lookup, or the row's own vector (for scoring every hit). */
  metaProbe(term: TermNode, fields: readonly MetaField[], mode: 'sub' | 'word'): RawBuilder<SqlBool>;
  /** The same test looking at the row `d` alone (for a few rows visited in order). */
  metaRowProbe(term: TermNode, fields: readonly MetaField[], mode: 'sub' | 'word'): RawBuilder<SqlBool>;
  /**
   * One cheap test that is true wherever metaProbe is, for any of these fields and either
   * mode (a gate before the scoring probes, which most hits fail), or null where the
   * probes are as cheap as a gate would be.
   */
  metaGate(term: TermNode, fields: readonly MetaField[]): RawBuilder<SqlBool> | null;
  /** `select … as k`: keys (within `ranges`) of documents with a page holding the term (page text has no word stream). */
  pageSet(term: TermNode, range?: KeyRange | null): RawBuilder<unknown>;
  /** Whether a page of the row `d` holds the term, looking at that document's pages alone. */
  pageRowProbe(term: TermNode): RawBuilder<SqlBool>;
  /** `select … as k`: the keys (within `range`) a whole query node matches, in one lookup where the database can do that; else null. */
  treeSet(node: QueryNode, scope: 'full' | 'meta', range?: KeyRange | null): RawBuilder<unknown> | null;
  /**
   * Whether the row `d` matches a whole query node with page text, as a condition the
   * database answers from an index on search_docs itself (PostgreSQL's terms_a), so the
   * matching rows are read once with their visibility and facet columns; else null. Where
   * `range` is a sample region the index narrows to it too (the caller still checks it).
   */
  treeTest(node: QueryNode, probe: (node: QueryNode) => RawBuilder<SqlBool>, range: KeyRange | null): RawBuilder<SqlBool> | null;
  /**
   * An estimate from above of the share of the index's documents a query node can match
   * (PostgreSQL: its rarest bigrams' shares in the vocabulary's sample, pg-vocabulary.ts),
   * read inside `read`; null where nothing tells (SQLite; a 档号 prefix, a character, NOT).
   */
  shareBound(node: QueryNode): number | null;
  /**
   * Prepares the index for `expected` documents written at once (a rebuild): SQLite's FTS5
   * stops merging its segments as it goes; PostgreSQL, when the index holds less than
   * that, drops its GIN indexes, and when it holds nothing, first learns a vocabulary from
   * `sample` (which the indexer offers for large writes, indexer.ts). The returned function, called when the writing is
   * done, merges everything in small steps (other writers get the lock between them) and
   * restores normal merging / builds the GIN indexes once.
   */
  bulk(db: Db, expected: number, sample?: VocabularySample): Promise<() => Promise<void>>;
  /** Restores normal merging / the GIN indexes if a bulk write ended without doing so (a crash); nothing while one runs. */
  settle(db: Db): Promise<void>;
  /** What the tokenizer threads make codes under (PostgreSQL's vocabulary of common bigrams, pg-vocabulary.ts), or null. */
  vocabulary(ex: Executor): Promise<VocabularyTask | null>;
  /**
   * Called first in every transaction that writes documents, with the generation of the
   * vocabulary the batch was tokenised under (0: none). PostgreSQL: the bulk setting of
   * GIN's pending list, and the vocabulary held and checked.
   */
  beginWrite(tx: Executor, vocabulary: number): Promise<void>;
}

// ---------------------------------------------------------------------------
// SQLite FTS5

const sqliteDialect: IndexDialect = {
  kind: 'sqlite',
  // No transaction: Lantai's SQLite transactions take the write lock at BEGIN.
  read: (db, fn) => fn(db),
  metaColumns: () => ({}),
  writeFullText: writeFts,
  deleteFullText: deleteFts,
  async writePages(tx, rows) {
    for (const part of chunks(rows, 100)) {
      await tx
        .insertInto('search_pages')
        .values(part.map((r) => ({ key: r.key, doc_key: r.docKey, file_id: r.fileId, page: r.page, text: r.text })))
        .execute();
    }
  },
  async deletePages(tx, docKeys) {
    for (const part of chunks(docKeys, 500)) await tx.deleteFrom('search_pages').where('doc_key', 'in', part).execute();
  },
  // FTS5 seeks its doclists to a rowid range given as one BETWEEN.
  metaSet: (term, fields, mode, range) => ftsSet('search_meta_fts', fts5MetaMatch(term, fields, mode), range ? inRange('rowid', range) : null),
  metaProbe(term, fields, mode) {
    return sql<SqlBool>`d.key in (${sqliteDialect.metaSet(term, fields, mode)})`;
  },
  metaRowProbe(term, fields, mode) {
    const match = fts5MetaMatch(term, fields, mode);
    return match === null ? sql<SqlBool>`1 = 0` : sql<SqlBool>`exists (select 1 from search_meta_fts where search_meta_fts match ${match} and rowid = d.key)`;
  },
  // The probes are key lookups in sets FTS5 reads from its doclists once per statement.
  metaGate: () => null,
  pageSet: (term, range) => ftsSet('search_doc_fts', fts5TextMatch(term), range ? inRange('rowid', range) : null),
  pageRowProbe(term) {
    return sql<SqlBool>`exists (select 1 from search_doc_fts where search_doc_fts match ${fts5TextMatch(term)} and rowid = d.key)`;
  },
  treeSet(node, scope, range) {
    const tree = fts5Tree(node, scope);
    return tree === null ? null : ftsSet(tree.table, tree.match, range ? inRange('rowid', range) : null);
  },
  treeTest: () => null,
  shareBound: () => null,
  async bulk(db) {
    bulkBegin();
    await pauseMerging(db);
    return bulkEnd(() => mergeAll(db));
  },
  beginWrite: async () => undefined,
  vocabulary: async () => null,
  async settle(db) {
    if (!bulkUnderWay() && (await mergingPaused(db))) await mergeAll(db);
  },
};

const postgresDialect = createPostgresDialect();

/** The index dialect for a database. */
export function indexDialect(caps: Capabilities): IndexDialect {
  return caps.dialect === 'postgres' ? postgresDialect : sqliteDialect;
}
