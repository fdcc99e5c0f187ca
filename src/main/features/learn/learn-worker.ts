// Worker thread that fits the learner and scores the pool, so a refresh never holds up the
// thread that serves annotators.
import { parentPort } from 'node:worker_threads';
import { fitAndScore, type ComputeInput } from './compute';

parentPort!.once('message', (input: ComputeInput) => {
  try {
    const out = fitAndScore(input);
    parentPort!.postMessage({ ok: true, out }, [out.probs.buffer as ArrayBuffer]);
  } catch (e) {
    parentPort!.postMessage({ ok: false, message: (e as Error).message ?? String(e) });
  }
});
