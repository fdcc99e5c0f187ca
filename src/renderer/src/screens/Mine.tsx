import { useMemo, useState } from 'react';
import type { Output } from '../../../shared/api/contract';
import type { MiningPreview } from '../../../shared/features/mining/contract';
import { plainReason } from '../../../shared/features/mining/plain-reason';
import type { DisagreementMeasure, MiningStrategyName } from '../../../shared/features/mining/strategy';
import { Alert } from '../components/Alert';
import { ChartView } from '../components/ChartView';
import { priorityConfig } from '../components/charts';
import { useAction } from '../hooks/useAction';
import { useLatestOnly } from '../hooks/useLatestOnly';
import { useWorkbench } from '../store/workbench';
import {
  MEASURES,
  miningRequest,
  parseMetadata,
  STRATEGY_HELP,
  STRATEGY_ORDER,
  type MineOptions,
} from './mine-options';
import { QueueOverview } from './QueueOverview';
import { TipText } from '../components/Tip';

const DEFAULTS: MineOptions = {
  strategy: 'entropy',
  threshold: 0.5,
  measure: 'label-flip',
  seed: 1,
  modelRuns: [],
  from: '',
  to: '',
  metadata: '',
  predictedClasses: [],
  limit: 100,
  quota: 0,
  sharePercent: 0,
  dedupe: true,
  excludeLabeled: true,
};

/** Choose a strategy, see what it would queue and how uncertainty spreads, then build the queue. */
export function Mine() {
  const client = useWorkbench((s) => s.client);
  const projectId = useWorkbench((s) => s.selectedId);
  const stats = useWorkbench((s) => s.stats);
  const [o, setOptions] = useState<MineOptions>(DEFAULTS);
  const [preview, setPreview] = useState<MiningPreview | null>(null);
  const [result, setResult] = useState<Output<'mining.run'> | null>(null);
  const [built, setBuilt] = useState(0);
  const { busy, error, run: act } = useAction();
  const latest = useLatestOnly();
  const chart = useMemo(() => (preview ? priorityConfig(preview) : null), [preview]);
  if (!client || projectId === null) return null;
  const runs = stats?.modelRuns ?? [];
  const classes = stats?.project.classes ?? [];
  const binary = stats?.project.taskType === 'binary';
  const change = (patch: Partial<MineOptions>) => {
    setOptions({ ...o, ...patch });
    setPreview(null);
    latest.stale();
  };
  const metadataProblem = parseMetadata(o.metadata).problem;
  const windowProblem =
    o.from && o.to && new Date(o.from).getTime() >= new Date(o.to).getTime()
      ? 'The window is empty: “from” must be before “to”.'
      : null;
  const blocked = metadataProblem !== null || windowProblem !== null;
  const disabledStrategy = (s: MiningStrategyName) =>
    (s === 'disagreement' && runs.length < 2) ||
    (s === 'vote-entropy' && runs.length < 3) ||
    (s === 'threshold' && !binary);
  return (
    <article aria-label="Mine">
      <h1>Mine hard examples</h1>
      <form
        className="mine-form"
        aria-label="Mining options"
        onSubmit={(e) => {
          e.preventDefault();
          if (blocked) return;
          void act(async () => {
            setResult(null);
            const asked = latest.take();
            const answer = await client.call('mining.preview', miningRequest(projectId, o));
            if (latest.current(asked)) setPreview(answer);
          });
        }}
      >
        <label>
          Strategy
          <select
            value={o.strategy}
            aria-describedby="strategy-help"
            onChange={(e) => {
              const chosen = e.target.value as MiningStrategyName;
              // A random sample keeps its duplicates unless asked.
              change({ strategy: chosen, dedupe: chosen !== 'random' });
            }}
          >
            {STRATEGY_ORDER.map((s) => (
              <option key={s} value={s} disabled={disabledStrategy(s)}>
                {s}
              </option>
            ))}
          </select>
        </label>
        {o.strategy === 'threshold' && (
          <label>
            Threshold
            <input
              type="number"
              min={0.01}
              max={0.99}
              step={0.01}
              value={o.threshold}
              onChange={(e) => change({ threshold: Number(e.target.value) })}
            />
          </label>
        )}
        {o.strategy === 'disagreement' && (
          <label>
            Disagreement measure
            <select value={o.measure} onChange={(e) => change({ measure: e.target.value as DisagreementMeasure })}>
              {MEASURES.map((m) => (
                <option key={m.value} value={m.value}>
                  {m.text}
                </option>
              ))}
            </select>
          </label>
        )}
        {o.strategy === 'random' && (
          <label>
            Random seed
            <input
              type="number"
              value={o.seed}
              onChange={(e) => change({ seed: Math.trunc(Number(e.target.value)) })}
            />
          </label>
        )}
        <p className="strategy-help muted small" id="strategy-help" data-testid="strategy-help">
          {STRATEGY_HELP[o.strategy]}
          {o.strategy === 'threshold' && !binary && ' This project is not binary.'}
        </p>
        {o.strategy !== 'random' && runs.length > 0 && (
          <label>
            Model runs (none chosen: the usual ones)
            <select
              multiple
              size={Math.min(4, runs.length)}
              value={o.modelRuns.map(String)}
              onChange={(e) => change({ modelRuns: [...e.target.selectedOptions].map((x) => Number(x.value)) })}
            >
              {runs.map((r) => (
                <option key={r.id} value={r.id}>
                  #{r.id} {r.modelName} {r.modelVersion}
                </option>
              ))}
            </select>
          </label>
        )}
        {classes.length > 0 && (
          <label>
            Predicted class (none chosen: all)
            <select
              multiple
              size={Math.min(4, classes.length)}
              value={o.predictedClasses}
              onChange={(e) => change({ predictedClasses: [...e.target.selectedOptions].map((x) => x.value) })}
            >
              {classes.map((c) => (
                <option key={c} value={c}>
                  {c}
                </option>
              ))}
            </select>
          </label>
        )}
        <label>
          From
          <input type="datetime-local" value={o.from} onChange={(e) => change({ from: e.target.value })} />
        </label>
        <label>
          To
          <input
            type="datetime-local"
            value={o.to}
            aria-invalid={windowProblem !== null}
            aria-describedby={windowProblem ? 'window-problem' : undefined}
            onChange={(e) => change({ to: e.target.value })}
          />
          {windowProblem && (
            <span className="field-error" id="window-problem">
              {windowProblem}
            </span>
          )}
        </label>
        <label>
          Metadata equals (one “key = value” a line)
          <textarea
            rows={2}
            cols={22}
            value={o.metadata}
            placeholder="region = eu"
            aria-invalid={metadataProblem !== null}
            aria-describedby={metadataProblem ? 'metadata-problem' : undefined}
            onChange={(e) => change({ metadata: e.target.value })}
          />
          {metadataProblem && (
            <span className="field-error" id="metadata-problem">
              {metadataProblem}
            </span>
          )}
        </label>
        <label>
          Items
          <input
            type="number"
            min={1}
            max={100000}
            value={o.limit}
            onChange={(e) => change({ limit: Number(e.target.value) })}
          />
        </label>
        <label>
          At most per class (0: no quota)
          <input type="number" min={0} value={o.quota} onChange={(e) => change({ quota: Number(e.target.value) })} />
        </label>
        <label>
          Labeled twice (%)
          <input
            type="number"
            min={0}
            max={100}
            value={o.sharePercent}
            onChange={(e) => change({ sharePercent: Number(e.target.value) })}
          />
        </label>
        <label className="check">
          <input type="checkbox" checked={o.dedupe} onChange={(e) => change({ dedupe: e.target.checked })} /> Leave out
          near-duplicates
        </label>
        <label className="check">
          <input
            type="checkbox"
            checked={o.excludeLabeled}
            onChange={(e) => change({ excludeLabeled: e.target.checked })}
          />{' '}
          Skip examples labeled under the current schema
        </label>
        <button type="submit" disabled={busy || blocked}>
          Preview
        </button>
        <button
          type="button"
          className="primary"
          disabled={busy || blocked}
          onClick={() =>
            void act(async () => {
              setResult(await client.call('mining.run', miningRequest(projectId, o)));
              setPreview(null);
              setBuilt((b) => b + 1);
            })
          }
        >
          {busy ? 'Working…' : 'Build queue'}
        </button>
      </form>
      <Alert message={error} />
      {preview && chart && (
        <section className="card" aria-label="Mining preview">
          <p data-testid="mining-preview">
            {preview.selected.toLocaleString('en-US')} items would be queued out of{' '}
            {preview.eligible.toLocaleString('en-US')} eligible ({preview.scanned.toLocaleString('en-US')} scanned, runs{' '}
            {preview.modelRuns.map((r) => r.name).join(', ') || 'none'})
            {preview.cutoff !== null && <>; the last one has priority {preview.cutoff.toFixed(4)}</>}
            {preview.suppressedDuplicates > 0 && <>; {preview.suppressedDuplicates} duplicates left out</>}
            {preview.suppressedByQuota > 0 && <>; {preview.suppressedByQuota} over their class quota</>}.
          </p>
          {preview.selected === 0 && (
            <p className="muted">Nothing matches these options: widen the time window or remove a filter.</p>
          )}
          <ChartView
            config={chart}
            label={`Histogram of ${preview.strategy} priority over the eligible examples, with those that would be queued`}
          />
          <ol className="small top-items" aria-label="Top items">
            {preview.top.slice(0, 5).map((t) => {
              const plain = plainReason(t.reason, t.priority);
              return (
                <li key={t.externalId}>
                  <span className="mono">{t.externalId}</span> — <TipText tip={plain.detail}>{plain.text}</TipText>
                  {t.snippet !== null && <span className="snippet">{t.snippet}</span>}
                </li>
              );
            })}
          </ol>
        </section>
      )}
      {result && (
        <p role="status" data-testid="mining-summary">
          Run #{result.miningRunId}: {result.added} added, {result.updated} re-prioritised, {result.alreadyQueued}{' '}
          already queued; {result.suppressedDuplicates} duplicates left out · scanned{' '}
          {result.scanned.toLocaleString('en-US')} in{' '}
          {Math.round(result.timings.loadMs + result.timings.rankMs + result.timings.selectMs)} ms
        </p>
      )}
      <QueueOverview projectId={projectId} version={built} />
    </article>
  );
}
