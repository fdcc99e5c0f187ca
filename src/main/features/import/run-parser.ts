import { readCsv } from './csv-reader';
import { readJsonl } from './jsonl-reader';
import type { HostMessage, ParseJob, ParserMessage } from './parse-protocol';
import { FileProblem, RecordConsumer } from './record-consumer';

type Reader = (job: ParseJob, consumer: RecordConsumer) => Promise<void>;

/** The parser's whole life in its thread or process: read, validate, post batches, end. */
export async function runParser(
  job: ParseJob,
  post: (message: ParserMessage) => void,
  listen: (onMessage: (message: HostMessage) => void) => void,
  readers: Partial<Record<ParseJob['format'], Reader>> = { jsonl: readJsonl, csv: readCsv },
): Promise<void> {
  const consumer = new RecordConsumer(job, post);
  listen((message) => (message.type === 'ack' ? consumer.ack() : consumer.stop()));
  try {
    const reader = readers[job.format];
    if (!reader) throw new Error(`no reader for ${job.format} in this parser`);
    await reader(job, consumer);
    if (!consumer.stopped) consumer.finish();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    post({ type: 'fatal', code: error instanceof FileProblem ? 'bad-file' : 'internal', message });
  }
}
