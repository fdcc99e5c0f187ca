import type { ImportMapping } from './mapping';

type Row = Record<string, unknown>;

/** What the logged predicted labels say about the mapping's class order. */
export interface ClassOrderEvidence {
  /** Rows with a logged predicted label (one of the classes) and readable scores. */
  rows: number;
  /** Of those, rows whose winning score is not the predicted label under the mapping's order. */
  contradicted: number;
  /** The order the data agrees with best, and how many rows contradict it. */
  best: string[];
  bestContradicted: number;
}

const MIN_ROWS = 5;

function numbers(v: unknown): number[] | null {
  const list = v instanceof Float32Array || v instanceof Float64Array ? Array.from(v) : v;
  if (!Array.isArray(list)) return null;
  return list.every((x) => typeof x === 'number' && Number.isFinite(x)) ? (list as number[]) : null;
}

/** Position (in the mapping's class order) of the class the row's scores favour, or null. */
function winner(m: ImportMapping, row: Row): number | null {
  const k = m.classes.length;
  let values: number[] | null = null;
  if (m.scores.kind === 'vector') values = numbers(row[m.scores.field]);
  else if (m.scores.kind === 'columns') values = numbers(m.scores.columns.map((c) => row[c]));
  if (!values) return null;
  if (values.length === 1 && m.taskType === 'binary') {
    // One score: P(classes[1]), or its logit.
    return values[0]! >= (m.scoreTransform === 'sigmoid' ? 0 : 0.5) ? 1 : 0;
  }
  if (values.length !== k) return null;
  let best = 0;
  for (let i = 1; i < k; i++) if (values[i]! > values[best]!) best = i;
  return best;
}

/**
 * Compares the mapping's class order with the logged predicted labels: for each row, the class of
 * the winning score should be the predicted label. Null when the log cannot tell (no predicted
 * label field, scores keyed by class name, a multilabel task, too few rows).
 */
export function classOrderEvidence(m: ImportMapping, rows: readonly Row[]): ClassOrderEvidence | null {
  const predField = m.predictedLabel;
  if (!predField || m.taskType === 'multilabel' || m.scores.kind === 'object') return null;
  const k = m.classes.length;
  const position = new Map(m.classes.map((c, i) => [c, i]));
  // votes[label][pos]: rows predicted as label whose winning score sits at pos.
  const votes = m.classes.map(() => new Array<number>(k).fill(0));
  let n = 0;
  for (const row of rows) {
    const label = row[predField];
    const li = typeof label === 'string' ? position.get(label) : undefined;
    const pos = li === undefined ? null : winner(m, row);
    if (li === undefined || pos === null) continue;
    votes[li]![pos]!++;
    n++;
  }
  if (n < MIN_ROWS) return null;
  const agreeing = (order: readonly number[]) => order.reduce((sum, pos, li) => sum + votes[li]![pos]!, 0);
  // Greedy assignment of labels to positions, most-voted pairs first: enough to show a better order.
  const pairs = votes.flatMap((v, li) => v.map((count, pos) => ({ li, pos, count })));
  pairs.sort((a, b) => b.count - a.count || a.li - b.li || a.pos - b.pos);
  const assigned = new Array<number | null>(k).fill(null);
  const taken = new Set<number>();
  for (const { li, pos, count } of pairs) {
    if (count === 0) break;
    if (assigned[li] !== null || taken.has(pos)) continue;
    assigned[li] = pos;
    taken.add(pos);
  }
  const free = [...Array(k).keys()].filter((p) => !taken.has(p));
  const order = assigned.map((p) => p ?? free.shift()!);
  const best = new Array<string>(k);
  order.forEach((pos, li) => (best[pos] = m.classes[li]!));
  const identity = m.classes.map((_, i) => i);
  return { rows: n, contradicted: n - agreeing(identity), best, bestContradicted: n - agreeing(order) };
}

/**
 * A warning, in words, when the logged predicted labels contradict the mapping's class order much
 * more often than they contradict another order; null otherwise.
 */
export function classOrderWarning(m: ImportMapping, rows: readonly Row[]): string | null {
  const e = classOrderEvidence(m, rows);
  if (!e || e.contradicted * 2 < e.rows || e.bestContradicted * 3 > e.contradicted) return null;
  const reversed = e.best.every((c, i) => c === m.classes[m.classes.length - 1 - i]);
  const oneScore =
    m.taskType === 'binary' &&
    (m.scores.kind === 'columns' ? m.scores.columns.length === 1 : numbers(rows[0]?.[m.scores.field])?.length === 1);
  const what = oneScore
    ? 'the score points to the other class than the logged predicted label'
    : 'the highest score is not the logged predicted label';
  return (
    `In ${e.contradicted} of ${e.rows} rows ${what}; ` +
    `the class order may be ${reversed ? 'reversed' : 'wrong'}: try ${e.best.join(', ')}`
  );
}
