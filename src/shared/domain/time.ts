/** Epoch milliseconds from an ISO-8601 string, epoch seconds or epoch milliseconds; null if unparseable. */
export function parseTimestamp(value: unknown, unit: 'auto' | 'iso' | 's' | 'ms'): number | null {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return null;
    if (unit === 's') return Math.round(value * 1000);
    if (unit === 'ms') return Math.round(value);
    if (unit === 'iso') return null;
    // Epoch seconds stay below 1e11 until the year 5138; milliseconds pass it in 1973.
    return Math.round(Math.abs(value) < 1e11 ? value * 1000 : value);
  }
  if (typeof value !== 'string' || value.length === 0 || value.length > 64) return null;
  if (unit !== 'iso' && /^-?\d+(\.\d+)?$/.test(value)) return parseTimestamp(Number(value), unit);
  if (unit === 's' || unit === 'ms') return null;
  // Date.parse accepts many loose forms; require something ISO-like first.
  if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(value)) return null;
  const ms = Date.parse(value.length > 10 && value[10] === ' ' ? value.replace(' ', 'T') : value);
  return Number.isFinite(ms) ? ms : null;
}
