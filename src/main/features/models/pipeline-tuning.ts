/**
 * How the rescoring pipeline cuts the work, per device. Tabular models take one batch per window
 * (the job's batch size); tokenized text goes in smaller model batches, bucketed by length within
 * a window of several, since a transformer's cost grows with the padded width of its batch.
 */
export interface PipelineTuning {
  /** Rows read from the database at a time (and written back at a time, in id order). */
  windowRows: number;
  /** Rows per session.run for tokenized text. */
  modelBatchRows: number;
  /** Windows read ahead of the writer: each is being tokenized, waiting for the model or scored. */
  windowsAhead: number;
}

/** Rows per session.run for tokenized text: FLYWHEEL_MODEL_BATCH, else by device. */
export function modelBatchRows(device: string): number {
  const asked = Number(process.env['FLYWHEEL_MODEL_BATCH']);
  if (Number.isInteger(asked) && asked > 0) return asked;
  // A CPU gains nothing from batches past a few dozen rows; a GPU needs hundreds to be kept busy.
  return device === 'cpu' ? 64 : 256;
}

/**
 * Rows per window of tokenized text: enough for bucketing to find rows of similar length (16 CPU
 * batches, 4 GPU ones), few enough that the first window's tokenizing, which nothing overlaps, is short.
 */
const TOKEN_WINDOW_ROWS = 1024;

/** `tokenizerThreads` 0: a model that takes features or strings (one batch per window). */
export function pipelineTuning(device: string, batchSize: number, tokenizerThreads: number): PipelineTuning {
  if (tokenizerThreads === 0) return { windowRows: batchSize, modelBatchRows: batchSize, windowsAhead: 3 };
  return {
    windowRows: Math.min(batchSize, TOKEN_WINDOW_ROWS),
    modelBatchRows: Math.min(batchSize, modelBatchRows(device)),
    // One window per tokenizer thread, plus two for the model: it always has the next batch waiting.
    windowsAhead: tokenizerThreads + 2,
  };
}
