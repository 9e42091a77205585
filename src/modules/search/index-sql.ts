/**
 * Where the two databases differ in the search index: how token streams are stored
 * and how one term becomes a set of document keys. Everything else (filters, the
 * Viewer's rule, ranking, facets, snippets) is the same SQL or the same JavaScript.
 *
 *  - SQLite: contentless FTS5 tables keyed by document (fts5.ts) fed the token streams
 *    separated by spaces; a term is an FTS5 phrase in the substring columns, or an AND
 *    of words in the *_w columns, and a whole query is one MATCH where FTS5 can say it.
 *  - PostgreSQL: tsvector literals built here (lexeme:position+weight), never
 *    to_tsvector, so no text search configuration touches the tokens. Meta fields carry
 *    weights A title, B responsible, C document number, D other; words are stored as
 *    `~word` lexemes beside the bigrams. A term is a `<->` phrase query.
 * Both give the same key sets for the same term (a conformance suite checks it).
 */
import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { Capabilities, Db, Executor } from '../../platform/db/database.js';
import { buildGin, GIN_LEAVES, GIN_NAMES } from './pg-gin.js';
import { deleteFts, fts5MetaMatch, fts5TextMatch, fts5Tree, ftsSet, mergeAll, mergingPaused, pauseMerging, writeFts } from './fts5.js';
import type { QueryNode, TermNode } from './query.js';

export type MetaField = 'title' | 'resp' | 'docno' | 'other';
export const META_FIELDS: readonly MetaField[] = ['title', 'resp', 'docno', 'other'];
const PG_WEIGHT: Record<MetaField, string> = { title: 'A', resp: 'B', docno: 'C', other: 'D' };
/** Gap between meta fields in PostgreSQL positions, so no phrase runs from one field into the next. */
const PG_FIELD_BASE: Record<MetaField, number> = { title: 0, resp: 4000, docno: 6000, other: 8000 };
/** PostgreSQL keeps positions up to 16,383; pages are cut to 8,000 characters, so bigrams fit. */
const PG_MAX_POSITION = 16_383;
/** Bits of a page key that number the pages of one document. */
export const PAGE_BITS = 20;
/** Page keys of one document: doc key × PAGE_SPAN + sequence. */
export const PAGE_SPAN = 2 ** PAGE_BITS;
/** Document keys are 1 … DOC_KEY_SPACE, so page keys stay exact in a JavaScript number (< 2^53). */
export const DOC_KEY_SPACE = 2 ** (53 - PAGE_BITS) - 1;

/** An inclusive range of document keys: a set evaluated on it is the sample an estimate is made from. */
export interface KeyRange {
  from: number;
  to: number;
}

/** Token streams of one field, joined by spaces (the wire form between tokenizer threads and writers). */
export interface StreamPair {
  sub: string;
  words: string;
  /** PostgreSQL: the tsvector literal of these streams, when the tokenizer threads made it (pgVector). */
  vector?: string;
}
export type MetaStreams = Record<MetaField, StreamPair>;

export interface IndexDialect {
  /** What the tokenizer threads should prepare for this database. */
  readonly kind: 'sqlite' | 'postgres';
  /** Runs a search's reads with the planner settings the index needs (PostgreSQL: in one read-only transaction). */
  read<T>(db: Db, fn: (ex: Executor) => Promise<T>): Promise<T>;
  /** Columns of a search_docs row that carry its streams (PostgreSQL's meta_v, from `vector` when the tokenizer threads made it), written with the row. */
  metaColumns(streams: MetaStreams, vector?: string): { meta_v?: RawBuilder<string> };
  /** Writes the full-text part kept outside the rows (SQLite's FTS5 tables: metadata and every page of a document), after the rows exist. */
  writeFullText(tx: Executor, rows: ReadonlyArray<{ key: number; streams: MetaStreams; pages: readonly StreamPair[] }>): Promise<void>;
  /** Drops the full-text part of documents, before their rows or pages go. */
  deleteFullText(tx: Executor, keys: readonly number[]): Promise<void>;
  /** Adds pages (rows, and PostgreSQL's vectors). */
  writePages(tx: Executor, rows: ReadonlyArray<{ key: number; docKey: number; fileId: string; page: number; text: string; streams: StreamPair }>): Promise<void>;
  /** Drops every page of the documents. */
  deletePages(tx: Executor, docKeys: readonly number[]): Promise<void>;
  /** `select … as k`: keys (within `ranges`, if given) of documents whose meta fields hold the term. */
  metaSet(term: TermNode, fields: readonly MetaField[], mode: 'sub' | 'word', range?: KeyRange | null): RawBuilder<unknown>;
  /** Whether the row `d` (search_docs) holds the term in these meta fields: a set lookup, or the row's own vector (for scoring every hit). */
  metaProbe(term: TermNode, fields: readonly MetaField[], mode: 'sub' | 'word'): RawBuilder<SqlBool>;
  /** The same test looking at the row `d` alone (for a few rows visited in order). */
  metaRowProbe(term: TermNode, fields: readonly MetaField[], mode: 'sub' | 'word'): RawBuilder<SqlBool>;
  /** `select … as k`: keys (within `ranges`) of documents with a page holding the term (page text has no word stream). */
  pageSet(term: TermNode, range?: KeyRange | null): RawBuilder<unknown>;
  /** Whether a page of the row `d` holds the term, looking at that document's pages alone. */
  pageRowProbe(term: TermNode): RawBuilder<SqlBool>;
  /** `select … as k`: the keys (within `range`) a whole query node matches, in one lookup where the database can do that; else null. */
  treeSet(node: QueryNode, scope: 'full' | 'meta', range?: KeyRange | null): RawBuilder<unknown> | null;
  /**
   * Prepares the index for `expected` documents written at once (a rebuild): SQLite's FTS5
   * stops merging its segments as it goes; PostgreSQL, when the index holds less than a
   * that, drops its GIN indexes. The returned function, called when the writing is
   * done, merges everything in small steps (other writers get the lock between them) and
   * restores normal merging / builds the GIN indexes once.
   */
  bulk(db: Db, expected: number): Promise<() => Promise<void>>;
  /** Restores normal merging / the GIN indexes if a bulk write ended without doing so (a crash); nothing while one runs. */
  settle(db: Db): Promise<void>;
  /** Called first in every transaction that writes documents (PostgreSQL: the bulk setting of GIN's pending list). */
  beginWrite(tx: Executor): Promise<void>;
}

const CHUNK = 200;
function chunks<T>(rows: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}

// ---------------------------------------------------------------------------
// SQLite FTS5

const NEVER = sql`select 0 as k where 1 = 0`;

/**
 * `column` (a document key, or a page key with scale PAGE_SPAN) within the range. The
 * bounds are written as integer literals: better-sqlite3 binds a JavaScript number as a
 * REAL, and FTS5 then applies the range only after reading the whole match (the sample of
 * 安全生产 at 1,000,000 items read 8,000 rowids to keep 155: 6 ms instead of 0.1 ms).
 */
export function inRange(column: string, range: KeyRange, scale = 1): RawBuilder<SqlBool> {
  const bound = (n: number) => {
    if (!Number.isSafeInteger(n)) throw new Error(`not a key: ${n}`);
    return sql.lit(n);
  };
  return sql<SqlBool>`${sql.ref(column)} between ${bound(range.from * scale)} and ${bound(range.to * scale + scale - 1)}`;
}

/** Bulk writes in progress in this process. */
let bulkWrites = 0;

/** The end of one bulk write: runs once, and `last` only when no other bulk write of this process is still going. */
function bulkEnd(last: () => Promise<void>, always: () => Promise<void> = async () => undefined): () => Promise<void> {
  let ended = false;
  return async () => {
    if (ended) return;
    ended = true;
    bulkWrites -= 1;
    if (bulkWrites === 0) await last();
    await always();
  };
}

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
  pageSet: (term, range) => ftsSet('search_doc_fts', fts5TextMatch(term), range ? inRange('rowid', range) : null),
  pageRowProbe(term) {
    return sql<SqlBool>`exists (select 1 from search_doc_fts where search_doc_fts match ${fts5TextMatch(term)} and rowid = d.key)`;
  },
  treeSet(node, scope, range) {
    const tree = fts5Tree(node, scope);
    return tree === null ? null : ftsSet(tree.table, tree.match, range ? inRange('rowid', range) : null);
  },
  async bulk(db) {
    bulkWrites += 1;
    await pauseMerging(db);
    return bulkEnd(() => mergeAll(db));
  },
  beginWrite: async () => undefined,
  async settle(db) {
    if (bulkWrites === 0 && (await mergingPaused(db))) await mergeAll(db);
  },
};

// ---------------------------------------------------------------------------
// PostgreSQL tsvector

/**
 * A tsvector literal of one field's streams: bigrams at consecutive positions, words as
 * `~word` at the field's first. Built on the tokenizer threads for a rebuild (about a
 * millisecond per 1,000-token page, which on the writing thread held a rebuild back).
 */
export function pgVector(pairs: ReadonlyArray<{ pair: StreamPair; base: number; weight: string }>): string {
  // Each lexeme's positions as the literal's text, and how many (PostgreSQL keeps 256).
  const positions = new Map<string, string>();
  const counts = new Map<string, number>();
  const add = (lexeme: string, at: string) => {
    const had = positions.get(lexeme);
    if (had === undefined) {
      positions.set(lexeme, at);
      counts.set(lexeme, 1);
      return;
    }
    const n = counts.get(lexeme) ?? 0;
    if (n >= 256) return;
    positions.set(lexeme, `${had},${at}`);
    counts.set(lexeme, n + 1);
  };
  for (const { pair, base, weight } of pairs) {
    const w = weight === 'D' ? '' : weight;
    let pos = base;
    if (pair.sub !== '') for (const token of pair.sub.split(' ')) add(token, `${Math.min(++pos, PG_MAX_POSITION)}${w}`);
    if (pair.words !== '') for (const word of pair.words.split(' ')) add(`~${word}`, `${base + 1}${w}`);
  }
  const out: string[] = [];
  for (const [lexeme, at] of positions) out.push(`'${lexeme}':${at}`);
  return out.join(' ');
}

export function pgMetaVector(streams: MetaStreams): string {
  return pgVector(META_FIELDS.map((f) => ({ pair: streams[f], base: PG_FIELD_BASE[f], weight: PG_WEIGHT[f] })));
}

function pgWeights(fields: readonly MetaField[] | null): string {
  if (fields === null || fields.length === META_FIELDS.length) return '';
  return fields.map((f) => PG_WEIGHT[f]).join('');
}
function pgPhrase(term: TermNode, weights: string): string {
  if (term.prefix) return `'${term.tokens[0] ?? ''}':*${weights}`;
  return term.tokens.map((t) => `'${t}'${weights === '' ? '' : `:${weights}`}`).join(' <-> ');
}
/** Every token of the term, anywhere (the phrase's candidates). */
function pgAll(term: TermNode): string {
  return term.tokens.map((t) => `'${t}'`).join(' & ');
}
function pgWords(term: TermNode, weights: string): string | null {
  return term.words.length === 0 ? null : term.words.map((w) => `'~${w}'${weights === '' ? '' : `:${weights}`}`).join(' & ');
}

const postgresDialect: IndexDialect = {
  kind: 'postgres',
  /**
   * A bulk write into an index holding less than what is coming (the first build, or the
   * rebuild after an upgrade emptied the index; not a reindex of a full one) drops the two GIN indexes and
   * builds them once at the end, sorted, with a large maintenance_work_mem: at 50,000 items
   * inserting into the GIN indexes, even through a 256 MB pending list, took most of the
   * build's 6.2 minutes. Searches meanwhile still answer, from sequential scans of what little
   * is there. Otherwise GIN's pending list (where new rows' entries wait, unsorted, to be
   * merged into the index tree in one pass) may grow to 256 MB instead of 4 MB, for the
   * transactions of this process only, and both lists are merged at the end. A crash leaves
   * at most missing GIN indexes, which `settle` builds.
   */
  async bulk(db, expected) {
    bulkWrites += 1;
    if (bulkWrites === 1) {
      const held = Number((await sql<{ n: string }>`select count(*) as n from search_docs`.execute(db)).rows[0]?.n ?? 0);
      // The parent with its partitions' indexes, and any partition index a crash left unattached.
      if (held < expected) await sql`drop index if exists ${sql.raw([...new Set([...GIN_NAMES, ...GIN_LEAVES])].join(', '))}`.execute(db);
    }
    return bulkEnd(
      () => buildGin(db),
      // Whichever of them exist (an outer bulk write of this process may still have them dropped).
      async () => {
        await sql`select gin_clean_pending_list(c.oid) from pg_class as c where c.relkind = 'i' and c.relname in (${sql.join(GIN_LEAVES)})`.execute(db);
      },
    );
  },
  async settle(db) {
    if (bulkWrites === 0) await buildGin(db);
  },
  async beginWrite(tx) {
    if (bulkWrites > 0) await sql`set local gin_pending_list_limit = '256MB'`.execute(tx);
  },
  /**
   * The planner charges nothing for de-TOASTing a page's tsvector, so it judges a
   * sequential scan evaluating `text_v @@ q` on every page cheaper than the GIN index
   * (EXPLAIN at 3,000 items: cost 210, while it read the whole table). Search statements
   * therefore run with sequential scans priced out (the index or a nested loop over keys
   * is always at hand) and without JIT, which those inflated costs would otherwise
   * trigger for every query.
   */
  read: (db, fn) =>
    db
      .transaction()
      .setAccessMode('read only')
      .execute(async (tx) => {
        await sql`set local enable_seqscan = off`.execute(tx);
        await sql`set local jit = off`.execute(tx);
        return fn(tx);
      }),
  metaColumns: (streams, vector) => ({ meta_v: sql<string>`${vector ?? pgMetaVector(streams)}::tsvector` }),
  async writeFullText() {
    // meta_v is written with the search_docs row, the pages' vectors with theirs.
  },
  async deleteFullText() {
    // The vectors live on the rows and go with them.
  },
  async writePages(tx, rows) {
    for (const part of chunks(rows, 100)) {
      const values = part.map((r) => sql`(${r.key}::bigint, ${r.docKey}::bigint, ${r.fileId}, ${r.page}::integer, ${r.text}, ${r.streams.vector ?? pgVector([{ pair: r.streams, base: 0, weight: 'D' }])}::tsvector)`);
      await sql`insert into search_pages (key, doc_key, file_id, page, text, text_v) values ${sql.join(values)}`.execute(tx);
    }
  },
  async deletePages(tx, docKeys) {
    for (const part of chunks(docKeys, 500)) await tx.deleteFrom('search_pages').where('doc_key', 'in', part).execute();
  },
  metaSet(term, fields, mode, range) {
    if (fields.length === 0) return NEVER;
    const weights = pgWeights(fields);
    const query = mode === 'word' ? pgWords(term, weights) : pgPhrase(term, weights);
    if (query === null) return NEVER;
    return sql`select key as k from search_docs where meta_v @@ ${query}::tsquery${range ? sql` and ${inRange('key', range)}` : sql``}`;
  },
  metaRowProbe(term, fields, mode) {
    return postgresDialect.metaProbe(term, fields, mode);
  },
  metaProbe(term, fields, mode) {
    const weights = pgWeights(fields);
    const query = fields.length === 0 ? null : mode === 'word' ? pgWords(term, weights) : pgPhrase(term, weights);
    // The vector is on the row itself: testing it beats building the set of every row that has the term.
    return query === null ? sql<SqlBool>`1 = 0` : sql<SqlBool>`d.meta_v @@ ${query}::tsquery`;
  },
  /**
   * A phrase is found in two steps: the GIN index's pages holding every token (which needs
   * no recheck: no positions, no weights), narrowed to the range, and only then each
   * page's positions read. In one step PostgreSQL rechecks the phrase on every page the
   * index returns, de-TOASTing its 13 KB vector, before the range filter: the sample of
   * 按照属地管理原则 at 1,000,000 items read 8,000 vectors to keep 171 (7.5 s cold).
   */
  pageSet(term, range) {
    const within = range ? sql` and ${inRange('key', range, PAGE_SPAN)}` : sql``;
    if (term.prefix || term.tokens.length < 2) return sql`select doc_key as k from search_pages where text_v @@ ${pgPhrase(term, '')}::tsquery${within}`;
    return sql`select p.doc_key as k from (select doc_key, text_v from search_pages where text_v @@ ${pgAll(term)}::tsquery${within} offset 0) as p where p.text_v @@ ${pgPhrase(term, '')}::tsquery`;
  },
  /**
   * `offset 0` keeps the probe per row: without it PostgreSQL may turn the EXISTS into a
   * hashed subplan, reading every page holding the term (100,000 pages for 督办 at
   * 1,000,000 items: 1.1 s) to answer for the few hundred rows visited (61 ms).
   */
  // One GIN lookup per term and set algebra between them (a document-level vector would let GIN answer the whole query).
  treeSet: () => null,
  pageRowProbe(term) {
    return sql<SqlBool>`exists (select 1 from search_pages as p where p.doc_key = d.key and p.text_v @@ ${pgPhrase(term, '')}::tsquery offset 0)`;
  },
};

/** The index dialect for a database. */
export function indexDialect(caps: Capabilities): IndexDialect {
  return caps.dialect === 'postgres' ? postgresDialect : sqliteDialect;
}
