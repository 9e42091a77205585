/**
 * Page text as the index wants it: normalised the same way whatever format it came from,
 * cut into pages of bounded size, and capped per file.
 *
 * The readers gather text with a PageCollector, which stops taking text once the file's
 * character budget is spent (so a huge file costs a bounded amount of memory), then
 * extract.ts normalises, chunks and caps exactly.
 */
import type { ExtractedPage } from './extract.js';

/** The longest page the index takes; longer pages are split into parts about this long. */
export const PAGE_CHARS = 8000;

// Han ideographs, CJK punctuation (、。《》「」) and full-width forms (，：；！？（）).
const CJK = String.raw`[\p{Script=Han}\u3000-\u303f\uff00-\uffef]`;
const SPACE_BETWEEN_CJK = new RegExp(`(?<=${CJK}) +(?=${CJK})`, 'gu');
const WRAP_BETWEEN_CJK = new RegExp(`(?<=${CJK})\n(?=${CJK})`, 'gu');
// C0 controls but tab and newline, DEL, the BOM and zero-width spaces: never text.
const CONTROLS = /[\u0000-\u0008\u000e-\u001f\u007f\ufeff\u200b]/g;

/**
 * NFC; CR LF and CR as LF; vertical tab and form feed as line breaks; runs of spaces and tabs
 * (including the ideographic space of indented Chinese paragraphs) as one space; lines
 * trimmed; at most one blank line in a row.
 *
 * `layout` is for text recovered from page layout (a PDF's text layer, OCR, OFD), where a
 * space between two Chinese characters is an artefact of justification or recognition,
 * and a single line break between them is where the line wrapped: both are dropped, so
 * "档 案" and "档\n案" are found as "档案". A blank line (a paragraph) stays.
 */
export function normaliseText(text: string, options: { layout?: boolean } = {}): string {
  let out = text
    .normalize('NFC')
    .replace(/\r\n?/g, '\n')
    .replace(/[\u000b\u000c\u2028\u2029]/g, '\n')
    .replace(CONTROLS, '')
    .replace(/[ \t\u00a0\u3000]+/g, ' ');
  if (options.layout) out = out.replace(SPACE_BETWEEN_CJK, '');
  out = out
    .split('\n')
    .map((line) => line.trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  return options.layout ? out.replace(WRAP_BETWEEN_CJK, '') : out;
}

/** Where to end a part of at most `limit` characters: a line break, else a sentence end or space, else anywhere. */
function cutAt(text: string, limit: number): number {
  const window = text.slice(Math.floor(limit / 2), limit);
  const base = Math.floor(limit / 2);
  const newline = window.lastIndexOf('\n');
  if (newline >= 0) return base + newline + 1;
  const sentence = Math.max(...['。', '！', '？', '；', '. ', ' '].map((mark) => window.lastIndexOf(mark)));
  if (sentence >= 0) return base + sentence + 1;
  // Never between the halves of a surrogate pair.
  const code = text.charCodeAt(limit - 1);
  return code >= 0xd800 && code <= 0xdbff ? limit - 1 : limit;
}

/**
 * Splits every page longer than `limit` characters into consecutive parts, at a line break
 * where there is one in the second half of the part, and numbers the result 1, 2, 3… from
 * the first page's number: the index keys its pages by number, so no two may share one.
 * Pages that need no cutting keep their numbers until the first page that does.
 *
 * @example
 * chunkPages([{ page: 1, text: longText, method: 'plain' }])
 * // → [{ page: 1, … }, { page: 2, … }, …], each at most 8,000 characters
 */
export function chunkPages(pages: readonly ExtractedPage[], options: { limit?: number } = {}): ExtractedPage[] {
  const limit = Math.max(2, options.limit ?? PAGE_CHARS);
  const first = pages[0]?.page ?? 1;
  const out: ExtractedPage[] = [];
  const push = (page: ExtractedPage, text: string) => out.push({ ...page, page: first + out.length, text });
  for (const page of pages) {
    let rest = page.text;
    while (rest.length > limit) {
      const cut = cutAt(rest, limit);
      push(page, rest.slice(0, cut).trim());
      rest = rest.slice(cut).trimStart();
    }
    if (rest !== '' || page.text === '') push(page, rest.trim());
  }
  return out;
}

/** Keeps the first `maxChars` characters of the pages, in order; `truncated` says whether anything was cut. */
export function capChars(pages: readonly ExtractedPage[], maxChars: number): { pages: ExtractedPage[]; truncated: boolean } {
  const kept: ExtractedPage[] = [];
  let room = maxChars;
  for (const page of pages) {
    if (page.text.length <= room) {
      kept.push(page);
      room -= page.text.length;
      continue;
    }
    let end = room;
    const code = page.text.charCodeAt(end - 1);
    if (code >= 0xd800 && code <= 0xdbff) end -= 1;
    if (end > 0) kept.push({ ...page, text: page.text.slice(0, end) });
    return { pages: kept, truncated: true };
  }
  return { pages: kept, truncated: false };
}

/**
 * Gathers raw text page by page while a reader streams through a file, within the file's
 * budget of characters and pages. Once `full`, it takes nothing more and the reader should
 * stop reading.
 */
export class PageCollector {
  private readonly done: string[] = [];
  private current: string[] = [];
  private chars = 0;
  private cut = false;

  constructor(
    private readonly maxChars: number,
    private readonly maxPages: number,
  ) {}

  get full(): boolean {
    return this.cut;
  }

  /** True when anything other than white space was added to the current page. */
  get pageHasText(): boolean {
    return this.current.some((t) => /\S/.test(t));
  }

  add(text: string): void {
    if (this.cut || text === '') return;
    const room = this.maxChars - this.chars;
    if (text.length > room) {
      this.current.push(text.slice(0, room));
      this.chars = this.maxChars;
      this.cut = true;
      return;
    }
    this.current.push(text);
    this.chars += text.length;
  }

  /** Ends the current page and starts the next. */
  breakPage(): void {
    if (this.cut) return;
    if (this.done.length + 1 >= this.maxPages) {
      this.cut = true;
      return;
    }
    this.done.push(this.current.join(''));
    this.current = [];
  }

  /** The pages gathered, the current one included. */
  pages(): string[] {
    return [...this.done, this.current.join('')];
  }
}
