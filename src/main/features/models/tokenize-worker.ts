// Worker thread of the rescoring pipeline: turns windows of texts into padded int64 batches, so
// the model process only runs the model and several texts are tokenized while it does.
import { createRequire } from 'node:module';
import { parentPort, workerData } from 'node:worker_threads';
import type { TokenizerSpec } from './model-protocol';
import { loadTokenizer, type TextTokenizer } from './text-tokenizer';
import { tokenBatches } from './token-batches';

export interface TokenizeJob {
  seq: number;
  texts: string[];
  /** Each text's second text, where the model takes pairs. */
  pairs?: string[];
  batchRows: number;
  bucket: boolean;
}

const spec = (workerData as { spec: TokenizerSpec }).spec;
const port = parentPort!;
let tok: TextTokenizer;
try {
  tok = loadTokenizer(spec, createRequire(import.meta.url));
  port.postMessage({ ready: tok.name });
} catch (e) {
  port.postMessage({ failed: String((e as Error)?.message ?? e).split('\n')[0] });
}

port.on('message', (job: TokenizeJob) => {
  tok
    .encodeUnpadded(job.texts, job.pairs)
    .then((encoded) => {
      const batches = tokenBatches(encoded, tok.padding, spec, job.batchRows, job.bucket);
      const transfer = batches.flatMap((b) => [
        b.rows.buffer,
        ...Object.values(b.feeds).map((f) => f.buffer),
      ]) as ArrayBuffer[];
      port.postMessage({ seq: job.seq, batches }, transfer);
    })
    .catch((e: unknown) => port.postMessage({ seq: job.seq, error: String((e as Error)?.message ?? e) }));
});
