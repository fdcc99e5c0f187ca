/** Sentences the Learn and Review screens show about the learner, in one place so they agree. */

/** "just now", "4 min ago", "3 h ago", "2 days ago". */
export function timeAgo(at: number, now: number = Date.now()): string {
  const s = Math.max(0, Math.round((now - at) / 1000));
  if (s < 45) return 'just now';
  const min = Math.round(s / 60);
  if (min < 60) return `${min} min ago`;
  const h = Math.round(min / 60);
  if (h < 36) return `${h} h ago`;
  const days = Math.round(h / 24);
  return `${days} day${days === 1 ? '' : 's'} ago`;
}

const n = (x: number) => x.toLocaleString('en-US');

/** A message from the API as a sentence: capital first letter, full stop at the end. */
export function sentence(text: string): string {
  const t = text.trim();
  if (!t) return t;
  const capital = t.charAt(0).toUpperCase() + t.slice(1);
  return /[.!?…]$/.test(capital) ? capital : `${capital}.`;
}

/** Review's quiet line: when the learner last re-ranked the queue, and trained on how many labels. */
export function queueRefreshedLine(
  refresh: { at: number; labels: number; queued: number } | null,
  now: number = Date.now(),
): string {
  if (!refresh) return '';
  return `Queue re-ranked by the learner ${timeAgo(refresh.at, now)}, trained on ${n(refresh.labels)} label${refresh.labels === 1 ? '' : 's'}.`;
}

/** Every class needs this many labels before the learner trusts its own uncertainty. */
export const COLD_START_LABELS = 5;

/** Cold start in words: what the queue picks until each class has a few labels. */
export function coldStartLine(classes: readonly string[], counts: readonly number[]): string {
  const short = classes
    .map((c, i) => ({ c, missing: COLD_START_LABELS - (counts[i] ?? 0) }))
    .filter((x) => x.missing > 0)
    .map((x) => `${x.c} needs ${x.missing} more`);
  return (
    `Cold start: picking typical and diverse examples until each class has ${COLD_START_LABELS} labels` +
    (short.length > 0 ? ` (${short.join(', ')}).` : '.')
  );
}

/** An accuracy with its interval: "0.82 (0.74–0.88, 120 labels)"; "—" with no labels. */
export function accuracyText(a: { n: number; accuracy: number | null; low?: number; high?: number }): string {
  if (a.n === 0 || a.accuracy === null) return 'no labels yet';
  const interval = a.low !== undefined && a.high !== undefined ? `${a.low.toFixed(2)}–${a.high.toFixed(2)}, ` : '';
  return `${a.accuracy.toFixed(2)} (${interval}${n(a.n)} label${a.n === 1 ? '' : 's'})`;
}

/** "≈ 340 random labels (210–560) would reach this quality". */
export function randomLabelsLine(r: { estimate: number; low: number; high: number } | null): string {
  if (!r) return 'Not measurable yet: the control curve needs a few more refreshes with control labels.';
  const round = (x: number) => (Number.isFinite(x) ? n(Math.round(x)) : 'more than the pool holds');
  return `≈ ${round(r.estimate)} random labels (${round(r.low)}–${round(r.high)}) would reach this quality.`;
}

/** "+1.2 points" of accuracy for the expected gain from the next 100 labels (a share of 0.012). */
export function gainText(gain: number | null): string {
  if (gain === null) return 'not measurable yet';
  const points = Math.abs(gain * 100).toFixed(1);
  const sign = points === '0.0' ? '±' : gain > 0 ? '+' : '−';
  return `${sign}${points} points`;
}
