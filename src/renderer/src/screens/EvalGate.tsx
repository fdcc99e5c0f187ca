import { useEffect, useState } from 'react';
import type { Input, Output } from '../../../shared/api/contract';
import { useWorkbench } from '../store/workbench';
import { EvalSetForm } from './EvalSetForm';

type Evaluation = Output<'insights.eval'>;
type Comparison = NonNullable<Evaluation['comparison']>;
type ModelRun = { id: number; modelName: string; modelVersion: string };
export type EvalRequest = Omit<Input<'insights.eval'>, 'project'>;

const f = (x: number | null, d = 3) => (x === null ? '—' : x.toFixed(d));
const VERDICT = { pass: 'passed', fail: 'failed', insufficient: 'insufficient evidence' } as const;
const VERDICT_CLASS = { pass: 'ok', fail: 'alert', insufficient: 'warn' } as const;
const SOURCE = { truth: 'imported ground truth', curated: 'curated labels', both: 'ground truth and curated labels' };
const METRICS = ['macroF1', 'accuracy', 'rocAuc', 'logLoss', 'brier'] as const;

type EvalSetList = Output<'evalSets.list'>;

/** The project's frozen evaluation sets, for the picker; read again when `version` changes. */
function useEvalSets(version: number): EvalSetList {
  const client = useWorkbench((s) => s.client);
  const projectId = useWorkbench((s) => s.selectedId);
  const [sets, setSets] = useState<EvalSetList>([]);
  useEffect(() => {
    if (!client || projectId === null) return;
    let live = true;
    client.call('evalSets.list', { projectId }).then(
      (list) => live && setSets(list),
      () => live && setSets([]),
    );
    return () => {
      live = false;
    };
  }, [client, projectId, version]);
  return sets;
}

/** Champion, challenger, metric, evaluation set or label source and window, and margin of the next evaluation. */
export function EvalForm({
  runs,
  busy,
  onEvaluate,
}: {
  runs: readonly ModelRun[];
  busy: boolean;
  onEvaluate: (r: EvalRequest) => void;
}) {
  const [champion, setChampion] = useState(runs.at(-2)?.id ?? 0);
  const [challenger, setChallenger] = useState(runs.at(-1)?.id ?? 0);
  const [metric, setMetric] = useState<(typeof METRICS)[number]>('macroF1');
  const [source, setSource] = useState<'' | 'truth' | 'curated' | 'both'>('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [margin, setMargin] = useState('0.01');
  const [evalSet, setEvalSet] = useState('');
  const [gateOnMined, setGateOnMined] = useState(false);
  const [setsVersion, setSetsVersion] = useState(0);
  const [created, setCreated] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const evalSets = useEvalSets(setsVersion);
  const name = (r: ModelRun) => `${r.modelName}@${r.modelVersion}`;
  const same = runs.length >= 2 && champion === challenger;
  return (
    <>
      <form
        className="mine-form"
        aria-label="Evaluation settings"
        onSubmit={(e) => {
          e.preventDefault();
          onEvaluate({
            metric,
            margin: Number(margin),
            ...(runs.length >= 2 ? { champion, challenger } : {}),
            ...(evalSet
              ? { evalSet }
              : { ...(source ? { source } : {}), ...(from ? { from } : {}), ...(to ? { to } : {}) }),
            ...(gateOnMined ? { includeMined: true } : {}),
          });
        }}
      >
        {runs.length >= 2 && (
          <>
            <label>
              Champion
              <select value={champion} onChange={(e) => setChampion(Number(e.target.value))}>
                {runs.map((r) => (
                  <option key={r.id} value={r.id}>
                    {name(r)}
                  </option>
                ))}
              </select>
            </label>
            <label>
              Challenger
              <select value={challenger} onChange={(e) => setChallenger(Number(e.target.value))}>
                {runs.map((r) => (
                  <option key={r.id} value={r.id}>
                    {name(r)}
                  </option>
                ))}
              </select>
            </label>
          </>
        )}
        <label>
          Metric
          <select value={metric} onChange={(e) => setMetric(e.target.value as (typeof METRICS)[number])}>
            {METRICS.map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </select>
        </label>
        <label>
          Evaluation set
          <select value={evalSet} onChange={(e) => setEvalSet(e.target.value)}>
            <option value="">none: pick the labels here</option>
            {evalSets.map((s) => (
              <option key={s.id} value={s.name}>
                {s.name} (n = {s.summary.n}, frozen)
              </option>
            ))}
          </select>
        </label>
        <label>
          Reference labels
          <select value={source} disabled={!!evalSet} onChange={(e) => setSource(e.target.value as typeof source)}>
            <option value="">default (ground truth if any)</option>
            <option value="truth">imported ground truth</option>
            <option value="curated">curated labels</option>
            <option value="both">both (curated wins)</option>
          </select>
        </label>
        <label>
          From
          <input type="date" value={from} disabled={!!evalSet} onChange={(e) => setFrom(e.target.value)} />
        </label>
        <label>
          To (excluded)
          <input type="date" value={to} disabled={!!evalSet} onChange={(e) => setTo(e.target.value)} />
        </label>
        <label>
          Margin
          <input
            type="number"
            min={0}
            max={1}
            step={0.005}
            value={margin}
            onChange={(e) => setMargin(e.target.value)}
          />
        </label>
        <label>
          <input type="checkbox" checked={gateOnMined} onChange={(e) => setGateOnMined(e.target.checked)} />
          Gate on mined labels too
        </label>
        <button type="submit" disabled={busy || same} aria-describedby={same ? 'eval-same-run' : undefined}>
          Evaluate
        </button>
        {same && (
          <span id="eval-same-run" className="warning">
            Pick two different model runs.
          </span>
        )}
      </form>
      <details className="new-eval-set" onToggle={(e) => setCreating(e.currentTarget.open)}>
        <summary>New evaluation set…</summary>
        {/* rendered only while open, so its fields never shadow the evaluation form's labels */}
        {creating && (
          <EvalSetForm
            onCreated={(set, n) => {
              setSetsVersion((v) => v + 1);
              setEvalSet(set);
              setCreated(`Evaluation set ${set} frozen with ${n} examples; it is picked above.`);
            }}
          />
        )}
        {created && (
          <p className="muted" role="status" data-testid="eval-set-created">
            {created}
          </p>
        )}
      </details>
    </>
  );
}

/** Which examples the numbers rest on. */
export function EvaluationSetLine({ e }: { e: Evaluation }) {
  const s = e.evaluationSet;
  const excluded = [
    [s.excluded.outsideWindow, 'outside the window'],
    [s.excluded.noTimestamp, 'without a timestamp'],
    [s.excluded.truthUnmapped, 'ground truth naming no class of the schema'],
    [s.excluded.curatedUnmapped, 'curated labels mapping to no class'],
  ].filter(([n]) => (n as number) > 0);
  return (
    <div data-testid="evaluation-set">
      <p>
        Evaluated on {s.name && <strong>evaluation set {s.name} (frozen): </strong>}
        <strong>{SOURCE[s.source]}</strong> ({s.sourceReason}), label schema v{e.schemaVersion},{' '}
        {s.from || s.to ? `from ${s.from ?? 'the start'} to ${s.to ?? 'now'} (end excluded)` : 'all time'}:{' '}
        <strong>n = {s.n}</strong> ({s.fromTruth} ground truth, {s.fromCurated} curated
        {s.both > 0 ? `; ${s.both} have both, ${s.disagreeing} disagree` : ''})
        {excluded.length > 0 && `; left out: ${excluded.map(([n, what]) => `${n} ${what}`).join(', ')}`}.
      </p>
      {e.notes.length > 0 && (
        <ul className="muted small" aria-label="Evaluation notes">
          {e.notes.map((n) => (
            <li key={n}>{n}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** The gate's verdict with its evidence: every check's difference, interval, margin and n. */
export function GateVerdict({ c }: { c: Comparison }) {
  const m = c.mcnemar;
  return (
    <section className="card" aria-label="Quality gate" data-testid="comparison">
      <h3>
        Quality gate: {c.challenger} vs {c.champion}{' '}
        <span className={`tag ${VERDICT_CLASS[c.verdict]}`} role="status" data-testid="gate-verdict">
          {VERDICT[c.verdict]}
        </span>
      </h3>
      <p>
        Non-inferiority on {c.n} examples both runs scored ({c.champion}: {c.coverage.champion}, {c.challenger}:{' '}
        {c.coverage.challenger} of {c.coverage.of}); paired bootstrap stratified by label, {c.samples} resamples, seed{' '}
        {c.seed}. A check passes only when the 95% interval of challenger − champion stays within its margin.
      </p>
      <p data-testid="gate-reason">{c.reason}</p>
      <p className="muted small" data-testid="gate-basis">
        Judged on{' '}
        {c.basis.includeMined ? 'every label, mined ones included' : 'ground truth, control-sample and unmined labels'}
        {c.basis.minedLeftOut > 0 && `; ${c.basis.minedLeftOut} mined labels left out (error analysis only)`}
        {c.basis.lineage.map((l) => `; ${l}`).join('')}.
        {c.labelsNeeded &&
          ` Too little evidence for a conclusion: about ${c.labelsNeeded.more} more unbiased labels needed (target: ${c.labelsNeeded.target}).`}
      </p>
      <table className="table compact" aria-label="Gate checks">
        <thead>
          <tr>
            <th scope="col">check</th>
            <th scope="col" className="num">
              n
            </th>
            <th scope="col" className="num">
              champion
            </th>
            <th scope="col" className="num">
              challenger
            </th>
            <th scope="col" className="num">
              difference
            </th>
            <th scope="col">95% interval</th>
            <th scope="col" className="num">
              margin
            </th>
            <th scope="col">verdict</th>
          </tr>
        </thead>
        <tbody>
          {c.checks.map((x) => (
            <tr key={`${x.kind}-${x.name}`}>
              <th scope="row">
                {x.kind === 'primary' ? x.name : x.kind === 'slice' ? `slice ${x.name}` : `recall of ${x.name}`}
              </th>
              <td className="num">{x.n}</td>
              <td className="num">{f(x.champion)}</td>
              <td className="num">{f(x.challenger)}</td>
              <td className="num">{f(x.diff)}</td>
              <td>
                {f(x.lo)} to {f(x.hi)}
              </td>
              <td className="num">
                {x.higherIsBetter ? '−' : '+'}
                {x.margin}
              </td>
              <td>
                <span className={`tag ${VERDICT_CLASS[x.verdict]}`}>{VERDICT[x.verdict]}</span>{' '}
                <span className="muted small">{x.reason}</span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <DifferencesTable c={c} />
      <p className="muted small">
        McNemar&apos;s exact test on accuracy: {m.championOnly} examples right only by the champion, {m.challengerOnly}{' '}
        only by the challenger, p = {m.pValue.toPrecision(3)}.
      </p>
    </section>
  );
}

const DIFFERENCE_NAMES = {
  accuracy: 'accuracy',
  macroF1: 'macro-F1',
  rocAuc: 'ROC-AUC',
  prAuc: 'PR-AUC',
  logLoss: 'log loss',
  brier: 'Brier',
  precision: 'precision',
  recall: 'recall',
  f1: 'F1',
} as const;

type Difference = Comparison['differences'][number];

/** Which way the 95% interval points for the challenger: better or worse when it excludes 0, else unclear. */
function direction(d: Difference): { text: string; tone: 'ok' | 'alert' | 'muted' } {
  if (d.lo === null || d.hi === null) return { text: 'undefined', tone: 'muted' };
  const better = d.higherIsBetter ? d.lo > 0 : d.hi < 0;
  const worse = d.higherIsBetter ? d.hi < 0 : d.lo > 0;
  return better
    ? { text: 'better', tone: 'ok' }
    : worse
      ? { text: 'worse', tone: 'alert' }
      : { text: 'unclear', tone: 'muted' };
}

/** Every difference challenger − champion with its paired interval: the overall metrics, then per class. */
function DifferencesTable({ c }: { c: Comparison }) {
  const overall = c.differences.filter((d) => d.class === null);
  const classes = [...new Set(c.differences.flatMap((d) => (d.class === null ? [] : [d.class])))];
  const row = (d: Difference) => {
    const dir = direction(d);
    return (
      <tr key={`${d.metric}-${d.class ?? ''}`}>
        <th scope="row">
          {d.class === null ? DIFFERENCE_NAMES[d.metric] : `${DIFFERENCE_NAMES[d.metric]} of ${d.class}`}
          {!d.higherIsBetter && <span className="muted small"> (lower is better)</span>}
        </th>
        <td className="num">{f(d.champion)}</td>
        <td className="num">{f(d.challenger)}</td>
        <td className="num">{f(d.diff)}</td>
        <td className="nowrap">
          {f(d.lo)} to {f(d.hi)}
        </td>
        <td>
          {dir.tone === 'muted' ? (
            <span className="muted">{dir.text}</span>
          ) : (
            <span className={`tag ${dir.tone}`}>{dir.text}</span>
          )}
        </td>
      </tr>
    );
  };
  const head = (
    <thead>
      <tr>
        <th scope="col">metric</th>
        <th scope="col" className="num">
          champion
        </th>
        <th scope="col" className="num">
          challenger
        </th>
        <th scope="col" className="num">
          difference
        </th>
        <th scope="col">95% interval</th>
        <th scope="col">challenger</th>
      </tr>
    </thead>
  );
  return (
    <details className="differences" open>
      <summary>
        Every difference, challenger − champion, with its paired bootstrap interval ({c.n} examples, {c.samples}{' '}
        resamples stratified by label; decisions at the argmax)
      </summary>
      <div className="differences-tables">
        <table className="table compact" aria-label="Differences overall">
          {head}
          <tbody>{overall.map(row)}</tbody>
        </table>
        <table className="table compact" aria-label="Differences per class">
          {head}
          <tbody>{classes.flatMap((cls) => c.differences.filter((d) => d.class === cls).map(row))}</tbody>
        </table>
      </div>
    </details>
  );
}
