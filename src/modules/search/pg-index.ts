/**
 * PostgreSQL's side of the search index (the IndexDialect of index-sql.ts). Tokens are
 * written as tsvector literals built here (lexeme:position+weight), never to_tsvector, so
 * no text search configuration touches them. Three vectors:
 *
 *  - search_docs.meta_v: the metadata fields' bigrams with positions and weights (A title,
 *    B responsible, C document number, D other) and their words as `~word`; GIN-indexed.
 *    The metadata-only answer (items seen only as catalog), metadata phrases, ranking.
 *  - search_pages.text_v: a page's bigrams with positions, not indexed: phrases in the
 *    text are verified on it, read through the pages' doc_key index.
 *  - search_doc_terms.terms_v: every token of a document once, without positions — the
 *    pages' plain, each metadata field's prefixed (`^t`, `^r`, `^d`, `^o`) — GIN-indexed
 *    and hash-partitioned four ways (pg-gin.ts). A whole query (AND, OR, NOT) is one tsquery
 *    over it, which GIN answers from its posting lists with no recheck, since the query
 *    has neither weights nor phrase operators: exact where every term is one token, else
 *    the candidates whose rows are then tested term by term (compileProbe). Before it,
 *    each term was a GIN lookup of pages, a heap visit per page, and set algebra between terms.
 */
import { sql, type RawBuilder, type SqlBool } from 'kysely';
import { buildGin, GIN_LEAVES, GIN_NAMES } from './pg-gin.js';
import { bulkBegin, bulkEnd, bulkUnderWay, chunks, EMPTY_SET, inRange, META_FIELDS, type FullTextRow, type KeyRange, type MetaField } from './index-common.js';
import { pgMetaVector, pgTermsVector, pgVector, PG_WEIGHT, TERM_PREFIX } from './pg-vectors.js';
import type { IndexDialect } from './index-sql.js';
import { metaFieldsOf, searchesPages, type QueryNode, type TermNode } from './query.js';
import { compileProbe } from './query-sql.js';

function pgWeights(fields: readonly MetaField[] | null): string {
  if (fields === null || fields.length === META_FIELDS.length) return '';
  return fields.map((f) => PG_WEIGHT[f]).join('');
}
function pgPhrase(term: TermNode, weights: string): string {
  if (term.prefix) return `'${term.tokens[0] ?? ''}':*${weights}`;
  return term.tokens.map((t) => `'${t}'${weights === '' ? '' : `:${weights}`}`).join(' <-> ');
}
function pgWords(term: TermNode, weights: string): string | null {
  return term.words.length === 0 ? null : term.words.map((w) => `'~${w}'${weights === '' ? '' : `:${weights}`}`).join(' & ');
}

/** A query node as a tsquery over terms_v: exact, or a superset (candidates to test); 'none': matches nothing; null: not expressible. */
type TermsQuery = { query: string; exact: boolean } | 'none' | null;

/** One term over terms_v: in any of its sources, all its tokens (exact when it has one token: positions are not kept). */
function termsTerm(term: TermNode, pages: boolean): TermsQuery {
  // A term that may be a 档号 also matches by code prefix, outside the vector.
  if (term.codePrefix !== null) return null;
  if (term.tokens.length === 0) return 'none';
  const prefixes = metaFieldsOf(term).map((f) => TERM_PREFIX[f]);
  if (pages && searchesPages(term)) prefixes.push('');
  if (prefixes.length === 0) return 'none';
  const lexeme = (prefix: string, token: string) => `'${prefix}${token}'${term.prefix ? ':*' : ''}`;
  const sources = prefixes.map((p) => term.tokens.map((t) => lexeme(p, t)).join(' & '));
  return { query: `(${sources.map((s) => (term.tokens.length > 1 ? `(${s})` : s)).join(' | ')})`, exact: term.tokens.length === 1 };
}

function termsQuery(node: QueryNode): TermsQuery {
  switch (node.kind) {
    case 'all':
    case 'not':
      // Everything, or everything but: left to the set algebra.
      return null;
    case 'term':
      return termsTerm(node, true);
    case 'or': {
      const parts = node.children.map(termsQuery);
      if (parts.includes(null)) return null;
      const some = parts.filter((p): p is { query: string; exact: boolean } => p !== null && p !== 'none');
      return some.length === 0 ? 'none' : { query: `(${some.map((p) => p.query).join(' | ')})`, exact: some.every((p) => p.exact) };
    }
    case 'and': {
      const positives = node.children.filter((c) => c.kind !== 'not').map(termsQuery);
      const negatives = node.children.flatMap((c) => (c.kind === 'not' ? [termsQuery(c.child)] : []));
      if (positives.length === 0 || positives.includes(null) || negatives.includes(null)) return null;
      if (positives.includes('none')) return 'none';
      const held = positives as Array<{ query: string; exact: boolean }>;
      const excluded = negatives.filter((n): n is { query: string; exact: boolean } => n !== null && n !== 'none');
      // Only an exact negative can narrow the candidates; an inexact one is left to the row tests.
      const narrowing = excluded.filter((n) => n.exact).map((n) => `!${n.query}`);
      return { query: `(${[...held.map((p) => p.query), ...narrowing].join(' & ')})`, exact: held.every((p) => p.exact) && excluded.every((n) => n.exact) };
    }
  }
}

/** A query node over meta_v (metadata phrases with positions and weights, rechecked by PostgreSQL): always exact. */
function metaQuery(node: QueryNode): string | 'none' | null {
  switch (node.kind) {
    case 'all':
    case 'not':
      return null;
    case 'term': {
      if (node.codePrefix !== null) return null;
      const fields = metaFieldsOf(node);
      return node.tokens.length === 0 || fields.length === 0 ? 'none' : `(${pgPhrase(node, pgWeights(fields))})`;
    }
    case 'or': {
      const parts = node.children.map(metaQuery);
      if (parts.includes(null)) return null;
      const some = parts.filter((p) => p !== 'none');
      return some.length === 0 ? 'none' : `(${some.join(' | ')})`;
    }
    case 'and': {
      const positives = node.children.filter((c) => c.kind !== 'not').map(metaQuery);
      const negatives = node.children.flatMap((c) => (c.kind === 'not' ? [metaQuery(c.child)] : []));
      if (positives.length === 0 || positives.includes(null) || negatives.includes(null)) return null;
      if (positives.includes('none')) return 'none';
      const excluded = negatives.filter((n) => n !== 'none').map((n) => `!${n}`);
      return `(${[...positives, ...excluded].join(' & ')})`;
    }
  }
}

const within = (column: string, range: KeyRange | null | undefined) => (range ? sql` and ${inRange(column, range)}` : sql``);

/** Keys of documents whose terms_v matches (and are in the range). */
const termsSet = (query: string, range: KeyRange | null | undefined) => sql`select key as k from search_doc_terms where terms_v @@ ${query}::tsquery${within('key', range)}`;

export const postgresDialect: IndexDialect = {
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
    if (bulkBegin() === 1) {
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
    if (!bulkUnderWay()) await buildGin(db);
  },
  async beginWrite(tx) {
    if (bulkUnderWay()) await sql`set local gin_pending_list_limit = '256MB'`.execute(tx);
  },
  /**
   * The planner charges nothing for de-TOASTing a vector, so it judges a sequential scan
   * evaluating `@@` on every row cheaper than the GIN index (EXPLAIN at 3,000 items: cost
   * 210, while it read the whole table). Search statements therefore run with sequential
   * scans priced out (the index or a nested loop over keys is always at hand) and without
   * JIT, which those inflated costs would otherwise trigger for every query.
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
  async writeFullText(tx, rows: ReadonlyArray<FullTextRow>) {
    for (const part of chunks(rows, 100)) {
      const values = part.map((r) => sql`(${r.key}::bigint, ${r.terms ?? pgTermsVector(r.streams, r.pages)}::tsvector)`);
      await sql`insert into search_doc_terms (key, terms_v) values ${sql.join(values)}`.execute(tx);
    }
  },
  async deleteFullText(tx, keys) {
    for (const part of chunks(keys, 500)) await sql`delete from search_doc_terms where key in (${sql.join(part)})`.execute(tx);
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
    if (fields.length === 0) return EMPTY_SET;
    const weights = pgWeights(fields);
    const query = mode === 'word' ? pgWords(term, weights) : pgPhrase(term, weights);
    if (query === null) return EMPTY_SET;
    return sql`select key as k from search_docs where meta_v @@ ${query}::tsquery${within('key', range)}`;
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
   * Documents whose pages hold the term: terms_v's documents holding every token (exact
   * for one token), and for a phrase each candidate's pages tested for it. `offset 0`
   * keeps the candidates' range applied before any page is read: the sample of
   * 按照属地管理原则 at 1,000,000 items once read 8,000 page vectors to keep 171.
   */
  pageSet(term, range) {
    const plain = termsTerm({ ...term, field: 'fulltext', codePrefix: null }, true);
    if (plain === null || plain === 'none') return EMPTY_SET;
    if (plain.exact) return termsSet(plain.query, range);
    return sql`select t.k from (${termsSet(plain.query, range)} offset 0) as t where exists (select 1 from search_pages as p where p.doc_key = t.k and p.text_v @@ ${pgPhrase(term, '')}::tsquery offset 0)`;
  },
  /**
   * `offset 0` keeps the probe per row: without it PostgreSQL may turn the EXISTS into a
   * hashed subplan, reading every page holding the term (100,000 pages for 督办 at
   * 1,000,000 items: 1.1 s) to answer for the few hundred rows visited (61 ms).
   */
  pageRowProbe(term) {
    return sql<SqlBool>`exists (select 1 from search_pages as p where p.doc_key = d.key and p.text_v @@ ${pgPhrase(term, '')}::tsquery offset 0)`;
  },
  treeSet(node, scope, range) {
    if (scope === 'meta') {
      const query = metaQuery(node);
      if (query === null) return null;
      return query === 'none' ? EMPTY_SET : sql`select key as k from search_docs where meta_v @@ ${query}::tsquery${within('key', range)}`;
    }
    const terms = termsQuery(node);
    if (terms === null) return null;
    if (terms === 'none') return EMPTY_SET;
    if (terms.exact) return termsSet(terms.query, range);
    // Candidates first (offset 0: not merged into the outer query), then each one's row tested.
    return sql`select d.key as k from search_docs as d where d.key in (${termsSet(terms.query, range)} offset 0) and ${compileProbe(postgresDialect, node, 'full')}`;
  },
};
