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

export function efficiencyMeter(rows: readonly PrequentialRow[]): EfficiencyMeter {
  const r = efficiency(
    rows.map((p) => ({
      origin: p.origin,
      correct: p.correct === 1,
      labelCount: p.labels_at,
      ...(p.random_correct !== null && p.random_labels_at !== null
        ? { randomCorrect: p.random_correct === 1, randomLabelCount: p.random_labels_at }
        : {}),
    })),
  );
  return {
    mined: r.mined,
    control: r.control,
    quality: r.quality,
    qualityAtLabels: r.qualityAtLabels,
    controlCurve: r.controlCurve,
    randomCurve: r.randomCurve,
    randomLabelsNeeded: r.randomLabelsToMatch,
    verdict: r.verdict,
    message: r.sentence,
  };
}

export function learnStatus(ctx: Context, project: Project): LearnStatus {
  const row = ctx.store.learn.config(project.id);
  const last = ctx.store.learn.latestRefresh(project.id);
  const since = ctx.store.learn.decisionsAfter(project.id, last?.last_event_id ?? 0);
  const rows = ctx.store.learn.prequential(project.id);
  const meter = efficiencyMeter(rows);
  const kappas = ctx.store.learn
    .refreshes(project.id, 50)
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
    stop.expectedGain === null
      ? 'the gain from the next 100 labels is not measurable yet (the control curve is too short)'
      : `the next 100 labels are expected to add ${(stop.expectedGain * 100).toFixed(1)} points of accuracy`;
  const message =
    stop.kappaAverage === null
      ? 'too early: the stop signal needs a few refreshes'
      : stable
        ? `the learner has settled (kappa ${stop.kappaAverage.toFixed(3)} over the last refreshes); ${gain}`
        : stop.kappaAverage >= STABLE_KAPPA
          ? `the learner's predictions have stopped changing (kappa ${stop.kappaAverage.toFixed(3)} over the last refreshes); ${gain}`
          : `still learning (kappa ${stop.kappaAverage.toFixed(3)} with the previous learners); ${gain}`;
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
