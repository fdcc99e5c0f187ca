/**
 * Bounds on input that would keep an import busy for hours while importing nothing. Real logs
 * compress 5–20:1 and hold a blank line here and there; a gzip bomb expands by hundreds to a
 * thousand times, often into nothing but line breaks.
 */

/** Consecutive blank lines (CSV: also records of empty cells) past which a file is refused. */
export const MAX_BLANK_RUN = 100_000;

/** The expansion ratio is judged only past this much output: a small file may compress far better. */
export const GZIP_RATIO_FLOOR_BYTES = 64 << 20;

export function blankRunMessage(name: string, firstLine: number): string {
  return (
    `${name}: more than ${MAX_BLANK_RUN.toLocaleString('en-US')} blank lines in a row from line ${firstLine}; ` +
    'no log looks like this (a gzip bomb or a broken writer?), refusing it: remove the blank lines if the rest is genuine'
  );
}

export function gzipRatioMessage(name: string, inflated: number, compressed: number, maxRatio: number): string {
  return (
    `${name}: ${compressed} bytes of gzip data expanded to ${inflated} bytes, more than ${maxRatio}:1 ` +
    '(logs compress 5–20:1): refusing it as a likely gzip bomb. If the file is genuine, decompress it ' +
    'and import the plain file, or raise the ratio (--max-gzip-ratio)'
  );
}
