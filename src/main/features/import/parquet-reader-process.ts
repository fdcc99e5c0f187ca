import type { HostMessage, ParseJob, ParserMessage } from './parse-protocol';
import { spooler } from './batch-spool';
import { readParquet, sampleParquet } from './parquet-reader';
import { runParser } from './run-parser';
import { parentPort } from '../../core/parent-port';

// Child-process entry for Parquet: DuckDB is native code, so it runs where a crash or an
// out-of-memory ends only this process.
const host = parentPort<ParseJob | { type: 'sample'; path: string; n: number } | HostMessage>();
host.onceMessage((first) => {
  const job = first as ParseJob | { type: 'sample'; path: string; n: number };
  if ('type' in job) {
    sampleParquet(job.path, job.n).then(
      (sample) => host.send({ type: 'sample', sample }),
      (e: Error) => host.send({ type: 'sample', error: e.message }),
    );
    return;
  }
  const send = (message: unknown) => host.send(message);
  void runParser(
    job,
    job.spoolDir ? spooler(job.spoolDir, send) : (message: ParserMessage) => send(message),
    (onMessage) => host.onMessage((m) => onMessage(m as HostMessage)),
    { parquet: readParquet },
  );
});
