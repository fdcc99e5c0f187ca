import { Worker } from 'node:worker_threads';
import { ApiError } from '../../../shared/api/errors';
import { builtEntry } from '../../core/entry-points';
import { transferables, type ComputeInput, type ComputeOutput } from './compute';

/** Fits and scores in a worker thread; cancel terminates it. The design's buffers move to the worker. */
export function computeInWorker(input: ComputeInput, signal: AbortSignal): Promise<ComputeOutput> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(builtEntry('learn-worker'), { execArgv: [] });
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      void worker.terminate();
      fn();
    };
    const onAbort = () =>
      finish(() => reject(new ApiError('cancelled', 'the learner refresh was cancelled: nothing was kept')));
    signal.addEventListener('abort', onAbort);
    worker.on('message', (m: { ok: true; out: ComputeOutput } | { ok: false; message: string }) => {
      if (m.ok) finish(() => resolve(m.out));
      else finish(() => reject(new ApiError('internal', `the learner could not be fitted: ${m.message}`)));
    });
    worker.on('error', (e) =>
      finish(() => reject(new ApiError('internal', `the learner's worker failed: ${e.message}`))),
    );
    worker.on('exit', (code) =>
      finish(() => reject(new ApiError('internal', `the learner's worker stopped early (exit ${code})`))),
    );
    worker.postMessage(input, [
      ...transferables(input.x),
      input.trainRows.buffer as ArrayBuffer,
      input.y.buffer as ArrayBuffer,
    ]);
  });
}
