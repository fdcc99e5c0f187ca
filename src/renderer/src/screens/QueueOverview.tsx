import { useEffect, useState } from 'react';
import type { Output } from '../../../shared/api/contract';
import { plainReason } from '../../../shared/features/mining/plain-reason';
import type { QueueItem } from '../../../shared/features/review/contract';
import { openScreen } from '../store/navigation';
import { openInReview } from '../store/review';
import { Alert } from '../components/Alert';
import { CountsGrid } from '../components/CountsGrid';
import { VirtualTable, type Column } from '../components/VirtualTable';
import { useWorkbench } from '../store/workbench';
import { TipText } from '../components/Tip';

type Overview = Output<'queue.overview'>;
type Status = 'pending' | 'leased' | 'done' | 'skipped';
const STATUSES: Status[] = ['pending', 'leased', 'done', 'skipped'];

const ITEM_COLUMNS: Column<QueueItem>[] = [
  { header: 'priority', className: 'num', cell: (q) => q.priority.toFixed(4) },
  { header: 'example', className: 'mono', cell: (q) => q.externalId },
  {
    header: 'text',
    className: 'snippet-cell',
    cell: (q) =>
      q.snippet === null ? (
        <span className="snippet">—</span>
      ) : (
        <TipText className="snippet" tip={q.snippet}>
          {q.snippet}
        </TipText>
      ),
  },
  { header: 'status', cell: (q) => (q.lease ? `leased to ${q.lease.annotator}` : q.status) },
  {
    header: 'why',
    className: 'snippet-cell',
    cell: (q) => {
      const plain = plainReason(q.reason, q.priority);
      return (
        <TipText className="snippet" tip={plain.detail}>
          {plain.text}
        </TipText>
      );
    },
  },
  {
    header: 'open',
    cell: (q) => (
      <button
        type="button"
        className="link"
        onClick={() => {
          openInReview(q.externalId);
          openScreen('Review');
        }}
      >
        Review<span className="sr-only"> {q.externalId}</span>
      </button>
    ),
  },
];

/** The queue by why items were picked and what the model predicts for them, and every item. */
export function QueueOverview({ projectId, version }: { projectId: number; version: number }) {
  const client = useWorkbench((s) => s.client);
  const [overview, setOverview] = useState<Overview | null>(null);
  const [status, setStatus] = useState<Status | 'all'>('all');
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    client?.call('queue.overview', { projectId }).then(
      (o) => {
        if (!live) return;
        setOverview(o);
        setError(null);
      },
      (e: Error) => {
        if (live) setError(e.message);
      },
    );
    return () => {
      live = false;
    };
  }, [client, projectId, version]);
  if (error) return <Alert message={`Queue overview: ${error}`} />;
  if (!client || !overview) return null;
  if (overview.total === 0)
    return <p className="muted">The queue is empty: choose a strategy above, preview it, then build the queue.</p>;
  const total = status === 'all' ? overview.total : overview.byStrategy.reduce((sum, r) => sum + r.counts[status], 0);
  return (
    <section aria-label="Queue overview">
      <h2>Queue · {overview.total.toLocaleString('en-US')} items</h2>
      <div className="cards two top">
        {[
          { title: 'strategy', rows: overview.byStrategy },
          { title: `predicted class (${overview.modelRun ?? 'no model run'})`, rows: overview.byClass },
        ].map((t) => (
          <CountsGrid
            key={t.title}
            label={t.title}
            corner={t.title}
            columns={STATUSES}
            rows={t.rows.map((r) => ({ key: r.key, counts: STATUSES.map((s) => r.counts[s]) }))}
          />
        ))}
      </div>
      <div className="row-actions">
        <select
          aria-label="Filter by status"
          value={status}
          onChange={(e) => setStatus(e.target.value as Status | 'all')}
        >
          <option value="all">all items</option>
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
        <span className="muted small">{total.toLocaleString('en-US')} items, best first</span>
      </div>
      <VirtualTable
        label="Queue items"
        rowCount={total}
        version={`${projectId}:${version}:${status}`}
        columns={ITEM_COLUMNS}
        fetchRows={(offset, limit) =>
          client.call('queue.list', {
            project: { projectId },
            offset,
            limit,
            ...(status === 'all' ? {} : { status }),
          })
        }
      />
    </section>
  );
}
