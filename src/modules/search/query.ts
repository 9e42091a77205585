/**
 * The query language of the search box and the advanced form, parsed into a small
 * tree that index-sql.ts turns into SQL for either database.
 *
 * Box syntax: words separated by spaces must all match (AND); `OR` / `|` / 或 between
 * them, `NOT` / `-` / 非 before one, "quoted" or “quoted” phrases, (parentheses).
 * A term matches where its characters appear together (数字档案 finds 数字档案馆; it
 * is a phrase of bigrams), so an unquoted Chinese term is already exact; quoting
 * matters for several words with spaces between them. A term that looks like an
 * archival code (Z109-WS·2011) also matches the codes it begins.
 *
 * Nothing a user types is an error: FTS syntax characters, SQL, punctuation and
 * broken text are just characters; terms with no letters or digits are dropped;
 * text beyond MAX_QUERY_CHARS is cut (and the answer says so).
 */
import { META_FIELDS, type MetaField } from './index-common.js';
import { MAX_QUERY_CHARS, type AdvancedClause, type SearchField } from './model.js';
import { isHan, normalize, queryWords, substringTokens } from './tokenize.js';

export interface TermNode {
  kind: 'term';
  field: SearchField;
  /** The substring stream of the term: consecutive tokens, matched as a phrase. */
  tokens: string[];
  /**
   * The last token is a single Han character (the term is one, or ends in one after a digit
   * or letter: 档, 第3号): matched as the start of a token, since in the text the run may
   * go on (第3号文件 holds 号文, not 号).
   */
  prefix: boolean;
  /** jieba words of the term, for the whole-word ranking probe. */
  words: string[];
  /** Normalised text as typed, for highlighting. */
  display: string;
  /** The text as typed (trimmed), for "检索：…". */
  label: string;
  /** Set when the term may be (the start of) an archival code: matched against codes by prefix too. */
  codePrefix: string | null;
}
export type QueryNode = TermNode | { kind: 'and' | 'or'; children: QueryNode[] } | { kind: 'not'; child: QueryNode } | { kind: 'all' };

export interface ParsedQuery {
  root: QueryNode;
  truncated: boolean;
}

/** Most terms one query may hold; more are ignored (a pasted paragraph is not a query). */
export const MAX_TERMS = 16;

const OPERATORS: Record<string, 'and' | 'or' | 'not'> = { and: 'and', '&': 'and', 与: 'and', or: 'or', '|': 'or', 或: 'or', not: 'not', 非: 'not' };
const OPEN_QUOTES = '"“”「」『』';
const CODE_LIKE = /^[a-z0-9]+(?:[-·][a-z0-9]+)*[-·]?$/;
const MIDDLE_DOTS = /[·・•‧∙⋅]/g;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

type Lexeme = { type: 'word' | 'phrase'; text: string } | { type: 'op'; op: 'and' | 'or' | 'not' } | { type: 'open' } | { type: 'close' };

function lex(input: string): Lexeme[] {
  const out: Lexeme[] = [];
  let i = 0;
  const chars = Array.from(input);
  while (i < chars.length) {
    const ch = chars[i] ?? '';
    if (/\s/u.test(ch)) {
      i++;
    } else if (OPEN_QUOTES.includes(ch)) {
      let j = i + 1;
      while (j < chars.length && !OPEN_QUOTES.includes(chars[j] ?? '')) j++;
      out.push({ type: 'phrase', text: chars.slice(i + 1, j).join('') });
      i = j + 1;
    } else if (ch === '(' || ch === '（') {
      out.push({ type: 'open' });
      i++;
    } else if (ch === ')' || ch === '）') {
      out.push({ type: 'close' });
      i++;
    } else if (ch === '-' && i + 1 < chars.length && !/\s/u.test(chars[i + 1] ?? '') && (i === 0 || /[\s(（]/u.test(chars[i - 1] ?? ''))) {
      out.push({ type: 'op', op: 'not' });
      i++;
    } else {
      let j = i;
      while (j < chars.length && !/\s/u.test(chars[j] ?? '') && !OPEN_QUOTES.includes(chars[j] ?? '') && !'()（）'.includes(chars[j] ?? '')) j++;
      const word = chars.slice(i, j).join('');
      const op = OPERATORS[word.toLowerCase()];
      // Operators are written in capitals (AND, OR, NOT) or as symbols / 与 或 非; lower-case "and" is a word.
      if (op && (word === word.toUpperCase() || !/[a-z]/i.test(word))) out.push({ type: 'op', op });
      else out.push({ type: 'word', text: word });
      i = j;
    }
  }
  return out;
}

/** One term of the given field, or null when it holds no letters or digits. */
export function termNode(raw: string, field: SearchField): TermNode | null {
  const display = normalize(raw).replace(MIDDLE_DOTS, '·').trim();
  const tokens = substringTokens(display);
  // A term's last Han character is the end of a run in the term, not (necessarily) in the text,
  // where the run may go on: match its bigram only (数字档案 finds 数字档案馆).
  const last = tokens[tokens.length - 1] ?? '';
  const before = tokens[tokens.length - 2] ?? '';
  if (tokens.length > 1 && Array.from(last).length === 1 && isHan(last) && Array.from(before).length === 2 && before.endsWith(last)) tokens.pop();
  const compact = display.replace(/\s+/g, '');
  const looksLikeCode = CODE_LIKE.test(compact) && /\d/.test(compact) && (/[-·]/.test(compact) || /^[a-z]+\d+$/.test(compact));
  const codePrefix = field === 'code' ? (/^[a-z0-9][a-z0-9·-]*$/.test(compact) ? compact : null) : field === 'any' && looksLikeCode ? compact : null;
  const label = raw.trim();
  if (field === 'code') return codePrefix === null ? null : { kind: 'term', field, tokens: [], prefix: false, words: [], display, label, codePrefix };
  if (tokens.length === 0) return null;
  const end = tokens[tokens.length - 1] ?? '';
  const prefix = Array.from(end).length === 1 && isHan(end);
  return { kind: 'term', field, tokens, prefix, words: queryWords(display), display, label, codePrefix };
}

class Parser {
  private pos = 0;
  terms = 0;
  constructor(
    private readonly lexemes: Lexeme[],
    private readonly field: SearchField,
  ) {}

  parse(): QueryNode | null {
    const node = this.or();
    // Unbalanced closing parentheses: parse what follows as more AND terms rather than failing.
    while (this.pos < this.lexemes.length) {
      this.pos++;
      const more = this.or();
      if (more) return node ? { kind: 'and', children: [node, more] } : more;
    }
    return node;
  }

  private or(): QueryNode | null {
    const children: QueryNode[] = [];
    let node = this.and();
    if (node) children.push(node);
    while (this.peekOp() === 'or') {
      this.pos++;
      node = this.and();
      if (node) children.push(node);
    }
    return children.length === 0 ? null : children.length === 1 ? (children[0] ?? null) : { kind: 'or', children };
  }

  private and(): QueryNode | null {
    const children: QueryNode[] = [];
    for (;;) {
      const next = this.lexemes[this.pos];
      if (!next || next.type === 'close' || (next.type === 'op' && next.op === 'or')) break;
      if (next.type === 'op' && next.op === 'and') {
        this.pos++;
        continue;
      }
      const node = this.unary();
      if (node) children.push(node);
    }
    return children.length === 0 ? null : children.length === 1 ? (children[0] ?? null) : { kind: 'and', children };
  }

  private unary(): QueryNode | null {
    const next = this.lexemes[this.pos];
    if (next?.type === 'op' && next.op === 'not') {
      this.pos++;
      const child = this.unary();
      return child ? { kind: 'not', child } : null;
    }
    return this.primary();
  }

  private primary(): QueryNode | null {
    const next = this.lexemes[this.pos++];
    if (!next) return null;
    if (next.type === 'open') {
      const inner = this.or();
      if (this.lexemes[this.pos]?.type === 'close') this.pos++;
      return inner;
    }
    if (next.type === 'word' || next.type === 'phrase') {
      if (this.terms >= MAX_TERMS) return null;
      // Inside quotes, spaces between Han characters are how people split words, not gaps in the text.
      const text = next.type === 'phrase' ? next.text.replace(/(\p{Script=Han})\s+(?=\p{Script=Han})/gu, '$1') : next.text;
      const term = termNode(text, this.field);
      if (term) this.terms++;
      return term;
    }
    return null;
  }

  private peekOp(): string | null {
    const next = this.lexemes[this.pos];
    return next?.type === 'op' ? next.op : null;
  }
}

/** Cuts text to MAX_QUERY_CHARS code points and drops what is not well-formed Unicode. */
function clean(text: string): { text: string; truncated: boolean } {
  const wellFormed = text.replace(LONE_SURROGATE, '\ufffd').replace(/\p{Cc}/gu, ' ');
  const chars = Array.from(wellFormed);
  return chars.length > MAX_QUERY_CHARS ? { text: chars.slice(0, MAX_QUERY_CHARS).join(''), truncated: true } : { text: wellFormed, truncated: false };
}

/** Parses box text for one field; null when nothing searchable is left. */
export function parseBox(text: string, field: SearchField = 'any'): { node: QueryNode | null; truncated: boolean } {
  const cut = clean(text);
  return { node: new Parser(lex(cut.text), field).parse(), truncated: cut.truncated };
}

/** The box and the advanced clauses as one tree: clauses joined left to right by their own operators, the box ANDed. */
export function parseQuery(q: string, clauses: readonly AdvancedClause[] = []): ParsedQuery {
  const box = parseBox(q);
  let truncated = box.truncated;
  let acc: QueryNode | null = box.node;
  for (const clause of clauses) {
    const parsed = parseBox(clause.text, clause.field);
    truncated ||= parsed.truncated;
    const node = parsed.node;
    if (!node) continue;
    if (acc === null) acc = clause.op === 'not' ? { kind: 'not', child: node } : node;
    else if (clause.op === 'or') acc = { kind: 'or', children: [acc, node] };
    else if (clause.op === 'not') acc = { kind: 'and', children: [acc, { kind: 'not', child: node }] };
    else acc = { kind: 'and', children: [acc, node] };
  }
  return { root: acc ?? { kind: 'all' }, truncated };
}

/** The metadata fields a term searches. */
export function metaFieldsOf(term: TermNode): readonly MetaField[] {
  switch (term.field) {
    case 'any':
      return META_FIELDS;
    case 'title':
      return ['title'];
    case 'responsible':
      return ['resp'];
    case 'docNumber':
      return ['docno'];
    default:
      return [];
  }
}
/** Whether a term searches the text of files. */
export const searchesPages = (term: TermNode) => term.field === 'any' || term.field === 'fulltext';

/** The terms a query asks for (not those under NOT): what ranking probes and highlighting use. */
export function positiveTerms(node: QueryNode): TermNode[] {
  switch (node.kind) {
    case 'term':
      return [node];
    case 'and':
    case 'or':
      return node.children.flatMap(positiveTerms);
    case 'not':
    case 'all':
      return [];
  }
}

const FIELD_LABELS: Record<SearchField, string> = { any: '', title: '题名', responsible: '责任者', docNumber: '文件编号', fulltext: '全文', code: '档号' };

/** How the query was understood, for "检索：…" (field names in Chinese, the portal's language). */
export function describe(node: QueryNode): string {
  switch (node.kind) {
    case 'term':
      return node.field === 'any' ? node.label : `${FIELD_LABELS[node.field]}：${node.label}${node.field === 'code' ? '*' : ''}`;
    case 'and':
      return node.children.map((c) => (c.kind === 'or' ? `(${describe(c)})` : describe(c))).join(' AND ');
    case 'or':
      return node.children.map(describe).join(' OR ');
    case 'not':
      return `NOT ${describe(node.child)}`;
    case 'all':
      return '*';
  }
}
