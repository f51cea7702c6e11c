// Calendar arithmetic that means what it says for every year: Date.UTC reads the years 0–99 as
// 1900–1999 (a two-digit-year rule from the 1990s); these do not.

/** Epoch ms of a UTC date and time; `month` is 0-based. */
export function utcMs(year: number, month: number, day: number, hour = 0, minute = 0, second = 0): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month, day);
  d.setUTCHours(hour, minute, second, 0);
  return d.getTime();
}

/** Days in a month of a year (`month` 0-based). */
export function daysInMonth(year: number, month: number): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month + 1, 0);
  return d.getUTCDate();
}
