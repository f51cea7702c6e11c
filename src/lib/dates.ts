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

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
/** RFC 2822's obsolete zone names, in minutes east of UTC. */
const ZONES: Record<string, number> = {
  ut: 0, utc: 0, gmt: 0, z: 0,
  est: -300, edt: -240, cst: -360, cdt: -300, mst: -420, mdt: -360, pst: -480, pdt: -420,
};
// Each part is a fixed token or a bounded digit run, so matching is linear (no nested quantifiers).
const RFC2822 =
  /^(?:(?:mon|tue|wed|thu|fri|sat|sun)\s*,\s*)?(\d{1,2})\s+([a-z]{3})\s+(\d{4}|\d{2})\s+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:\s*([+-]\d{4}|[a-z]{1,3}))?(?:\s*\([^()]{0,64}\))?$/i;

/**
 * An RFC 2822 date-time (`Fri, 14 Oct 2011 23:10:10 -0000`; the weekday, seconds and a trailing
 * comment optional; the weekday not checked against the date) as epoch ms, or undefined.
 * Lenient (the Events API's `begin`/`end`, as SDKs send them): a two-digit year (RFC 2822 §4.3:
 * 00–49 are 20xx), a one-digit hour, fractional seconds, no zone (UTC). `strict` (a sending option):
 * a four-digit year, a two-digit hour, whole seconds and a zone, as RFC 2822 writes them.
 */
export function parseRfc2822(value: string, options: { strict?: boolean } = {}): number | undefined {
  const text = value.trim();
  if (text.length > 128) return undefined;
  const m = RFC2822.exec(text);
  if (!m) return undefined;
  const [, dayText, monthText, yearText, hourText, minuteText, secondText, fractionText, zoneText] = m;
  if (options.strict && (yearText!.length !== 4 || hourText!.length !== 2 || fractionText !== undefined || zoneText === undefined)) return undefined;
  const month = MONTHS.indexOf(monthText!.toLowerCase());
  if (month < 0) return undefined;
  let year = Number(yearText);
  if (yearText!.length === 2) year += year < 50 ? 2000 : 1900;
  const day = Number(dayText);
  const hour = Number(hourText);
  const minute = Number(minuteText);
  const second = secondText === undefined ? 0 : Number(secondText);
  if (hour > 23 || minute > 59 || second > 60 || day < 1 || day > daysInMonth(year, month)) return undefined;
  let offset = 0;
  if (zoneText !== undefined) {
    if (zoneText[0] === '+' || zoneText[0] === '-') {
      const hh = Number(zoneText.slice(1, 3));
      const mm = Number(zoneText.slice(3, 5));
      if (mm > 59) return undefined;
      offset = (zoneText[0] === '-' ? -1 : 1) * (hh * 60 + mm);
    } else {
      const named = ZONES[zoneText.toLowerCase()];
      if (named === undefined) return undefined;
      offset = named;
    }
  }
  const fraction = fractionText === undefined ? 0 : Number(`0.${fractionText}`) * 1000;
  return utcMs(year, month, day, hour, minute, second) - offset * 60_000 + fraction;
}
