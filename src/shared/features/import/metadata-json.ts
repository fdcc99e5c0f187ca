/** A canonical array index ("0", "7", not "07"): JSON.stringify lists such keys first, ascending. */
function isArrayIndex(key: string): boolean {
  return /^(0|[1-9]\d*)$/.test(key) && Number(key) <= 4294967294;
}

/**
 * Writes a row's metadata fields as a JSON object: the text JSON.stringify gives for an object
 * holding those fields (same key order, same omissions), without building the object per row.
 * null when the row has none of the fields.
 */
export function createMetadataWriter(fields: readonly string[]): (raw: Record<string, unknown>) => string | null {
  const unique = [...new Set(fields)];
  const ordered = [
    ...unique.filter(isArrayIndex).sort((a, b) => Number(a) - Number(b)),
    ...unique.filter((k) => !isArrayIndex(k)),
  ];
  const prefixes = ordered.map((k) => `${JSON.stringify(k)}:`);
  return (raw) => {
    let any = false;
    let out = '';
    for (let i = 0; i < ordered.length; i++) {
      const value = raw[ordered[i]!];
      if (value === undefined) continue;
      any = true;
      const json = JSON.stringify(value) as string | undefined;
      if (json !== undefined) out += (out.length === 0 ? '' : ',') + prefixes[i]! + json;
    }
    return any ? `{${out}}` : null;
  };
}
