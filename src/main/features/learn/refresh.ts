import { ApiError } from '../../../shared/api/errors';
import type { LearnerConfig, LearnRefreshResult } from '../../../shared/features/learn/contract';
import { leastConfidence, margin } from '../../../shared/features/mining';
import type { Project } from '../../../shared/features/projects/contract';
import type { Context } from '../../core/context';
import { RescoreWriter } from '../../store/rescore-writer';
import { THIS_HOST } from '../../store/store';
import { checkRepresentation, learnerConfig } from './config';
import type { ComputeInput, ComputeOutput } from './compute';
import { describeRefresh } from './describe';
import { COLD_START_PER_CLASS, kappa, needsColdStart, type FittedModel, type Task } from './math';
import { poolDesign, type RepresentationMeta } from './representation';
import { planQueue, type PendingItem } from './rerank';
import { assertFittable, trainingSet, type TrainingSet } from './training-set';

/** Says so when curated labels contradict the log's ground truth on the examples both label. */
export function truthWarning(set: Pick<TrainingSet, 'truthCompared' | 'truthDisagreements'>): string {
  const { truthCompared: n, truthDisagreements: d } = set;
  if (n === 0 || d === 0) return '';
  return `; warning: ${d} of the ${n} curated labels on examples with imported ground truth disagree with it (${Math.round((100 * d) / n)}%): the learner follows the curated labels, so check them (likely-wrong labels can be queued for a second look) or the label mapping`;
}

/** The learner's model runs are named learner@<labels>. */
export const LEARNER_MODEL_NAME = 'learner';
/** Rows written per predictions batch. */
const WRITE_BATCH = 20_000;
/** Candidates k-center looks at (a uniform sample of the eligible pool beyond this). */
const COLD_CANDIDATES = 5000;

export interface RefreshControl {
  signal: AbortSignal;
  progress?: (phase: string, rowsDone: number, rowsTotal: number | null) => void;
}

/** Test seam: runs after the predictions are written, before anything is applied. */
export interface RefreshHooks {
  beforeApply?: () => void;
}

export type Compute = (input: ComputeInput, signal: AbortSignal) => Promise<ComputeOutput>;

/** New items per refresh: enough to last until the next one, whatever the cadence. */
export function batchSize(config: LearnerConfig): number {
  return Math.min(5000, Math.max(50, 4 * config.every));
}

function cancelled(signal: AbortSignal): void {
  if (signal.aborted) throw new ApiError('cancelled', 'the learner refresh was cancelled: nothing was kept');
}

/** The store's score layout: binary one value P(classes[1]), else one per class; predicted class or bitmask. */
function storeScores(probs: Float32Array, n: number, classes: number, task: Task) {
  const width = task === 'binary' ? 1 : classes;
  const scores = new Float32Array(n * width);
  const predicted = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const row = probs.subarray(i * classes, (i + 1) * classes);
    if (task === 'binary') {
      scores[i] = row[1]!;
      predicted[i] = row[1]! >= 0.5 ? 1 : 0;
    } else if (task === 'multilabel') {
      let mask = 0;
      for (let c = 0; c < classes; c++) {
        scores[i * width + c] = row[c]!;
        if (row[c]! >= 0.5) mask |= 1 << c;
      }
      predicted[i] = mask;
    } else {
      let best = 0;
      for (let c = 0; c < classes; c++) {
        scores[i * width + c] = row[c]!;
        if (row[c]! > row[best]!) best = c;
      }
      predicted[i] = best;
    }
  }
  return { scores, predicted, width };
}

function warmStartOf(
  ctx: Context,
  refreshId: number | null,
  meta: RepresentationMeta,
  classes: number,
): FittedModel | null {
  if (refreshId === null) return null;
  const w = ctx.store.learn.weights(refreshId);
  if (!w) return null;
  const stored = JSON.parse(w.meta) as { representation: RepresentationMeta; model: Omit<FittedModel, 'weights'> };
  if (stored.representation.representation !== meta.representation || w.dim !== meta.dim) return null;
  if (stored.model.classes !== classes) return null;
  const weights = new Float64Array(
    w.weights.buffer.slice(w.weights.byteOffset, w.weights.byteOffset + w.weights.byteLength),
  );
  return { ...stored.model, weights };
}

/** The version of the new learner run: learner@<labels>, with a suffix when that name is taken. */
function runVersion(ctx: Context, project: Project, labels: number): string {
  const taken = new Map(ctx.store.learn.learnerRuns(project.id).map((r) => [r.model_version, r]));
  for (let k = 1; ; k++) {
    const version = k === 1 ? String(labels) : `${labels}.${k}`;
    const run = taken.get(version);
    if (!run) return version;
    // A run left unfinished by a killed refresh holds the name but nothing visible: clear it.
    const importRun = run.import_run_id ? ctx.store.importRuns.get(run.import_run_id) : null;
    if (importRun && importRun.status !== 'done') {
      ctx.store.importRuns.abandon(importRun.id, 'failed', 'an earlier learner refresh did not finish');
      return version;
    }
  }
}

function uncertaintyOf(scores: Float32Array, n: number, width: number, task: Task): Float64Array {
  if (task === 'multilabel') {
    const lc = leastConfidence(scores, n, width, { multilabel: true });
    for (let i = 0; i < n; i++) lc[i] = Math.min(1, 2 * lc[i]!);
    return lc;
  }
  return margin(scores, n, width);
}

function reasonFor(project: Project, name: string, scores: Float32Array, width: number, row: number): string {
  const fmt = (p: number) => p.toFixed(2);
  if (width === 1) return `${name} is unsure: P(${project.classes[1]}) ${fmt(scores[row]!)}`;
  const ranked = Array.from(scores.subarray(row * width, (row + 1) * width), (p, c) => ({ p, c }))
    .sort((a, b) => b.p - a.p)
    .slice(0, 2);
  return `${name} is unsure: ${ranked.map((r) => `${project.classes[r.c]} ${fmt(r.p)}`).join(', ')}`;
}

/** Agreement with the previous learner's predictions over the examples both scored. */
function kappaWithPrevious(
  ctx: Context,
  project: Project,
  previousRunId: number | null,
  ids: Int32Array,
  predicted: Int32Array,
  classes: number,
) {
  if (previousRunId === null) return null;
  const runs = ctx.store.mining.modelRuns(project.id);
  if (!runs.some((r) => r.id === previousRunId)) return null;
  const prev = ctx.store.predictionColumns.load(previousRunId);
  const at = new Map<number, number>();
  for (let j = 0; j < prev.n; j++) at.set(prev.exampleIds[j]!, prev.predicted[j]!);
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < ids.length; i++) {
    const p = at.get(ids[i]!);
    if (p === undefined) continue;
    a.push(p);
    b.push(predicted[i]!);
  }
  if (a.length === 0) return null;
  return kappa(Int32Array.from(a), Int32Array.from(b), classes);
}

function rowsOf(ids: Int32Array, set: TrainingSet) {
  const at = new Map<number, number>();
  ids.forEach((id, r) => at.set(id, r));
  const rows: number[] = [];
  const y: number[] = [];
  const exampleIds: number[] = [];
  set.exampleIds.forEach((id, i) => {
    const r = at.get(id);
    if (r === undefined) return;
    rows.push(r);
    y.push(set.y[i]!);
    exampleIds.push(id);
  });
  return { rows: Int32Array.from(rows), y: Int32Array.from(y), exampleIds: Int32Array.from(exampleIds) };
}

/**
 * Positions of the curated labels of control items, when they hold two classes or more: the second
 * learner, fitted on them alone, measures what random labeling would have reached.
 */
function controlLabels(
  ctx: Context,
  project: Project,
  trained: Int32Array,
  y: Int32Array,
  fromTruth: ReadonlySet<number>,
): Int32Array | null {
  const control = ctx.store.learn.controlExamples(project.id);
  const at: number[] = [];
  trained.forEach((id, i) => control.has(id) && !fromTruth.has(id) && at.push(i));
  return new Set(at.map((i) => y[i])).size >= 2 ? Int32Array.from(at) : null;
}

/**
 * Refits the learner on the current labels, scores every example into a new model run
 * (learner@<labels>) and re-ranks the pending queue. Nothing shows until one final transaction:
 * a refresh that fails or is killed before it leaves the previous run and queue as they were, and
 * one that finds the label schema changed is discarded.
 */
export async function refreshLearner(
  ctx: Context,
  project: Project,
  control: RefreshControl,
  compute: Compute,
  hooks: RefreshHooks = {},
): Promise<LearnRefreshResult> {
  const started = performance.now();
  const timings: Record<string, number> = {};
  const lap = (name: string, since: number) => (timings[name] = Math.round(performance.now() - since));
  const config = learnerConfig(ctx, project);
  checkRepresentation(ctx, project, config.representation);
  let t = performance.now();
  const set = trainingSet(ctx, project, config);
  assertFittable(project, set);
  const previous = ctx.store.learn.latestRefresh(project.id);
  if (previous && previous.training_hash === set.hash && previous.model_run_id !== null) {
    return {
      applied: false,
      refresh: describeRefresh(ctx, previous),
      message: `nothing changed since refresh #${previous.id}: the learner already learned these ${set.exampleIds.length} labels`,
    };
  }
  lap('labelsMs', t);
  control.progress?.('reading the examples', 0, null);
  t = performance.now();
  const ids = ctx.store.learn.exampleIds(project.id);
  const design = await poolDesign(ctx, project, config.representation, ids, control.signal);
  lap('readMs', t);
  cancelled(control.signal);

  const task = project.taskType;
  const classes = project.classes.length;
  const { rows: trainRows, y, exampleIds: trained } = rowsOf(ids, set);
  const controlPositions = controlLabels(ctx, project, trained, y, set.fromTruthIds);
  const cold = needsColdStart(set.classCounts);
  const eligible = new Uint8Array(ids.length).fill(1);
  const blockIds = new Set<number>([
    ...ctx.store.mining.labeledUnder(project.id, set.schemaVersionId),
    ...ctx.store.queue.notPending(project.id),
    ...set.exampleIds,
  ]);
  ids.forEach((id, r) => blockIds.has(id) && (eligible[r] = 0));
  const batch = batchSize(config);
  const seed = (previous?.id ?? 0) + 1;

  control.progress?.(`fitting on ${set.exampleIds.length} labels`, 0, ids.length);
  const warm = warmStartOf(ctx, previous?.id ?? null, design.meta, classes);
  const out = await compute(
    {
      x: design.source,
      trainRows: trainRows.slice(),
      y: y.slice(),
      task,
      classes,
      l2: config.l2,
      warmStart: warm,
      controlPositions,
      coldStart: cold ? { k: batch, eligible: eligible.slice(), candidates: COLD_CANDIDATES, seed } : null,
    },
    control.signal,
  );
  if (out.hashMs > 1) timings.hashMs = Math.round(out.hashMs);
  timings.fitMs = Math.round(out.fitMs);
  timings.scoreMs = Math.round(out.scoreMs);
  cancelled(control.signal);

  const n = ids.length;
  const { scores, predicted, width } = storeScores(out.probs, n, classes, task);
  t = performance.now();
  const kappaPrevious = kappaWithPrevious(
    ctx,
    project,
    previous?.model_run_id ?? null,
    ids,
    predicted,
    task === 'multilabel' ? 2 ** classes : classes,
  );
  const version = runVersion(ctx, project, set.exampleIds.length);
  const name = `${LEARNER_MODEL_NAME}@${version}`;
  const uncertainty = uncertaintyOf(scores, n, width, task);
  const pending = new Map<number, PendingItem>();
  for (const p of ctx.store.learn.pendingItems(project.id))
    pending.set(p.example_id, { control: p.control === 1, keep: p.strategy === 'label-issues' });
  const share = `${Math.round(config.controlShare * 100)}%`;
  const plan = planQueue({
    ids,
    uncertainty,
    eligible,
    pending,
    batch,
    controlShare: config.controlShare,
    seed,
    coldOrder: out.coldOrder,
    minedReason: (row) => reasonFor(project, name, scores, width, row),
    coldReason: `typical and diverse pick (k-center over ${config.representation}): some class has fewer than ${COLD_START_PER_CLASS} labels`,
    controlReason: `random control sample (${share} of the learner's queue): an unbiased label`,
  });
  lap('rerankMs', t);

  t = performance.now();
  const run = ctx.store.importRuns.create({
    projectId: project.id,
    sourcePath: `learner:${config.representation}`,
    sourceSize: 0,
    fingerprint: `learner:${set.hash}`,
    format: 'rescore' as never,
    compression: 'none',
    mapping: JSON.stringify({ learner: config }),
    strict: false,
    ownerPid: process.pid,
    ownerHost: THIS_HOST,
  });
  let modelRunId = 0;
  try {
    modelRunId = ctx.store.models.createModelRun(project.id, LEARNER_MODEL_NAME, version, run.id, Date.now());
    const bulk = ctx.store.openBulkConnection();
    try {
      const writer = new RescoreWriter(bulk, run.id, modelRunId);
      for (let start = 0; start < n; start += WRITE_BATCH) {
        cancelled(control.signal);
        const end = Math.min(n, start + WRITE_BATCH);
        writer.writeBatch(
          ids.subarray(start, end),
          predicted.subarray(start, end),
          scores.subarray(start * width, end * width),
          width,
        );
        control.progress?.('writing the learner’s scores', end, n);
        // Let label saves through between batches.
        await new Promise((resolve) => setImmediate(resolve));
      }
    } finally {
      bulk.close();
    }
    lap('writeMs', t);
    hooks.beforeApply?.();
    cancelled(control.signal);

    t = performance.now();
    const refreshId = ctx.store.db
      .transaction(() => {
        const schema = ctx.store.labelSchemas.latest(project.id);
        if (schema?.id !== set.schemaVersionId)
          throw new ApiError(
            'conflict',
            `the label schema of '${project.name}' changed to v${schema?.version ?? '?'} while the learner was refreshing: this refresh was discarded; refresh again to learn under the new schema`,
            { reason: 'schema-changed' },
          );
        const latest = ctx.store.learn.latestRefresh(project.id);
        if ((latest?.id ?? null) !== (previous?.id ?? null))
          throw new ApiError('conflict', 'another learner refresh finished first: this one was discarded', {
            reason: 'superseded',
          });
        const now = Date.now();
        ctx.store.importRuns.finish(run.id, set.hash);
        const miningRunId = ctx.store.mining.createRun(
          project.id,
          {
            strategy: 'learner',
            params: {
              representation: config.representation,
              batch,
              controlShare: config.controlShare,
              seed,
              coldStart: cold,
            },
            modelRuns: [modelRunId],
            filters: {},
          },
          now,
        );
        let moved = 0;
        for (const u of plan.update)
          moved += ctx.store.learn.reprioritise(project.id, miningRunId, u.exampleId, u.priority, u.reason, u.control);
        const merged = ctx.store.queue.merge(project.id, miningRunId, plan.insert, now);
        ctx.store.mining.finishRun(miningRunId, merged.added, {
          selected: plan.insert.length,
          controlSample: plan.controlQueued,
          reranked: moved,
          updated: merged.updated,
          alreadyQueued: merged.unchanged,
        });
        timings.applyMs = Math.round(performance.now() - t);
        timings.totalMs = Math.round(performance.now() - started);
        const id = ctx.store.learn.addRefresh({
          project_id: project.id,
          representation: config.representation,
          schema_version_id: set.schemaVersionId,
          labels: set.exampleIds.length,
          class_counts: JSON.stringify(set.classCounts),
          training_hash: set.hash,
          last_event_id: set.lastEventId,
          model_run_id: modelRunId,
          mining_run_id: miningRunId,
          cold_start: cold ? 1 : 0,
          kappa_previous: kappaPrevious,
          fit: JSON.stringify({
            ...out.model.stats,
            l2: config.l2,
            labelSource: config.labelSource,
            fromTruth: set.fromTruth,
            heldOut: set.heldOut,
            unmapped: set.unmapped,
            truthCompared: set.truthCompared,
            truthDisagreements: set.truthDisagreements,
            missingInputs: design.missing,
            reusedVectors: design.reused === true,
            warmStart: warm !== null,
            queued: merged.added,
            controlQueued: plan.controlQueued,
            reranked: moved,
          }),
          timings: JSON.stringify(timings),
          created_at: now,
        });
        const save = (role: 'learner' | 'control', fitted: FittedModel, labels: number) => {
          const { weights, ...model } = fitted;
          ctx.store.learn.saveWeights({
            refresh_id: id,
            role,
            labels,
            dim: design.meta.dim,
            outputs: model.classes,
            weights: Buffer.from(weights.buffer, weights.byteOffset, weights.byteLength),
            meta: JSON.stringify({ representation: design.meta, model }),
          });
        };
        save('learner', out.model, set.exampleIds.length);
        if (out.controlModel) save('control', out.controlModel, controlPositions!.length);
        return id;
      })
      .immediate();
    ctx.emit({ type: 'data.changed', projectId: project.id });
    return {
      applied: true,
      refresh: describeRefresh(ctx, ctx.store.learn.refreshById(refreshId)!),
      message:
        `the learner learned ${set.exampleIds.length} labels and scored ${n} examples into ${name}; ${plan.queued} items queued (${plan.controlQueued} random control)${cold ? ', typical and diverse ones while some class has few labels' : ''}` +
        truthWarning(set),
    };
  } catch (e) {
    const error = e instanceof ApiError ? e : new ApiError('internal', (e as Error)?.message ?? String(e));
    ctx.store.importRuns.abandon(run.id, error.code === 'cancelled' ? 'cancelled' : 'failed', error.message);
    throw error;
  }
}
