/** A UTF-16 surrogate without its partner: JSON's "\ud800" escape can write one, UTF-8 cannot hold one. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

const native = (String.prototype as { isWellFormed?: (this: string) => boolean }).isWellFormed;

/** True when `s` holds no unpaired surrogate, so it can be stored and exported as UTF-8 unchanged. */
export const isWellFormed: (s: string) => boolean = native ? (s) => native.call(s) : (s) => !LONE_SURROGATE.test(s);

export const LONE_SURROGATE_REASON =
  'text contains an unpaired UTF-16 surrogate (a lone \\ud800–\\udfff escape), which UTF-8 cannot store: fix the writer of the log';

/** Whether a JSON value holds a string or key with an unpaired surrogate, at any depth. */
export function holdsLoneSurrogate(v: unknown): boolean {
  if (typeof v === 'string') return !isWellFormed(v);
  if (v === null || typeof v !== 'object') return false;
  if (Array.isArray(v)) return v.some(holdsLoneSurrogate);
  for (const key of Object.keys(v)) {
    if (!isWellFormed(key) || holdsLoneSurrogate((v as Record<string, unknown>)[key])) return true;
  }
  return false;
}
