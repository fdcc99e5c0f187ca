// Child-process entry of an export: SQLite reads, file writes and DuckDB's Parquet writer run
// here, so a crash in native code cannot take the app or its database writer down.
import { ApiError } from '../../../shared/api/errors';
import { buildExport, previewExport } from './build-export';
import { describeWriteError } from './export-process-errors';
import type { ExportPlan, ExportWorkerMessage } from './plan';
import { parentPort } from '../../core/parent-port';

const host = parentPort<ExportPlan>();

function send(message: ExportWorkerMessage): Promise<void> {
  return new Promise((resolve) => host.send(message, resolve));
}

// The app or CLI that started this export is gone (killed): stop; its next export cleans up.
host.onHostGone(() => process.exit(1));

host.onceMessage((plan) => {
  let last = 0;
  const progress = (phase: string, rowsDone: number, rowsTotal: number) => {
    const now = Date.now();
    if (now - last < 100 && rowsDone < rowsTotal) return;
    last = now;
    void send({ type: 'progress', phase, rowsDone, rowsTotal });
  };
  (plan.previewOnly ? Promise.resolve().then(() => previewExport(plan, progress)) : buildExport(plan, progress))
    .then((outcome) => send({ type: 'done', outcome }))
    .catch((e: unknown) => {
      const code = e instanceof ApiError ? e.code : 'internal';
      return send({ type: 'error', code, message: describeWriteError(e) });
    })
    .finally(() => host.close());
});
