/**
 * PostgreSQL's side of the search index (index-sql.ts has the interface and SQLite's):
 * tsvector literals built here (lexeme:position+weight), never to_tsvector, so no text
 * search configuration touches the tokens. Meta fields carry weights A title, B
 * responsible, C document number, D other; words are stored as `~word` lexemes beside the
 * bigrams. A term is a `<->` phrase query, decided in the pages' index where that is RUM,
 * else on each candidate page's vector (pg-text-index.ts).
 */
import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { Db } from '../../platform/db/database.js';
import { bulkBegin, bulkEnd, bulkUnderWay, chunks, EMPTY_SET, inRange, META_FIELDS, PAGE_SPAN, type MetaField, type MetaStreams, type StreamPair } from './index-common.js';
import type { IndexDialect } from './index-sql.js';
import { buildTextIndexes, TEXT_INDEX_LEAVES, TEXT_INDEXES, pageIndexMethod } from './pg-text-index.js';
import type { TermNode } from './query.js';

const PG_WEIGHT: Record<MetaField, string> = { title: 'A', resp: 'B', docno: 'C', other: 'D' };
/** Gap between meta fields in PostgreSQL positions, so no phrase runs from one field into the next. */
const PG_FIELD_BASE: Record<MetaField, number> = { title: 0, resp: 4000, docno: 6000, other: 8000 };
/** PostgreSQL keeps positions up to 16,383; pages are cut to 8,000 characters, so bigrams fit. */
const PG_MAX_POSITION = 16_383;

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
/** A token of the term as a tsquery operand: the last one as a prefix where the term says so. */
function pgToken(term: TermNode, i: number, weights: string): string {
  if (term.prefix && i === term.tokens.length - 1) return `'${term.tokens[i] ?? ''}':*${weights}`;
  return `'${term.tokens[i] ?? ''}'${weights === '' ? '' : `:${weights}`}`;
}
function pgPhrase(term: TermNode, weights: string): string {
  return term.tokens.map((_, i) => pgToken(term, i, weights)).join(' <-> ');
}
/** Every token of the term, anywhere (the phrase's candidates). */
function pgAll(term: TermNode): string {
  return term.tokens.map((_, i) => pgToken(term, i, '')).join(' & ');
}
function pgWords(term: TermNode, weights: string): string | null {
  return term.words.length === 0 ? null : term.words.map((w) => `'~${w}'${weights === '' ? '' : `:${weights}`}`).join(' & ');
}

/** How long the pages' index method, once read, is trusted (another node's rebuild may change it). */
const METHOD_KEPT_MS = 60_000;

export function createPostgresDialect(): IndexDialect {
  // Whether the pages' index decides phrases (RUM), as last read; null until read, and after the index is built.
  let phrases: { inIndex: boolean; until: number } | null = null;
  // `settle` runs on every drain of the index job: only a build that made the pages' index forgets the method.
  const build = async (db: Db) => {
    if (await buildTextIndexes(db)) phrases = null;
  };
  const dialect: IndexDialect = {
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
        if (held < expected) await sql`drop index if exists ${sql.raw([...new Set([...TEXT_INDEXES, ...TEXT_INDEX_LEAVES])].join(', '))}`.execute(db);
      }
      return bulkEnd(
        async () => {
          await build(db);
          // A bulk load leaves no visibility map and no statistics until autovacuum comes round: the
          // sample edge's index-only scan would visit 20,000 heap rows (about 7 ms at 100,000 items)
          // and the planner would guess. The items' table is small next to the pages'; the pages are
          // only analysed (a sample of rows), not vacuumed.
          await sql`vacuum (analyze) search_docs`.execute(db);
          await sql`analyze search_pages`.execute(db);
        },
        // Whichever of them exist and are GIN (an outer bulk write of this process may still have them dropped).
        async () => {
          await sql`select gin_clean_pending_list(c.oid) from pg_class as c join pg_am as a on a.oid = c.relam where a.amname = 'gin' and c.relkind = 'i' and c.relname in (${sql.join(TEXT_INDEX_LEAVES)})`.execute(db);
        },
      );
    },
    async settle(db) {
      if (!bulkUnderWay()) await build(db);
    },
    async beginWrite(tx) {
      if (bulkUnderWay()) await sql`set local gin_pending_list_limit = '256MB'`.execute(tx);
    },
    /**
     * The planner charges nothing for de-TOASTing a page's tsvector, so it judges a
     * sequential scan evaluating `text_v @@ q` on every page cheaper than the GIN index
     * (EXPLAIN at 3,000 items: cost 210, while it read the whole table). Search statements
     * therefore run with sequential scans priced out (the index or a nested loop over keys
     * is always at hand) and without JIT, which those inflated costs would otherwise
     * trigger for every query.
     */
    async read(db, fn) {
      if (phrases === null || phrases.until < Date.now()) phrases = { inIndex: (await pageIndexMethod(db)) === 'rum', until: Date.now() + METHOD_KEPT_MS };
      return db
        .transaction()
        .setAccessMode('read only')
        .execute(async (tx) => {
          await sql`set local enable_seqscan = off`.execute(tx);
          await sql`set local jit = off`.execute(tx);
          return fn(tx);
        });
    },
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
      if (fields.length === 0) return EMPTY_SET;
      const weights = pgWeights(fields);
      const query = mode === 'word' ? pgWords(term, weights) : pgPhrase(term, weights);
      if (query === null) return EMPTY_SET;
      return sql`select key as k from search_docs where meta_v @@ ${query}::tsquery${range ? sql` and ${inRange('key', range)}` : sql``}`;
    },
    metaRowProbe(term, fields, mode) {
      return dialect.metaProbe(term, fields, mode);
    },
    metaProbe(term, fields, mode) {
      const weights = pgWeights(fields);
      const query = fields.length === 0 ? null : mode === 'word' ? pgWords(term, weights) : pgPhrase(term, weights);
      // The vector is on the row itself: testing it beats building the set of every row that has the term.
      return query === null ? sql<SqlBool>`1 = 0` : sql<SqlBool>`d.meta_v @@ ${query}::tsquery`;
    },
    /**
     * A RUM index decides a phrase itself. Over GIN a phrase is found in two steps: the
     * index's pages holding every token (which needs no recheck: no positions, no weights),
     * narrowed to the range, and only then each page's positions read. In one step
     * PostgreSQL rechecks the phrase on every page the index returns, de-TOASTing its 13 KB
     * vector, before the range filter: the sample of 按照属地管理原则 at 1,000,000 items read
     * 8,000 vectors to keep 171 (7.5 s cold).
     */
    pageSet(term, range) {
      const within = range ? sql` and ${inRange('key', range, PAGE_SPAN)}` : sql``;
      if (term.tokens.length < 2 || phrases?.inIndex) return sql`select doc_key as k from search_pages where text_v @@ ${pgPhrase(term, '')}::tsquery${within}`;
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

  return dialect;
}
