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
  refresh: { refreshedAt: number; labels: number } | null,
  now: number = Date.now(),
): string {
  if (!refresh) return '';
  return `Re-ranked by the learner ${timeAgo(refresh.refreshedAt, now)}, on ${n(refresh.labels)} label${refresh.labels === 1 ? '' : 's'}`;
}

/** The learner scores a run per refresh (learner@<labels>): of those, Review shows only the newest. */
export function newestLearnerOnly<P extends { model: string }>(predictions: readonly P[]): P[] {
  const learner = (p: P) => p.model.startsWith('learner@');
  const newest = predictions.findLast(learner);
  return predictions.filter((p) => !learner(p) || p === newest);
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

/**
 * An accuracy with its interval and count: "0.82 (0.74–0.88, 120 labels)"; without the value (shown
 * beside it): "120 labels, 95% interval 0.74–0.88"; "no labels yet" with none.
 */
export function accuracyText(
  a: { n: number; accuracy: number | null; low?: number; high?: number },
  withValue = true,
): string {
  if (a.n === 0 || a.accuracy === null) return 'no labels yet';
  const hasInterval = a.low !== undefined && a.high !== undefined;
  const interval = hasInterval ? `${a.low!.toFixed(2)}–${a.high!.toFixed(2)}` : '';
  const count = `${n(a.n)} label${a.n === 1 ? '' : 's'}`;
  if (!withValue) return hasInterval ? `${count}, 95% interval ${interval}` : count;
  return `${a.accuracy.toFixed(2)} (${hasInterval ? `${interval}, ` : ''}${count})`;
}

/**
 * "≈ 340 random labels (95% interval 210–560) would reach this quality", saying when it is
 * extrapolated; a bound beyond the project's examples is said as such, not as a number no one can label.
 */
export function randomLabelsLine(
  r: { estimate: number; low: number; high: number; extrapolated?: boolean } | null,
  examples: number,
): string {
  if (!r) return 'Random labels needed for this quality: not measurable yet (the control labels are too few).';
  const within = (x: number) => Number.isFinite(x) && x <= examples;
  if (!within(r.estimate))
    return `Random labels would not reach this quality within all ${n(examples)} examples of the project.`;
  const round = (x: number) => (within(x) ? n(Math.round(x)) : `more than all ${n(examples)} examples`);
  return (
    `≈ ${round(r.estimate)} random label${Math.round(r.estimate) === 1 ? '' : 's'} (95% interval ${round(r.low)}–${round(r.high)}) would reach this quality` +
    (r.extrapolated ? ', extrapolated beyond the random curve measured so far.' : '.')
  );
}

/** "+1.2 points" of accuracy for the expected gain from the next 100 labels (a share of 0.012). */
export function gainText(gain: number | null): string {
  if (gain === null) return 'not measurable yet';
  const points = Math.abs(gain * 100).toFixed(1);
  const sign = points === '0.0' ? '±' : gain > 0 ? '+' : '−';
  return `${sign}${points} points`;
}

const num = (fit: Record<string, unknown>, key: string): number | null =>
  typeof fit[key] === 'number' ? fit[key] : null;

/**
 * A refresh's fit in a few sentences: did the solver converge, what it trained on (and what it left
 * out), how long each step took. Figures the API does not give are left out, never guessed.
 */
export function fitSentences(fit: Record<string, unknown>, timings: Record<string, number>): string[] {
  const out: string[] = [];
  const iterations = num(fit, 'iterations');
  const gradient = num(fit, 'gradientNorm');
  const warm = fit['warmStarted'] === true || fit['warmStart'] === true;
  if (typeof fit['converged'] === 'boolean') {
    const after = iterations !== null ? ` after ${n(iterations)} iteration${iterations === 1 ? '' : 's'}` : '';
    const norm = gradient !== null ? ` (gradient norm ${gradient.toExponential(1)})` : '';
    out.push(
      fit['converged']
        ? `The solver converged${after}${norm}${warm ? ', warm-started from the previous learner' : ''}.`
        : `The solver stopped without converging${after}${norm}: its scores are less reliable than usual.`,
    );
  }
  const left: string[] = [];
  const fromTruth = num(fit, 'fromTruth');
  const heldOut = num(fit, 'heldOut');
  const unmapped = num(fit, 'unmapped');
  const missing = num(fit, 'missingInputs');
  if (fromTruth) out.push(`${n(fromTruth)} of its labels came from imported ground truth.`);
  const compared = num(fit, 'truthCompared');
  const disagree = num(fit, 'truthDisagreements');
  if (compared && disagree)
    out.push(
      `${n(disagree)} of the ${n(compared)} curated labels on examples with imported ground truth disagree with it (${Math.round((100 * disagree) / compared)}%); the learner follows the curated labels: check them, or the label mapping.`,
    );
  if (heldOut) left.push(`${n(heldOut)} ground-truth label${heldOut === 1 ? '' : 's'} in evaluation sets`);
  if (unmapped) left.push(`${n(unmapped)} label${unmapped === 1 ? '' : 's'} naming no class of the model`);
  if (missing) left.push(`${n(missing)} example${missing === 1 ? '' : 's'} without the representation's input`);
  if (left.length > 0) out.push(`Left out: ${left.join('; ')}.`);
  const total = timings['totalMs'];
  const steps = (
    [
      ['readMs', 'read'],
      ['fitMs', 'fit'],
      ['scoreMs', 'score'],
      ['rerankMs', 're-rank'],
      ['writeMs', 'write'],
    ] as const
  )
    .filter(([k]) => typeof timings[k] === 'number')
    .map(([k, what]) => `${what} ${n(Math.round(timings[k]!))} ms`);
  if (total !== undefined)
    out.push(`Took ${(total / 1000).toFixed(1)} s${steps.length > 0 ? `: ${steps.join(', ')}` : ''}.`);
  return out;
}

/** What queueing likely-wrong labels did: decided items come back for a second look (updated), new ones are added. */
export function issuesQueuedLine(r: { added: number; updated: number; alreadyQueued: number }): string {
  const queued = r.added + r.updated;
  const already = r.alreadyQueued > 0 ? ` (${n(r.alreadyQueued)} were already waiting for one)` : '';
  return `Queued ${n(queued)} likely-wrong label${queued === 1 ? '' : 's'} for a second look${already}.`;
}

/** Where the learner goes by default: a file named after the project and the labels it learned from. */
export function defaultExportPath(project: string, labels: number, embeddings: boolean): string {
  const name = `${project.replace(/[^\p{L}\p{N}._-]+/gu, '-')}-learner-${labels}`;
  return embeddings ? `learners/${name}` : `learners/${name}.onnx`;
}

/** Why the current learner cannot be exported, or null. */
export function exportBlocked(labels: number | null, representation: string | null): string | null {
  if (labels === null || representation === null) return 'There is no learner to export until the first refresh.';
  if (representation === 'text')
    return 'A learner over hashed text n-grams cannot be exported as ONNX: choose features or embeddings of a sentence encoder above to take one out.';
  return null;
}
