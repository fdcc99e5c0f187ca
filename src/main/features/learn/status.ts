import type { EfficiencyMeter, LearnStatus } from '../../../shared/features/learn/contract';
import type { Project } from '../../../shared/features/projects/contract';
import type { Context } from '../../core/context';
import type { PrequentialRow } from '../../store/learn';
import { toConfig } from './config';
import { describeRefresh } from './describe';
import { efficiency, stopSignal } from './math';
import { lastProblem, runningRefresh } from './refresh-job';

/** A kappa average at or above this, with little expected gain, says the learner has settled. */
const STABLE_KAPPA = 0.99;
const SMALL_GAIN = 0.005;

function accuracy(rows: readonly PrequentialRow[]) {
  const correct = rows.filter((r) => r.correct === 1).length;
  return { n: rows.length, correct, accuracy: rows.length > 0 ? correct / rows.length : null };
}

/** Control labels' prequential accuracy per learner (by the labels it was fitted on). */
function controlCurve(rows: readonly PrequentialRow[]) {
  const by = new Map<number, { n: number; correct: number }>();
  for (const r of rows) {
    if (r.origin !== 'control') continue;
    const point = by.get(r.labels_at) ?? { n: 0, correct: 0 };
    point.n++;
    point.correct += r.correct;
    by.set(r.labels_at, point);
  }
  return [...by].sort((a, b) => a[0] - b[0]).map(([labels, p]) => ({ labels, n: p.n, accuracy: p.correct / p.n }));
}

export function efficiencyMeter(rows: readonly PrequentialRow[], labels: number): EfficiencyMeter {
  const estimate = efficiency(
    rows.map((r) => ({ origin: r.origin, correct: r.correct === 1, labelsAt: r.labels_at })),
    labels,
  );
  return {
    mined: accuracy(rows.filter((r) => r.origin === 'mined')),
    control: accuracy(rows.filter((r) => r.origin === 'control')),
    controlCurve: controlCurve(rows),
    ...estimate,
  };
}

export function learnStatus(ctx: Context, project: Project): LearnStatus {
  const row = ctx.store.learn.config(project.id);
  const last = ctx.store.learn.latestRefresh(project.id);
  const since = ctx.store.learn.decisionsAfter(project.id, last?.last_event_id ?? 0);
  const rows = ctx.store.learn.prequential(project.id);
  const meter = efficiencyMeter(rows, last?.labels ?? 0);
  const kappas = ctx.store.learn
    .refreshes(project.id, 3)
    .map((r) => r.kappa_previous)
    .filter((k): k is number => k !== null)
    .reverse();
  const stop = stopSignal(kappas, meter.controlCurve);
  const stable =
    stop.kappaAverage !== null &&
    stop.kappaAverage >= STABLE_KAPPA &&
    stop.expectedGain !== null &&
    stop.expectedGain < SMALL_GAIN;
  const gain =
    stop.expectedGain === null ? 'not measurable yet' : `${(stop.expectedGain * 100).toFixed(1)} points of accuracy`;
  const message =
    stop.kappaAverage === null
      ? 'too early: the stop signal needs a few refreshes'
      : stable
        ? `the learner has settled (kappa ${stop.kappaAverage.toFixed(3)} over the last refreshes); the next 100 labels are expected to add ${gain}`
        : `still learning (kappa ${stop.kappaAverage.toFixed(3)} with the previous learners); the next 100 labels are expected to add ${gain}`;
  const issues = ctx.store.learn.lastLabelIssuesRun(project.id);
  return {
    config: row ? toConfig(row) : null,
    lastRefresh: last ? describeRefresh(ctx, last) : null,
    refreshes: ctx.store.learn.refreshCount(project.id),
    labelsSinceRefresh: since,
    nextRefreshIn: row ? Math.max(0, row.every_labels - since) : null,
    runningJob: runningRefresh(project.id),
    lastProblem: lastProblem(project.id),
    meter,
    stop: { ...stop, stable, message },
    labelIssues: issues,
  };
}
