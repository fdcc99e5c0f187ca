import type { Output, ParsedInput } from '../../../shared/api/contract';
import { ApiError } from '../../../shared/api/errors';
import { driftLevel, ks, psi, type DriftLevel } from '../../../shared/features/insights';
import type { Project } from '../../../shared/features/projects/contract';
import type { Context } from '../../core/context';
import type { PredictionColumns } from '../../store/prediction-columns';
import { resolveModelRun, runLabel } from '../mining/model-runs';
import { resolveProject } from '../projects/handlers';

type DriftOutput = Output<'insights.drift'>;
type Row = DriftOutput['rows'][number];
const ORDER: DriftLevel[] = ['ok', 'warn', 'alert'];

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

function iso(t: number): string {
  return new Date(t).toISOString().slice(0, 10);
}

export function drift(ctx: Context, input: ParsedInput<'insights.drift'>): DriftOutput {
  const project = resolveProject(ctx, input.project);
  const available = ctx.store.mining.modelRuns(project.id);
  if (available.length === 0) throw new ApiError('conflict', `project '${project.name}' has no model runs`);
  const rows: Row[] = [];
  let reference: string;
  let current: string;
  let mode: DriftOutput['mode'];
  if (input.runs) {
    mode = 'runs';
    const [a, b] = input.runs.map((r) => resolveModelRun(project, available, r)) as [
      (typeof available)[0],
      (typeof available)[0],
    ];
    const ca = ctx.store.predictionColumns.load(a.id);
    const cb = ctx.store.predictionColumns.load(b.id);
    const sa = scoreColumns(project, ca, () => true);
    const sb = scoreColumns(project, cb, () => true);
    for (const [name, values] of sa) rows.push(row(name, values, sb.get(name) ?? new Float64Array(0), input.bins));
    reference = runLabel(a);
    current = runLabel(b);
  } else {
    mode = 'windows';
    const run = input.modelRun ? resolveModelRun(project, available, input.modelRun) : available.at(-1)!;
    const refW = input.reference!;
    const curW = input.current!;
    const ts = ctx.store.insights.timestamps(project.id);
    const cols = ctx.store.predictionColumns.load(run.id);
    const inWindow = (w: { from: number; to: number }) => (i: number) => {
      const t = ts.get(cols.exampleIds[i]!);
      return t !== undefined && t >= w.from && t < w.to;
    };
    const sa = scoreColumns(project, cols, inWindow(refW));
    const sb = scoreColumns(project, cols, inWindow(curW));
    const emptyName =
      [...sa.values()][0]!.length === 0 ? 'reference' : [...sb.values()][0]!.length === 0 ? 'current' : null;
    if (emptyName) {
      const w = emptyName === 'reference' ? refW : curW;
      throw new ApiError(
        'invalid-input',
        `the ${emptyName} window ${iso(w.from)} – ${iso(w.to)} holds no scored examples`,
      );
    }
    for (const [name, values] of sa) rows.push(row(name, values, sb.get(name)!, input.bins));
    const fa = featureColumns(project, ctx.store.insights.featuresIn(project.id, refW.from, refW.to));
    const fb = featureColumns(project, ctx.store.insights.featuresIn(project.id, curW.from, curW.to));
    for (const [name, values] of fa) rows.push(row(name, values, fb.get(name)!, input.bins));
    reference = `${runLabel(run)} ${iso(refW.from)} – ${iso(refW.to)}`;
    current = `${runLabel(run)} ${iso(curW.from)} – ${iso(curW.to)}`;
  }
  const worst = rows.reduce<DriftLevel>((w, r) => (ORDER.indexOf(r.level) > ORDER.indexOf(w) ? r.level : w), 'ok');
  return { mode, reference, current, rows, worst };
}
