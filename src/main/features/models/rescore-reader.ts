// Worker thread of the rescoring pipeline that reads: windows of model input from its own
// read-only connection, ahead of the thread that writes the scores, so reading, scoring and
// writing overlap.
import { parentPort, workerData } from 'node:worker_threads';
import type { InputMapping } from '../../../shared/features/models/contract';
import { openDatabase } from '../../store/database';
import { ModelQueries } from '../../store/models';
import { batchOf } from './model-input';
import type { ReadWindow } from './window-reader';

export interface ReaderData {
  dbPath: string;
  nativeBinding?: string;
  projectId: number;
  /** The last example id already scored (the checkpoint to resume after). */
  after: number;
  windowRows: number;
  /** Windows read before the writer asks for more. */
  ahead: number;
  mapping: InputMapping;
}

const data = workerData as ReaderData;
const port = parentPort!;
let credit = data.ahead;
let after = data.after;
let finished = false;

function readWindow(): ReadWindow | null {
  for (;;) {
    // No pause for checkpoints here (as export readers take): this thread reads at most a few
    // windows ahead of the writer and then waits for it, so checkpoints find it idle; pausing while
    // the writer grows the WAL would stall the pipeline instead.
    const batch = queries.featureBatch(data.projectId, after, data.windowRows);
    if (batch.length === 0) return null;
    after = batch[batch.length - 1]!.id;
    const usable = batchOf(data.mapping, batch);
    if (usable) {
      return {
        ids: Int32Array.from(usable.rows, (r) => r.id),
        externalIds: usable.rows.map((r) => r.external_id),
        payload: usable.payload,
      };
    }
  }
}

function pump(): void {
  try {
    while (credit > 0 && !finished) {
      const w = readWindow();
      if (!w) {
        finished = true;
        port.postMessage({ done: true });
        return;
      }
      credit--;
      const transfer = w.payload.kind === 'float32' ? [w.payload.data.buffer as ArrayBuffer] : [];
      port.postMessage({ window: w }, [w.ids.buffer as ArrayBuffer, ...transfer]);
    }
  } catch (e) {
    finished = true;
    port.postMessage({ error: String((e as Error)?.message ?? e) });
  }
}

const db = openDatabase(data.dbPath, {
  readonly: true,
  ...(data.nativeBinding ? { nativeBinding: data.nativeBinding } : {}),
});
const queries = new ModelQueries(db);
port.on('message', () => {
  credit++;
  pump();
});
pump();
