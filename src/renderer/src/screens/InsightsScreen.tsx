import { useCallback, useEffect, useMemo, useState } from 'react';
import type { ChartConfiguration } from 'chart.js';
import type { Output } from '../../../shared/api/contract';
import { ChartView, SERIES_COLORS } from '../components/ChartView';
import { histogramConfig } from '../components/charts';
import { useLatestOnly } from '../hooks/useLatestOnly';
import { useWorkbench } from '../store/workbench';
import { EvalForm, EvaluationSetLine, GateVerdict, type EvalRequest } from './EvalGate';

type Evaluation = Output<'insights.eval'>;
type Histograms = Output<'insights.histograms'>;
type Drift = Output<'insights.drift'>;
type Agreement = Output<'labels.agreement'>;

const f = (x: number | null, d = 3) => (x === null ? '—' : x.toFixed(d));

function reliabilityConfig(e: Evaluation): ChartConfiguration {
  const binary = e.runs[0]?.all.reliabilityBasis === 'positive';
  return {
    type: 'line',
    data: {
      datasets: [
        {
          label: 'perfect calibration',
          data: [
            { x: 0, y: 0 },
            { x: 1, y: 1 },
          ],
          borderColor: '#adb5bd',
          borderDash: [4, 4],
          pointRadius: 0,
        },
        ...e.runs.map((run, i) => ({
          label: run.name,
          data: run.all.reliability
            .filter((b) => b.count > 0)
            .map((b) => ({ x: b.predicted ?? 0, y: b.observed ?? 0 })),
          borderColor: SERIES_COLORS[i % SERIES_COLORS.length],
        })),
      ],
    },
    options: {
      scales: {
        x: {
          type: 'linear',
          min: 0,
          max: 1,
          title: { display: true, text: binary ? 'predicted P(positive)' : 'top-class confidence' },
        },
        y: { min: 0, max: 1, title: { display: true, text: binary ? 'observed positive rate' : 'accuracy' } },
      },
    },
  };
}

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
          ).map(([what, m]) => (
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
              <td className="num">{f(m.logLoss)}</td>
              <td className="num">{f(m.brier)}</td>
              <td className="num">{f(m.ece)}</td>
              <td className="num">{f(m.classwiseEce)}</td>
              <td className="num">
                {m.positiveRate ? `${f(m.positiveRate.predicted, 2)} / ${f(m.positiveRate.labeled, 2)}` : '—'}
              </td>
            </tr>
          )),
        )}
      </tbody>
    </table>
  );
}

function Confusion({ e }: { e: Evaluation }) {
  const run = e.runs.at(-1);
  if (!run) return null;
  return (
    <table className="table compact" aria-label={`Confusion matrix of ${run.name}`}>
      <caption className="muted small">
        confusion matrix of {run.name}: rows are the reference label, columns the prediction
      </caption>
      <thead>
        <tr>
          <th scope="col" />
          {e.labels.map((l) => (
            <th key={l} scope="col" className="num">
              {l}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {run.all.confusion.map((row, t) => (
          <tr key={t}>
            <th scope="row">{e.labels[t]}</th>
            {row.map((n, p) => (
              <td key={p} className={t === p ? 'num diag' : 'num'}>
                {n}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Score histograms, evaluation on the curated labels, drift and annotator agreement. */
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
  const evaluate = useCallback(
    (request: EvalRequest) => {
      if (!client || projectId === null) return;
      const asked = latest.take();
      setEvaluating(true);
      setEvalError(null);
      client.call('insights.eval', { project: { projectId }, ...request }).then(
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
  useEffect(() => evaluate({}), [evaluate]);
  const histConfig = useMemo(() => (hist && hist.length > 0 ? histogramConfig(hist) : null), [hist]);
  const relConfig = useMemo(() => (evaluation ? reliabilityConfig(evaluation) : null), [evaluation]);
  const c = evaluation?.comparison;
  return (
    <article aria-label="Insights">
      <h1>Insights</h1>
      {notes.map((n) => (
        <p key={n} className="muted">
          {n}
        </p>
      ))}
      <div className="cards two">
        {histConfig && (
          <section className="card" aria-label="Score distributions">
            <h3>Score distribution per model run</h3>
            <ChartView config={histConfig} label="Histogram of top-class probability per model run" />
          </section>
        )}
        {relConfig && (
          <section className="card" aria-label="Reliability diagram">
            <h3>Reliability on the reference labels</h3>
            <ChartView
              config={relConfig}
              label={
                evaluation?.runs[0]?.all.reliabilityBasis === 'positive'
                  ? 'Reliability diagram: observed positive rate against predicted P(positive)'
                  : 'Reliability diagram: accuracy against top-class confidence'
              }
            />
          </section>
        )}
      </div>
      <section aria-label="Evaluation results">
        <h2>Evaluation{evaluation ? ` (schema v${evaluation.schemaVersion})` : ''}</h2>
        {modelRuns && modelRuns.length > 0 && (
          <EvalForm
            key={`${projectId}:${modelRuns.map((r) => r.id).join(',')}`}
            runs={modelRuns}
            busy={evaluating}
            onEvaluate={evaluate}
          />
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
            <EvalTable e={evaluation} />
            <Confusion e={evaluation} />
          </>
        )}
      </section>
      {drift && (
        <section aria-label="Drift">
          <h2>
            Drift: {drift.reference} → {drift.current} <span className={`tag ${drift.worst}`}>{drift.worst}</span>
          </h2>
          <table className="table compact">
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
              {drift.rows.slice(0, 12).map((r) => (
                <tr key={r.quantity}>
                  <td>{r.quantity}</td>
                  <td className="num">{f(r.psi)}</td>
                  <td className="num">{f(r.ks)}</td>
                  <td>{r.level}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
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
