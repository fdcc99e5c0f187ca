import { ApiError, type ErrorCode } from '../../../shared/api/errors';
import { builtEntry } from '../../core/entry-points';
import { spawnHelper } from '../../core/spawn-helper';
import type { ScanJob, ScanProgress, ScanResult } from './scan';

type ScanMessage =
  | { type: 'progress'; phase: string; fraction: number | null }
  | { type: 'done'; result: ScanResult }
  | { type: 'error'; code: ErrorCode; message: string };

/** Runs the scan in its own process; the signal kills it (DuckDB stops where it is). */
export function scanInChildProcess(job: ScanJob, progress: ScanProgress, signal: AbortSignal): Promise<ScanResult> {
  return new Promise((resolve, reject) => {
    const child = spawnHelper<ScanMessage>(builtEntry('mine-file-scan'), { stderr: 'pipe' });
    let stderr = '';
    let settled = false;
    const settle = (f: () => void) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      f();
    };
    const onAbort = () => {
      child.kill('SIGKILL');
      settle(() => reject(new ApiError('cancelled', 'mine-file was cancelled; nothing was imported or queued')));
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort);
    child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
    child.on('message', (m) => {
      if (m.type === 'progress') progress(m.phase, m.fraction);
      else if (m.type === 'done') settle(() => resolve(m.result));
      else settle(() => reject(new ApiError(m.code, m.message)));
    });
    child.on('exit', (code, sig) => {
      const why = sig ? `was killed by ${sig}` : `exited with code ${code}`;
      const last = stderr.trim().split('\n').pop();
      settle(() => reject(new ApiError('internal', `the mine-file scan process ${why}${last ? `: ${last}` : ''}`)));
    });
    child.on('error', (e) =>
      settle(() => reject(new ApiError('internal', `the mine-file scan process failed: ${e.message}`))),
    );
    child.send(job);
  });
}
