import { useState } from 'react';
import type { ChartConfiguration } from 'chart.js';
import type { Input, Output } from '../../../shared/api/contract';
import { useWorkbench } from '../store/workbench';

type Evaluation = Output<'insights.eval'>;
type Slices = Output<'insights.slices'>;
type Slice = Slices['slices'][number];
type CellExamples = Output<'insights.confusionExamples'>;
type ModelRun = { id: number; modelName: string; modelVersion: string };
/** The evaluation-set selection shared by eval, slices and the confusion examples. */
export type Selection = Pick<Input<'insights.slices'>, 'source' | 'from' | 'to'>;
export type Guard = { metadata: Record<string, string | number | boolean> };

const pct = (x: number | null) => (x === null ? '—' : `${(100 * x).toFixed(1)}%`);
const pts = (x: number | null) => (x === null ? '—' : `${x >= 0 ? '+' : '−'}${(100 * Math.abs(x)).toFixed(1)}`);
export const guardText = (g: Guard) =>
  Object.entries(g.metadata)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(' & ');

/** The slice table: where the run's errors concentrate, ranked; each can be mined from or pinned to the gate. */
export function SlicesPanel({
  runs,
  selection,
  guards,
  onPin,
}: {
  runs: readonly ModelRun[];
  selection: Selection;
  guards: readonly Guard[];
  onPin: (g: Guard) => void;
}) {
  const client = useWorkbench((s) => s.client);
  const projectId = useWorkbench((s) => s.selectedId);
  const [run, setRun] = useState(runs.at(-1)?.id ?? 0);
  const [vs, setVs] = useState<number | ''>('');
  const [minSupport, setMinSupport] = useState('30');
  const [result, setResult] = useState<Slices | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [queued, setQueued] = useState<string | null>(null);
  const name = (r: ModelRun) => `${r.modelName}@${r.modelVersion}`;
  const find = () => {
    if (!client || projectId === null) return;
    setBusy(true);
    setError(null);
    setQueued(null);
    client
      .call('insights.slices', {
        project: { projectId },
        run,
        ...(vs !== '' ? { vs } : {}),
        minSupport: Number(minSupport),
        ...selection,
      })
      .then(
        (r) => {
          setResult(r);
          setBusy(false);
        },
        (e: Error) => {
          setResult(null);
          setError(e.message);
          setBusy(false);
        },
      );
  };
  const queueMore = (s: Slice) => {
    if (!client || projectId === null) return;
    setQueued(null);
    client
      .call('mining.run', {
        project: { projectId },
        strategy: { strategy: 'entropy' },
        modelRuns: [run],
        filters: s.filters,
        limit: 100,
      })
      .then(
        (r) =>
          setQueued(`Queued ${r.added} new examples like ${s.label} (${r.eligible} eligible, most uncertain first).`),
        (e: Error) => setQueued(`Could not queue ${s.label}: ${e.message}`),
      );
  };
  const pinned = new Set(guards.map(guardText));
  const withVs = result?.vs != null;
  return (
    <section aria-label="Where is it wrong" className="card">
      <h2>Where is it wrong?</h2>
      <form
        className="mine-form"
        aria-label="Slice settings"
        onSubmit={(e) => {
          e.preventDefault();
          find();
        }}
      >
        <label>
          Model run
          <select value={run} onChange={(e) => setRun(Number(e.target.value))}>
            {runs.map((r) => (
              <option key={r.id} value={r.id}>
                {name(r)}
              </option>
            ))}
          </select>
        </label>
        <label>
          Against
          <select value={vs} onChange={(e) => setVs(e.target.value === '' ? '' : Number(e.target.value))}>
            <option value="">its own error rate</option>
            {runs
              .filter((r) => r.id !== run)
              .map((r) => (
                <option key={r.id} value={r.id}>
                  vs {name(r)}
                </option>
              ))}
          </select>
        </label>
        <label>
          Min. support
          <input type="number" min={1} value={minSupport} onChange={(e) => setMinSupport(e.target.value)} />
        </label>
        <button type="submit" disabled={busy}>
          Find slices
        </button>
      </form>
      {error && (
        <p className="error" role="alert">
          Slices: {error}
        </p>
      )}
      {busy && <p className="muted">Searching slices…</p>}
      {result && (
        <>
          <p>
            {result.run}
            {withVs ? ` against ${result.vs}` : ''} on {result.overall.n} examples:{' '}
            <span data-testid="slices-overall">error rate {pct(result.overall.errorRate)}</span>
            {withVs ? ` (champion ${pct(result.overall.championErrorRate)})` : ''}. {result.evaluated} candidate slices
            over {result.fields.length} metadata fields ({result.fields.join(', ') || 'none'})
            {result.timeField && ` and the ${result.time.window} of the timestamp`}, support ≥ {result.minSupport};
            ranked by {withVs ? 'the net extra errors against the champion' : `SliceLine score (α ${result.alpha})`}.
          </p>
          {result.notes.length > 0 && (
            <ul className="muted small" aria-label="Slice notes">
              {result.notes.map((n) => (
                <li key={n}>{n}</li>
              ))}
            </ul>
          )}
          {queued && (
            <p role="status" data-testid="slice-queued">
              {queued}
            </p>
          )}
          {result.slices.length === 0 ? (
            <p className="muted">No slice stands out at this support.</p>
          ) : (
            <div className="scroll">
              <table className="table compact" aria-label="Slices ranked by impact">
                <thead>
                  <tr>
                    <th scope="col" className="num">
                      rank
                    </th>
                    <th scope="col">slice</th>
                    <th scope="col" className="num">
                      n
                    </th>
                    <th scope="col" className="num">
                      error rate
                    </th>
                    <th scope="col">95% interval</th>
                    {withVs && (
                      <th scope="col" className="num">
                        champion
                      </th>
                    )}
                    <th scope="col" className="num">
                      {withVs ? 'net extra errors' : 'excess errors'}
                    </th>
                    <th scope="col">actions</th>
                  </tr>
                </thead>
                <tbody>
                  {result.slices.map((s, i) => (
                    <tr key={s.label}>
                      <td className="num">{i + 1}</td>
                      <th scope="row">{s.label}</th>
                      <td className="num">{s.n}</td>
                      <td className="num">{pct(s.errorRate)}</td>
                      <td>
                        {pct(s.lo)} – {pct(s.hi)}
                      </td>
                      {withVs && <td className="num">{pct(s.championErrorRate)}</td>}
                      <td className="num">{withVs ? s.excessErrors : s.excessErrors.toFixed(1)}</td>
                      <td className="row-actions">
                        <button type="button" className="link" onClick={() => queueMore(s)}>
                          Queue more like this
                        </button>{' '}
                        {runs.length >= 2 && s.pinnable && (
                          <button
                            type="button"
                            className="link"
                            disabled={pinned.has(s.label)}
                            onClick={() => onPin({ metadata: s.filters.metadata })}
                          >
                            {pinned.has(s.label) ? 'Pinned' : 'Pin as guard'}
                          </button>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <details>
            <summary>Error rate by metadata value and by {result.time.window}</summary>
            {[
              ...result.breakdown.map((b) => ({
                title: `by ${b.field}${b.more > 0 ? ` (${b.more} rarer values not shown)` : ''}`,
                rows: b.values.map((v) => ({ key: String(v.value), ...v })),
              })),
              {
                title: `by ${result.time.window} (UTC)`,
                rows: result.time.windows.map((w) => ({ key: w.label, ...w })),
              },
            ].map((t) => (
              <table key={t.title} className="table compact" aria-label={`Error rate ${t.title}`}>
                <caption className="muted small">Error rate {t.title}</caption>
                <thead>
                  <tr>
                    <th scope="col">value</th>
                    <th scope="col" className="num">
                      n
                    </th>
                    <th scope="col" className="num">
                      error rate
                    </th>
                    <th scope="col">95% interval</th>
                    {withVs && (
                      <th scope="col" className="num">
                        Δ vs champion (pts)
                      </th>
                    )}
                  </tr>
                </thead>
                <tbody>
                  {t.rows.map((r) => (
                    <tr key={r.key}>
                      <th scope="row">{r.key}</th>
                      <td className="num">{r.n}</td>
                      <td className="num">{pct(r.errorRate)}</td>
                      <td>
                        {pct(r.lo)} – {pct(r.hi)}
                      </td>
                      {withVs && <td className="num">{pts(r.diff)}</td>}
                    </tr>
                  ))}
                </tbody>
              </table>
            ))}
          </details>
        </>
      )}
    </section>
  );
}

/** The confusion matrix of one run; a cell opens the examples behind it. */
export function ConfusionPanel({ e, selection }: { e: Evaluation; selection: Selection }) {
  const client = useWorkbench((s) => s.client);
  const projectId = useWorkbench((s) => s.selectedId);
  const [runIndex, setRunIndex] = useState(e.runs.length - 1);
  const [cell, setCell] = useState<CellExamples | null>(null);
  const [error, setError] = useState<string | null>(null);
  const run = e.runs[Math.min(runIndex, e.runs.length - 1)];
  if (!run) return null;
  const open = (truth: string, predicted: string) => {
    if (!client || projectId === null) return;
    setError(null);
    client
      .call('insights.confusionExamples', {
        project: { projectId },
        run: run.modelRunId,
        truth,
        predicted,
        limit: 20,
        ...selection,
      })
      .then(setCell, (x: Error) => {
        setCell(null);
        setError(x.message);
      });
  };
  return (
    <section className="card" aria-label="Confusion matrix">
      <h3>Confusion matrix</h3>
      {e.runs.length > 1 && (
        <label>
          Model run{' '}
          <select
            value={runIndex}
            onChange={(x) => {
              setRunIndex(Number(x.target.value));
              setCell(null);
            }}
          >
            {e.runs.map((r, i) => (
              <option key={r.modelRunId} value={i}>
                {r.name}
              </option>
            ))}
          </select>
        </label>
      )}
      <table className="table compact" aria-label={`Confusion matrix of ${run.name}`}>
        <caption className="muted small">
          rows: reference label; columns: predicted by {run.name}. Click a count to see its examples.
        </caption>
        <thead>
          <tr>
            <th scope="col">
              <span className="sr-only">reference label</span>
            </th>
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
                  <button
                    type="button"
                    className="link"
                    disabled={n === 0}
                    aria-label={`${n} examples labeled ${e.labels[t]} and predicted ${e.labels[p]}`}
                    onClick={() => open(e.labels[t]!, e.labels[p]!)}
                  >
                    {n}
                  </button>
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {cell && (
        <div aria-label="Examples of the confusion cell" data-testid="cell-examples">
          <p>
            {cell.total} examples labeled <strong>{cell.truth}</strong> and predicted <strong>{cell.predicted}</strong>{' '}
            by {cell.run}
            {cell.examples.length < cell.total ? ` (the ${cell.examples.length} most confident shown)` : ''}:
          </p>
          <ol className="small">
            {cell.examples.map((x) => (
              <li key={x.externalId}>
                <code>{x.externalId}</code> ({pct(x.confidence)}) {x.text ?? ''}
              </li>
            ))}
          </ol>
        </div>
      )}
    </section>
  );
}

/** Calibration per class: each run's one-vs-rest ECE of P(class), with the class's support. */
export function CalibrationPerClass({ e }: { e: Evaluation }) {
  if (e.runs.length === 0) return null;
  return (
    <table className="table compact" aria-label="Calibration per class">
      <caption className="muted small">
        one-vs-rest ECE of P(class) against the class&apos;s observed rate (lower is better)
      </caption>
      <thead>
        <tr>
          <th scope="col">class</th>
          <th scope="col" className="num">
            support
          </th>
          {e.runs.map((r) => (
            <th key={r.modelRunId} scope="col" className="num">
              {r.name}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {e.labels.map((label, c) => (
          <tr key={label}>
            <th scope="row">{label}</th>
            <td className="num">{e.runs[0]!.all.perClass[c]?.support ?? 0}</td>
            {e.runs.map((r) => (
              <td key={r.modelRunId} className="num">
                {r.all.perClass[c]?.ece == null ? '—' : r.all.perClass[c]!.ece!.toFixed(3)}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** One run's reliability diagram: observed rate against predicted probability, with the examples per bin. */
export function reliabilityOf(run: Evaluation['runs'][number], color: string): ChartConfiguration {
  const binary = run.all.reliabilityBasis === 'positive';
  const bins = run.all.reliability.filter((b) => b.count > 0);
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
        {
          label: `${run.name} (n per bin in the tooltip)`,
          data: bins.map((b) => ({ x: b.predicted ?? 0, y: b.observed ?? 0, count: b.count })),
          borderColor: color,
          backgroundColor: color,
        },
      ],
    },
    options: {
      plugins: {
        tooltip: {
          callbacks: {
            label: (item) => {
              const raw = item.raw as { x: number; y: number; count?: number };
              return raw.count === undefined
                ? 'perfect calibration'
                : `predicted ${raw.x.toFixed(2)}, observed ${raw.y.toFixed(2)}, ${raw.count} examples`;
            },
          },
        },
      },
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
