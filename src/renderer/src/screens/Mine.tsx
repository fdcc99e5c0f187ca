import { useState } from 'react';
import type { Output } from '../../../shared/api/contract';
import { Alert } from '../components/Alert';
import { useAction } from '../hooks/useAction';
import { useWorkbench } from '../store/workbench';

const STRATEGIES = ['entropy', 'margin', 'least-confidence', 'disagreement', 'random'] as const;

export function Mine() {
  const client = useWorkbench((s) => s.client);
  const projectId = useWorkbench((s) => s.selectedId);
  const runs = useWorkbench((s) => s.stats?.modelRuns.length ?? 0);
  const [strategy, setStrategy] = useState<(typeof STRATEGIES)[number]>('entropy');
  const [limit, setLimit] = useState(100);
  const [share, setShare] = useState(0);
  const [result, setResult] = useState<Output<'mining.run'> | null>(null);
  const { busy, error, run: act } = useAction();
  if (!client || projectId === null) return null;
  const run = () =>
    act(async () => {
      const s =
        strategy === 'disagreement'
          ? { strategy, measure: 'label-flip' as const }
          : strategy === 'random'
            ? { strategy, seed: 1 }
            : { strategy };
      setResult(
        await client.call('mining.run', { project: { projectId }, strategy: s, limit, secondLabelShare: share / 100 }),
      );
    });
  return (
    <article aria-label="Mine">
      <form
        className="mine-form"
        onSubmit={(e) => {
          e.preventDefault();
          void run();
        }}
      >
        <label>
          Strategy
          <select value={strategy} onChange={(e) => setStrategy(e.target.value as (typeof STRATEGIES)[number])}>
            {STRATEGIES.map((s) => (
              <option key={s} value={s} disabled={s === 'disagreement' && runs < 2}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label>
          Items
          <input type="number" min={1} max={100000} value={limit} onChange={(e) => setLimit(Number(e.target.value))} />
        </label>
        <label>
          Labeled twice (%)
          <input type="number" min={0} max={100} value={share} onChange={(e) => setShare(Number(e.target.value))} />
        </label>
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Mining…' : 'Build queue'}
        </button>
      </form>
      <Alert message={error} />
      {result && (
        <section aria-label="Mining result">
          <p data-testid="mining-summary">
            Run #{result.miningRunId}: {result.added} added, {result.updated} re-prioritised, {result.alreadyQueued}{' '}
            already queued; {result.suppressedDuplicates} duplicates left out · scanned{' '}
            {result.scanned.toLocaleString('en-US')} in{' '}
            {Math.round(result.timings.loadMs + result.timings.rankMs + result.timings.selectMs)} ms
          </p>
          <table className="table">
            <thead>
              <tr>
                <th scope="col">priority</th>
                <th scope="col">example</th>
                <th scope="col">why</th>
              </tr>
            </thead>
            <tbody>
              {result.top.map((t) => (
                <tr key={t.externalId}>
                  <td className="num">{t.priority.toFixed(3)}</td>
                  <td className="mono">{t.externalId}</td>
                  <td>{t.reason}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
    </article>
  );
}
