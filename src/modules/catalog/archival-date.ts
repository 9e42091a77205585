/**
 * Dates as DA/T 46-2009 writes them (element 日期): eight digits `YYYYMMDD`; for old
 * records whose day or month is unknown, the partial forms `YYYYMM` and `YYYY`.
 * Separators people type (2023-02-15, 2023.2.15, 2023年2月15日) are normalised on import.
 */

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function daysIn(year: number, month: number): number {
  return [31, isLeap(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
}

/** True for a real calendar date in one of the three forms (20230230 is false). */
export function isValidArchivalDate(value: string): boolean {
  if (!/^\d{4}(\d{2}(\d{2})?)?$/.test(value)) return false;
  const year = Number(value.slice(0, 4));
  if (year < 1000) return false;
  if (value.length === 4) return true;
  const month = Number(value.slice(4, 6));
  if (month < 1 || month > 12) return false;
  if (value.length === 6) return true;
  const day = Number(value.slice(6, 8));
  return day >= 1 && day <= daysIn(year, month);
}

/** The year of an archival date (also of a partial one). */
export function yearOf(value: string): number {
  return Number(value.slice(0, 4));
}

/**
 * Normalises what people type into the DA/T 46 form, or returns null when it is
 * not a date at all. Validity (20230230) is checked separately.
 */
export function normaliseArchivalDate(input: string): string | null {
  const v = input.trim().replace(/[年月./\-—–]/g, '-').replace(/日$/, '').replace(/-+$/, '');
  if (/^\d{4}(\d{2}(\d{2})?)?$/.test(v)) return v;
  const m = /^(\d{4})-(\d{1,2})(?:-(\d{1,2}))?$/.exec(v);
  if (!m) return null;
  const month = m[2]?.padStart(2, '0') ?? '';
  const day = m[3] ? m[3].padStart(2, '0') : '';
  return `${m[1]}${month}${day}`;
}
