import { seededSample } from '../../../shared/features/mining';
import { fit, kCenterOrder, predict, selectDesignRows, type FittedModel, type Rows, type Task } from './math';
import { materialize, type DesignSource } from './representation';

/** What the worker fits on and scores: the pool's design, the rows labeled, their labels. */
export interface ComputeInput {
  /** The pool's design, or its texts to hash here. */
  x: DesignSource;
  trainRows: Int32Array;
  y: Int32Array;
  task: Task;
  classes: number;
  l2: number;
  warmStart: FittedModel | null;
  /** Positions in trainRows/y of the control labels: a second learner fits on them alone (null: too few). */
  controlPositions: Int32Array | null;
  /** At cold start: pick k typical, diverse rows among the eligible (a uniform sample of `candidates` of them). */
  coldStart: { k: number; eligible: Uint8Array; candidates: number; seed: number } | null;
}

export interface ComputeOutput {
  model: FittedModel;
  /** rows×classes probabilities over the whole pool. */
  probs: Float32Array;
  /** Hashing the texts (text representation), then fitting and scoring. */
  hashMs: number;
  fitMs: number;
  scoreMs: number;
  /** The learner of the control labels alone: what random labeling would have given. */
  controlModel: FittedModel | null;
  /** Cold start: rows in k-center pick order; null otherwise. */
  coldOrder: Int32Array | null;
}

/** Fits the learner on the labeled rows and scores every row: pure, so it runs on any thread. */
export function fitAndScore(input: ComputeInput): ComputeOutput {
  const t0 = performance.now();
  const x = materialize(input.x);
  const hashMs = performance.now() - t0;
  const train = selectDesignRows(x, input.trainRows);
  const model = fit(train, input.y, {
    task: input.task,
    classes: input.classes,
    l2: input.l2,
    warmStart: input.warmStart,
  });
  const t1 = performance.now();
  const probs = predict(model, x);
  const scoreMs = performance.now() - t1;
  let coldOrder: Int32Array | null = null;
  if (input.coldStart) {
    const { k, eligible, candidates, seed } = input.coldStart;
    const pool = seededSample(x.rows, candidates, seed, eligible);
    coldOrder = kCenterOrder(x, k, pool);
  }
  let controlModel: FittedModel | null = null;
  if (input.controlPositions) {
    const at = input.controlPositions;
    controlModel = fit(
      selectDesignRows(train, at),
      Int32Array.from(at, (i) => input.y[i]!),
      { task: input.task, classes: input.classes, l2: input.l2, warmStart: null },
    );
  }
  return { model, probs, hashMs, fitMs: t1 - t0 - hashMs, scoreMs, coldOrder, controlModel };
}

/** The buffers a message can hand over instead of copying. */
export function transferables(source: DesignSource): ArrayBuffer[] {
  if (source.kind === 'texts') return [];
  const rows: Rows = source.rows;
  const list = rows.kind === 'dense' ? [rows.values] : [rows.values, rows.indices, rows.indptr];
  // Shared memory (the kept feature pool) is read in place, never moved.
  return list.map((a) => a.buffer).filter((b): b is ArrayBuffer => !(b instanceof SharedArrayBuffer));
}
