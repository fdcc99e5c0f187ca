import { ApiError, type ErrorCode } from '../../../shared/api/errors';
import type { JobControl } from '../../core/jobs';
import { builtEntry } from '../../core/entry-points';
import { spawnHelper } from '../../core/spawn-helper';
import type { ExportOutcome, ExportPlan, ExportPreview, ExportWorkerMessage } from './plan';
import { recoverInterrupted } from './publish';
import path from 'node:path';

/** Runs an export in its own process, relaying progress; cancel kills it and cleans up. */
export function runExportProcess<T extends ExportOutcome | ExportPreview = ExportOutcome>(
  plan: ExportPlan,
  control: JobControl,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawnHelper<ExportWorkerMessage>(builtEntry('export-process'), {
      // A built entry: none of the parent's flags, such as a TypeScript loader under tsx or vitest,
      // which would cost the process and each of its threads a third of a second to start.
      execArgv: [],
      stderr: 'pipe',
    });
    // A preview writes nothing, and its name may be a real export's: nothing to clean up.
    const cleanUp = () => {
      if (!plan.previewOnly) recoverInterrupted(plan.baseDir, path.basename(plan.finalPath));
    };
    let stderr = '';
    let settled = false;
    const started = Date.now();
    child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      control.signal.removeEventListener('abort', onAbort);
      fn();
    };
    const onAbort = () => {
      child.kill('SIGKILL');
      cleanUp();
      finish(() => reject(new ApiError('cancelled', 'export cancelled: nothing was written')));
    };
    control.signal.addEventListener('abort', onAbort);
    child.on('message', (m) => {
      if (m.type === 'progress') {
        const seconds = (Date.now() - started) / 1000;
        const rate = seconds > 0 ? m.rowsDone / seconds : 0;
        control.progress({
          phase: m.phase,
          rowsDone: m.rowsDone,
          bytesDone: 0,
          bytesTotal: null,
          rowsPerSecond: rate,
          etaSeconds: rate > 0 ? (m.rowsTotal - m.rowsDone) / rate : null,
          message: `${m.phase} ${m.rowsDone} of ${m.rowsTotal}`,
        });
      } else if (m.type === 'done') finish(() => resolve(m.outcome as T));
      else finish(() => reject(new ApiError(m.code as ErrorCode, m.message)));
    });
    child.on('exit', (code, signal) => {
      if (settled) return;
      cleanUp();
      const why =
        signal === 'SIGXFSZ'
          ? 'hit the file size limit (disk full?): nothing was replaced'
          : signal
            ? `was killed by ${signal}`
            : `exited with code ${code}`;
      finish(() =>
        reject(
          new ApiError('internal', `the export process ${why}${stderr ? `: ${stderr.trim().split('\n').pop()}` : ''}`),
        ),
      );
    });
    child.send(plan);
  });
}
