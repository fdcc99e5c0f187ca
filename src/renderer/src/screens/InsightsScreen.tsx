import { useCallback, useEffect, useRef, useState } from 'react';
import type { Output } from '../../../shared/api/contract';
import { ChartView, SERIES_COLORS } from '../components/ChartView';
import { runHistogramConfig } from '../components/charts';
import { useLatestOnly } from '../hooks/useLatestOnly';
import { useWorkbench } from '../store/workbench';
import { EvalForm, EvaluationSetLine, GateVerdict, type EvalRequest } from './EvalGate';
import {
  CalibrationPerClass,
  ConfusionPanel,
  guardText,
  reliabilityOf,
  SlicesPanel,
  type Guard,
  type Selection,
} from './WhereWrong';

type Evaluation = Output<'insights.eval'>;
type Histograms = Output<'insights.histograms'>;
type Drift = Output<'insights.drift'>;
type Agreement = Output<'labels.agreement'>;

const f = (x: number | null, d = 3) => (x === null ? '—' : x.toFixed(d));

function EvalTable({ e }: { e: Evaluation }) {
  return (
    <table className="table" aria-label="Evaluation">
      <thead>
        <tr>
          <th scope="col">model run</th>
          <th scope="col">labels</th>
          <th scope="col" className="num">
            n
          </th>
          <th scope="col" className="num">
            accuracy
          </th>
          <th scope="col" className="num">
            macro-F1
          </th>
          <th scope="col" className="num">
            ROC-AUC
          </th>
          <th scope="col" className="num">
            PR-AUC
          </th>
          <th scope="col" className="num">
            log loss
          </th>
          <th scope="col" className="num">
            Brier
          </th>
          <th scope="col" className="num">
            {e.runs[0]?.all.reliabilityBasis === 'positive' ? 'ECE of P(positive)' : 'ECE (top label)'}
          </th>
          <th scope="col" className="num">
            class-wise ECE
          </th>
          <th scope="col" className="num">
            predicted / labeled positive
          </th>
        </tr>
      </thead>
      <tbody>
        {e.runs.flatMap((run) =>
          (
            [
              ['all', run.all],
              ['random sample', run.randomSample],
              ['mined', run.mined],
            ] as const
          )
            .map(([what, m]) => (
              <tr key={`${run.modelRunId}-${what}`}>
                <td>
                  {what === 'all' ? run.name : ''}
                  {what === 'all' && run.coverage.scored < run.coverage.of && (
                    <span className="muted small">
                      {' '}
                      (scored {run.coverage.scored} of {run.coverage.of})
                    </span>
                  )}
                </td>
                <td className="muted">{what}</td>
                <td className="num">{m.n}</td>
                <td className="num">{f(m.accuracy)}</td>
                <td className="num">{f(m.macroF1)}</td>
                <td className="num">{f(m.rocAuc)}</td>
                <td className="num">{f(m.prAuc)}</td>
                <td className="num">{f(m.logLoss)}</td>
                <td className="num">{f(m.brier)}</td>
                <td className="num">{f(m.ece)}</td>
                <td className="num">{f(m.classwiseEce)}</td>
                <td className="num">
                  {m.positiveRate ? `${f(m.positiveRate.predicted, 2)} / ${f(m.positiveRate.labeled, 2)}` : '—'}
                </td>
              </tr>
            ))
            .concat(
              run.all.atThreshold && JSON.stringify(run.all.atThreshold.confusion) !== JSON.stringify(run.all.confusion)
                ? [<AtThresholdRow key={`${run.modelRunId}-threshold`} t={run.all.atThreshold} n={run.all.n} />]
                : [],
            ),
        )}
      </tbody>
      <caption className="muted small caption-bottom" data-testid="decision-rules">
        Accuracy and macro-F1 are at the argmax (binary: P(positive) ≥ 0.5);{' '}
        {e.runs.map((run, i) => (
          <span key={run.modelRunId}>
            {i > 0 && '; '}
            {run.name} decides by {run.decision.description}
          </span>
        ))}
        . Where those differ from the argmax, a row &ldquo;at its threshold&rdquo; judges them; the probability metrics
        do not depend on them.
      </caption>
    </table>
  );
}

/** A run's accuracy, macro-F1 and predicted positive rate at its own threshold (or logged labels), on all labels. */
function AtThresholdRow({ t, n }: { t: NonNullable<Evaluation['runs'][number]['all']['atThreshold']>; n: number }) {
  return (
    <tr data-testid="at-threshold">
      <td />
      <td className="muted">all, at its threshold</td>
      <td className="num">{n}</td>
      <td className="num">{f(t.accuracy)}</td>
      <td className="num">{f(t.macroF1)}</td>
      <td className="num muted" colSpan={6}>
        {t.perClass.map((c) => `${c.label}: P ${f(c.precision, 2)} R ${f(c.recall, 2)} F1 ${f(c.f1, 2)}`).join(' · ')}
      </td>
      <td className="num">{t.predictedPositiveRate === null ? '—' : f(t.predictedPositiveRate, 2)}</td>
    </tr>
  );
}

/** Two questions: is the challenger better (the gate), and where is it wrong (slices, confusions, calibration); then drift. */
export function InsightsScreen() {
  const client = useWorkbench((s) => s.client);
  const projectId = useWorkbench((s) => s.selectedId);
  const range = useWorkbench((s) => s.stats?.timeRange ?? null);
  const modelRuns = useWorkbench((s) => s.stats?.modelRuns);
  const latest = useLatestOnly();
  const [evaluating, setEvaluating] = useState(false);
  const [hist, setHist] = useState<Histograms | null>(null);
  const [evaluation, setEvaluation] = useState<Evaluation | null>(null);
  const [drift, setDrift] = useState<Drift | null>(null);
  const [agreement, setAgreement] = useState<Agreement | null>(null);
  const [notes, setNotes] = useState<string[]>([]);
  const [evalError, setEvalError] = useState<string | null>(null);
  const [guards, setGuards] = useState<Guard[]>([]);
  const [selection, setSelection] = useState<Selection>({});
  const lastRequest = useRef<EvalRequest>({});
  useEffect(() => {
    if (!client || projectId === null) return;
    const project = { projectId };
    void client
      .call('insights.histograms', { project })
      .then(setHist, (e: Error) => setNotes((n) => [...n, `Scores: ${e.message}`]));
    void client.call('labels.agreement', { project }).then(setAgreement, () => undefined);
    if (range && range.to > range.from) {
      const mid = Math.floor((range.from + range.to) / 2);
      void client
        .call('insights.drift', {
          project,
          reference: { from: range.from, to: mid },
          current: { from: mid, to: range.to + 1 },
        })
        .then(setDrift, (e: Error) => setNotes((n) => [...n, `Drift: ${e.message}`]));
    }
  }, [client, projectId, range]);
  const runEval = useCallback(
    (request: EvalRequest, pinned: readonly Guard[]) => {
      if (!client || projectId === null) return;
      const asked = latest.take();
      lastRequest.current = request;
      setSelection({
        ...(request.source ? { source: request.source } : {}),
        ...(request.from !== undefined ? { from: request.from } : {}),
        ...(request.to !== undefined ? { to: request.to } : {}),
      });
      setEvaluating(true);
      setEvalError(null);
      const guardsPart = pinned.length > 0 ? { guards: [...pinned] } : {};
      client.call('insights.eval', { project: { projectId }, ...request, ...guardsPart }).then(
        (e) => {
          if (!latest.current(asked)) return;
          setEvaluation(e);
          setEvaluating(false);
        },
        (e: Error) => {
          if (!latest.current(asked)) return;
          setEvaluation(null);
          setEvalError(e.message);
          setEvaluating(false);
        },
      );
    },
    [client, projectId],
  );
  useEffect(() => {
    setGuards([]);
    runEval({}, []);
  }, [runEval]);
  const setPinned = (next: Guard[]) => {
    setGuards(next);
    runEval(lastRequest.current, next);
  };
  const c = evaluation?.comparison;
  return (
    <article aria-label="Insights">
      <h1>Insights</h1>
      {notes.map((n) => (
        <p key={n} className="muted">
          {n}
        </p>
      ))}
      <section aria-label="Is the new model better">
        <h2>Is the challenger better?{evaluation ? ` (label schema v${evaluation.schemaVersion})` : ''}</h2>
        {modelRuns && modelRuns.length > 0 && (
          <EvalForm
            key={`${projectId}:${modelRuns.map((r) => r.id).join(',')}`}
            runs={modelRuns}
            busy={evaluating}
            onEvaluate={(r) => runEval(r, guards)}
          />
        )}
        {guards.length > 0 && (
          <p aria-label="Pinned slice guards">
            Slice guards (the gate&apos;s rule on the metric within each slice):{' '}
            {guards.map((g) => (
              <span key={guardText(g)} className="tag">
                {guardText(g)}{' '}
                <button
                  type="button"
                  className="link"
                  aria-label={`Unpin ${guardText(g)}`}
                  onClick={() => setPinned(guards.filter((x) => guardText(x) !== guardText(g)))}
                >
                  ×
                </button>
              </span>
            ))}
          </p>
        )}
        {evalError && (
          <p className="error" role="alert">
            Evaluation: {evalError}
          </p>
        )}
        {evaluating && <p className="muted">Evaluating…</p>}
        {evaluation && (
          <>
            <EvaluationSetLine e={evaluation} />
            {c && <GateVerdict c={c} />}
            <div className="scroll">
              <EvalTable e={evaluation} />
            </div>
          </>
        )}
      </section>
      {modelRuns && modelRuns.length > 0 && (
        <SlicesPanel
          key={`slices:${projectId}:${modelRuns.map((r) => r.id).join(',')}`}
          runs={modelRuns}
          selection={selection}
          guards={guards}
          onPin={(g) => setPinned([...guards.filter((x) => guardText(x) !== guardText(g)), g])}
        />
      )}
      {evaluation && (
        <div className="cards two top">
          <ConfusionPanel key={`confusion:${projectId}`} e={evaluation} selection={selection} />
          <section className="card" aria-label="Calibration per class">
            <h3>Calibration per class</h3>
            <CalibrationPerClass e={evaluation} />
          </section>
        </div>
      )}
      {evaluation && evaluation.runs.length > 0 && (
        <section aria-label="Reliability diagrams">
          <h2>Reliability per model run</h2>
          <div className="cards">
            {evaluation.runs.map((run, i) => (
              <figure key={run.modelRunId} className="card">
                <figcaption>
                  {run.name}: n = {run.all.n}, ECE {f(run.all.ece)}
                </figcaption>
                <ChartView
                  config={reliabilityOf(run, SERIES_COLORS[i % SERIES_COLORS.length]!)}
                  label={`Reliability diagram of ${run.name}: observed rate against predicted probability`}
                  height={180}
                />
              </figure>
            ))}
          </div>
        </section>
      )}
      {hist && hist.length > 0 && (
        <section aria-label="Score distributions">
          <h2>Score distribution per model run</h2>
          <div className="cards">
            {hist.map((run, i) => (
              <figure key={run.modelRunId} className="card">
                <figcaption>
                  {run.name}: {run.bins.reduce((a, b) => a + b, 0)} examples
                </figcaption>
                <ChartView
                  config={runHistogramConfig(run, SERIES_COLORS[i % SERIES_COLORS.length]!)}
                  label={`Histogram of ${run.binary ? 'P(positive)' : 'top-class probability'} of ${run.name}`}
                  height={160}
                />
              </figure>
            ))}
          </div>
        </section>
      )}
      {drift && <DriftPanel drift={drift} />}
      {agreement && agreement.labeledByTwoOrMore > 0 && (
        <section aria-label="Agreement">
          <h2>Annotator agreement</h2>
          <p>
            Krippendorff&apos;s alpha {f(agreement.alpha)} over {agreement.labeledByTwoOrMore} items;{' '}
            {agreement.pairs.map((p) => `kappa ${p.a} × ${p.b} ${f(p.kappa)} (${p.items})`).join(' · ')};{' '}
            {agreement.conflicts} open conflicts.
          </p>
        </section>
      )}
    </article>
  );
}

const pct = (x: number | null) => (x === null ? '—' : `${(100 * x).toFixed(1)}%`);

/** What moved between the two halves of the project's time range: the summary, then its evidence. */
function DriftPanel({ drift }: { drift: Drift }) {
  return (
    <section aria-label="Drift">
      <h2>
        Drift: {drift.reference} → {drift.current} <span className={`tag ${drift.worst}`}>{drift.worst}</span>
      </h2>
      <p data-testid="drift-summary">{drift.summary}</p>
      <div className="cards two top">
        {drift.traffic && (
          <table className="table compact" aria-label="Traffic: top movers">
            <caption className="muted small">
              traffic: the {drift.traffic.movers.length} largest movers of {drift.traffic.compared} features and
              metadata fields
            </caption>
            <thead>
              <tr>
                <th scope="col">quantity</th>
                <th scope="col" className="num">
                  PSI
                </th>
                <th scope="col" className="num">
                  KS
                </th>
                <th scope="col">level</th>
              </tr>
            </thead>
            <tbody>
              {drift.traffic.movers.map((r) => (
                <tr key={r.quantity}>
                  <th scope="row">{r.quantity}</th>
                  <td className="num">{f(r.psi)}</td>
                  <td className="num">{f(r.ks)}</td>
                  <td>{r.level}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <div>
          {drift.modelShift.runs.length > 0 && (
            <table className="table compact" aria-label="Model shift per run">
              <caption className="muted small">each run&apos;s scores between the windows</caption>
              <thead>
                <tr>
                  <th scope="col">model run</th>
                  <th scope="col" className="num">
                    score PSI
                  </th>
                  <th scope="col">level</th>
                </tr>
              </thead>
              <tbody>
                {drift.modelShift.runs.map((r) => (
                  <tr key={r.run}>
                    <th scope="row">{r.run}</th>
                    <td className="num">{f(r.psi)}</td>
                    <td>{r.level}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {drift.priorShift && (
            <table className="table compact" aria-label="Class balance per window">
              <caption className="muted small">
                share of {drift.priorShift.className}: labeled against predicted
              </caption>
              <thead>
                <tr>
                  <th scope="col">window</th>
                  <th scope="col" className="num">
                    labeled
                  </th>
                  {drift.priorShift.windows[0]?.predicted.map((p) => (
                    <th key={p.run} scope="col" className="num">
                      {p.run}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {drift.priorShift.windows.map((w) => (
                  <tr key={w.window}>
                    <th scope="row">{w.label}</th>
                    <td className="num">
                      {pct(w.labeledRate)} <span className="muted small">of {w.labeled}</span>
                    </td>
                    {w.predicted.map((p) => (
                      <td key={p.run} className="num">
                        {pct(p.rate)}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      </div>
    </section>
  );
}
