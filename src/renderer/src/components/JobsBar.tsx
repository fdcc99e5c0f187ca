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

/** Every running job with its progress, rate, time left and a cancel button. */
export function JobsBar() {
  const client = useWorkbench((s) => s.client);
  const jobs = useWorkbench((s) => s.jobs);
  return (
    <>
      {Object.values(jobs).map((j) => {
        const done = fraction(j);
        return (
          <span key={j.jobId} className="job">
            {done !== null && <progress value={done} max={1} aria-label={`${j.kind} progress`} />}{' '}
            {/* Only the phase is announced: the figures change several times a second. */}
            <span role="status">
              {j.kind} · {j.phase}
            </span>{' '}
            · {j.rowsDone.toLocaleString('en-US')} rows · {Math.round(j.rowsPerSecond).toLocaleString('en-US')} rows/s
            {eta(j.etaSeconds)}{' '}
            <button type="button" className="link" onClick={() => void client?.call('jobs.cancel', { jobId: j.jobId })}>
              Cancel {j.kind}
            </button>
          </span>
        );
      })}
    </>
  );
}
