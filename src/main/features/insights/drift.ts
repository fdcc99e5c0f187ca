import type { Output, ParsedInput } from '../../../shared/api/contract';
import { ApiError } from '../../../shared/api/errors';
import { driftLevel, ks, psi, type DriftLevel } from '../../../shared/features/insights';
import { categoricalPsi, driftSummary, topMovers } from '../../../shared/features/insights/drift-attribution';
import { windowLabel } from '../../../shared/features/insights/slices';
import type { Project } from '../../../shared/features/projects/contract';
import type { Context } from '../../core/context';
import type { ModelRunRow } from '../../store/mining';
import type { PredictionColumns } from '../../store/prediction-columns';
import { resolveModelRun, runLabel } from '../mining/model-runs';
import { resolveProject } from '../projects/handlers';
import { evaluationSet } from './eval-set';
import { metadataFields } from './slices';

type DriftOutput = Output<'insights.drift'>;
type Row = DriftOutput['rows'][number];
type Pair = DriftOutput['modelShift']['pairs'][number];
type TimeWindow = { from: number; to: number };
const ORDER: DriftLevel[] = ['ok', 'warn', 'alert'];
/** Runs whose score shift is reported, newest last. */
const MAX_RUNS = 6;
const TOP_MOVERS = 10;

function row(quantity: string, reference: Float64Array, current: Float64Array, bins: number): Row {
  const p = psi(reference, current, bins);
  const k = ks(reference, current);
  // The level follows the larger of PSI and the KS statistic, both read against 0.1 / 0.2.
  const worst = Math.max(p ?? 0, k?.statistic ?? 0);
  return {
    quantity,
    psi: p,
    ks: k?.statistic ?? null,
    ksPValue: k?.pValue ?? null,
    level: driftLevel(worst),
    reference: reference.length,
    current: current.length,
  };
}

/** Each class's score as a column (binary: P(positive) alone), over the rows `keep` lets through. */
function scoreColumns(
  project: Project,
  cols: PredictionColumns,
  keep: (i: number) => boolean,
): Map<string, Float64Array> {
  const w = cols.width;
  const names = w === 1 ? [project.classes[1] ?? 'positive'] : project.classes.slice(0, w);
  const values = names.map(() => [] as number[]);
  for (let i = 0; i < cols.n; i++) {
    if (!keep(i)) continue;
    for (let c = 0; c < w; c++) values[c]!.push(cols.scores[i * w + c]!);
  }
  return new Map(names.map((n, c) => [`score:${n}`, Float64Array.from(values[c]!)]));
}

function featureColumns(project: Project, blobs: Buffer[]): Map<string, Float64Array> {
  const names = project.featureNames ?? [];
  const out = new Map<string, Float64Array>();
  names.forEach((name, f) => {
    const v = new Float64Array(blobs.length);
    blobs.forEach((b, i) => (v[i] = f * 4 + 4 <= b.byteLength ? b.readFloatLE(f * 4) : Number.NaN));
    out.set(`feature:${name}`, v);
  });
  return out;
}

/** Predicted class of row i: argmax, binary P(positive) ≥ 0.5 (as run agreement reads it). */
function predictedAt(cols: PredictionColumns, i: number): number {
  const w = cols.width;
  if (w === 1) return cols.scores[i]! >= 0.5 ? 1 : 0;
  let best = 0;
  for (let c = 1; c < w; c++) if (cols.scores[i * w + c]! > cols.scores[i * w + best]!) best = c;
  return best;
}

const worstOf = (rows: readonly { level: DriftLevel }[]) =>
  rows.reduce<DriftLevel>((w, r) => (ORDER.indexOf(r.level) > ORDER.indexOf(w) ? r.level : w), 'ok');

/** Run b against run a on the examples both scored that `keep` lets through: mean |Δp| and label flips. */
function comparePair(
  a: ModelRunRow,
  b: ModelRunRow,
  ca: PredictionColumns,
  cb: PredictionColumns,
  keep: (id: number) => boolean,
): Pair {
  const rowOfB = new Map<number, number>();
  for (let j = 0; j < cb.n; j++) rowOfB.set(cb.exampleIds[j]!, j);
  const w = ca.width;
  let n = 0;
  let flips = 0;
  let delta = 0;
  for (let i = 0; i < ca.n; i++) {
    const id = ca.exampleIds[i]!;
    const j = rowOfB.get(id);
    if (j === undefined || !keep(id) || cb.width !== w) continue;
    n++;
    if (predictedAt(ca, i) !== predictedAt(cb, j)) flips++;
    let d = 0;
    for (let c = 0; c < w; c++) d += Math.abs(ca.scores[i * w + c]! - cb.scores[j * w + c]!);
    delta += d / w;
  }
  return {
    a: runLabel(a),
    b: runLabel(b),
    examples: n,
    meanAbsDelta: n ? delta / n : null,
    flipRate: n ? flips / n : null,
  };
}

/** Metadata fields as categorical PSI rows between the windows. */
function metadataRows(
  ctx: Context,
  project: Project,
  ref: TimeWindow,
  cur: TimeWindow,
  ts: Map<number, number>,
): Row[] {
  const ids: number[] = [];
  const side: number[] = [];
  for (const [id, t] of ts) {
    const s = t >= ref.from && t < ref.to ? 0 : t >= cur.from && t < cur.to ? 1 : -1;
    if (s < 0) continue;
    ids.push(id);
    side.push(s);
  }
  return metadataFields(ctx, project, ids).map((f) => {
    const a: number[] = [];
    const b: number[] = [];
    f.codes.forEach((c, i) => (side[i] === 0 ? a : b).push(c));
    const p = categoricalPsi(Int32Array.from(a), Int32Array.from(b), f.values.length);
    return {
      quantity: `metadata:${f.name}`,
      psi: p,
      ks: null,
      ksPValue: null,
      level: p === null ? 'ok' : driftLevel(p),
      reference: a.length,
      current: b.length,
    };
  });
}

/** Reference labels (ground truth and curated, curated winning) by example id; empty when there are none. */
function labelsOf(ctx: Context, project: Project): { truth: Map<number, number>; labels: string[] } {
  try {
    const set = evaluationSet(ctx, project, { source: 'both' });
    return { truth: set.truth, labels: set.labels };
  } catch (e) {
    if (e instanceof ApiError && e.code === 'conflict') return { truth: new Map(), labels: project.classes };
    throw e;
  }
}

function windowsDrift(
  ctx: Context,
  project: Project,
  available: ModelRunRow[],
  input: ParsedInput<'insights.drift'>,
): DriftOutput {
  const run = input.modelRun ? resolveModelRun(project, available, input.modelRun) : available.at(-1)!;
  const refW = input.reference!;
  const curW = input.current!;
  const ts = ctx.store.insights.timestamps(project.id);
  const inWindow = (w: TimeWindow) => (id: number) => {
    const t = ts.get(id);
    return t !== undefined && t >= w.from && t < w.to;
  };
  const cols = ctx.store.predictionColumns.load(run.id);
  const rowIn = (w: TimeWindow) => (i: number) => inWindow(w)(cols.exampleIds[i]!);
  const sa = scoreColumns(project, cols, rowIn(refW));
  const sb = scoreColumns(project, cols, rowIn(curW));
  const emptyName =
    [...sa.values()][0]!.length === 0 ? 'reference' : [...sb.values()][0]!.length === 0 ? 'current' : null;
  if (emptyName) {
    const w = emptyName === 'reference' ? refW : curW;
    throw new ApiError(
      'invalid-input',
      `the ${emptyName} window ${windowLabel(w.from, w.to)} holds no scored examples of ${runLabel(run)}`,
    );
  }
  const rows: Row[] = [];
  for (const [name, values] of sa) rows.push(row(name, values, sb.get(name)!, input.bins));
  const fa = featureColumns(project, ctx.store.insights.featuresIn(project.id, refW.from, refW.to));
  const fb = featureColumns(project, ctx.store.insights.featuresIn(project.id, curW.from, curW.to));
  const traffic: Row[] = [];
  for (const [name, values] of fa) traffic.push(row(name, values, fb.get(name)!, input.bins));
  traffic.push(...metadataRows(ctx, project, refW, curW, ts));
  rows.push(...traffic);

  // model shift: every recent run's scores between the windows, and each run against the newest
  const recent = available.slice(-MAX_RUNS);
  const loaded = new Map(recent.map((r) => [r.id, r.id === run.id ? cols : ctx.store.predictionColumns.load(r.id)]));
  const runShift = recent.map((r) => {
    const c = loaded.get(r.id)!;
    const a = scoreColumns(project, c, (i) => inWindow(refW)(c.exampleIds[i]!));
    const b = scoreColumns(project, c, (i) => inWindow(curW)(c.exampleIds[i]!));
    const psis = [...a].map(([name, v]) => psi(v, b.get(name)!, input.bins)).filter((x): x is number => x !== null);
    const p = psis.length > 0 ? Math.max(...psis) : null;
    return {
      run: runLabel(r),
      psi: p,
      level: p === null ? ('ok' as const) : driftLevel(p),
      reference: [...a.values()][0]!.length,
      current: [...b.values()][0]!.length,
    };
  });
  const newest = recent.at(-1)!;
  const pairs = recent
    .slice(0, -1)
    .map((r) => comparePair(r, newest, loaded.get(r.id)!, loaded.get(newest.id)!, inWindow(curW)));

  // prior shift: the labeled rate of a class against each run's predicted rate, per window
  const { truth, labels } =
    project.taskType === 'multilabel'
      ? { truth: new Map<number, number>(), labels: project.classes }
      : labelsOf(ctx, project);
  const k = Math.max(2, project.classes.length);
  const labeledRates = [refW, curW].map((w) => {
    const counts = new Float64Array(k);
    let n = 0;
    for (const [id, c] of truth) {
      if (!inWindow(w)(id)) continue;
      counts[c]!++;
      n++;
    }
    return { n, rates: Array.from(counts, (x) => (n ? x / n : null)) };
  });
  let cls = 1;
  if (k > 2) {
    let bestMove = -1;
    for (let c = 0; c < k; c++) {
      const move = Math.abs((labeledRates[1]!.rates[c] ?? 0) - (labeledRates[0]!.rates[c] ?? 0));
      if (move <= bestMove) continue;
      bestMove = move;
      cls = c;
    }
  }
  const predictedRate = (r: ModelRunRow, w: TimeWindow) => {
    const c = loaded.get(r.id)!;
    let n = 0;
    let hits = 0;
    for (let i = 0; i < c.n; i++) {
      if (!inWindow(w)(c.exampleIds[i]!)) continue;
      n++;
      if (predictedAt(c, i) === cls) hits++;
    }
    return { run: runLabel(r), n, rate: n ? hits / n : null };
  };
  const className = labels[cls] ?? project.classes[cls] ?? String(cls);
  const priorShift = {
    className,
    windows: (['reference', 'current'] as const).map((name, j) => {
      const w = j === 0 ? refW : curW;
      return {
        window: name,
        label: windowLabel(w.from, w.to),
        labeled: labeledRates[j]!.n,
        labeledRate: labeledRates[j]!.rates[cls] ?? null,
        predicted: recent.map((r) => predictedRate(r, w)),
      };
    }),
  };
  const [pr, pc] = priorShift.windows as [(typeof priorShift.windows)[0], (typeof priorShift.windows)[0]];
  const movers = topMovers(traffic, TOP_MOVERS);
  const quoted = pc.predicted.find((p) => p.run === runLabel(run))!;
  const summary = driftSummary(movers, runShift, {
    className,
    labeledReference: pr.labeled > 0 ? pr.labeledRate : null,
    labeledCurrent: pc.labeled > 0 ? pc.labeledRate : null,
    run: quoted.run,
    predictedCurrent: quoted.rate,
  });
  return {
    mode: 'windows',
    reference: `${runLabel(run)} ${windowLabel(refW.from, refW.to)}`,
    current: `${runLabel(run)} ${windowLabel(curW.from, curW.to)}`,
    rows,
    worst: worstOf(rows),
    summary,
    traffic: { movers, compared: traffic.length, worst: worstOf(traffic) },
    modelShift: { runs: runShift, pairs },
    priorShift,
  };
}

function runsDrift(
  ctx: Context,
  project: Project,
  available: ModelRunRow[],
  input: ParsedInput<'insights.drift'>,
): DriftOutput {
  const [a, b] = input.runs!.map((r) => resolveModelRun(project, available, r)) as [ModelRunRow, ModelRunRow];
  const ca = ctx.store.predictionColumns.load(a.id);
  const cb = ctx.store.predictionColumns.load(b.id);
  const sa = scoreColumns(project, ca, () => true);
  const sb = scoreColumns(project, cb, () => true);
  const rows: Row[] = [];
  for (const [name, values] of sa) rows.push(row(name, values, sb.get(name) ?? new Float64Array(0), input.bins));
  const pair = comparePair(a, b, ca, cb, () => true);
  const worst = worstOf(rows);
  const f = (x: number | null) => (x === null ? 'n/a' : x.toFixed(3));
  const summary =
    `${pair.b} against ${pair.a} on ${pair.examples} examples both scored: mean |Δp| ${f(pair.meanAbsDelta)}, ` +
    `labels flip on ${pair.flipRate === null ? 'n/a' : `${(100 * pair.flipRate).toFixed(1)}%`}; score distributions: ${worst}`;
  return {
    mode: 'runs',
    reference: runLabel(a),
    current: runLabel(b),
    rows,
    worst,
    summary,
    traffic: null,
    modelShift: { runs: [], pairs: [pair] },
    priorShift: null,
  };
}

export function drift(ctx: Context, input: ParsedInput<'insights.drift'>): DriftOutput {
  const project = resolveProject(ctx, input.project);
  const available = ctx.store.mining.modelRuns(project.id);
  if (available.length === 0) throw new ApiError('conflict', `project '${project.name}' has no model runs`);
  return input.runs ? runsDrift(ctx, project, available, input) : windowsDrift(ctx, project, available, input);
}
