/**
 * SQLite's full-text part of the search index: two contentless FTS5 tables fed the
 * token streams tokenize.ts made (rowid = document key), and FTS5 query expressions.
 *
 *  - search_meta_fts: each metadata field's substring stream and word stream (title,
 *    title_w, …): the metadata-only answer (items seen only as catalog) and the ranking.
 *  - search_doc_fts: the substring streams of the metadata fields and of all the item's
 *    pages in one row (title, resp, docno, other, text), so a whole query — AND, OR,
 *    NOT, phrases — is one MATCH that FTS5 answers by merging doclists: 防汛 抗旱 at
 *    1,000,000 items was an INTERSECT of two 90,000-key sets, one per term, each the
 *    union of a metadata set and a page set.
 *
 * Streams hold only tokens and spaces, so FTS5's `ascii` tokenizer splits them where
 * tokenize.ts joined them (it keeps every non-ASCII character, marks included, inside a
 * token): 19 % faster than unicode61 at 100,000 pages.
 */
import { sql, type QueryExecutorProvider, type RawBuilder } from 'kysely';
import type { Db, Executor } from '../../platform/db/database.js';
import { EMPTY_SET, type MetaField, type MetaStreams, type StreamPair } from './index-common.js';
import { metaFieldsOf, searchesPages, type QueryNode, type TermNode } from './query.js';

export const FTS_TABLES = ['search_meta_fts', 'search_doc_fts'] as const;
export type FtsTable = (typeof FTS_TABLES)[number];

/**
 * Put between two pages in search_doc_fts's text: a token no query holds (tokens are
 * letters, digits and marks; U+E000 is a private-use character), so no phrase runs from
 * the end of one page into the next, as none does on PostgreSQL, whose pages are rows.
 */
const PAGE_BREAK = '\uE000';

/** search_doc_fts's columns: the metadata fields' substring streams, then the pages'. */
const DOC_COLUMNS = ['title', 'resp', 'docno', 'other', 'text'] as const;

/** The two tables (SQLite). */
export async function createFtsTables(db: QueryExecutorProvider): Promise<void> {
  const options = sql.raw(`content='', contentless_delete=1, tokenize="ascii"`);
  await sql`create virtual table search_meta_fts using fts5(title, title_w, resp, resp_w, docno, docno_w, other, other_w, ${options})`.execute(db);
  await sql`create virtual table search_doc_fts using fts5(${sql.raw(DOC_COLUMNS.join(', '))}, ${options})`.execute(db);
}

/** Writes the full text of documents (ascending keys: FTS5 writes a batch in one segment only while rowids grow). */
export async function writeFts(tx: Executor, rows: ReadonlyArray<{ key: number; streams: MetaStreams; pages: readonly StreamPair[] }>): Promise<void> {
  for (let i = 0; i < rows.length; i += 100) {
    const part = rows.slice(i, i + 100);
    const meta = part.map((r) => {
      const s = r.streams;
      return sql`(${r.key}, ${s.title.sub}, ${s.title.words}, ${s.resp.sub}, ${s.resp.words}, ${s.docno.sub}, ${s.docno.words}, ${s.other.sub}, ${s.other.words})`;
    });
    await sql`insert into search_meta_fts (rowid, title, title_w, resp, resp_w, docno, docno_w, other, other_w) values ${sql.join(meta)}`.execute(tx);
    const docs = part.map((r) => {
      const s = r.streams;
      const text = r.pages.map((p) => p.sub).join(` ${PAGE_BREAK} `);
      return sql`(${r.key}, ${s.title.sub}, ${s.resp.sub}, ${s.docno.sub}, ${s.other.sub}, ${text})`;
    });
    await sql`insert into search_doc_fts (rowid, ${sql.raw(DOC_COLUMNS.join(', '))}) values ${sql.join(docs)}`.execute(tx);
  }
}

export async function deleteFts(tx: Executor, keys: readonly number[]): Promise<void> {
  for (let i = 0; i < keys.length; i += 500) {
    const part = sql.join(keys.slice(i, i + 500));
    for (const table of FTS_TABLES) await sql`delete from ${sql.table(table)} where rowid in (${part})`.execute(tx);
  }
}

/** An FTS5 phrase of tokens (tokens hold only letters, digits and marks: nothing to escape); `*` makes its last token a prefix. */
export function fts5Phrase(term: TermNode): string {
  return `"${term.tokens.join(' ')}"${term.prefix ? ' *' : ''}`;
}
function fts5Words(term: TermNode): string | null {
  return term.words.length === 0 ? null : term.words.map((w) => `"${w}"`).join(' AND ');
}

/** The term in some of search_meta_fts's fields, as substrings or as whole words; null: nothing can match. */
export function fts5MetaMatch(term: TermNode, fields: readonly MetaField[], mode: 'sub' | 'word'): string | null {
  const body = mode === 'word' ? fts5Words(term) : fts5Phrase(term);
  if (body === null || fields.length === 0) return null;
  return `{${fields.map((f) => (mode === 'word' ? `${f}_w` : f)).join(' ')}} : (${body})`;
}

/** The term in the text of search_doc_fts. */
export const fts5TextMatch = (term: TermNode) => `{text} : (${fts5Phrase(term)})`;

/** What a query node is in one FTS5 table: an expression, nothing (`none`), or not expressible in one MATCH (null). */
type Expr = string | 'none' | null;

function termExpr(term: TermNode, scope: 'full' | 'meta'): Expr {
  // A term that may be a 档号 is also matched by code prefix, outside FTS5.
  if (term.codePrefix !== null) return null;
  if (term.tokens.length === 0) return 'none';
  const columns: string[] = [...metaFieldsOf(term)];
  if (scope === 'full' && searchesPages(term)) columns.push('text');
  if (columns.length === 0) return 'none';
  if (scope === 'full' && columns.length === DOC_COLUMNS.length) return `(${fts5Phrase(term)})`;
  return `{${columns.join(' ')}} : (${fts5Phrase(term)})`;
}

function nodeExpr(node: QueryNode, scope: 'full' | 'meta'): Expr {
  switch (node.kind) {
    case 'all':
    case 'not':
      // Everything, or everything but: a set FTS5 has no expression for.
      return null;
    case 'term':
      return termExpr(node, scope);
    case 'or': {
      const parts = node.children.map((c) => nodeExpr(c, scope));
      if (parts.includes(null)) return null;
      const some = parts.filter((p) => p !== 'none');
      return some.length === 0 ? 'none' : `(${some.join(' OR ')})`;
    }
    case 'and': {
      const positives = node.children.filter((c) => c.kind !== 'not').map((c) => nodeExpr(c, scope));
      const negatives = node.children.flatMap((c) => (c.kind === 'not' ? [nodeExpr(c.child, scope)] : []));
      if (positives.length === 0 || positives.includes(null) || negatives.includes(null)) return null;
      if (positives.includes('none')) return 'none';
      const base = `(${positives.join(' AND ')})`;
      const excluded = negatives.filter((n) => n !== 'none');
      return excluded.length === 0 ? base : `(${base} NOT (${excluded.join(' OR ')}))`;
    }
  }
}

/**
 * A whole query node as one MATCH: `full` on search_doc_fts (metadata and text), `meta`
 * on search_meta_fts's substring columns. Null when FTS5 cannot express it (a term that
 * may be a 档号, a NOT with nothing to subtract from): the caller builds the set from parts.
 */
export function fts5Tree(node: QueryNode, scope: 'full' | 'meta'): { table: FtsTable; match: string | null } | null {
  const expr = nodeExpr(node, scope);
  if (expr === null) return null;
  return { table: scope === 'full' ? 'search_doc_fts' : 'search_meta_fts', match: expr === 'none' ? null : expr };
}

/** FTS5's default: merge once a level holds 4 segments. */
const AUTOMERGE = 4;
/**
 * Pages of merged output per step of the final merge: ~64 MB, about a second, so other
 * writers wait at most that long for the lock. Each step is a commit; with 2,000-page steps
 * the merge of a 1,000,000-item index took 215 s, at twice the cost per byte of one 'optimize'.
 */
const MERGE_STEP_PAGES = 16_000;

export async function ftsCommand(db: Executor, table: FtsTable, command: string, value: number): Promise<void> {
  await sql`insert into ${sql.table(table)} (${sql.ref(table)}, rank) values (${command}, ${sql.lit(value)})`.execute(db);
}

/** Stops FTS5 merging segments as a bulk write goes (mergeAll merges once at the end). */
export async function pauseMerging(db: Executor): Promise<void> {
  for (const table of FTS_TABLES) await ftsCommand(db, table, 'automerge', 0);
}

/** Whether a bulk write left merging paused (a crash before mergeAll). */
export async function mergingPaused(db: Executor): Promise<boolean> {
  const row = (await sql<{ v: number }>`select v from search_doc_fts_config where k = 'automerge'`.execute(db)).rows[0];
  return row !== undefined && Number(row.v) === 0;
}

/**
 * Merges every segment of the FTS5 tables into one, in steps, then restores automerge.
 * Merging once at the end is cheaper than merging as the index grows: at 100,000 pages the
 * build with automerge off plus this merge took 124 s, with FTS5's default merging 139 s,
 * and a term's lookup then reads one segment instead of several.
 */
export async function mergeAll(db: Db): Promise<void> {
  for (const table of FTS_TABLES) {
    for (;;) {
      // 'merge' with a negative count merges across levels; fewer than 2 changes: nothing was left.
      const before = Number((await sql<{ n: number }>`select total_changes() as n`.execute(db)).rows[0]?.n ?? 0);
      await ftsCommand(db, table, 'merge', -MERGE_STEP_PAGES);
      const after = Number((await sql<{ n: number }>`select total_changes() as n`.execute(db)).rows[0]?.n ?? 0);
      if (after - before < 2) break;
    }
    await ftsCommand(db, table, 'automerge', AUTOMERGE);
  }
}

/** `select rowid as k` of one FTS5 match (null: none), within a rowid range if given. */
export function ftsSet(table: FtsTable, match: string | null, range: RawBuilder<unknown> | null): RawBuilder<unknown> {
  if (match === null) return EMPTY_SET;
  return sql`select rowid as k from ${sql.table(table)} where ${sql.table(table)} match ${match}${range ? sql` and ${range}` : sql``}`;
}
