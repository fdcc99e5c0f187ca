import { parentPort, workerData } from 'node:worker_threads';
import { batchTransferables } from './batch';
import type { HostMessage, ParseJob, ParserMessage } from './parse-protocol';
import { runParser } from './run-parser';

// Worker-thread entry for the pure-JS parsers (JSONL, CSV): no native code runs here,
// and the thread's heap is capped by the host, so a bad file cannot take the writer down.
const port = parentPort!;
void runParser(
  workerData as ParseJob,
  (message: ParserMessage) =>
    port.postMessage(message, message.type === 'batch' ? batchTransferables(message.batch) : []),
  (onMessage) => port.on('message', (m: HostMessage) => onMessage(m)),
);
