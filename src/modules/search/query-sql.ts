/**
 * A parsed query as SQL over the index, the same on both databases except for the
 * per-term key sets (index-sql.ts):
 *
 *  - the match: documents the viewer may see whose keys are in the query's set. For an
 *    item the viewer sees only as catalog, the query is evaluated on its metadata alone,
 *    so a word in its text can neither find it nor change a count (no leak by search);
 *  - the filters (facets, date range);
 *  - Lantai's own relevance score, identical on both databases: per query term, points
 *    for where it matches — 档号 prefix 100, whole word in the title 50, in the title 30,
 *    whole word in other metadata 20, in other metadata 10 (a match in the text alone
 *    scores 0: probing the pages again per term doubled the cost of every query) —
 *    ties broken by date (newest first) and key.
 */
import { sql, type Expression, type RawBuilder, type SqlBool } from 'kysely';
import type { Viewer } from '../accounts/viewer.js';
import { contentWhereVisible, visibilitySql } from '../accounts/viewer.js';
import { EMPTY_SET, inRange, inRangeFilter, type KeyRange, type MetaField } from './index-common.js';
import type { IndexDialect } from './index-sql.js';
import type { SearchQuery, SearchSort } from './model.js';
import { metaFieldsOf, positiveTerms, searchesPages, type QueryNode, type TermNode } from './query.js';

type Scope = 'full' | 'meta';

/** Most terms that add to the score (each adds a few set probes). */
const MAX_SCORED_TERMS = 6;

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
/**
 * Whether a normalised code starts with the prefix: a range of the code index (code-point
 * order: SQLite's BINARY, PostgreSQL's "C" index of migration 02), then LIKE to be exact.
 * LIKE alone cannot use an index on either database (case-insensitive / locale collation).
 */
function codePrefixTest(dialect: IndexDialect, column: string, prefix: string): RawBuilder<SqlBool> {
  const ordered = dialect.kind === 'postgres' ? sql`(${sql.ref(column)} collate "C")` : sql.ref(column);
  return sql<SqlBool>`${ordered} >= ${prefix} and ${ordered} < ${`${prefix}\u{10FFFF}`} and ${sql.ref(column)} like ${`${escapeLike(prefix)}%`} escape '\\'`;
}
function codePrefixSet(dialect: IndexDialect, prefix: string, range: KeyRange | null): RawBuilder<unknown> {
  return sql`select key as k from search_docs where ${codePrefixTest(dialect, 'code_key', prefix)}${range ? sql` and ${inRange('key', range)}` : sql``}`;
}

// Compiling is synchronous, so one counter serves every statement in turn.
/** Wraps a set so it can be an operand of UNION / INTERSECT / EXCEPT on both databases (SQLite allows no parentheses there). */
let alias = 0;
function operand(set: RawBuilder<unknown>): RawBuilder<unknown> {
  return sql`select k from (${set}) as ${sql.raw(`s${++alias}`)}`;
}
/**
 * Sets are only ever read through IN / NOT IN or as operands of INTERSECT / EXCEPT, which
 * ignore duplicates, so a union keeps them (UNION ALL): a distinct UNION made SQLite sort
 * each term's keys (90,000 per term of 防汛 抗旱 at 1,000,000 items) before intersecting them
 * (63 → 43 ms).
 */
function compound(op: 'union' | 'intersect' | 'except', sets: RawBuilder<unknown>[]): RawBuilder<unknown> {
  if (sets.length === 1) return sets[0] as RawBuilder<unknown>;
  return sql.join(sets.map(operand), sql.raw(op === 'union' ? ' union all ' : ` ${op} `));
}

const allSet = (range: KeyRange | null) => (range ? sql`select key as k from search_docs where ${inRange('key', range)}` : sql`select key as k from search_docs`);

/** The keys a query node matches, with page text (full) or without (meta); only keys within `range` if given (a sample). */
export function compileSet(dialect: IndexDialect, node: QueryNode, scope: Scope, range: KeyRange | null = null): RawBuilder<unknown> {
  const test = scope === 'full' ? fullTest(dialect, node, range) : null;
  if (test !== null) return sql`select d.key as k from search_docs as d where ${test}${range ? sql` and ${inRangeFilter('d.key', range)}` : sql``}`;
  const whole = dialect.treeSet(node, scope, range);
  if (whole !== null) return whole;
  switch (node.kind) {
    case 'all':
      return allSet(range);
    case 'term': {
      const parts: RawBuilder<unknown>[] = [];
      const fields = metaFieldsOf(node);
      if (fields.length > 0 && node.tokens.length > 0) parts.push(dialect.metaSet(node, fields, 'sub', range));
      if (scope === 'full' && searchesPages(node) && node.tokens.length > 0) parts.push(dialect.pageSet(node, range));
      if (node.codePrefix !== null) parts.push(codePrefixSet(dialect, node.codePrefix, range));
      return parts.length === 0 ? EMPTY_SET : compound('union', parts);
    }
    case 'or':
      return compound('union', node.children.map((c) => compileSet(dialect, c, scope, range)));
    case 'not':
      return compound('except', [allSet(range), compileSet(dialect, node.child, scope, range)]);
    case 'and': {
      const positives = node.children.filter((c) => c.kind !== 'not');
      const negatives = node.children.flatMap((c) => (c.kind === 'not' ? [c.child] : []));
      const base = positives.length === 0 ? allSet(range) : compound('intersect', positives.map((c) => compileSet(dialect, c, scope, range)));
      return negatives.length === 0 ? base : compound('except', [base, ...negatives.map((c) => compileSet(dialect, c, scope, range))]);
    }
  }
}

/** Whether the row `d` matches a query node with page text, from an index on search_docs (IndexDialect.treeTest); else null. */
function fullTest(dialect: IndexDialect, node: QueryNode, range: KeyRange | null): RawBuilder<SqlBool> | null {
  return dialect.treeTest(node, (n) => compileProbe(dialect, n, 'full'), range);
}

/** Whether the row `d` matches a query node, looking at that row alone (for rows visited in order, a few at a time). */
export function compileProbe(dialect: IndexDialect, node: QueryNode, scope: Scope): RawBuilder<SqlBool> {
  switch (node.kind) {
    case 'all':
      return sql<SqlBool>`1 = 1`;
    case 'term': {
      const parts: RawBuilder<SqlBool>[] = [];
      const fields = metaFieldsOf(node);
      // Cheapest first: the row's own 档号, then its metadata, then its pages.
      if (node.codePrefix !== null) parts.push(codePrefixTest(dialect, 'd.code_key', node.codePrefix));
      if (fields.length > 0 && node.tokens.length > 0) parts.push(dialect.metaRowProbe(node, fields, 'sub'));
      if (scope === 'full' && searchesPages(node) && node.tokens.length > 0) parts.push(dialect.pageRowProbe(node));
      return parts.length === 0 ? sql<SqlBool>`1 = 0` : sql<SqlBool>`(${sql.join(parts, sql` or `)})`;
    }
    case 'or':
      return sql<SqlBool>`(${sql.join(node.children.map((c) => compileProbe(dialect, c, scope)), sql` or `)})`;
    case 'not':
      return sql<SqlBool>`(not ${compileProbe(dialect, node.child, scope)})`;
    case 'and':
      return sql<SqlBool>`(${sql.join(node.children.map((c) => compileProbe(dialect, c, scope)), sql` and `)})`;
  }
}

/** One part per scored term's metadata fields and 档号 prefix (what makes a row score above 0). */
function scoringParts<T>(root: QueryNode, options: { codes?: boolean }, meta: (term: TermNode, fields: readonly MetaField[]) => T, code: (prefix: string) => T): T[] {
  const parts: T[] = [];
  for (const term of positiveTerms(root).slice(0, MAX_SCORED_TERMS)) {
    const fields = metaFieldsOf(term);
    if (fields.length > 0 && term.tokens.length > 0) parts.push(meta(term, fields));
    if (term.codePrefix !== null && options.codes !== false) parts.push(code(term.codePrefix));
  }
  return parts;
}

/**
 * The keys of documents that score above 0 (some scored term in their metadata or 档号):
 * by relevance they come before every other hit, which all score 0 and follow by date.
 */
export function scoredSet(dialect: IndexDialect, root: QueryNode, options: { codes?: boolean } = {}): RawBuilder<unknown> {
  const parts = scoringParts(root, options, (term, fields) => dialect.metaSet(term, fields, 'sub'), (prefix) => codePrefixSet(dialect, prefix, null));
  return parts.length === 0 ? EMPTY_SET : compound('union', parts);
}

/**
 * Whether the row `d` scores above 0, as a condition. SQLite: membership of scoredSet
 * (FTS5 gives each set's keys straight from its doclists). PostgreSQL: the row's own
 * vector tested against each term, an OR the planner answers with one BitmapOr over the
 * GIN index, reading each row once: ranking 改革's 83,000 rows (the responsible agency
 * of 8 % of the bench's items) through the set took a hash of its keys and a second
 * lookup of every row, 557 ms at 1,000,000 items.
 */
export function scoredTest(dialect: IndexDialect, root: QueryNode, options: { codes?: boolean } = {}): RawBuilder<SqlBool> {
  if (dialect.kind !== 'postgres') return sql<SqlBool>`d.key in (${scoredSet(dialect, root, options)})`;
  const parts = scoringParts(root, options, (term, fields) => dialect.metaRowProbe(term, fields, 'sub'), (prefix) => codePrefixTest(dialect, 'd.code_key', prefix));
  return parts.length === 0 ? sql<SqlBool>`1 = 0` : sql<SqlBool>`(${sql.join(parts, sql` or `)})`;
}

/**
 * The 档号 prefix of a query whose only scored term has one (`J002`, `Z109-WS·2011`): a
 * prefix may cover a large share of the holdings, and all its hits outside the term's
 * metadata sets score exactly the prefix's 100 points, so they rank among themselves by
 * date alone and need no scoring.
 */
export function soleCodePrefix(root: QueryNode): string | null {
  const terms = positiveTerms(root);
  return terms.length === 1 ? (terms[0]?.codePrefix ?? null) : null;
}

/**
 * Whether the row `d`'s 档号 starts with the prefix, tested on each row visited: the column
 * is wrapped so neither database reads the prefix's range from the code index and sorts it
 * (241,000 rows for J001-WS at 1,000,000 items) when rows are wanted in date order — a
 * prefix this is used for covers over 2 % of the index, so the date index meets 20 of its
 * hits within a few thousand rows.
 */
export function codePrefixCondition(prefix: string): RawBuilder<SqlBool> {
  return sql<SqlBool>`(d.code_key || '') like ${`${escapeLike(prefix)}%`} escape '\\'`;
}

/** Points a 档号 prefix match scores. */
export const CODE_PREFIX_POINTS = 100;

/** Whether any term of the query reaches page text (else the meta-only set is the whole answer). */
function readsPages(node: QueryNode): boolean {
  switch (node.kind) {
    case 'term':
      return searchesPages(node) && node.tokens.length > 0;
    case 'and':
    case 'or':
      return node.children.some(readsPages);
    case 'not':
      return readsPages(node.child);
    case 'all':
      return false;
  }
}

function hasNot(node: QueryNode): boolean {
  return node.kind === 'not' || ((node.kind === 'and' || node.kind === 'or') && node.children.some(hasNot));
}

export const DOC_COLUMNS = { id: 'd.record_id', classification: 'd.classification', control: 'd.control', openness: 'd.openness', agencyId: 'd.agency_id', volumeId: 'd.volume_id', fondsId: 'd.fonds_id' } as const;

export interface CompiledQuery {
  /** The WHERE condition over `search_docs as d`. */
  where: Expression<SqlBool>;
  /** The same without the terms: visibility, facet filters, date range. */
  filters: Expression<SqlBool>;
  /** 1 when the viewer may see the document's content, else 0. */
  content: RawBuilder<number>;
  /** The relevance score expression. */
  score: RawBuilder<number>;
}

function padDate(value: string, fill: '0' | '9'): string {
  return value.padEnd(8, fill);
}

/** The match, filters and score of one search, for `search_docs as d`. */
export interface CompileOptions {
  /** Evaluate the sets on this key range only (a sample for an estimate). */
  range?: KeyRange | null;
  /** Test each row visited on its own instead of building the sets (few rows visited in an index's order). */
  probe?: boolean;
}

/** The match, filters and score of one search, for `search_docs as d`. */
export function compileQuery(dialect: IndexDialect, viewer: Viewer, root: QueryNode, query: SearchQuery, options: CompileOptions = {}, now = new Date()): CompiledQuery {
  // Subquery aliases restart per statement, so the same query compiles to the same SQL (snapshots).
  alias = 0;
  const range = options.range ?? null;
  const { visible, content } = visibilitySql(viewer, DOC_COLUMNS, now);
  const conditions: Expression<SqlBool>[] = [visible];

  // The term-matching conditions, kept apart so a caller can apply the filters alone.
  const match: Expression<SqlBool>[] = [];
  let fullDrives = false;
  if (root.kind !== 'all' && options.probe) {
    const meta = compileProbe(dialect, root, 'meta');
    if (!readsPages(root)) match.push(meta);
    else if (contentWhereVisible(viewer)) match.push(compileProbe(dialect, root, 'full'));
    else match.push(sql<SqlBool>`((${content} and ${compileProbe(dialect, root, 'full')}) or (not ${content} and ${meta}))`);
  } else if (root.kind !== 'all') {
    const metaSet = compileSet(dialect, root, 'meta', range);
    if (!readsPages(root)) {
      match.push(sql<SqlBool>`d.key in (${metaSet})`);
    } else {
      const full = fullTest(dialect, root, range);
      fullDrives = full !== null;
      if (contentWhereVisible(viewer)) {
        // Nothing this viewer sees is catalog-only: the full match is the answer (one set or test, no OR).
        match.push(full ?? sql<SqlBool>`d.key in (${compileSet(dialect, root, 'full', range)})`);
      } else if (full !== null && !hasNot(root)) {
        // Without NOT a match in the metadata is a match with the text too, so the hits are the
        // full matches whose content the viewer sees or whose metadata matches.
        match.push(full, sql<SqlBool>`(${content} or d.key in (${metaSet}))`);
      } else {
        const fullSet = compileSet(dialect, root, 'full', range);
        // Without NOT the meta-only answer is inside the full one, so the full set alone drives the lookup.
        const driver = hasNot(root) ? compound('union', [fullSet, metaSet]) : fullSet;
        match.push(sql<SqlBool>`d.key in (${driver})`);
        match.push(sql<SqlBool>`((${content} and d.key in (${fullSet})) or (not ${content} and d.key in (${metaSet})))`);
      }
    }
  }

  // Where the terms index drives the match, the range is checked on its rows (inRangeFilter).
  if (range) conditions.push(fullDrives ? inRangeFilter('d.key', range) : inRange('d.key', range));
  conditions.push(...match);
  const inList = (column: string, values: readonly string[]) => sql<SqlBool>`${sql.ref(column)} in (${sql.join(values)})`;
  if (query.fonds.length > 0) conditions.push(inList('d.fonds_id', query.fonds));
  if (query.category.length > 0) conditions.push(inList('d.category_id', query.category));
  if (query.agency.length > 0) conditions.push(inList('d.agency_id', query.agency));
  if (query.retention.length > 0) conditions.push(inList('d.retention', query.retention));
  if (query.openness.length > 0) conditions.push(inList('d.openness', query.openness));
  if (query.year.length > 0) {
    const years = query.year.map((y) => Number(y)).filter((y) => Number.isInteger(y));
    conditions.push(years.length === 0 ? sql<SqlBool>`1 = 0` : sql<SqlBool>`d.year in (${sql.join(years)})`);
  }
  if (query.format.length > 0) conditions.push(sql<SqlBool>`(${sql.join(query.format.map((f) => sql`d.formats like ${`%,${escapeLike(f)},%`} escape '\\'`), sql` or `)})`);
  if (query.dateFrom) conditions.push(sql<SqlBool>`d.date_key >= ${padDate(query.dateFrom, '0')}`);
  if (query.dateTo) conditions.push(sql<SqlBool>`d.date_key <= ${padDate(query.dateTo, '9')}`);

  const contentFlag = sql<number>`(case when ${content} then 1 else 0 end)`;
  const filters = conditions.filter((c) => !match.includes(c));
  return {
    where: sql<SqlBool>`${sql.join(conditions, sql` and `)}`,
    filters: sql<SqlBool>`${sql.join(filters, sql` and `)}`,
    content: contentFlag,
    score: scoreOf(dialect, root, options.probe === true),
  };
}

function scoreOf(dialect: IndexDialect, root: QueryNode, rowProbes: boolean): RawBuilder<number> {
  const metaProbe = rowProbes ? dialect.metaRowProbe : dialect.metaProbe;
  const terms = positiveTerms(root).slice(0, MAX_SCORED_TERMS);
  const parts: RawBuilder<number>[] = [];
  const probe = (into: RawBuilder<number>[], test: Expression<SqlBool>, points: number) => into.push(sql<number>`(case when ${test} then ${sql.lit(points)} else 0 end)`);
  for (const term of terms) {
    if (term.codePrefix !== null) probe(parts, codePrefixTest(dialect, 'd.code_key', term.codePrefix), CODE_PREFIX_POINTS);
    if (term.tokens.length === 0) continue;
    const fields = metaFieldsOf(term);
    const meta: RawBuilder<number>[] = [];
    if (fields.includes('title')) {
      if (term.words.length > 0) probe(meta, metaProbe(term, ['title'], 'word'), 50);
      probe(meta, metaProbe(term, ['title'], 'sub'), 30);
    }
    const others = fields.filter((f) => f !== 'title');
    if (others.length > 0) {
      if (term.words.length > 0) probe(meta, metaProbe(term, others, 'word'), 20);
      probe(meta, metaProbe(term, others, 'sub'), 10);
    }
    const gate = meta.length > 1 ? dialect.metaGate(term, fields) : null;
    if (gate === null) parts.push(...meta);
    else parts.push(sql<number>`(case when ${gate} then ${sql.join(meta, sql` + `)} else 0 end)`);
  }
  return parts.length === 0 ? sql<number>`0` : sql<number>`(${sql.join(parts, sql` + `)})`;
}

/** ORDER BY for a sort; relevance without a query (browsing) is newest first. */
export function orderBy(sort: SearchSort, scored: boolean): RawBuilder<unknown> {
  switch (sort) {
    case 'relevance':
      return scored ? sql`score desc, d.date_key desc, d.key desc` : sql`d.date_key desc, d.key desc`;
    case 'date-desc':
      return sql`d.date_key desc, d.key desc`;
    case 'date-asc':
      return sql`d.date_key asc, d.key asc`;
    case 'code':
      return sql`(case when d.archival_code is null then 1 else 0 end), d.archival_code, d.key`;
  }
}
