/**
 * Archival codes (档号): patterns built from segments, formatting, parsing and the
 * continuity check.
 *
 * DA/T 22-2015 §6 (item arrangement): `全宗号-门类代码·年度-保管期限-机构(问题)代码-件号`,
 * the organisation segment optional, 件号 four digits restarting in each lowest class.
 * DA/T 13-2022 (volume arrangement): `全宗号-门类代码·年度-保管期限-机构(问题)代码-案卷号`
 * with a three-digit 案卷号, and items inside a volume numbered by 卷内顺序号.
 * `-` joins levels and `·` (U+00B7 MIDDLE DOT) separates codes within a level; the other
 * dots people type (• ・ ‧ ∙ ⋅ ．) are accepted and normalised.
 */
import type { CodePattern, CodeSegment, Retention } from './model.js';

export const DAT22_ITEM_PATTERN: CodePattern = [
  { segment: 'fonds', separator: '', width: 4, optional: false },
  { segment: 'category', separator: '-', optional: false },
  { segment: 'year', separator: '·', width: 4, optional: false },
  { segment: 'retention', separator: '-', optional: false },
  { segment: 'org', separator: '-', optional: true },
  { segment: 'item', separator: '-', width: 4, optional: false },
];

export const DAT13_VOLUME_PATTERN: CodePattern = [
  { segment: 'fonds', separator: '', width: 4, optional: false },
  { segment: 'category', separator: '-', optional: false },
  { segment: 'year', separator: '·', width: 4, optional: false },
  { segment: 'retention', separator: '-', optional: false },
  { segment: 'org', separator: '-', optional: true },
  { segment: 'volume', separator: '-', width: 3, optional: false },
  { segment: 'item', separator: '-', width: 3, optional: false },
];

/** The values a code is made of. */
export interface CodeParts {
  fondsCode: string;
  categoryCode: string;
  year: number;
  retention: Retention;
  orgCode: string | null;
  volumeNo: number | null;
  itemNo: number | null;
}

const DOTS = /[•・‧∙⋅．.·]/g;
const DASHES = /[－—–‐‑]/g;

/** Normalises look-alike dots and dashes and surrounding space (what people paste from Word). */
export function normaliseArchivalCode(code: string): string {
  return code.trim().normalize('NFKC').replace(DOTS, '·').replace(DASHES, '-').replace(/\s+/g, '');
}

function pad(value: number, width: number | undefined): string {
  return width ? String(value).padStart(width, '0') : String(value);
}

function segmentValue(segment: CodeSegment, parts: CodeParts): string | null {
  switch (segment.segment) {
    case 'fonds':
      return parts.fondsCode;
    case 'category':
      return parts.categoryCode;
    case 'year':
      return String(parts.year);
    case 'retention':
      return parts.retention;
    case 'org':
      return parts.orgCode;
    case 'volume':
      return parts.volumeNo === null ? null : pad(parts.volumeNo, segment.width);
    case 'item':
      return parts.itemNo === null ? null : pad(parts.itemNo, segment.width);
  }
}

export class CodePartMissing extends Error {
  constructor(readonly segment: CodeSegment['segment']) {
    super(`archival code segment ${segment} has no value`);
  }
}

function join(pattern: readonly CodeSegment[], parts: CodeParts): string {
  let out = '';
  for (const segment of pattern) {
    const value = segmentValue(segment, parts);
    if (value === null || value === '') {
      if (segment.optional) continue;
      throw new CodePartMissing(segment.segment);
    }
    out += (out === '' ? '' : segment.separator) + value;
  }
  return out;
}

/** The code of an item (or of a volume, with `volumeOnly`). Throws CodePartMissing. */
export function formatArchivalCode(pattern: CodePattern, parts: CodeParts): string {
  return join(pattern, parts);
}

/** The code of a volume: the pattern up to its volume segment. */
export function formatVolumeCode(pattern: CodePattern, parts: CodeParts): string {
  const end = pattern.findIndex((s) => s.segment === 'volume');
  return join(end < 0 ? pattern.slice(0, -1) : pattern.slice(0, end + 1), parts);
}

/**
 * The lowest class an item number restarts in: the code without its item number
 * (for items in volumes, the volume's code).
 */
export function classKeyOf(pattern: CodePattern, parts: CodeParts): string {
  return join(pattern.slice(0, -1), parts);
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function segmentRegex(segment: CodeSegment): string {
  switch (segment.segment) {
    case 'fonds':
      return `([A-Za-z0-9]{1,${segment.width ?? 12}})`;
    case 'category':
      return '([A-Z]{1,4}(?:·[A-Z0-9]{1,6})?)';
    case 'year':
      return '(\\d{4})';
    case 'retention':
      return '(Y|D30|D10|C|D)';
    case 'org':
      return '([A-Za-z0-9]{1,10})';
    case 'volume':
    case 'item':
      return `(\\d{${segment.width ?? 1},${segment.width ?? 6}})`;
  }
}

const compiled = new WeakMap<CodePattern, RegExp>();

function patternRegex(pattern: CodePattern): RegExp {
  let re = compiled.get(pattern);
  if (!re) {
    const body = pattern.map((s) => {
      const piece = escape(s.separator) + segmentRegex(s);
      return s.optional ? `(?:${piece})?` : piece;
    });
    re = new RegExp(`^${body.join('')}$`);
    compiled.set(pattern, re);
  }
  return re;
}

/** Parses a (normalised) code by its pattern; null when it does not match. */
export function parseArchivalCode(pattern: CodePattern, code: string): CodeParts | null {
  const match = patternRegex(pattern).exec(normaliseArchivalCode(code));
  if (!match) return null;
  const parts: CodeParts = { fondsCode: '', categoryCode: '', year: 0, retention: 'Y', orgCode: null, volumeNo: null, itemNo: null };
  pattern.forEach((segment, i) => {
    const value = match[i + 1];
    if (value === undefined) return;
    switch (segment.segment) {
      case 'fonds':
        parts.fondsCode = value;
        break;
      case 'category':
        parts.categoryCode = value;
        break;
      case 'year':
        parts.year = Number(value);
        break;
      case 'retention':
        parts.retention = value as Retention;
        break;
      case 'org':
        parts.orgCode = value;
        break;
      case 'volume':
        parts.volumeNo = Number(value);
        break;
      case 'item':
        parts.itemNo = Number(value);
        break;
    }
  });
  return parts;
}

/** A human-readable form of a pattern, e.g. `全宗号-门类代码·年度-保管期限-[机构(问题)代码-]件号`. */
export function describePattern(pattern: CodePattern): string {
  const names: Record<CodeSegment['segment'], string> = { fonds: '全宗号', category: '门类代码', year: '年度', retention: '保管期限', org: '机构(问题)代码', volume: '案卷号', item: '件号' };
  return pattern.map((s, i) => (s.optional ? `[${i ? s.separator : ''}${names[s.segment]}]` : `${i ? s.separator : ''}${names[s.segment]}`)).join('');
}

export interface ContinuityReport {
  classKey: string;
  count: number;
  first: number;
  last: number;
  /** Missing numbers between 1 and the largest (ranges collapsed: [3, 5] means 3–5). */
  gaps: Array<[number, number]>;
  duplicates: number[];
}

/** Gaps and duplicates of item numbers per lowest class (件号连续性检查). */
export function checkContinuity(entries: Iterable<{ classKey: string; itemNo: number }>): ContinuityReport[] {
  const byClass = new Map<string, number[]>();
  for (const e of entries) {
    const list = byClass.get(e.classKey);
    if (list) list.push(e.itemNo);
    else byClass.set(e.classKey, [e.itemNo]);
  }
  const reports: ContinuityReport[] = [];
  for (const [classKey, numbers] of [...byClass].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    numbers.sort((a, b) => a - b);
    const gaps: Array<[number, number]> = [];
    const duplicates: number[] = [];
    let expected = 1;
    let previous = 0;
    for (const n of numbers) {
      if (n === previous) {
        if (duplicates.at(-1) !== n) duplicates.push(n);
        continue;
      }
      if (n > expected) gaps.push([expected, n - 1]);
      expected = n + 1;
      previous = n;
    }
    reports.push({ classKey, count: numbers.length, first: numbers[0] ?? 0, last: numbers.at(-1) ?? 0, gaps, duplicates });
  }
  return reports;
}
