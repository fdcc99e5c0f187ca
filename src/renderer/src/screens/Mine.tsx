import { useMemo, useState } from 'react';
import type { Input, Output } from '../../../shared/api/contract';
import type { MiningPreview } from '../../../shared/features/mining/contract';
import { Alert } from '../components/Alert';
import { ChartView } from '../components/ChartView';
import { priorityConfig } from '../components/charts';
import { useAction } from '../hooks/useAction';
import { useLatestOnly } from '../hooks/useLatestOnly';
import { useWorkbench } from '../store/workbench';
import { QueueOverview } from './QueueOverview';

const STRATEGIES = ['entropy', 'margin', 'least-confidence', 'disagreement', 'vote-entropy', 'random'] as const;
type Strategy = (typeof STRATEGIES)[number];

function strategyInput(strategy: Strategy): Input<'mining.run'>['strategy'] {
  if (strategy === 'disagreement') return { strategy, measure: 'label-flip' };
  if (strategy === 'random') return { strategy, seed: 1 };
  return { strategy };
}

/** Choose a strategy, see what it would queue and how uncertainty spreads, then build the queue. */
export function Mine() {
  const client = useWorkbench((s) => s.client);
  const projectId = useWorkbench((s) => s.selectedId);
  const runs = useWorkbench((s) => s.stats?.modelRuns.length ?? 0);
  const [strategy, setStrategy] = useState<Strategy>('entropy');
  const [limit, setLimit] = useState(100);
  const [share, setShare] = useState(0);
  const [quota, setQuota] = useState(0);
  const [dedupe, setDedupe] = useState(true);
  const [excludeLabeled, setExcludeLabeled] = useState(true);
  const [preview, setPreview] = useState<MiningPreview | null>(null);
  const [result, setResult] = useState<Output<'mining.run'> | null>(null);
  const [built, setBuilt] = useState(0);
  const { busy, error, run: act } = useAction();
  const latest = useLatestOnly();
  const chart = useMemo(() => (preview ? priorityConfig(preview) : null), [preview]);
  if (!client || projectId === null) return null;
  const request = (): Input<'mining.run'> => ({
    project: { projectId },
    strategy: strategyInput(strategy),
    limit,
    secondLabelShare: share / 100,
    dedupe,
    excludeLabeled,
    ...(quota > 0 ? { perClassQuota: quota } : {}),
  });
  const changed =
    <T,>(set: (v: T) => void) =>
    (v: T) => {
      set(v);
      setPreview(null);
      latest.stale();
    };
  return (
    <article aria-label="Mine">
      <h1>Mine hard examples</h1>
      <form
        className="mine-form"
        onSubmit={(e) => {
          e.preventDefault();
          void act(async () => {
            setResult(null);
            const asked = latest.take();
            const preview = await client.call('mining.preview', request());
            if (latest.current(asked)) setPreview(preview);
          });
        }}
      >
        <label>
          Strategy
          <select
            value={strategy}
            onChange={(e) => {
              const chosen = e.target.value as Strategy;
              changed(setStrategy)(chosen);
              setDedupe(chosen !== 'random'); // a random sample keeps its duplicates unless asked
            }}
          >
            {STRATEGIES.map((s) => (
              <option
                key={s}
                value={s}
                disabled={(s === 'disagreement' && runs < 2) || (s === 'vote-entropy' && runs < 3)}
              >
                {s}
              </option>
            ))}
          </select>
        </label>
        <label>
          Items
          <input
            type="number"
            min={1}
            max={100000}
            value={limit}
            onChange={(e) => changed(setLimit)(Number(e.target.value))}
          />
        </label>
        <label>
          At most per class (0: no quota)
          <input type="number" min={0} value={quota} onChange={(e) => changed(setQuota)(Number(e.target.value))} />
        </label>
        <label>
          Labeled twice (%)
          <input
            type="number"
            min={0}
            max={100}
            value={share}
            onChange={(e) => changed(setShare)(Number(e.target.value))}
          />
        </label>
        <label className="check">
          <input type="checkbox" checked={dedupe} onChange={(e) => changed(setDedupe)(e.target.checked)} /> Leave out
          near-duplicates
        </label>
        <label className="check">
          <input
            type="checkbox"
            checked={excludeLabeled}
            onChange={(e) => changed(setExcludeLabeled)(e.target.checked)}
          />{' '}
          Skip examples labeled under the current schema
        </label>
        <button type="submit" disabled={busy}>
          Preview
        </button>
        <button
          type="button"
          className="primary"
          disabled={busy}
          onClick={() =>
            void act(async () => {
              setResult(await client.call('mining.run', request()));
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
            {preview.modelRuns.map((r) => r.name).join(', ')})
            {preview.cutoff !== null && <>; the last one has priority {preview.cutoff.toFixed(4)}</>}
            {preview.suppressedDuplicates > 0 && <>; {preview.suppressedDuplicates} duplicates left out</>}
            {preview.suppressedByQuota > 0 && <>; {preview.suppressedByQuota} over their class quota</>}.
          </p>
          <ChartView
            config={chart}
            label={`Histogram of ${preview.strategy} priority over the eligible examples, with those that would be queued`}
          />
          <ol className="small">
            {preview.top.slice(0, 5).map((t) => (
              <li key={t.externalId}>
                <span className="mono">{t.externalId}</span> — {t.reason}
              </li>
            ))}
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
