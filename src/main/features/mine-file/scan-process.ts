import { ApiError } from '../../../shared/api/errors';
import { parentPort } from '../../core/parent-port';
import { scanFiles, type ScanJob } from './scan';

// Child-process entry of mine-file: DuckDB is native code and reads files of any size, so it
// runs where a crash or running out of memory ends only this process.
const host = parentPort<ScanJob>();
host.onHostGone(() => process.exit(1));
host.onceMessage((job) => {
  scanFiles(job, (phase, fraction) => host.send({ type: 'progress', phase, fraction })).then(
    (result) => host.send({ type: 'done', result }, () => host.close()),
    (e: unknown) => {
      const error = e instanceof ApiError ? e : new ApiError('internal', (e as Error)?.message ?? String(e));
      host.send({ type: 'error', code: error.code, message: error.message }, () => host.close());
    },
  );
});
