/**
 * DOCX (ECMA-376 WordprocessingML) to text: the main document part streamed through
 * saxes, never inflated whole. Headers, footers, footnotes and comments are left out.
 *
 *  - text is what `w:t` holds (`w:delText` of tracked deletions and `w:instrText` of field
 *    codes are other elements, so they stay out); a `w:moveFrom` (the old place of moved
 *    text) and the `mc:Fallback` copy of a text box are skipped, or their text would be
 *    indexed twice;
 *  - `w:p` ends a line, `w:tab` is a tab, `w:br` and `w:cr` a line break;
 *  - pages: a DOCX has none of its own, only the breaks its author or its last renderer
 *    left. A hard break (`w:br w:type="page"`), a paragraph with `w:pageBreakBefore`, and
 *    Word's `w:lastRenderedPageBreak` each start a new page; a rendered break right after a
 *    hard one is the same break seen twice. Without any, the document is one page.
 */
import { ExtractionError } from './extraction-error.js';
import { mainPart } from './opc-parts.js';
import { PageCollector } from './page-text.js';
import { ownReader, type ReaderContext, type ReaderResult } from './reader.js';
import { attribute } from './xml-stream.js';
import { openZip, parsePart } from './zip-reader.js';

const READER = ownReader('docx', 1);
const SKIPPED = new Set(['moveFrom', 'Fallback']);

/** OOXML on/off values: an absent w:val means on. */
function isOn(attributes: Record<string, string>): boolean {
  const value = attribute(attributes, 'val');
  return value === undefined || !['0', 'false', 'off'].includes(value);
}

export async function readDocx(file: string, context: ReaderContext): Promise<ReaderResult> {
  const zip = await openZip(file, 'DOCX');
  try {
    const main = await mainPart(zip, 'word/document.xml', context.signal);
    if (!zip.has(main)) throw new ExtractionError('damaged', 'the DOCX package has no main document part');
    const pages = new PageCollector(context.maxChars, context.maxPages);
    let skipping = 0;
    let inText = false;
    // Nothing since the last page break but markup: a rendered break here repeats it.
    let justBroke = false;
    let anyParagraph = false;
    const pageBreak = () => {
      pages.breakPage();
      justBroke = true;
    };
    const add = (text: string) => {
      pages.add(text);
      if (/\S/.test(text)) justBroke = false;
    };
    await parsePart(
      zip,
      main,
      {
        open(local, attributes) {
          if (SKIPPED.has(local)) skipping += 1;
          if (skipping > 0) return;
          if (local === 't') inText = true;
          else if (local === 'tab') add('\t');
          else if (local === 'cr') add('\n');
          else if (local === 'noBreakHyphen') add('-');
          else if (local === 'br') {
            if (attribute(attributes, 'type') === 'page') pageBreak();
            else add('\n');
          } else if (local === 'lastRenderedPageBreak') {
            if (!justBroke) pageBreak();
          } else if (local === 'pageBreakBefore' && isOn(attributes) && anyParagraph && !justBroke) pageBreak();
        },
        close(local) {
          if (SKIPPED.has(local)) {
            skipping -= 1;
            return;
          }
          if (skipping > 0) return;
          if (local === 't') inText = false;
          else if (local === 'p') {
            pages.add('\n');
            anyParagraph = true;
          }
        },
        text(text) {
          if (inText && skipping === 0) add(text);
        },
      },
      { signal: context.signal, stop: () => pages.full },
    );
    return { pages: pages.pages().map((text, i) => ({ page: i + 1, text, method: 'markup' })), ...READER, ocrPages: 0, truncated: pages.full };
  } finally {
    zip.close();
  }
}
