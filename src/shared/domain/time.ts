/** The most milliseconds from the epoch a JS Date holds (±100,000,000 days): exports must format them. */
const MAX_DATE_MS = 8.64e15;

/**
 * Epoch milliseconds from an ISO-8601 string, epoch seconds or epoch milliseconds; null if
 * unparseable or beyond what a JS Date holds.
 */
export function parseTimestamp(value: unknown, unit: 'auto' | 'iso' | 's' | 'ms'): number | null {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || unit === 'iso') return null;
    // Epoch seconds stay below 1e11 until the year 5138; milliseconds pass it in 1973.
    const seconds = unit === 's' || (unit === 'auto' && Math.abs(value) < 1e11);
    const ms = Math.round(seconds ? value * 1000 : value);
    return Math.abs(ms) <= MAX_DATE_MS ? ms : null;
  }
  if (typeof value !== 'string' || value.length === 0 || value.length > 64) return null;
  // The canonical form (what JS and most loggers write) needs no pattern check.
  if (
    unit !== 's' &&
    unit !== 'ms' &&
    value.length === 24 &&
    value[10] === 'T' &&
    value[23] === 'Z' &&
    value[19] === '.'
  ) {
    return parseCanonicalIso(value);
  }
  if (unit !== 'iso' && /^-?\d+(\.\d+)?$/.test(value)) return parseTimestamp(Number(value), unit);
  if (unit === 's' || unit === 'ms') return null;
  // Date.parse accepts many loose forms; require something ISO-like first.
  if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(value)) return null;
  const ms = Date.parse(value.length > 10 && value[10] === ' ' ? value.replace(' ', 'T') : value);
  return Number.isFinite(ms) ? ms : null;
}

const ZERO = 48;
const DIGIT_POSITIONS = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18, 20, 21, 22];

// Logs arrive in time order, so consecutive rows share a day: the last day's start is kept.
let cachedDayKey = -1;
let cachedDayStart = 0;

/** Start of a UTC day, or NaN if the date does not exist (2026-02-30). Years 0–99 stay themselves. */
function utcDayStart(year: number, month: number, day: number): number {
  const key = year * 10_000 + month * 100 + day;
  if (key === cachedDayKey) return cachedDayStart;
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day); // unlike Date.UTC, does not read year 50 as 1950
  const start = date.getUTCDate() === day ? date.getTime() : NaN;
  cachedDayKey = key;
  cachedDayStart = start;
  return start;
}

const digit = (v: string, i: number) => v.charCodeAt(i) - ZERO;

/** "YYYY-MM-DDTHH:MM:SS.sssZ" by arithmetic: ten times cheaper than Date.parse on a hot path. */
function parseCanonicalIso(v: string): number | null {
  for (let k = 0; k < DIGIT_POSITIONS.length; k++) {
    const c = digit(v, DIGIT_POSITIONS[k]!);
    if (c < 0 || c > 9) return null;
  }
  if (v.charCodeAt(4) !== 45 || v.charCodeAt(7) !== 45 || v.charCodeAt(13) !== 58 || v.charCodeAt(16) !== 58) {
    return null; // '-' and ':'
  }
  const year = digit(v, 0) * 1000 + digit(v, 1) * 100 + digit(v, 2) * 10 + digit(v, 3);
  const month = digit(v, 5) * 10 + digit(v, 6);
  const day = digit(v, 8) * 10 + digit(v, 9);
  const hour = digit(v, 11) * 10 + digit(v, 12);
  const minute = digit(v, 14) * 10 + digit(v, 15);
  const second = digit(v, 17) * 10 + digit(v, 18);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return null;
  const start = utcDayStart(year, month, day);
  if (Number.isNaN(start)) return null;
  const millis = digit(v, 20) * 100 + digit(v, 21) * 10 + digit(v, 22);
  return start + ((hour * 60 + minute) * 60 + second) * 1000 + millis;
}
