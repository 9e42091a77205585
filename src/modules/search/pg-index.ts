/**
 * PostgreSQL's side of the search index (index-sql.ts has the interface and SQLite's):
 * tsvector literals built here (lexeme:position+weight), never to_tsvector, so no text
 * search configuration touches the tokens. Meta fields carry weights A title, B
 * responsible, C document number, D other; words are stored as `~word` lexemes beside the
 * bigrams. Each item also has terms_a, the codes of every token of its metadata and pages
 * once (pg-terms.ts), GIN-indexed (pg-text-index.ts): a query's terms are looked up there in one
 * scan of search_docs, and a term that is a phrase of several tokens is then checked on the
 * candidates' own metadata positions (meta_v) and pages' runs (tokenize.ts), on the row.
 */
import { sql, type SqlBool } from 'kysely';
import { bulkBegin, bulkEnd, bulkUnderWay, chunks, EMPTY_SET, inRange, inRangeFilter, META_FIELDS, type MetaField, type MetaStreams, type StreamPair } from './index-common.js';
import type { Executor } from '../../platform/db/database.js';
import type { IndexDialect } from './index-sql.js';
import { buildTextIndexes, sampleCodes, termsTest, TEXT_INDEXES } from './pg-text-index.js';
import { tokenCode, withCodes, type TermsQuery, type TokenCode } from './pg-terms.js';
import { currentVocabulary, holdVocabulary, learnVocabulary, shareOf, VOCABULARY_SAMPLE, vocabularyInUse } from './pg-vocabulary.js';
import type { QueryNode, TermNode } from './query.js';
import { runsPattern } from './tokenize.js';

const asBuffer = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

const PG_WEIGHT: Record<MetaField, string> = { title: 'A', resp: 'B', docno: 'C', other: 'D' };
/** Gap between meta fields in PostgreSQL positions, so no phrase runs from one field into the next. */
const PG_FIELD_BASE: Record<MetaField, number> = { title: 0, resp: 4000, docno: 6000, other: 8000 };
/** PostgreSQL keeps positions up to 16,383: later tokens of a very long field share the last (a phrase there may match loosely). */
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
/**
 * Codes of terms_a in many items, with their shares: ANALYZE's most common elements of
 * the column (pg_stats; at 1,000,000 items each of these 1,000 is in 8 % of the items or
 * more), read again by `read` every few minutes. One process serves one database; where
 * one serves several (tests), another's list only changes which tokens select a phrase's
 * candidates, never the answer.
 */
const COMMON_KEPT_MS = 300_000;
let common: { shares: ReadonlyMap<string, number>; until: number } = { shares: new Map(), until: 0 };
/** Makes the next `read` read the common codes again (tests, after ANALYZE). */
export function forgetCommonCodes(): void {
  common = { shares: new Map(), until: 0 };
}
async function readCommonCodes(ex: Executor): Promise<void> {
  if (common.until > Date.now()) return;
  const row = (
    await sql<{ elems: string[] | null; freqs: number[] | null }>`select most_common_elems::text::text[] as elems, most_common_elem_freqs as freqs from pg_stats where schemaname = current_schema() and tablename = 'search_docs' and attname = 'terms_a'`.execute(ex)
  ).rows[0];
  const shares = new Map<string, number>();
  for (const [i, code] of (row?.elems ?? []).entries()) shares.set(code, Number(row?.freqs?.[i] ?? 0));
  common = { shares, until: Date.now() + COMMON_KEPT_MS };
}

/**
 * The tokens of a term that select its candidates in terms_a (the phrase itself is checked
 * on each candidate afterwards, so any of them will do): every token not among the common
 * codes, and the rarest common ones until there are two. A common token's posting list
 * is long, and intersecting it costs more than the few candidates it removes: at 1,000,000
 * items a part of the index took 2.5–3.2 ms for the seven bigrams of 按照属地管理原则 and
 * 0.6 ms for its three rare ones, with the same 2,092 candidates.
 */
function pgAll(term: TermNode): TermsQuery {
  const vocabulary = vocabularyInUse();
  const codes = term.tokens.map((t) => tokenCode(t, vocabulary));
  // A character (chars_a) is common by nature: one is in the text of most items.
  const share = (i: number) => (codes[i]?.chars ? Number.POSITIVE_INFINITY : (common.shares.get(String(codes[i]?.code)) ?? 0));
  const byShare = codes.map((_, i) => i).sort((a, b) => share(a) - share(b));
  const rare = byShare.filter((i) => share(i) === 0).length;
  const kept = byShare.slice(0, Math.min(byShare.length, Math.max(2, rare))).sort((a, b) => a - b);
  const chosen = kept.map((i) => codes[i] as TokenCode);
  return { kind: 'all', terms: chosen.filter((c) => !c.chars).map((c) => c.code), chars: chosen.filter((c) => c.chars).map((c) => c.code) };
}
function pgWords(term: TermNode, weights: string): string | null {
  return term.words.length === 0 ? null : term.words.map((w) => `'~${w}'${weights === '' ? '' : `:${weights}`}`).join(' & ');
}

/** A node's candidates in terms_a, whether they are exactly its matches, and whether it asks for any token (not only their absence). */
interface Candidates {
  q: TermsQuery | null;
  exact: boolean;
  positive: boolean;
}
function candidates(node: QueryNode): Candidates {
  switch (node.kind) {
    case 'all':
      return { q: null, exact: true, positive: false };
    case 'term': {
      // A 档号 prefix matches codes, which terms_a does not hold; a term of one token with an
      // exact code (pg-terms.ts) in every field is a lookup of that token.
      if (node.tokens.length === 0 || node.codePrefix !== null) return { q: null, exact: false, positive: false };
      const exact = node.tokens.length === 1 && node.field === 'any' && tokenCode(node.tokens[0] ?? '', vocabularyInUse()).exact;
      return { q: pgAll(node), exact, positive: true };
    }
    case 'and': {
      const parts = node.children.map(candidates);
      const qs = parts.flatMap((c) => (c.q === null ? [] : [c.q]));
      return { q: qs.length === 0 ? null : { kind: 'and', parts: qs }, exact: parts.every((c) => c.exact), positive: parts.some((c) => c.positive) };
    }
    case 'or': {
      const parts = node.children.map(candidates);
      const qs = parts.flatMap((c) => (c.q === null ? [] : [c.q]));
      if (qs.length < parts.length) return { q: null, exact: false, positive: false };
      return { q: { kind: 'or', parts: qs }, exact: parts.every((c) => c.exact), positive: parts.every((c) => c.positive) };
    }
    case 'not': {
      const child = candidates(node.child);
      return child.exact && child.q !== null ? { q: { kind: 'not', part: child.q }, exact: true, positive: false } : { q: null, exact: false, positive: false };
    }
  }
}

/**
 * An estimate from above of the share of items a node matches, from the vocabulary's
 * sample (IndexDialect.shareBound): a term is in no more items than its rarest token, a
 * conjunction than its rarest part, a disjunction than its parts together. A 档号 prefix,
 * a term of characters and Latin tokens alone (a term's last character may be a prefix), a NOT: nothing known.
 */
function shareBound(node: QueryNode): number | null {
  /** The least of the known shares (a part nothing is known of bounds nothing). */
  const least = (shares: ReadonlyArray<number | null>) => shares.reduce<number | null>((a, b) => (b === null ? a : a === null ? b : Math.min(a, b)), null);
  switch (node.kind) {
    case 'term': {
      if (node.codePrefix !== null) return null;
      const vocabulary = vocabularyInUse();
      return least(node.tokens.map((t) => shareOf(tokenCode(t, vocabulary))));
    }
    case 'and':
      return least(node.children.map(shareBound));
    case 'or':
      return node.children.map(shareBound).reduce<number | null>((sum, s) => (sum === null || s === null ? null : sum + s), 0);
    case 'not':
    case 'all':
      return null;
  }
}

export function createPostgresDialect(): IndexDialect {
  const dialect: IndexDialect = {
    kind: 'postgres',
    /**
     * A bulk write into an index holding less than what is coming (the first build, or the
     * rebuild after an upgrade emptied the index; not a reindex of a full one) drops the GIN
     * indexes and builds them once at the end, sorted: at 50,000 items inserting into GIN
     * indexes, even through a 256 MB pending list, took most of a 6.2-minute build.
     * Searches meanwhile still answer, from what little is there. Otherwise GIN's pending
     * list (where new rows' entries wait, unsorted, to be merged into the index tree in one
     * pass) may grow to 256 MB instead of 4 MB, for the transactions of this process only,
     * and the lists are merged at the end. A crash leaves at most missing GIN indexes, which
     * `settle` builds. Into an empty index, given a `sample`, it first learns a vocabulary
     * (pg-vocabulary.ts).
     */
    async bulk(db, expected, sample) {
      const outermost = bulkBegin() === 1;
      const end = bulkEnd(
        async () => {
          await buildTextIndexes(db);
          // A bulk load leaves no visibility map and no statistics until autovacuum comes round: the
          // sample edge's index-only scan would visit 20,000 heap rows (about 7 ms at 100,000 items)
          // and the planner would guess. The pages are only analysed (a sample of rows), not vacuumed.
          await sql`vacuum (analyze) search_docs`.execute(db);
          await sql`analyze search_pages`.execute(db);
        },
        // Whichever of them exist (an outer bulk write of this process may still have them dropped).
        async () => {
          await sql`select gin_clean_pending_list(c.oid) from pg_class as c where c.relkind = 'i' and c.relname in (${sql.join(TEXT_INDEXES)})`.execute(db);
        },
      );
      if (!outermost) return end;
      try {
        const held = Number((await sql<{ n: string }>`select count(*) as n from search_docs`.execute(db)).rows[0]?.n ?? 0);
        if (held < expected) await sql`drop index if exists ${sql.raw(TEXT_INDEXES.join(', '))}`.execute(db);
        if (held === 0 && sample) await learnVocabulary(db, await sample(VOCABULARY_SAMPLE));
      } catch (e) {
        // Counted out again, and the GIN indexes rebuilt if they were dropped.
        await end();
        throw e;
      }
      return end;
    },
    async settle(db) {
      if (!bulkUnderWay()) await buildTextIndexes(db);
    },
    async beginWrite(tx, vocabulary) {
      await holdVocabulary(tx, vocabulary);
      if (bulkUnderWay()) await sql`set local gin_pending_list_limit = '256MB'`.execute(tx);
    },
    async vocabulary(ex) {
      return (await currentVocabulary(ex))?.task ?? null;
    },
    /**
     * The planner charges nothing for de-TOASTing a vector, so it may judge
     * testing the terms on every row cheaper than the GIN index (EXPLAIN at 3,000 items: cost
     * 210, while it read the whole table). Search statements therefore run with sequential
     * scans priced out (an index or a nested loop over keys is always at hand) and without
     * JIT, which those inflated costs would otherwise trigger for every query. A bitmap of
     * a broad term's candidates (300,000 items at 1,000,000) outgrows the default 4 MB
     * work_mem and turns lossy: PostgreSQL then tests the terms on every row of those heap
     * pages, de-TOASTing 10 KB each (the sample of 现将有关事项通知如下: 219,000 rows, 8.7 s).
     * The transaction is opened with its settings in one round trip (a statement without
     * parameters goes by the simple protocol, which carries several).
     */
    async read(db, fn) {
      return db.connection().execute(async (conn) => {
        try {
          await sql.raw(`start transaction read only; select set_config('enable_seqscan', 'off', true), set_config('jit', 'off', true), set_config('work_mem', '64MB', true)`).execute(conn);
          await readCommonCodes(conn);
          await currentVocabulary(conn);
          const result = await fn(conn);
          await sql`commit`.execute(conn);
          return result;
        } catch (e) {
          await sql`rollback`.execute(conn).catch(() => undefined);
          throw e;
        }
      });
    },
    /** Binary parameters (a Buffer is sent as binary): the arrays in array_recv's form, the runs as their UTF-8. */
    metaColumns(key, made) {
      if (made.meta === undefined || made.terms === undefined || made.chars === undefined || made.runs === undefined) throw new Error('an item reached PostgreSQL without its vectors (tokenize with vectors)');
      return { meta_v: sql<string>`${made.meta}::tsvector`, terms_a: sql<string>`${asBuffer(withCodes(made.terms, sampleCodes(key)))}::int4[]`, chars_a: sql<string>`${asBuffer(made.chars)}::int4[]`, runs: sql<string>`${asBuffer(made.runs)}` };
    },
    async writeFullText() {
      // meta_v, terms_a, chars_a and runs are written with the search_docs row.
    },
    async deleteFullText() {
      // The vectors live on the rows and go with them.
    },
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
     * The term's phrase or all its words in any of the fields, as one tsquery: most hits hold
     * the term in their text alone, and this one test spares them the four scoring probes
     * (at 100,000 items about 4 of 37 ms for 督办's 8,053 hits).
     */
    metaGate(term, fields) {
      if (fields.length === 0 || term.tokens.length === 0) return null;
      const weights = pgWeights(fields);
      const words = pgWords(term, weights);
      const query = words === null ? pgPhrase(term, weights) : `(${pgPhrase(term, weights)}) | (${words})`;
      return sql<SqlBool>`d.meta_v @@ ${query}::tsquery`;
    },
    /** The items holding every token of the term somewhere (terms_a), then those with a page holding the phrase. */
    pageSet(term, range) {
      return sql`select d.key as k from search_docs as d where ${termsTest(pgAll(term), range ?? null)} and ${dialect.pageRowProbe(term)}${range ? sql` and ${inRangeFilter('d.key', range)}` : sql``}`;
    },
    /**
     * The row's runs (its pages' runs joined by line breaks, tokenize-worker.ts) hold the term's pattern exactly where a page's
     * tokens are a phrase (tokenize.ts runsPattern): no pattern holds a line break, so none
     * runs from one page into the next.
     */
    pageRowProbe(term) {
      return sql<SqlBool>`strpos(d.runs, ${runsPattern(term.display)}) > 0`;
    },
    treeSet: () => null,
    shareBound,
    /**
     * The items whose terms hold the node's tokens (one BitmapOr over terms_a's parts, with
     * AND, OR and NOT of terms inside each arm), and where that is not yet the answer —
     * a term of several tokens must be a phrase in one field or page, a term of one field
     * only in that field — each candidate tested on its own (`probe`). Null when the
     * index cannot narrow the node (a 档号 prefix, a NOT alone).
     */
    treeTest(node, probe, range) {
      const c = candidates(node);
      if (c.q === null || !c.positive) return null;
      const test = termsTest(c.q, range);
      if (c.exact) return test;
      const rest = node.kind === 'and' ? node.children.filter((child) => !candidates(child).exact) : [node];
      return sql<SqlBool>`(${test} and ${sql.join(rest.map(probe), sql` and `)})`;
    },
  };

  return dialect;
}
