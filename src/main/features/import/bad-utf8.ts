export const NOT_UTF8 = 'not valid UTF-8 (bytes that are no UTF-8 character): write the log as UTF-8';

/**
 * The key of a JSON line whose value (or the key itself) holds the bytes that are not UTF-8, so a
 * bad byte is reported by field as a lone surrogate is; '(line)' when the line is no JSON object.
 */
export function jsonFieldWithBadBytes(bytes: Buffer): string {
  try {
    const v = JSON.parse(bytes.toString('utf8')) as unknown;
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return '(line)';
    for (const key of Object.keys(v)) {
      if (key.includes('\ufffd')) return key;
      const json = JSON.stringify((v as Record<string, unknown>)[key]) ?? '';
      if (json.includes('\ufffd')) return key;
    }
  } catch {
    // not JSON once decoded either: the line is all there is to name
  }
  return '(line)';
}
