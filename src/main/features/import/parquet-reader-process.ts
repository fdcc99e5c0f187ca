import type { HostMessage, ParseJob, ParserMessage } from './parse-protocol';
import { spooler } from './batch-spool';
import { readParquet, sampleParquet } from './parquet-reader';
import { runParser } from './run-parser';

// Child-process entry for Parquet: DuckDB is native code, so it runs where a crash or an
// out-of-memory ends only this process.
process.once('message', (job: ParseJob | { type: 'sample'; path: string; n: number }) => {
  if ('type' in job) {
    sampleParquet(job.path, job.n).then(
      (sample) => process.send!({ type: 'sample', sample }),
      (e: Error) => process.send!({ type: 'sample', error: e.message }),
    );
    return;
  }
  const send = (message: unknown) => process.send!(message);
  void runParser(
    job,
    job.spoolDir ? spooler(job.spoolDir, send) : (message: ParserMessage) => send(message),
    (onMessage) => process.on('message', (m: HostMessage) => onMessage(m)),
    { parquet: readParquet },
  );
});
