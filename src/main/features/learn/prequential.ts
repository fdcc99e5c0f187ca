import type { CurrentLabels } from '../../../shared/features/labels';
import type { Project } from '../../../shared/features/projects/contract';
import type { Context } from '../../core/context';
import { schemaClasses } from '../insights/eval-set';
import { predict, type FittedModel } from './math';
import { oneRow, type RepresentationMeta } from './representation';

interface Loaded {
  model: FittedModel;
  meta: RepresentationMeta;
  labels: number;
}

/** The latest learners' weights, read once per refresh rather than once per label. */
const cache = new Map<string, Loaded | null>();

function learnerOf(ctx: Context, refreshId: number, role: 'learner' | 'control'): Loaded | null {
  const key = `${ctx.store.path}:${refreshId}:${role}`;
  if (cache.has(key)) return cache.get(key)!;
  if (cache.size > 8) cache.clear();
  const w = ctx.store.learn.weights(refreshId, role);
  let loaded: Loaded | null = null;
  if (w) {
    const stored = JSON.parse(w.meta) as { representation: RepresentationMeta; model: Omit<FittedModel, 'weights'> };
    const weights = new Float64Array(
      w.weights.buffer.slice(w.weights.byteOffset, w.weights.byteOffset + w.weights.byteLength),
    );
    loaded = { model: { ...stored.model, weights }, meta: stored.representation, labels: w.labels };
  }
  cache.set(key, loaded);
  return loaded;
}

function predictedOf(probs: Float32Array, multilabel: boolean): number {
  let predicted = 0;
  if (multilabel) probs.forEach((p, c) => p >= 0.5 && (predicted |= 1 << c));
  else probs.forEach((p, c) => p > probs[predicted]! && (predicted = c));
  return predicted;
}

/**
 * Scores a newly labeled example with the learner as it was before this label (one row, so the
 * save stays fast) and records whether it was right: the efficiency meter's prequential record.
 * Only an example's first decision counts; one the learner may have trained on does not.
 */
export function recordPrequential(
  ctx: Context,
  project: Project,
  exampleId: number,
  eventId: number,
  current: CurrentLabels,
): void {
  const config = ctx.store.learn.config(project.id);
  if (!config) return;
  const r = current.resolution;
  if (r.status !== 'agreed' && r.status !== 'adjudicated') return;
  const refresh = ctx.store.learn.latestRefresh(project.id);
  if (!refresh || !ctx.store.learn.firstDecision(project.id, exampleId, eventId)) return;
  if (config.label_source === 'curated+truth' && ctx.store.learn.hasGroundTruth(exampleId)) return;
  const learner = learnerOf(ctx, refresh.id, 'learner');
  if (!learner) return;
  const { schema, classOf } = schemaClasses(ctx, project, undefined);
  if (schema.id !== refresh.schema_version_id) return;
  const multilabel = project.taskType === 'multilabel';
  const classes = r.labels.map((id) => classOf.get(id));
  if (classes.some((c) => c === undefined) || (!multilabel && classes.length !== 1)) return;
  const truth = multilabel ? classes.reduce<number>((m, c) => m | (1 << c!), 0) : classes[0]!;
  const row = oneRow(ctx, project, learner.meta, exampleId);
  if (!row) return;
  const probs = predict(learner.model, row);
  const predicted = predictedOf(probs, multilabel);
  const origin = ctx.store.learn.isControl(project.id, exampleId) ? 'control' : 'mined';
  const random = origin === 'control' ? learnerOf(ctx, refresh.id, 'control') : null;
  const randomPredicted = random ? predictedOf(predict(random.model, row), multilabel) : null;
  ctx.store.learn.addPrequential(project.id, {
    example_id: exampleId,
    label_event_id: eventId,
    refresh_id: refresh.id,
    labels_at: refresh.labels,
    origin,
    truth,
    predicted,
    probs: Buffer.from(probs.buffer, probs.byteOffset, probs.byteLength),
    correct: predicted === truth ? 1 : 0,
    random_correct: randomPredicted === null ? null : randomPredicted === truth ? 1 : 0,
    random_labels_at: random ? random.labels : null,
    created_at: Date.now(),
  });
}
