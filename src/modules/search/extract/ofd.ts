/**
 * OFD (GB/T 33190-2016, the Chinese fixed-layout format) to page text: `OFD.xml` →
 * `DocBody/DocRoot` → the document's `Pages/Page` list, in its order (not the zip's) →
 * each page's content, whose `TextObject/TextCode` text is read in document order.
 * Elements are matched by local name (namespace http://www.ofdspec.org/2016). Templates,
 * annotations and signatures are left out.
 *
 * Paths are ST_Loc (§7.5): a leading `/` starts at the package root, anything else is
 * relative to the file that names it.
 *
 * An OFD stores glyph positions, not lines or spaces, so both are inferred from geometry:
 * a text code whose baseline (TextObject Boundary origin + TextCode Y) is more than half a
 * font size from the previous one starts a new line; on the same line, a gap wider than a
 * quarter of the font size after the previous code's end (its X plus its DeltaX advances
 * plus an estimate of the last glyph) becomes a space. Producers that place every
 * character as its own object read as whole lines this way.
 */
import { ExtractionError } from './extraction-error.js';
import { PageCollector } from './page-text.js';
import { ownReader, type ReaderContext, type ReaderResult } from './reader.js';
import { attribute } from './xml-stream.js';
import { openZip, parsePart, resolvePart, type ZipReader } from './zip-reader.js';

const READER = ownReader('ofd', 1);
/** GB/T 33190 gives sizes in millimetres; 3.5 mm is about 10 pt, for objects that give none. */
const DEFAULT_SIZE_MM = 3.5;

function numbers(list: string | undefined): number[] {
  return (list ?? '')
    .trim()
    .split(/\s+/)
    .filter((s) => s !== '')
    .map(Number);
}

/** DeltaX/DeltaY (§11.3): numbers, or `g N V` for N repetitions of V. */
export function expandDeltas(list: string | undefined): number[] {
  const tokens = (list ?? '').trim().split(/\s+/).filter((s) => s !== '');
  const out: number[] = [];
  for (let i = 0; i < tokens.length; i++) {
    if (tokens[i] === 'g') {
      const count = Number(tokens[i + 1]);
      const value = Number(tokens[i + 2]);
      for (let k = 0; k < count && out.length < 100_000; k++) out.push(value);
      i += 2;
    } else out.push(Number(tokens[i]));
  }
  return out;
}

/** How far a run of glyphs reaches: the given advances, and a guess for glyphs without one (full width for CJK). */
function advance(text: string, deltas: readonly number[], size: number): number {
  const glyphs = [...text];
  return glyphs.reduce((sum, glyph, i) => sum + (i < glyphs.length - 1 && Number.isFinite(deltas[i]) ? (deltas[i] ?? 0) : /[\u2e80-\uffff]/.test(glyph) ? size : size * 0.55), 0);
}

/** Places text codes into lines by their geometry, feeding the page as it goes. */
class LineBuilder {
  private lastY: number | null = null;
  private lastEnd = 0;

  constructor(private readonly pages: PageCollector) {}

  place(text: string, x: number, y: number, size: number, deltas: readonly number[]): void {
    if (text === '') return;
    if (this.lastY !== null) {
      if (Math.abs(y - this.lastY) > size / 2) this.pages.add('\n');
      else if (x - this.lastEnd > size / 4 || x < this.lastEnd - 2 * size) this.pages.add(' ');
    }
    this.pages.add(text);
    this.lastY = y;
    this.lastEnd = x + advance(text, deltas, size);
  }

  endPage(): void {
    this.lastY = null;
  }
}

/** The text of every `wanted` element of a small part (OFD.xml's DocRoot), trimmed. */
async function textOf(zip: ZipReader, part: string, wanted: string, signal: AbortSignal | undefined): Promise<string[]> {
  const found: string[] = [];
  let current: string | null = null;
  await parsePart(
    zip,
    part,
    {
      open(local) {
        if (local === wanted) current = '';
      },
      close(local) {
        if (local !== wanted || current === null) return;
        if (current.trim() !== '') found.push(current.trim());
        current = null;
      },
      text(text) {
        if (current !== null) current += text;
      },
    },
    { signal },
  );
  return found;
}

async function pageLocations(zip: ZipReader, documentPart: string, signal: AbortSignal | undefined): Promise<string[]> {
  const pages: string[] = [];
  let inPages = 0;
  await parsePart(
    zip,
    documentPart,
    {
      open(local, attributes) {
        if (local === 'Pages') inPages += 1;
        const loc = attribute(attributes, 'BaseLoc');
        if (local === 'Page' && inPages > 0 && loc) pages.push(resolvePart(documentPart, loc));
      },
      close(local) {
        if (local === 'Pages') inPages -= 1;
      },
    },
    { signal },
  );
  return pages;
}

async function readPage(zip: ZipReader, part: string, lines: LineBuilder, pages: PageCollector, signal: AbortSignal | undefined): Promise<void> {
  let origin = { x: 0, y: 0 };
  let size = DEFAULT_SIZE_MM;
  let code: { x: number; y: number; deltas: number[]; text: string } | null = null;
  // X and Y may be left out of a later TextCode of the same object: they carry over.
  let last = { x: 0, y: 0 };
  await parsePart(
    zip,
    part,
    {
      open(local, attributes) {
        if (local === 'TextObject') {
          const [x = 0, y = 0] = numbers(attribute(attributes, 'Boundary'));
          origin = { x, y };
          size = Number(attribute(attributes, 'Size')) || DEFAULT_SIZE_MM;
          last = { x: 0, y: 0 };
        } else if (local === 'TextCode') {
          const x = Number(attribute(attributes, 'X') ?? last.x);
          const y = Number(attribute(attributes, 'Y') ?? last.y);
          last = { x, y };
          code = { x: origin.x + x, y: origin.y + y, deltas: expandDeltas(attribute(attributes, 'DeltaX')), text: '' };
        }
      },
      close(local) {
        if (local === 'TextCode' && code) {
          lines.place(code.text, code.x, code.y, size, code.deltas);
          code = null;
        }
      },
      text(text) {
        if (code) code.text += text;
      },
    },
    { signal, stop: () => pages.full },
  );
}

export async function readOfd(file: string, context: ReaderContext): Promise<ReaderResult> {
  const zip = await openZip(file, 'OFD');
  try {
    if (!zip.has('OFD.xml')) throw new ExtractionError('damaged', 'the package has no OFD.xml at its root');
    const roots = (await textOf(zip, 'OFD.xml', 'DocRoot', context.signal)).map((loc) => resolvePart('OFD.xml', loc));
    if (roots.length === 0) throw new ExtractionError('damaged', 'OFD.xml names no document (DocBody/DocRoot)');
    const pages = new PageCollector(context.maxChars, context.maxPages);
    const lines = new LineBuilder(pages);
    let count = 0;
    for (const root of roots) {
      for (const part of await pageLocations(zip, root, context.signal)) {
        if (count > 0) pages.breakPage();
        if (pages.full) break;
        count += 1;
        lines.endPage();
        // A page whose content part is missing is a page without text, not a reason to lose the others.
        if (zip.has(part)) await readPage(zip, part, lines, pages, context.signal);
      }
    }
    const texts = count === 0 ? [] : pages.pages();
    return { pages: texts.map((text, i) => ({ page: i + 1, text, method: 'text-layer' })), ...READER, ocrPages: 0, truncated: pages.full };
  } finally {
    zip.close();
  }
}
