/**
 * The true page of an estimated answer (service.ts): rows visited in the sort's index order
 * and tested one by one, so a query hitting a quarter of a million items reads a few hundred.
 */
import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { Executor } from '../../platform/db/database.js';
import type { Viewer } from '../accounts/viewer.js';
import type { IndexDialect } from './index-sql.js';
import type { SearchQuery } from './model.js';
import { CODE_PREFIX_POINTS, codePrefixCondition, compileQuery, orderBy, scoredTest, soleCodePrefix, type CompiledQuery } from './query-sql.js';
import type { QueryNode } from './query.js';

/** Rows of the scoring set ranked per statement, at first (rankScored); ten times more each time after. */
const RANK_SLICE = 2_000;
/** Most keys tested against the query per statement (rankScored). */
const PROBE_CHUNK = 2_000;

/** A row of search_docs as the hits are made from it. */
export interface DocRow {
  key: number;
  record_id: string;
  fonds_id: string;
  category_id: string;
  archival_code: string | null;
  title: string;
  responsible: string | null;
  doc_number: string | null;
  date: string | null;
  year: number | null;
  retention: string | null;
  openness: string;
  classification: string;
  file_count: number;
  thumb_file_id: string | null;
  agency_id: string | null;
  formats: string;
  content: number;
  score: number;
}

export const DOC_FIELDS = ['key', 'record_id', 'fonds_id', 'category_id', 'archival_code', 'title', 'responsible', 'doc_number', 'date', 'year', 'retention', 'openness', 'classification', 'file_count', 'thumb_file_id', 'agency_id', 'formats'] as const;
export const docFields = (alias: string) => sql.join(DOC_FIELDS.map((f) => sql.ref(`${alias}.${f}`)));

export function createProbedPage(dialect: IndexDialect) {
  const fieldsOf = docFields;

  /**
   * The true page of hits without evaluating the whole query: rows are visited in the
   * sort's index order and each is tested on its own, so a query that hits many rows
   * stops after a few. By relevance, the hits that score (a term in their metadata or
   * 档号: a small set) come first, ranked; every other hit scores 0 and follows by date.
   */
  async function probedPage(ex: Executor, viewer: Viewer, root: QueryNode, query: SearchQuery): Promise<DocRow[]> {
    const c = compileQuery(dialect, viewer, root, query, { probe: true });
    const offset = (query.page - 1) * query.pageSize;
    const want = offset + query.pageSize;
    const select = (score: RawBuilder<number>) => sql`select ${fieldsOf('d')}, ${c.content} as content, ${score} as score from search_docs as d`;
    if (query.sort !== 'relevance' || root.kind === 'all') {
      return (await sql<DocRow>`${select(sql`0`)} where ${c.where} order by ${orderBy(query.sort, false)} limit ${query.pageSize} offset ${offset}`.execute(ex)).rows;
    }
    const prefix = soleCodePrefix(root);
    if (prefix !== null) return codePrefixPage(ex, viewer, query, c, root, prefix, offset, want);
    const scored = scoredTest(dialect, root);
    const top = await rankScored(ex, viewer, root, query, c, scored, want);
    if (top.length >= want) return top.slice(offset);
    const rest = (
      await sql<DocRow>`${select(sql`0`)} where not coalesce(${scored}, false) and ${c.where} order by ${orderBy('date-desc', false)} limit ${query.pageSize - Math.max(0, top.length - offset)} offset ${Math.max(0, offset - top.length)}`.execute(ex)
    ).rows;
    return [...top.slice(offset), ...rest];
  }

  /**
   * The first `want` hits among the scoring set's rows, by relevance. The set can be large
   * (改革 is in the name of 市发展和改革委员会, the responsible agency of 8 % of the bench's
   * items), so the rows are not each tested against the whole query while being ranked:
   * the set's rows that pass the filters are ordered by a score computed from the metadata
   * sets (built once per statement), and only then tested against the query, in that order,
   * a growing slice at a time, until `want` have matched.
   */
  async function rankScored(ex: Executor, viewer: Viewer, root: QueryNode, query: SearchQuery, c: CompiledQuery, scored: RawBuilder<SqlBool>, want: number): Promise<DocRow[]> {
    const setScore = compileQuery(dialect, viewer, root, query).score;
    const winners: number[] = [];
    let slice = RANK_SLICE;
    for (let from = 0; winners.length < want; from += slice, slice *= 10) {
      const ordered = (
        await sql<{ key: number }>`select d.key, ${setScore} as score from search_docs as d where ${scored} and ${c.filters} order by ${orderBy('relevance', true)} limit ${slice} offset ${from}`.execute(ex)
      ).rows.map((r) => Number(r.key));
      for (let i = 0, chunk = 2 * want; i < ordered.length && winners.length < want; i += chunk, chunk = Math.min(chunk * 4, PROBE_CHUNK)) {
        const part = ordered.slice(i, i + chunk);
        const hits = new Set((await sql<{ key: number }>`select d.key from search_docs as d where d.key in (${sql.join(part)}) and ${c.where}`.execute(ex)).rows.map((r) => Number(r.key)));
        for (const key of part) if (hits.has(key) && winners.length < want) winners.push(key);
      }
      if (ordered.length < slice) break;
    }
    if (winners.length === 0) return [];
    const rows = (await sql<DocRow>`select ${fieldsOf('d')}, d.date_key, ${c.content} as content, ${setScore} as score from search_docs as d where d.key in (${sql.join(winners)})`.execute(ex)).rows;
    const byKey = new Map(rows.map((r) => [Number(r.key), r]));
    return winners.map((k) => byKey.get(k)).filter((r): r is DocRow => r !== undefined);
  }

  /**
   * The relevance page of a query whose only scored term is a 档号 prefix: the hits in the
   * term's metadata sets (few) are scored one by one; the prefix's other hits all score
   * 100 and come in date order straight from the date index; the two lists merge by the
   * relevance order, and hits scoring 0 follow by date.
   */
  async function codePrefixPage(ex: Executor, viewer: Viewer, query: SearchQuery, c: CompiledQuery, root: QueryNode, prefix: string, offset: number, want: number): Promise<DocRow[]> {
    const select = (score: RawBuilder<number>) => sql`select ${fieldsOf('d')}, d.date_key, ${c.content} as content, ${score} as score from search_docs as d`;
    const meta = scoredTest(dialect, root, { codes: false });
    const inPrefix = codePrefixCondition(prefix);
    type Ranked = DocRow & { date_key: string };
    const scored = (await rankScored(ex, viewer, root, query, c, meta, want)) as Ranked[];
    const coded = (await sql<Ranked>`${select(sql`${sql.lit(CODE_PREFIX_POINTS)}`)} where ${inPrefix} and not coalesce(${meta}, false) and ${c.where} order by ${orderBy('date-desc', false)} limit ${want}`.execute(ex)).rows;
    const before = (a: Ranked, b: Ranked) => Number(b.score) - Number(a.score) || (a.date_key < b.date_key ? 1 : a.date_key > b.date_key ? -1 : 0) || Number(b.key) - Number(a.key);
    const top = [...scored, ...coded].sort(before).slice(0, want);
    if (top.length >= want) return top.slice(offset);
    const rest = (
      await sql<DocRow>`${select(sql`0`)} where (d.code_key is null or not (${inPrefix})) and not coalesce(${meta}, false) and ${c.where} order by ${orderBy('date-desc', false)} limit ${want - top.length}`.execute(ex)
    ).rows;
    return [...top, ...rest].slice(offset);
  }

  return probedPage;
}
