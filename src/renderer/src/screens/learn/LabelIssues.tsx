import type { LearnStatus } from '../../../../shared/features/learn/contract';
import type { MiningPreview } from '../../../../shared/features/mining/contract';
import { timeAgo } from './learn-words';

const n = (x: number) => x.toLocaleString('en-US');

/** Likely-wrong labels, found out of sample, and the button that queues them for a second look. */
export function LabelIssues({
  summary,
  found,
  busy,
  unavailable,
  queued,
  onFind,
  onQueue,
}: {
  summary: LearnStatus['labelIssues'];
  /** What the label-issues strategy would queue: its counts and top items with their reasons. */
  found: MiningPreview | null;
  busy: boolean;
  /** Why they cannot be looked for here; null: they can. */
  unavailable: string | null;
  /** What the last queueing did, in a sentence. */
  queued: string | null;
  onFind: () => void;
  onQueue: () => void;
}) {
  return (
    <section className="card learn-issues" aria-label="Label issues">
      <h2>Likely-wrong labels</h2>
      <p className="muted small">
        Each label is checked by learners trained without it (k-fold); a label they contradict with confidence is a
        likely mistake. Queued ones get a second annotator; a disagreement goes to adjudication.
      </p>
      <p data-testid="label-issues-summary">
        {summary
          ? `Last queued ${timeAgo(summary.at)}: ${n(summary.checked)} labels checked, ${n(summary.flagged)} looked wrong, ${n(
              summary.queued,
            )} queued for a second look.`
          : 'None queued for a second look yet.'}
      </p>
      {found && (
        <>
          <p data-testid="label-issues-found">
            {found.eligible === 0
              ? `All ${n(found.scanned)} labels agree with learners trained without them.`
              : `${n(found.eligible)} of ${n(found.scanned)} labels look wrong${
                  found.selected < found.eligible ? `; the ${n(found.selected)} likeliest would be queued` : ''
                }.`}
          </p>
          {found.top.length > 0 && (
            <ol className="small top-items" aria-label="Top likely-wrong labels">
              {found.top.slice(0, 8).map((i) => (
                <li key={i.externalId}>
                  <span className="mono">{i.externalId}</span> — {i.reason}
                  {i.snippet !== null && <span className="snippet">{i.snippet}</span>}
                </li>
              ))}
            </ol>
          )}
        </>
      )}
      <div className="row-actions">
        <button
          type="button"
          disabled={busy || unavailable !== null}
          aria-describedby={unavailable ? 'label-issues-unavailable' : undefined}
          onClick={onFind}
        >
          Find likely-wrong labels
        </button>
        <button
          type="button"
          disabled={busy || unavailable !== null || found?.eligible === 0}
          aria-describedby={unavailable ? 'label-issues-unavailable' : undefined}
          onClick={onQueue}
        >
          Queue them for a second look
        </button>
      </div>
      {unavailable && (
        <p className="muted small" id="label-issues-unavailable">
          {unavailable}
        </p>
      )}
      {queued && (
        <p role="status" className="small" data-testid="label-issues-queued">
          {queued}
        </p>
      )}
    </section>
  );
}
