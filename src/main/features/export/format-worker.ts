// Worker thread of an export: reads a chunk of examples on its own read-only connection and
// formats them as JSONL or CSV lines, so two cores share the export's heaviest part.
import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase } from '../../store/database';
import { ExportReadQueries, yieldToCheckpoints } from '../../store/export-reads';
import type { FormatJob, FormatResult, FormatWorkerInit } from './format-protocol';
import { RowFormat } from './row-format';

const init = workerData as FormatWorkerInit;
const db = openDatabase(init.dbPath, {
  readonly: true,
  ...(init.nativeBinding ? { nativeBinding: init.nativeBinding } : {}),
});
const reads = new ExportReadQueries(db);
const format = new RowFormat(init.project);
const encoder = new TextEncoder();

function formatChunk(job: FormatJob): FormatResult {
  yieldToCheckpoints(init.dbPath);
  const rows = reads.examples(Array.from(job.ids));
  const texts = new Array<string>(init.splits).fill('');
  const counts = new Array<number>(init.splits).fill(0);
  let longest = 0;
  for (let i = 0; i < job.ids.length; i++) {
    const ex = rows[i];
    if (!ex || ex.id !== job.ids[i]) throw new Error(`example ${job.ids[i]} vanished during the export`);
    const labels = init.labelSets[job.labelIndex[i]!]!;
    const source = job.source[i] === 1 ? 'model' : 'human';
    const s = job.split[i]!;
    const line = init.csv ? format.csv(ex, labels, source) : format.jsonl(ex, labels, source);
    texts[s] += line;
    counts[s]!++;
    if (line.length > longest) longest = line.length;
  }
  // UTF-8 takes at most 3 bytes per UTF-16 unit.
  return { seq: job.seq, parts: texts.map((t) => encoder.encode(t)), rows: counts, longestLine: longest * 3 };
}

parentPort!.on('message', (job: FormatJob) => {
  let result: FormatResult;
  try {
    result = formatChunk(job);
  } catch (e) {
    result = { seq: job.seq, error: (e as Error).message };
  }
  parentPort!.postMessage(result, 'parts' in result ? result.parts.map((p) => p.buffer as ArrayBuffer) : []);
});
