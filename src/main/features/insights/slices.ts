import type { Output, ParsedInput } from '../../../shared/api/contract';
import { ApiError } from '../../../shared/api/errors';
import { predictions } from '../../../shared/features/insights';
import {
  discoverSlices,
  encodeField,
  pairedMeanInterval,
  predicateText,
  timeField,
  timeWindowOf,
  wilson,
  windowLabel,
  type EncodedField,
  type Predicate,
} from '../../../shared/features/insights/slices';
import type { Project } from '../../../shared/features/projects/contract';
import type { Context } from '../../core/context';
import type { ModelRunRow } from '../../store/mining';
import { resolveModelRun, runLabel } from '../mining/model-runs';
import { resolveProject } from '../projects/handlers';
import { evaluationSet, type EvaluationSet } from './eval-set';
import { runProbabilities } from './evaluate';

type SlicesOutput = Output<'insights.slices'>;
type Stats = SlicesOutput['overall'];

/** Values of a field listed in the breakdown; the rarest beyond are counted in `more`. */
const BREAKDOWN_VALUES = 20;

/** A run of the project named by `ref`, or the newest. */
export function pickRun(ctx: Context, project: Project, ref: number | string | undefined): ModelRunRow {
  const available = ctx.store.mining.modelRuns(project.id);
  if (available.length === 0) throw new ApiError('conflict', `project '${project.name}' has no model runs`);
  return ref === undefined ? available.at(-1)! : resolveModelRun(project, available, ref);
}

/** Each example's predicted class by one run, for the examples of the set it scored. */
export function runPredictions(ctx: Context, run: ModelRunRow, set: EvaluationSet, k: number) {
  const { ids, probs } = runProbabilities(ctx, run, set.truth, k);
  return { ids, probs, predicted: predictions(probs, ids.length, k) };
}

export function refuseMultilabel(project: Project, what: string) {
  if (project.taskType === 'multilabel')
    throw new ApiError(
      'invalid-input',
      `${what} covers binary and multiclass projects; '${project.name}' is multilabel`,
    );
}

/** Metadata fields of the examples as encoded columns (in order of first appearance). */
export function metadataFields(ctx: Context, project: Project, ids: readonly number[]): EncodedField[] {
  const json = ctx.store.insights.metadata(project.id);
  const columns = new Map<string, unknown[]>();
  ids.forEach((id, i) => {
    const raw = json.get(id);
    if (!raw) return;
    let meta: unknown;
    try {
      meta = JSON.parse(raw);
    } catch {
      return;
    }
    if (!meta || typeof meta !== 'object' || Array.isArray(meta)) return;
    for (const [key, value] of Object.entries(meta)) {
      let col = columns.get(key);
      if (!col) columns.set(key, (col = new Array<unknown>(ids.length).fill(undefined)));
      col[i] = value;
    }
  });
  return [...columns].map(([name, values]) => encodeField(name, values));
}

/** Stats from sums: examples, run errors, champion errors, Σ d and Σ d² of d = run error − champion error. */
function statsOf(n: number, errors: number, champ: number, d: number, d2: number, withChampion: boolean): Stats {
  const w = wilson(errors, n) ?? { lo: 0, hi: 1 };
  const paired = withChampion ? pairedMeanInterval(d, d2, n) : null;
  return {
    n,
    errors,
    errorRate: n > 0 ? errors / n : 0,
    lo: w.lo,
    hi: w.hi,
    championErrorRate: withChampion && n > 0 ? champ / n : null,
    diff: withChampion && n > 0 ? d / n : null,
    diffLo: paired?.lo ?? null,
    diffHi: paired?.hi ?? null,
  };
}

/** Error counts of the run (and of the champion) over the examples `at` lists. */
function stats(at: ArrayLike<number>, err: Uint8Array, champion: Uint8Array | null): Stats {
  let errors = 0;
  let champ = 0;
  let d = 0;
  let d2 = 0;
  for (let j = 0; j < at.length; j++) {
    const i = at[j]!;
    errors += err[i]!;
    if (champion) {
      champ += champion[i]!;
      const x = err[i]! - champion[i]!;
      d += x;
      d2 += x * x;
    }
  }
  return statsOf(at.length, errors, champ, d, d2, champion !== null);
}

/** Stats of every value of a field in one pass; the `limit` most frequent values. */
function statsByValue(f: EncodedField, err: Uint8Array, champion: Uint8Array | null, limit: number) {
  const v = f.values.length;
  const sums = Array.from({ length: 5 }, () => new Float64Array(v)); // n, errors, champ, d, d²
  const [count, errors, champ, d, d2] = sums as [Float64Array, Float64Array, Float64Array, Float64Array, Float64Array];
  for (let i = 0; i < f.codes.length; i++) {
    const c = f.codes[i]!;
    if (c < 0) continue;
    count[c]!++;
    errors[c]! += err[i]!;
    if (champion) {
      const x = err[i]! - champion[i]!;
      champ[c]! += champion[i]!;
      d[c]! += x;
      d2[c]! += x * x;
    }
  }
  return Array.from({ length: v }, (_, c) => c)
    .sort((a, b) => count[b]! - count[a]! || a - b)
    .slice(0, limit)
    .map((c) => ({
      value: f.values[c]!,
      ...statsOf(count[c]!, errors[c]!, champ[c]!, d[c]!, d2[c]!, champion !== null),
    }));
}

/** Rows of the examples matching every predicate (one or two: slices are at most two deep). */
function members(fields: Map<string, EncodedField>, predicates: readonly Predicate[], n: number): Int32Array {
  const [a, b] = predicates.map((p) => {
    const f = fields.get(p.field)!;
    return { codes: f.codes, code: f.values.indexOf(p.value) };
  });
  const out: number[] = [];
  if (!b) {
    for (let i = 0; i < n; i++) if (a!.codes[i] === a!.code) out.push(i);
  } else {
    for (let i = 0; i < n; i++) if (a!.codes[i] === a!.code && b.codes[i] === b.code) out.push(i);
  }
  return Int32Array.from(out);
}

/**
 * Each example's time window (week or day of its timestamp) as one more field for slice discovery,
 * its values the windows' labels (time of day kept), with each label's span for the mining filters.
 * None with fewer than two windows, or where a metadata field already has the name (said in a note).
 */
function timeSlicing(
  ids: readonly number[],
  ts: Map<number, number>,
  bucket: 'day' | 'week',
  fields: readonly EncodedField[],
  notes: string[],
): { field: EncodedField | null; spans: Map<string, { from: number; to: number }> } {
  const name = timeField(bucket);
  const spans = new Map<string, { from: number; to: number }>();
  const labels = ids.map((id) => {
    const t = ts.get(id);
    if (t === undefined) return undefined;
    const w = timeWindowOf(t, bucket);
    const label = windowLabel(w.from, w.to);
    spans.set(label, w);
    return label;
  });
  if (spans.size < 2) return { field: null, spans };
  if (fields.some((f) => f.name === name)) {
    notes.push(`a metadata field is named '${name}': time windows are left out of the slices`);
    return { field: null, spans };
  }
  return { field: encodeField(name, labels), spans };
}

export function slices(ctx: Context, input: ParsedInput<'insights.slices'>): SlicesOutput {
  const project = resolveProject(ctx, input.project);
  refuseMultilabel(project, 'slices');
  const set = evaluationSet(ctx, project, input);
  const k = Math.max(2, project.classes.length);
  const run = pickRun(ctx, project, input.run);
  const champion = input.vs === undefined ? null : pickRun(ctx, project, input.vs);
  if (champion && champion.id === run.id)
    throw new ApiError(
      'invalid-input',
      `--vs names the run itself (${runLabel(run)}): name another run to compare with`,
    );
  const notes = [...set.notes];

  const a = runPredictions(ctx, run, set, k);
  let ids = a.ids;
  const predOf = new Map<number, number>(ids.map((id, i) => [id, a.predicted[i]!]));
  let champPred: Map<number, number> | null = null;
  if (champion) {
    const b = runPredictions(ctx, champion, set, k);
    champPred = new Map(b.ids.map((id, i) => [id, b.predicted[i]!]));
    ids = ids.filter((id) => champPred!.has(id));
  }
  if (ids.length < set.truth.size) {
    notes.push(
      `${ids.length} of the ${set.truth.size} examples were scored by ${champion ? 'both runs' : runLabel(run)}; the slices rest on those`,
    );
  }
  if (ids.length === 0)
    throw new ApiError(
      'conflict',
      `${runLabel(run)} scored none of the ${set.truth.size} examples of the evaluation set`,
    );

  const n = ids.length;
  const err = new Uint8Array(n);
  const champErr = champPred ? new Uint8Array(n) : null;
  ids.forEach((id, i) => {
    const t = set.truth.get(id)!;
    err[i] = predOf.get(id) === t ? 0 : 1;
    if (champErr) champErr[i] = champPred!.get(id) === t ? 0 : 1;
  });
  const loss = new Float64Array(n);
  for (let i = 0; i < n; i++) loss[i] = err[i]! - (champErr ? champErr[i]! : 0);

  const fields = metadataFields(ctx, project, ids);
  if (fields.length === 0) notes.push('the examples carry no metadata: slices are time windows only');
  const ts = ctx.store.insights.timestamps(project.id);
  const time = input.timeSlices
    ? timeSlicing(ids, ts, input.window, fields, notes)
    : { field: null, spans: new Map<string, { from: number; to: number }>() };
  const mode = champErr ? 'difference' : 'error';
  const search = discoverSlices(time.field ? [...fields, time.field] : fields, loss, {
    mode,
    minSupport: input.minSupport,
    maxDepth: input.maxDepth,
    alpha: input.alpha,
    top: input.top,
  });
  if (mode === 'error' && search.lossSum === 0) notes.push(`${runLabel(run)} makes no error here: no slice stands out`);
  const all = Int32Array.from({ length: n }, (_, i) => i);
  const overall = stats(all, err, champErr);
  const byName = new Map([...fields, ...(time.field ? [time.field] : [])].map((f) => [f.name, f]));
  const found = search.slices.map((s) => {
    const st = stats(members(byName, s.predicates, n), err, champErr);
    const window = s.predicates.find((p) => p.field === time.field?.name);
    const span = window ? time.spans.get(String(window.value))! : null;
    return {
      ...st,
      predicates: s.predicates,
      label: predicateText(s.predicates),
      score: s.score,
      excessErrors: mode === 'difference' ? s.lossSum : s.lossSum - s.n * overall.errorRate,
      filters: {
        metadata: Object.fromEntries(s.predicates.filter((p) => p !== window).map((p) => [p.field, p.value])),
        ...(span ? { from: span.from, to: span.to } : {}),
      },
      pinnable: !window,
    };
  });

  const breakdown = fields.map((f) => ({
    field: f.name,
    values: statsByValue(f, err, champErr, BREAKDOWN_VALUES),
    more: Math.max(0, f.values.length - BREAKDOWN_VALUES),
  }));

  const windows = new Map<number, { to: number; at: number[] }>();
  let noTimestamp = 0;
  ids.forEach((id, i) => {
    const t = ts.get(id);
    if (t === undefined) return void noTimestamp++;
    const w = timeWindowOf(t, input.window);
    let e = windows.get(w.from);
    if (!e) windows.set(w.from, (e = { to: w.to, at: [] }));
    e.at.push(i);
  });
  const byTime = {
    window: input.window,
    windows: [...windows]
      .sort((x, y) => x[0] - y[0])
      .map(([from, w]) => ({ label: windowLabel(from, w.to), from, to: w.to, ...stats(w.at, err, champErr) })),
    noTimestamp,
  };

  return {
    evaluationSet: set.info,
    notes,
    run: runLabel(run),
    vs: champion ? runLabel(champion) : null,
    mode,
    minSupport: input.minSupport,
    maxDepth: input.maxDepth,
    alpha: input.alpha,
    fields: fields.map((f) => f.name),
    timeField: time.field?.name ?? null,
    evaluated: search.evaluated,
    overall,
    slices: found,
    breakdown,
    time: byTime,
  };
}
