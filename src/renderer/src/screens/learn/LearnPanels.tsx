import { useMemo } from 'react';
import type { LearnStatus } from '../../../../shared/features/learn/contract';
import { ChartView } from '../../components/ChartView';
import { learningCurveConfig } from './learn-charts';
import {
  accuracyText,
  coldStartLine,
  fitSentences,
  gainText,
  randomLabelsLine,
  sentence,
  timeAgo,
} from './learn-words';

const n = (x: number) => x.toLocaleString('en-US');

/** When the learner last refreshed, on how many labels, what it queued, and how it fitted. */
export function RefreshStatus({ status, classes }: { status: LearnStatus; classes: readonly string[] }) {
  const r = status.lastRefresh;
  return (
    <section className="card learn-status" aria-label="Learner status">
      <h2>Status</h2>
      <p role="status" data-testid="learn-status">
        {status.runningJob ? 'Refreshing now: fitting the learner and re-ranking the queue. ' : ''}
        {r
          ? `Last refreshed ${timeAgo(r.at)} on ${n(r.labels)} labels: scored every example into ${
              r.modelRun?.name ?? 'no model run'
            } and queued ${n(r.queued)} items, ${n(r.controlQueued)} of them the random control.`
          : status.config
            ? 'Not refreshed yet: press Refresh now, or label in Review until the first refresh starts.'
            : 'The learner is off: choose a representation and press Start learning.'}
      </p>
      {status.config && (
        <p className="muted small" data-testid="learn-next">
          {n(status.labelsSinceRefresh)} label decision{status.labelsSinceRefresh === 1 ? '' : 's'} since{' '}
          {r ? 'the last refresh' : 'the learner was set up'}
          {status.nextRefreshIn !== null &&
            `; the ${r ? 'next' : 'first'} refresh starts after ${n(status.nextRefreshIn)} more`}{' '}
          · {n(status.refreshes)} refresh{status.refreshes === 1 ? '' : 'es'} so far
        </p>
      )}
      {r?.coldStart && (
        <p className="notice" data-testid="cold-start">
          {coldStartLine(classes, r.classCounts)}
        </p>
      )}
      {status.lastProblem && (
        <p className="warning" role="alert" data-testid="learn-problem">
          {sentence(status.lastProblem)}
        </p>
      )}
      {r && <FitInfo refresh={r} classes={classes} />}
    </section>
  );
}

function plainValue(v: unknown): string {
  if (typeof v === 'number') return Number.isInteger(v) ? n(v) : v.toPrecision(3);
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}

function FitInfo({
  refresh,
  classes,
}: {
  refresh: NonNullable<LearnStatus['lastRefresh']>;
  classes: readonly string[];
}) {
  const all = [
    ...Object.entries(refresh.fit).filter(([, v]) => v !== null && typeof v !== 'object'),
    ...Object.entries(refresh.timings),
  ];
  return (
    <div className="fit-info small" aria-label="Fit">
      <p>
        Trained on {n(refresh.labels)} labels under schema v{refresh.schemaVersion} ({refresh.representation}):{' '}
        {classes.map((c, i) => `${c} ${n(refresh.classCounts[i] ?? 0)}`).join(' · ')}.
      </p>
      {refresh.kappaPrevious !== null && (
        <p>
          Its predictions over the pool agree with the previous learner's at kappa {refresh.kappaPrevious.toFixed(3)}.
        </p>
      )}
      {fitSentences(refresh.fit, refresh.timings).map((line) => (
        <p key={line}>{line}</p>
      ))}
      <details>
        <summary>Every figure of this refresh</summary>
        <dl>
          {all.map(([k, v]) => (
            <div key={k}>
              <dt>{k}</dt>
              <dd>{plainValue(v)}</dd>
            </div>
          ))}
        </dl>
      </details>
    </div>
  );
}

type Meter = LearnStatus['meter'];

/** The verdict's look: mined labels paying off is good news; not beating random ones is a warning with a way out. */
const VERDICT_CLASS: Record<Meter['verdict'], string> = {
  'mined-better': 'success',
  'no-difference': 'warning',
  'control-better': 'warning',
  'too-early': 'muted',
};

function Proportion({ value, label, testId }: { value: Meter['mined']; label: string; testId: string }) {
  return (
    <div className="figure" data-testid={testId}>
      <div className="figure-value">{value.accuracy === null ? '—' : value.accuracy.toFixed(2)}</div>
      <div className="figure-label">
        {label} · {accuracyText(value, false)}
      </div>
    </div>
  );
}

/**
 * Is the queue paying off? Prequential accuracy of mined and control items, the learning curves of
 * the learner and of one trained on random (control) labels alone, how many random labels would
 * reach the current quality, and the verdict in a sentence.
 */
export function EfficiencyMeter({
  meter,
  examples,
  controlShare,
  alreadyRandom,
  onSwitchStrategy,
  switchText,
  busy,
}: {
  meter: Meter;
  /** The project's examples: the most random labels there are to give. */
  examples: number;
  /** The learner's control share now, and whether it is as random as the switch would make it. */
  controlShare: number;
  alreadyRandom: boolean;
  onSwitchStrategy: () => void;
  switchText: string;
  busy: boolean;
}) {
  const chart = useMemo(
    () =>
      meter.controlCurve.length + meter.randomCurve.length > 0
        ? learningCurveConfig([
            { name: 'the learner (all labels)', points: meter.controlCurve },
            { name: 'random labels only', points: meter.randomCurve },
          ])
        : null,
    [meter],
  );
  const falling = meter.verdict === 'no-difference' || meter.verdict === 'control-better';
  return (
    <section className="card learn-meter" aria-label="Efficiency meter">
      <h2>Is the queue paying off?</h2>
      <div className="figures learn-figures">
        <Proportion value={meter.mined} label="mined items" testId="meter-mined" />
        <Proportion value={meter.control} label="random control" testId="meter-control" />
      </div>
      <p className="muted small">
        Prequential accuracy: each new label is first scored by the learner that has not yet learned from it; 95%
        intervals.
      </p>
      {chart ? (
        <ChartView
          config={chart}
          height={200}
          label="Accuracy on control labels against the number of labels trained on: the learner, and a learner trained on random labels only"
        />
      ) : (
        <p className="muted" data-testid="meter-no-curve">
          The learning curves appear once refreshes have scored labels from the random control.
        </p>
      )}
      {meter.quality.n > 0 && meter.quality.accuracy !== null && (
        <p data-testid="meter-quality">
          Current quality: {meter.quality.accuracy.toFixed(2)} on the latest control labels (
          {accuracyText(meter.quality, false)}
          ), by learners trained on ≈ {Math.round(meter.qualityAtLabels).toLocaleString('en-US')} labels.
        </p>
      )}
      <p data-testid="meter-random-labels">{randomLabelsLine(meter.randomLabelsNeeded, examples)}</p>
      <p className={VERDICT_CLASS[meter.verdict]} data-testid="meter-verdict">
        {sentence(meter.message)}
      </p>
      {falling &&
        (alreadyRandom ? (
          <p className="muted small" data-testid="already-random">
            The queue is already {Math.round(controlShare * 100)}% random: labels from here on show whether random ones
            do better.
          </p>
        ) : (
          <button type="button" disabled={busy} onClick={onSwitchStrategy}>
            {switchText}
          </button>
        ))}
    </section>
  );
}

/** When more labels stop paying: agreement of successive learners and the expected gain from the next 100 labels. */
export function StopSignal({ stop }: { stop: LearnStatus['stop'] }) {
  return (
    <section className="card learn-stop" aria-label="Stop signal">
      <h2>When to stop</h2>
      <div className="figures learn-figures">
        <div className="figure" data-testid="stop-kappa">
          <div className="figure-value">{stop.kappaAverage === null ? '—' : stop.kappaAverage.toFixed(3)}</div>
          <div className="figure-label">
            agreement of successive learners (kappa, last three refreshes)
            {stop.kappaAverage === null ? ' · needs a few refreshes' : ''}
          </div>
        </div>
        <div className="figure" data-testid="stop-gain">
          <div className="figure-value">{stop.expectedGain === null ? '—' : gainText(stop.expectedGain)}</div>
          <div className="figure-label">
            expected gain from the next 100 labels, in accuracy
            {stop.expectedGain === null ? ' · not measurable yet' : ''}
          </div>
        </div>
      </div>
      <p className={stop.stable ? 'success' : 'muted'} data-testid="stop-message">
        {sentence(stop.message)}
      </p>
    </section>
  );
}
