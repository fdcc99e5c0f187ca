import { useEffect, useMemo, useState } from 'react';
import type { ChartConfiguration } from 'chart.js';
import type { Output } from '../../../shared/api/contract';
import { ChartView, SERIES_COLORS } from '../components/ChartView';
import { histogramConfig } from '../components/charts';
import { useWorkbench } from '../store/workbench';

type Evaluation = Output<'insights.eval'>;
type Histograms = Output<'insights.histograms'>;
type Drift = Output<'insights.drift'>;
type Agreement = Output<'labels.agreement'>;

const f = (x: number | null, d = 3) => (x === null ? '—' : x.toFixed(d));

function reliabilityConfig(e: Evaluation): ChartConfiguration {
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
            .map((b) => ({ x: b.confidence ?? 0, y: b.accuracy ?? 0 })),
          borderColor: SERIES_COLORS[i % SERIES_COLORS.length],
        })),
      ],
    },
    options: {
      scales: {
        x: { type: 'linear', min: 0, max: 1, title: { display: true, text: 'confidence' } },
        y: { min: 0, max: 1, title: { display: true, text: 'accuracy' } },
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
            ECE
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
              <td>{what === 'all' ? run.name : ''}</td>
              <td className="muted">{what}</td>
              <td className="num">{m.n}</td>
              <td className="num">{f(m.accuracy)}</td>
              <td className="num">{f(m.macroF1)}</td>
              <td className="num">{f(m.rocAuc)}</td>
              <td className="num">{f(m.logLoss)}</td>
              <td className="num">{f(m.ece)}</td>
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
        confusion matrix of {run.name}: rows are the curated label, columns the prediction
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
  const [hist, setHist] = useState<Histograms | null>(null);
  const [evaluation, setEvaluation] = useState<Evaluation | null>(null);
  const [drift, setDrift] = useState<Drift | null>(null);
  const [agreement, setAgreement] = useState<Agreement | null>(null);
  const [notes, setNotes] = useState<string[]>([]);
  useEffect(() => {
    if (!client || projectId === null) return;
    const project = { projectId };
    void client
      .call('insights.histograms', { project })
      .then(setHist, (e: Error) => setNotes((n) => [...n, `Scores: ${e.message}`]));
    void client
      .call('insights.eval', { project })
      .then(setEvaluation, (e: Error) => setNotes((n) => [...n, `Evaluation: ${e.message}`]));
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
            <h3>Reliability on the curated labels</h3>
            <ChartView config={relConfig} label="Reliability diagram: accuracy against confidence" />
          </section>
        )}
      </div>
      {evaluation && (
        <section aria-label="Evaluation results">
          <h2>Evaluation (schema v{evaluation.schemaVersion})</h2>
          {c && (
            <p data-testid="comparison">
              {c.challenger} vs {c.champion}: {c.metric} {f(c.challengerValue)} vs {f(c.championValue)}, difference{' '}
              {f(c.diff)} (95% CI {f(c.lo)} to {f(c.hi)}) — gate {c.gatePassed ? 'passed' : 'failed'}
            </p>
          )}
          <EvalTable e={evaluation} />
          <Confusion e={evaluation} />
        </section>
      )}
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
