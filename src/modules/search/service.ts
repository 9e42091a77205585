/**
 * Search (档案检索): answers a query for one Viewer — hits, total, facets, highlighted
 * snippets with their page, suggestions — from the index alone (query-sql.ts), so the
 * answer is the same on SQLite and PostgreSQL and shows nothing the Viewer may not see.
 * Keeping the index fresh is indexer.ts's job; extraction is extraction.ts's.
 */
import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { Database, Executor } from '../../platform/db/database.js';
import type { Organisations } from '../accounts/organisations.js';
import type { Viewer } from '../accounts/viewer.js';
import type { FeedRecord } from '../catalog/search-feed.js';
import { RETENTION_LABELS, type Retention } from '../catalog/model.js';
import { highlight, matchesAny, needlesOf, snippet } from './highlight.js';
import { DOC_KEY_SPACE, sampleEdge as sampleEdgeOf, sampleLevelAt } from './index-common.js';
import { indexDialect } from './index-sql.js';
import { createLabels, type LabelSources, type Named } from './labels.js';
import { EXACT_FACET_LIMIT, FACET_NAMES, type FacetBucket, type FacetName, type SearchHit, type SearchQuery, type SearchResult } from './model.js';
import { compileQuery, orderBy } from './query-sql.js';
import { createProbedPage, DOC_FIELDS, docFields, type DocRow } from './probed-page.js';
import { describe, parseBox, parseQuery, positiveTerms, type QueryNode } from './query.js';
import { segmentForSuggestion } from './tokenize.js';

export interface SearchCatalog extends LabelSources {
  searchFeed(db: Database['db'], ids: readonly string[]): Promise<FeedRecord[]>;
}

export interface SearchDeps {
  database: Database;
  catalog: SearchCatalog;
  organisations: Organisations;
  /** Tuning of estimates (tests make them small). */
  estimate?: Partial<EstimateOptions>;
}

/**
 * When the total is estimated instead of counted. The issue asks for exact counts up to
 * 10,000 hits: a query is first evaluated on a sample of the index (the `sampleKeys`
 * documents with the lowest keys, a uniform sample); only when that predicts more than
 * `exactUpTo` hits is the answer approximate, and then the page of hits is still the true
 * first page (rows visited in date order, each tested on its own) while the total and the
 * facets come from the sample. Indexes with fewer than `from` keys are always counted.
 */
export interface EstimateOptions {
  from: number;
  sampleKeys: number;
  exactUpTo: number;
}
const ESTIMATE_DEFAULTS: EstimateOptions = { from: 100_000, sampleKeys: 20_000, exactUpTo: 2 * EXACT_FACET_LIMIT };

/**
 * How far a vocabulary's share may fall short of a query's true share (its sample holds
 * 10,000 items: a bigram in 60 of them, 0.6 %, is in 0.45–0.75 % of the index 19 times in 20).
 */
const SHARE_MARGIN = 2;

/** How long the sample's edge key is kept (see sampleEdge). */
const EDGE_KEPT_MS = 60_000;

/** Pages of the hits read for snippets, at most, per answer. */
const SNIPPET_PAGE_BUDGET = 400;


interface Answer {
  page: DocRow[];
  facets: FacetCounts;
  total: number;
  approximate: boolean;
}

/** Facet counts over a sample of the hits (all of them up to 10,000), and the sample's size. */
interface FacetCounts {
  sampleSize: number;
  counts: Array<{ facet: FacetName | 'sample'; value: string; n: number }>;
}

/** One row of a combined answer: 1 = a hit of the page (in order `ord`), 2 = a facet count, 3 = the total. */
interface AnswerRow extends DocRow {
  part: number;
  ord: number;
  total: number;
  facet: string | null;
  value: string | null;
}

/** The search_docs column of each facet (formats: the item's formats as `,pdf,tif,`, split after counting). */
const FACET_COLUMNS: Record<FacetName, string> = { fonds: 'fonds_id', category: 'category_id', year: 'year', retention: 'retention', openness: 'openness', agency: 'agency_id', format: 'formats' };

export function createSearchService(deps: SearchDeps) {
  const { database, catalog, organisations } = deps;
  const db = database.db;
  const labels = createLabels(catalog, organisations);
  const dialect = indexDialect(database.caps);
  const fieldsOf = docFields;
  const probedPage = createProbedPage(dialect);
  const nullFields = sql.join(DOC_FIELDS.map(() => sql`null`));
  const facetFields = (table: string) => sql.join(Object.values(FACET_COLUMNS).map((c) => sql.ref(`${table}.${c}`)));
  const estimate: EstimateOptions = { ...ESTIMATE_DEFAULTS, ...deps.estimate };

  async function count(ex: Executor, viewer: Viewer, root: QueryNode, query: SearchQuery): Promise<number> {
    const c = compileQuery(dialect, viewer, root, query);
    const row = await sql<{ n: number }>`select count(*) as n from search_docs as d where ${c.where}`.execute(ex);
    return Number(row.rows[0]?.n ?? 0);
  }

  /**
   * `union all` parts counting the facet values of the sample CTE `fs` (columns of
   * search_docs), and its size. PostgreSQL: one row per facet value and its count, from one
   * pass of hash aggregates over grouping sets (at 8,000 hits 3 ms less than seven
   * string_aggs, and no 5 ms of splitting and counting them here), the size as the empty
   * set, so `fs` is read once and need not be materialised (at 1,000,000 items 2 of 30 ms
   * for 蓄洪's 6,188 hits). SQLite has no grouping sets, and seven GROUP BYs over the CTE
   * cost it a sort each (13 ms of a 28 ms query at 6,000 hits): one row per facet with the
   * values joined by U+001F, counted here, and `fs` is materialised for them.
   */
  const VALUE_SEPARATOR = '\u001f';
  const facetColumn = (f: FacetName) => sql.ref(`fs.${FACET_COLUMNS[f]}`);
  function facetParts(): RawBuilder<unknown> {
    if (dialect.kind === 'postgres') {
      const name = sql.join(FACET_NAMES.map((f) => sql`when grouping(${facetColumn(f)}) = 0 then ${sql.lit(f)}`), sql` `);
      const value = sql.join(FACET_NAMES.map((f) => sql`cast(${facetColumn(f)} as text)`));
      const sets = sql.join(FACET_NAMES.map((f) => sql`(${facetColumn(f)})`));
      return sql`union all select 2, 0, count(*), 0, 0, case ${name} else 'sample' end, coalesce(${value}, ''), ${nullFields} from fs group by grouping sets (${sets}, ())`;
    }
    const parts = FACET_NAMES.map((f) => sql`union all select 2, 0, 0, 0, 0, ${sql.lit(f)}, group_concat(cast(${facetColumn(f)} as text), char(31)), ${nullFields} from fs`);
    return sql.join([...parts, sql`union all select 2, 0, count(*), 0, 0, 'sample', '', ${nullFields} from fs`], sql` `);
  }
  /** How `fs` is kept: read once on PostgreSQL (facetParts), eight times on SQLite. */
  const fsKept = dialect.kind === 'postgres' ? sql`` : sql`materialized `;

  function facetCountsOf(rows: readonly AnswerRow[]): FacetCounts {
    const counts: FacetCounts['counts'] = [];
    let sampleSize = 0;
    for (const r of rows) {
      if (Number(r.part) !== 2) continue;
      if (r.facet === 'sample') {
        sampleSize = Number(r.total);
        continue;
      }
      if (dialect.kind === 'postgres') {
        // One value and its count (a null value, an item without that facet, counts nowhere).
        if (r.value !== null && r.value !== '') counts.push({ facet: r.facet as FacetName, value: r.value, n: Number(r.total) });
        continue;
      }
      const tally = new Map<string, number>();
      for (const value of (r.value ?? '').split(VALUE_SEPARATOR)) if (value !== '') tally.set(value, (tally.get(value) ?? 0) + 1);
      for (const [value, n] of tally) counts.push({ facet: r.facet as FacetName, value, n });
    }
    return { sampleSize, counts };
  }

  /**
   * Whether the row `d` of `m` is among its `n` lowest keys: only the keys are sorted (at
   * 8,000 hits sorting the rows with their facet columns took 5 ms), and only where `m`
   * holds more than `n` (PostgreSQL evaluates the sort on first use: 1 ms at 6,000 hits).
   * `c` is the count of `m`, counted once (1.4 ms at 6,188 hits) for this and the total.
   */
  function lowestKeys(n: number): RawBuilder<SqlBool> {
    if (n === 0) return sql<SqlBool>`1 = 0`;
    return sql<SqlBool>`((select c.n from c) <= ${n} or d.key <= coalesce((select x.key from m as x order by x.key limit 1 offset ${n - 1}), ${sql.lit(DOC_KEY_SPACE)}))`;
  }

  /**
   * The page of hits, the total and the facet counts from one evaluation of the query:
   * the matching rows (key, score, content flag and facet columns) are materialised once
   * and read three times. Facets are counted over the 10,000 hits with the lowest keys: keys are
   * pseudo-random (indexer.ts), so beyond 10,000 hits that is a uniform sample.
   */
  async function exactAnswer(ex: Executor, viewer: Viewer, root: QueryNode, query: SearchQuery): Promise<Answer> {
    const c = compileQuery(dialect, viewer, root, query);
    const order = orderBy(query.sort, root.kind !== 'all');
    const offset = (query.page - 1) * query.pageSize;
    const sampleSize = query.facets === '1' ? EXACT_FACET_LIMIT : 0;
    const rows = (
      await sql<AnswerRow>`with m as materialized (select d.key, d.date_key, d.archival_code, ${c.content} as content, ${c.score} as score, ${facetFields('d')} from search_docs as d where ${c.where}),
          c as materialized (select count(*) as n from m),
          pg as (select d.key, d.date_key, d.archival_code, d.content, d.score from m as d order by ${order} limit ${query.pageSize} offset ${offset}),
          fs as ${fsKept}(select ${facetFields('d')} from m as d where ${lowestKeys(sampleSize)})
        select 1 as part, row_number() over (order by ${order}) as ord, 0 as total, d.content, d.score, cast(null as text) as facet, cast(null as text) as value, ${fieldsOf('s')} from pg as d join search_docs as s on s.key = d.key
        ${facetParts()}
        union all select 3, 0, (select c.n from c), 0, 0, null, null, ${nullFields}`.execute(ex)
    ).rows;
    const page = rows.filter((r) => Number(r.part) === 1).sort((a, b) => Number(a.ord) - Number(b.ord));
    return { page, facets: facetCountsOf(rows), total: Number(rows.find((r) => Number(r.part) === 3)?.total ?? 0), approximate: false };
  }

  /**
   * The key below which the sample lies: the smallest sample region (index-common.ts
   * sampleEdge, a power-of-two share of the key space) holding `sampleKeys` documents, and
   * the index's size that predicts. Reading it walks `sampleKeys` rows, so on a large index
   * it is kept for a minute: any region gives an unbiased estimate (the scale is the key
   * space over the edge), a stale one only a sample slightly larger or smaller.
   */
  let edgeKept: { edge: number; size: number; until: number } | null = null;
  async function sampleEdge(ex: Executor): Promise<{ edge: number; size: number } | null> {
    if (edgeKept && edgeKept.until > Date.now()) return edgeKept;
    const row = (await sql<{ key: number }>`select key from search_docs order by key limit 1 offset ${estimate.sampleKeys - 1}`.execute(ex)).rows[0];
    if (!row) return null;
    const nth = Number(row.key);
    const found = { edge: sampleEdgeOf(sampleLevelAt(nth)), size: estimate.sampleKeys * (DOC_KEY_SPACE / nth) };
    // Only a large index is worth keeping it for (a small one is counted exactly anyway, and grows).
    if (found.size >= estimate.from) edgeKept = { ...found, until: Date.now() + EDGE_KEPT_MS };
    return found;
  }

  /** The exact answer, or for a query the sample predicts to hit more than `exactUpTo`, the estimated one. */
  async function answer(ex: Executor, viewer: Viewer, root: QueryNode, query: SearchQuery): Promise<Answer> {
    // Keys are spread pseudo-randomly over 1 … DOC_KEY_SPACE (indexer.ts), so the documents
    // with the `sampleKeys` lowest keys are a uniform sample, and the same one every time.
    const sample = await sampleEdge(ex);
    if (sample === null || sample.size < estimate.from) return exactAnswer(ex, viewer, root, query);
    // A query whose share of the index is known to be small is counted without asking the sample first.
    const bound = dialect.shareBound(root);
    if (bound !== null && bound * sample.size * SHARE_MARGIN <= estimate.exactUpTo) return exactAnswer(ex, viewer, root, query);
    const scale = DOC_KEY_SPACE / sample.edge;
    const c = compileQuery(dialect, viewer, root, query, { range: { from: 1, to: sample.edge } });
    // The sample's facets are read only where its count predicts an estimate (otherwise the exact answer counts them).
    const estimated = sql<SqlBool>`(select c.n from c) > ${Math.floor(estimate.exactUpTo / scale)}`;
    const rows = (
      await sql<AnswerRow>`with m as materialized (select d.key from search_docs as d where ${c.where}),
          c as materialized (select count(*) as n from m),
          fs as ${fsKept}(select ${facetFields('s')} from (select m.key from m where ${estimated} order by m.key limit ${EXACT_FACET_LIMIT}) as x join search_docs as s on s.key = x.key)
        select 0 as part, 0 as ord, 0 as total, 0 as content, 0 as score, cast(null as text) as facet, cast(null as text) as value, ${nullFields} where 1 = 0
        ${facetParts()}
        union all select 3, 0, (select c.n from c), 0, 0, null, null, ${nullFields}`.execute(ex)
    ).rows;
    const predicted = Math.round(Number(rows.find((r) => Number(r.part) === 3)?.total ?? 0) * scale);
    if (predicted <= estimate.exactUpTo) return exactAnswer(ex, viewer, root, query);
    return { page: await probedPage(ex, viewer, root, query), facets: facetCountsOf(rows), total: predicted, approximate: true };
  }

  async function facetsOf(ex: Executor, sampled: FacetCounts, total: number): Promise<{ approximate: boolean; facets: Record<FacetName, FacetBucket[]> }> {
    const approximate = total > sampled.sampleSize;
    const scale = approximate && sampled.sampleSize > 0 ? total / sampled.sampleSize : 1;
    const counts = Object.fromEntries(FACET_NAMES.map((f) => [f, new Map<string, number>()])) as Record<FacetName, Map<string, number>>;
    const bump = (facet: FacetName, value: string, n: number) => {
      if (value === '') return;
      const m = counts[facet];
      m.set(value, (m.get(value) ?? 0) + n);
    };
    for (const c of sampled.counts) {
      const facet = c.facet as FacetName;
      if (facet === 'format') for (const f of c.value.split(',')) bump('format', f, c.n);
      else bump(facet, c.value, c.n);
    }
    const labelOf = await labelsFor(ex, counts);
    const facets = {} as Record<FacetName, FacetBucket[]>;
    for (const name of FACET_NAMES) {
      const buckets = [...counts[name]].map(([value, n]) => ({ value, label: labelOf[name](value), count: Math.round(n * scale) }));
      buckets.sort((a, b) => (name === 'year' ? Number(b.value) - Number(a.value) : b.count - a.count || a.label.localeCompare(b.label, 'zh')));
      facets[name] = buckets.slice(0, 50);
    }
    return { approximate, facets };
  }

  async function labelsFor(ex: Executor, counts: Record<FacetName, Map<string, number>>): Promise<Record<FacetName, (v: string) => string>> {
    const lists = await labels.lists(ex, counts.fonds.keys(), counts.category.keys());
    const label = (m: Map<string, Named>, v: string) => {
      const e = m.get(v);
      return e ? `${e.code} ${e.name}` : v;
    };
    const agencies = await labels.agencies(ex, [...counts.agency.keys()]);
    return {
      fonds: (v) => label(lists.fonds, v),
      category: (v) => label(lists.categories, v),
      year: (v) => v,
      retention: (v) => RETENTION_LABELS[v as Retention]?.zh ?? v,
      openness: (v) => v,
      agency: (v) => agencies.get(v) ?? v,
      format: (v) => v.toUpperCase(),
    };
  }

  async function hitsOf(ex: Executor, rows: readonly DocRow[], needles: readonly string[]): Promise<SearchHit[]> {
    if (rows.length === 0) return [];
    const { fonds, categories } = await labels.lists(
      ex,
      rows.map((r) => r.fonds_id),
      rows.map((r) => r.category_id),
    );
    const contentRows = rows.filter((r) => Number(r.content) === 1);
    const feed = new Map((await catalog.searchFeed(ex, contentRows.map((r) => r.record_id))).map((f) => [f.id, f]));
    const snippets = new Map<number, SearchHit['snippets']>();
    if (needles.length > 0 && contentRows.length > 0) {
      const pages = await ex
        .selectFrom('search_pages')
        .select(['doc_key', 'file_id', 'page', 'text'])
        .where('doc_key', 'in', contentRows.map((r) => r.key))
        .orderBy('key')
        .limit(SNIPPET_PAGE_BUDGET)
        .execute();
      for (const p of pages) {
        const docKey = Number(p.doc_key);
        const list = snippets.get(docKey) ?? [];
        if (list.length >= 2 || !matchesAny(p.text, needles)) continue;
        const text = snippet(p.text, needles);
        if (!text) continue;
        const record = feed.get(rows.find((r) => r.key === docKey)?.record_id ?? '');
        list.push({ fileId: p.file_id, fileName: record?.files.find((f) => f.id === p.file_id)?.name ?? '', page: p.page, text });
        snippets.set(docKey, list);
      }
    }
    return rows.map((r) => {
      const content = Number(r.content) === 1;
      const f = fonds.get(r.fonds_id);
      const c = categories.get(r.category_id);
      return {
        id: r.record_id,
        archivalCode: r.archival_code,
        title: highlight(r.title, needles),
        responsible: r.responsible,
        docNumber: r.doc_number,
        date: r.date,
        year: r.year === null ? null : Number(r.year),
        fondsId: r.fonds_id,
        fondsCode: f?.code ?? null,
        fondsName: f?.name ?? null,
        categoryCode: c?.code ?? null,
        categoryName: c?.name ?? null,
        retention: r.retention,
        openness: r.openness as SearchHit['openness'],
        classification: r.classification as SearchHit['classification'],
        visibility: content ? 'content' : 'catalog',
        snippets: content ? (snippets.get(Number(r.key)) ?? []) : [],
        thumbnail: content && r.thumb_file_id ? `/api/catalog/items/${r.record_id}/files/${r.thumb_file_id}/thumbnail` : null,
        fileCount: content ? Number(r.file_count) : 0,
      };
    });
  }

  async function suggestionsFor(ex: Executor, viewer: Viewer, root: QueryNode, query: SearchQuery): Promise<SearchResult['suggestions']> {
    const candidates: string[] = [];
    const terms = positiveTerms(root);
    for (const term of terms) {
      const words = segmentForSuggestion(term.display).filter((w) => w.trim() !== '' && (Array.from(w).length > 1 || !/\p{Script=Han}/u.test(w)));
      if (words.length > 1) candidates.push(words.join(' '), ...[...words].sort((a, b) => b.length - a.length));
    }
    if (terms.length > 1) for (const term of terms.slice(0, 3)) candidates.push(term.display);
    const out: SearchResult['suggestions'] = [];
    for (const q of [...new Set(candidates)].slice(0, 6)) {
      if (out.length >= 3) break;
      const parsed = parseBox(q).node;
      if (!parsed) continue;
      const n = await count(ex, viewer, parsed, query);
      if (n > 0) out.push({ q, count: n });
    }
    return out.slice(0, 3);
  }

  return {
    /** One page of hits for the viewer, with facets unless `facets` is '0'. */
    async search(viewer: Viewer, query: SearchQuery): Promise<SearchResult> {
      const started = performance.now();
      const parsed = parseQuery(query.q, query.adv);
      const root = parsed.root;
      const needles = needlesOf(positiveTerms(root).map((t) => t.display));
      // Everything is read on the answer's connection, in its snapshot: a search holds one
      // pooled connection, whose backend has touched the pages before, not several.
      const { total, approximate: estimated, suggestions, f, hits } = await dialect.read(db, async (ex) => {
        const a = await answer(ex, viewer, root, query);
        return {
          ...a,
          suggestions: a.total === 0 && root.kind !== 'all' ? await suggestionsFor(ex, viewer, root, query) : [],
          f: query.facets === '1' && a.total > 0 ? await facetsOf(ex, a.facets, a.total) : null,
          hits: await hitsOf(ex, a.page, needles),
        };
      });
      const facets = f?.facets ?? (Object.fromEntries(FACET_NAMES.map((n) => [n, [] as FacetBucket[]])) as Record<FacetName, FacetBucket[]>);
      const approximate = estimated || (f?.approximate ?? false);
      return {
        total,
        approximate,
        page: query.page,
        pageSize: query.pageSize,
        hits,
        facets,
        understood: root.kind === 'all' ? [] : [describe(root)],
        truncated: parsed.truncated,
        suggestions,
        tookMs: Math.round((performance.now() - started) * 10) / 10,
      };
    },
  };
}

export type SearchService = ReturnType<typeof createSearchService>;
