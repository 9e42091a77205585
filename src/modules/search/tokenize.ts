/**
 * Chinese-first tokenisation for the search index, the same for text and query
 * and for both databases (the index stores the token stream; neither SQLite's nor
 * PostgreSQL's own parsers ever see raw text).
 *
 *  - Normalisation: NFKC (full-width ａ１ → a1, compatibility forms), lower case, and
 *    traditional → simplified characters with opencc-js's `t → cn` tables, so 檔案 and
 *    档案 are one word. Applied code point by code point where offsets must survive
 *    (snippets), whole strings elsewhere.
 *  - The substring stream: every run of Han characters becomes its overlapping
 *    bigrams plus its last character (数字档案馆 → 数字 字档 档案 案馆 馆), so any substring of
 *    two or more characters is a phrase of consecutive bigrams, and a single character
 *    is a prefix of some token; every other run of letters and digits is one token.
 *  - The word stream: jieba's search-mode cut (@node-rs/jieba, `cutForSearch`), only for
 *    ranking: an item holding the whole word ranks above one holding only its bigrams.
 */
import { Jieba } from '@node-rs/jieba';
import { dict } from '@node-rs/jieba/dict.js';
import * as OpenCC from 'opencc-js';

let jieba: Jieba | null = null;
function segmenter(): Jieba {
  jieba ??= Jieba.withDict(dict);
  return jieba;
}

let toSimplified: ((text: string) => string) | null = null;
function simplify(text: string): string {
  if (!mayConvert(text)) return text;
  const convert = (toSimplified ??= OpenCC.Converter({ from: 't', to: 'cn' }));
  return convert(text);
}

/**
 * What opencc-js's traditional → simplified conversion (its `t2s` configuration: a
 * normalisation chain, then the conversion chain) could change: the characters its tables
 * convert on their own, and by first character the phrases holding none of those. Text
 * holding none of them matches no table entry, so conversion returns it as it is; most
 * archive text is simplified already, and converting a snippet's 360 characters anyway was
 * about 40 µs, most of a search's snippet time.
 */
interface ConversionKeys {
  chars: Set<number>;
  phrases: Map<number, string[]>;
}
let conversionKeys: ConversionKeys | null = null;
function keysOfConversion(): ConversionKeys {
  if (conversionKeys) return conversionKeys;
  const config = OpenCC.Locale.configs.t2s;
  if (!config) throw new Error('opencc-js has no t2s configuration');
  const sources: string[] = [];
  const dictionaries = [...(config.normalizationChain ?? []), ...config.conversionChain].flat();
  for (const dictionary of dictionaries) {
    if (typeof dictionary === 'string') for (const entry of dictionary.split('|')) sources.push(entry.split(' ')[0] ?? '');
    else for (const [source] of dictionary) sources.push(source);
  }
  const points = (source: string) => Array.from(source, (c) => c.codePointAt(0) ?? 0);
  const chars = new Set(sources.filter((source) => points(source).length === 1).map((source) => source.codePointAt(0) ?? 0));
  const phrases = new Map<number, string[]>();
  for (const source of sources) {
    const cps = points(source);
    if (cps.length < 2 || cps.some((cp) => chars.has(cp))) continue;
    const starting = phrases.get(cps[0] as number);
    if (starting) starting.push(source);
    else phrases.set(cps[0] as number, [source]);
  }
  return (conversionKeys = { chars, phrases });
}

/** Whether any entry of the conversion's tables occurs in `text`. */
function mayConvert(text: string): boolean {
  const { chars, phrases } = keysOfConversion();
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    const cp = unit >= 0xd800 && unit <= 0xdbff ? (text.codePointAt(i) ?? unit) : unit;
    if (chars.has(cp)) return true;
    const starting = phrases.get(cp);
    if (starting !== undefined && starting.some((phrase) => text.startsWith(phrase, i))) return true;
    if (cp > 0xffff) i++;
  }
  return false;
}

const NON_ASCII = /[^\x00-\x7f]/;

/** The form text and queries are indexed and matched in. */
export function normalize(text: string): string {
  const folded = text.normalize('NFKC').toLowerCase();
  return NON_ASCII.test(folded) ? simplify(folded) : folded;
}

/**
 * Whether NFKC and lower-casing leave a UTF-16 unit alone on its own: ASCII other than A-Z,
 * and the CJK unified ideographs with extension A (U+3400 … U+9FFF), which are most of an
 * archive's text. (Traditional forms among them are folded afterwards, as for the rest.)
 */
const stableUnit = (c: number) => (c < 0x80 && (c < 0x41 || c > 0x5a)) || (c >= 0x3400 && c <= 0x9fff);

/** One code point through NFKC and lower case, remembered (punctuation and full-width forms recur on every page). */
const folded = new Map<number, string>();
function foldedPoint(cp: number): string {
  let n = folded.get(cp);
  if (n === undefined) {
    n = String.fromCodePoint(cp).normalize('NFKC').toLowerCase();
    if (folded.size < 8192) folded.set(cp, n);
  }
  return n;
}

/**
 * Normalises one code point at a time and keeps, for every output character, the
 * index of the input character it came from: snippets find matches in the normalised
 * text and cut the original at the same places. Runs of characters normalisation leaves
 * alone are copied whole (NFKC per character was 130 µs for a 360-character snippet window).
 */
export function normalizeWithOffsets(text: string): { text: string; offsets: number[] } {
  let out = '';
  const offsets: number[] = [];
  let i = 0;
  while (i < text.length) {
    const from = i;
    while (i < text.length && stableUnit(text.charCodeAt(i))) offsets.push(i++);
    if (i > from) out += text.slice(from, i);
    if (i >= text.length) break;
    const cp = text.codePointAt(i) ?? 0;
    const n = foldedPoint(cp);
    for (let k = 0; k < n.length; k++) offsets.push(i);
    out += n;
    i += cp > 0xffff ? 2 : 1;
  }
  offsets.push(i);
  // Traditional → simplified maps character for character almost always; converting the whole
  // string once is far cheaper than per character, and the offsets hold while the length does.
  if (NON_ASCII.test(out)) {
    const simplified = simplify(out);
    if (simplified.length === out.length) out = simplified;
  }
  return { text: out, offsets };
}

const HAN = /\p{Script=Han}/u;
const HAN_START = /^\p{Script=Han}/u;
// Runs of Han characters, of other letters (with their marks), or of digits: ABC2023 is two words,
// so either part finds it.
const RUNS = /\p{Script=Han}+|(?:(?!\p{Script=Han})[\p{L}\p{M}])+|\p{N}+/gu;
const TOKEN = /^[\p{L}\p{N}\p{M}]+$/u;
/** Longer runs of letters and digits (base64, hashes) are not words anyone searches for; both databases drop them alike. */
export const MAX_TOKEN_LENGTH = 64;

/** The substring stream of normalised text (see the header). */
export function substringTokens(normalized: string): string[] {
  const out: string[] = [];
  for (const run of runsOf(normalized)) {
    if (!HAN_START.test(run)) {
      out.push(run);
      continue;
    }
    const chars = Array.from(run);
    for (let i = 0; i + 1 < chars.length; i++) out.push(`${chars[i]}${chars[i + 1]}`);
    out.push(chars[chars.length - 1] ?? '');
  }
  return out;
}

/** The runs the substring stream is made of, in order (long runs of letters or digits dropped). */
function runsOf(normalized: string): string[] {
  const out: string[] = [];
  for (const match of normalized.matchAll(RUNS)) {
    const run = match[0];
    // The first code point, not code unit: a run may start with a Han character outside the BMP (𠀀, 𫮃).
    if (HAN_START.test(run) || run.length <= MAX_TOKEN_LENGTH) out.push(run);
  }
  return out;
}

/**
 * The runs of normalised text, each between single spaces (` 按照 3 号文件 `): a phrase of
 * the substring stream is then a plain substring (runsPattern), which PostgreSQL tests on a
 * page's text far faster than on its tsvector's positions.
 */
export function runsText(normalized: string): string {
  return ` ${runsOf(normalized).join(' ')} `;
}

/**
 * The substring of runsText that holds exactly where a term's tokens are a phrase: its runs
 * between single spaces, a space before the first if that is letters or digits (a whole
 * token, as the last one after it) — a Han run's bigrams may start and end anywhere in a run,
 * and a term's last Han character is a prefix. Empty when the term has no runs.
 */
export function runsPattern(normalized: string): string {
  const runs = runsOf(normalized);
  if (runs.length === 0) return '';
  const open = (run: string) => !HAN_START.test(run);
  return `${open(runs[0] as string) ? ' ' : ''}${runs.join(' ')}${open(runs[runs.length - 1] as string) ? ' ' : ''}`;
}

/** The word stream (jieba, search mode) of normalised text: letters and digits only, Han words of two or more characters. */
export function wordTokens(normalized: string): string[] {
  const out: string[] = [];
  for (const word of segmenter().cutForSearch(normalized, true)) {
    if (!TOKEN.test(word) || word.length > MAX_TOKEN_LENGTH) continue;
    if (HAN.test(word) && Array.from(word).length < 2) continue;
    out.push(word);
  }
  return out;
}

/** Words of a query term as the user typed them (jieba's precise cut), for the whole-word ranking probe. */
export function queryWords(normalized: string): string[] {
  const out: string[] = [];
  for (const word of segmenter().cut(normalized, true)) {
    if (!TOKEN.test(word)) continue;
    if (HAN.test(word) && Array.from(word).length < 2) continue;
    out.push(word);
  }
  return out;
}

/** Splits normalised text into the words jieba sees, for "试试：…" suggestions. */
export function segmentForSuggestion(normalized: string): string[] {
  return segmenter()
    .cut(normalized, true)
    .filter((w) => TOKEN.test(w));
}

export interface FieldTokens {
  /** The substring stream, in order (positions matter: phrases are consecutive bigrams). */
  sub: string[];
  /** The word stream, for ranking. */
  words: string[];
}

/** Both streams of one field's raw text. */
export function tokenizeField(raw: string | null | undefined): FieldTokens {
  if (raw === null || raw === undefined || raw === '') return { sub: [], words: [] };
  const n = normalize(raw);
  return { sub: substringTokens(n), words: wordTokens(n) };
}

/** Whether a character is Han (for query parsing: a one-character Han term is a prefix query). */
export function isHan(ch: string): boolean {
  return HAN.test(ch);
}
