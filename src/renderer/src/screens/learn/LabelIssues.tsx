import type { LearnStatus } from '../../../../shared/features/learn/contract';
import { timeAgo } from './learn-words';

export interface LabelIssue {
  externalId: string;
  /** In plain words: "labeled spam; a model trained without this label gives spam 0.03". */
  reason: string;
}

const n = (x: number) => x.toLocaleString('en-US');

/** Likely-wrong labels, found out of sample, and the button that queues them for a second look. */
export function LabelIssues({
  summary,
  issues,
  busy,
  unavailable,
  queued,
  onQueue,
}: {
  summary: LearnStatus['labelIssues'];
  issues: readonly LabelIssue[] | null;
  busy: boolean;
  /** Why they cannot be queued here; null: they can. */
  unavailable: string | null;
  /** What the last queueing did, in a sentence. */
  queued: string | null;
  onQueue: () => void;
}) {
  return (
    <section className="card learn-issues" aria-label="Label issues">
      <h2>Likely-wrong labels</h2>
      <p className="muted small">
        Each label is checked by a learner trained without it (k-fold); a label the others contradict with confidence is
        a likely mistake.
      </p>
      <p data-testid="label-issues-summary">
        {summary
          ? `Checked ${n(summary.checked)} labels ${timeAgo(summary.at)}: ${n(summary.flagged)} look wrong, ${n(
              summary.queued,
            )} queued for a second look.`
          : 'Not checked yet: queue them to check every label.'}
      </p>
      {issues && issues.length > 0 && (
        <ol className="small top-items" aria-label="Top likely-wrong labels">
          {issues.map((i) => (
            <li key={i.externalId}>
              <span className="mono">{i.externalId}</span> — {i.reason}
            </li>
          ))}
        </ol>
      )}
      <button
        type="button"
        disabled={busy || unavailable !== null}
        aria-describedby={unavailable ? 'label-issues-unavailable' : undefined}
        onClick={onQueue}
      >
        Queue likely-wrong labels for a second look
      </button>
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
