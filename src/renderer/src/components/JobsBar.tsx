import * as Popover from '@radix-ui/react-popover';
import type { JobProgress } from '../../../shared/features/app/contract';
import { useWorkbench } from '../store/workbench';

function eta(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '';
  if (seconds < 90) return ` · ${Math.round(seconds)} s left`;
  return ` · ${Math.round(seconds / 60)} min left`;
}

function fraction(j: JobProgress): number | null {
  if (j.bytesTotal) return Math.min(1, j.bytesDone / j.bytesTotal);
  if (j.etaSeconds !== null && j.rowsPerSecond > 0) {
    const total = j.rowsDone + j.etaSeconds * j.rowsPerSecond;
    return total > 0 ? j.rowsDone / total : null;
  }
  return null;
}

/**
 * Running jobs: one short line in the top bar (it never wraps it, however many jobs run), and a
 * popover with each job's progress, rate, time left and a cancel button.
 */
export function JobsBar() {
  const client = useWorkbench((s) => s.client);
  const jobs = Object.values(useWorkbench((s) => s.jobs));
  if (jobs.length === 0) return null;
  const first = jobs[0]!;
  const done = jobs.length === 1 ? fraction(first) : null;
  return (
    <Popover.Root>
      {/* Only the phases are announced: the figures change several times a second. */}
      <span role="status" className="visually-hidden">
        {jobs.map((j) => `${j.kind} · ${j.phase}`).join('; ')}
      </span>
      <Popover.Trigger className="job job-trigger">
        {done !== null && <progress value={done} max={1} aria-hidden="true" />}{' '}
        {jobs.length === 1 ? `${first.kind} · ${first.phase}` : `${jobs.length} jobs running`}
        {done !== null && ` · ${Math.round(done * 100)}%`} <span aria-hidden="true">▾</span>
      </Popover.Trigger>
      <Popover.Portal>
        <Popover.Content
          className="jobs-popover"
          aria-label="Running jobs"
          align="end"
          sideOffset={6}
          collisionPadding={8}
        >
          <h2 className="small">Running jobs</h2>
          <ul>
            {jobs.map((j) => {
              const part = fraction(j);
              return (
                <li key={j.jobId} className="job-line">
                  <div>
                    <strong>{j.kind}</strong> · {j.phase}
                  </div>
                  {part !== null && <progress value={part} max={1} aria-label={`${j.kind} progress`} />}
                  <div className="muted small">
                    {j.rowsDone.toLocaleString('en-US')} rows · {Math.round(j.rowsPerSecond).toLocaleString('en-US')}{' '}
                    rows/s
                    {eta(j.etaSeconds)}
                  </div>
                  <button type="button" onClick={() => void client?.call('jobs.cancel', { jobId: j.jobId })}>
                    Cancel {j.kind}
                  </button>
                </li>
              );
            })}
          </ul>
        </Popover.Content>
      </Popover.Portal>
    </Popover.Root>
  );
}
