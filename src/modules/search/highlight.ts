/**
 * Marking what matched, in titles and in page text, as segments the client renders
 * (never HTML, so nothing in a record can inject markup). Matching is done on the
 * normalised text (full-width, case, traditional forms folded as in the index) and the
 * marks are cut from the original text at the same places.
 */
import type { Highlighted } from './model.js';
import { normalize, normalizeWithOffsets } from './tokenize.js';

/** Normalised needles for highlighting: each term as typed and, for phrases with spaces, each word. */
export function needlesOf(displays: readonly string[]): string[] {
  const out = new Set<string>();
  for (const d of displays) {
    const n = normalize(d).trim();
    if (n === '') continue;
    out.add(n);
    for (const part of n.split(/\s+/)) if (part !== '') out.add(part);
  }
  return [...out].sort((a, b) => b.length - a.length);
}

/** Ranges [start, end) of the original text where a needle matches, merged. */
function ranges(original: string, needles: readonly string[]): Array<[number, number]> {
  if (needles.length === 0 || original === '') return [];
  const { text, offsets } = normalizeWithOffsets(original);
  const found: Array<[number, number]> = [];
  for (const needle of needles) {
    let from = 0;
    for (;;) {
      const at = text.indexOf(needle, from);
      if (at < 0) break;
      found.push([offsets[at] ?? 0, offsets[at + needle.length] ?? original.length]);
      from = at + Math.max(needle.length, 1);
      if (found.length > 200) break;
    }
  }
  found.sort((a, b) => a[0] - b[0]);
  const merged: Array<[number, number]> = [];
  for (const r of found) {
    const last = merged[merged.length - 1];
    if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
    else merged.push([r[0], r[1]]);
  }
  return merged;
}

function segments(original: string, marks: ReadonlyArray<[number, number]>, from = 0, to = original.length): Highlighted {
  const out: Highlighted = [];
  let at = from;
  for (const [s, e] of marks) {
    if (e <= from || s >= to) continue;
    const start = Math.max(s, from);
    const end = Math.min(e, to);
    if (start > at) out.push({ text: original.slice(at, start), hit: false });
    out.push({ text: original.slice(start, end), hit: true });
    at = end;
  }
  if (at < to) out.push({ text: original.slice(at, to), hit: false });
  return out;
}

/** The whole text with its matches marked. */
export function highlight(original: string, needles: readonly string[]): Highlighted {
  return segments(original, ranges(original, needles));
}

/** Whether the text holds any needle (after normalisation). */
export function matchesAny(original: string, needles: readonly string[]): boolean {
  if (needles.length === 0) return false;
  // Most text is stored as it is searched (simplified, half-width): no need to normalise all of it.
  if (needles.some((n) => original.includes(n))) return true;
  const text = normalize(original);
  return needles.some((n) => text.includes(n));
}

/**
 * About `width` characters of text around its first match, marked; null when nothing
 * matches. Where a needle occurs as is, only a window around its first such occurrence
 * is normalised (pages run to thousands of characters, and normalising is the cost).
 */
export function snippet(original: string, needles: readonly string[], width = 120): Highlighted | null {
  let at = -1;
  for (const n of needles) {
    const i = original.indexOf(n);
    if (i >= 0 && (at < 0 || i < at)) at = i;
  }
  if (at < 0 || original.length <= width * 3) return snippetOf(original, needles, width);
  const [from, to] = wholeCharacters(original, Math.max(0, at - width), Math.min(original.length, at + 2 * width));
  const inner = snippetOf(original.slice(from, to), needles, width);
  if (!inner) return snippetOf(original, needles, width);
  if (from > 0 && inner[0]?.text !== '…') inner.unshift({ text: '…', hit: false });
  if (to < original.length && inner[inner.length - 1]?.text !== '…') inner.push({ text: '…', hit: false });
  return inner;
}

/** [from, to) widened so that no surrogate pair is cut in half. */
function wholeCharacters(text: string, from: number, to: number): [number, number] {
  return [/[\udc00-\udfff]/.test(text[from] ?? '') ? from - 1 : from, /[\ud800-\udbff]/.test(text[to - 1] ?? '') ? to + 1 : to];
}

function snippetOf(original: string, needles: readonly string[], width: number): Highlighted | null {
  const marks = ranges(original, needles);
  const first = marks[0];
  if (!first) return null;
  const start = Math.max(0, first[0] - Math.floor(width / 3));
  const end = Math.min(original.length, start + width);
  const [from, to] = wholeCharacters(original, Math.max(0, Math.min(start, end - width)), end);
  const body = segments(original, marks, from, to).map((s) => ({ text: s.text.replace(/\s+/g, ' '), hit: s.hit }));
  if (from > 0) body.unshift({ text: '…', hit: false });
  if (to < original.length) body.push({ text: '…', hit: false });
  return body;
}
