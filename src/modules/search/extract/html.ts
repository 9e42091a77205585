/**
 * HTML to text with htmlparser2, streamed: what a reader sees of the page, not its code.
 * script, style, noscript and template are dropped; block elements and `<br>` end lines,
 * table cells are separated by tabs; white space inside text collapses as a browser
 * collapses it; entities are decoded by the parser.
 *
 * The charset comes from a byte-order mark, else the `<meta charset>` or `<meta
 * http-equiv="Content-Type">` in the first 1024 bytes (the HTML standard's prescan), else
 * from the bytes (see text-decoding.ts) — GBK pages without a declaration are common.
 */
import { Parser } from 'htmlparser2';
import { PageCollector } from './page-text.js';
import { ownReader, type ReaderContext, type ReaderResult } from './reader.js';
import { canonicalEncoding, decodeTextFile, readHead, type TextSink } from './text-decoding.js';

const READER = ownReader('html', 1);
const DROPPED = new Set(['script', 'style', 'noscript', 'template']);
const BLOCKS = new Set([
  'address', 'article', 'aside', 'blockquote', 'caption', 'dd', 'details', 'dialog', 'div', 'dl', 'dt', 'fieldset', 'figcaption', 'figure', 'footer',
  'form', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'header', 'hr', 'li', 'main', 'nav', 'ol', 'p', 'pre', 'section', 'summary', 'table', 'title', 'tr', 'ul',
]);
const CELLS = new Set(['td', 'th']);

/** The charset a page declares in its first 1024 bytes, if any. */
export function declaredCharset(head: Buffer): string | null {
  const text = head.subarray(0, 1024).toString('latin1');
  for (const meta of text.match(/<meta\b[^>]*>/gi) ?? []) {
    const m = /charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)/i.exec(meta);
    if (m?.[1]) return m[1];
  }
  return null;
}

function htmlSink(pages: PageCollector): TextSink<void> {
  let dropping = 0;
  const parser = new Parser(
    {
      onopentag(name) {
        if (DROPPED.has(name)) dropping += 1;
        else if (name === 'br' || BLOCKS.has(name)) pages.add('\n');
        else if (CELLS.has(name)) pages.add('\t');
      },
      onclosetag(name) {
        if (DROPPED.has(name)) dropping = Math.max(0, dropping - 1);
        else if (BLOCKS.has(name)) pages.add('\n');
      },
      ontext(text) {
        if (dropping === 0) pages.add(text.replace(/\s+/g, ' '));
      },
    },
    { decodeEntities: true, lowerCaseTags: true },
  );
  return {
    write: (text) => parser.write(text),
    get stop() {
      return pages.full;
    },
    end: () => parser.end(),
  };
}

export async function readHtml(file: string, context: ReaderContext): Promise<ReaderResult> {
  let declared = declaredCharset(await readHead(file, 1024));
  // A page readable as ASCII far enough to find its <meta> is not UTF-16, whatever it says (HTML §13.2.3.3).
  if (canonicalEncoding(declared)?.startsWith('utf-16')) declared = 'utf-8';
  let pages = new PageCollector(context.maxChars, 1);
  await decodeTextFile(
    file,
    () => {
      pages = new PageCollector(context.maxChars, 1);
      return htmlSink(pages);
    },
    { declared, signal: context.signal },
  );
  return { pages: pages.pages().map((text) => ({ page: 1, text, method: 'markup' })), ...READER, ocrPages: 0, truncated: pages.full };
}
