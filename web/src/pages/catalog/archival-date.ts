/**
 * DA/T 46 dates as the form checks them before the server does: `YYYYMMDD`, or for
 * old records whose day or month is unknown `YYYYMM` / `YYYY`; 20230230 is no date.
 * The server applies the same rule (src/modules/catalog/archival-date.ts).
 */
function daysIn(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
}

/** True for a real calendar date in one of the three forms. */
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
