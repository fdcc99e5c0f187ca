import type { CurrentLabels } from '../../../shared/features/labels';
import type { Project } from '../../../shared/features/projects/contract';
import type { Context } from '../../core/context';
import { schemaClasses } from '../insights/eval-set';
import { predict, type FittedModel } from './math';
import { oneRow, type RepresentationMeta } from './representation';

/** The latest learner's weights, read once per refresh rather than once per label. */
let cached: { refreshId: number; model: FittedModel; meta: RepresentationMeta } | null = null;

function learnerOf(ctx: Context, refreshId: number) {
  if (cached?.refreshId === refreshId) return cached;
  const w = ctx.store.learn.weights(refreshId);
  if (!w) return null;
  const stored = JSON.parse(w.meta) as { representation: RepresentationMeta; model: Omit<FittedModel, 'weights'> };
  const weights = new Float64Array(
    w.weights.buffer.slice(w.weights.byteOffset, w.weights.byteOffset + w.weights.byteLength),
  );
  cached = { refreshId, model: { ...stored.model, weights }, meta: stored.representation };
  return cached;
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
  const learner = learnerOf(ctx, refresh.id);
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
  let predicted = 0;
  if (multilabel) probs.forEach((p, c) => p >= 0.5 && (predicted |= 1 << c));
  else probs.forEach((p, c) => p > probs[predicted]! && (predicted = c));
  ctx.store.learn.addPrequential(project.id, {
    example_id: exampleId,
    label_event_id: eventId,
    refresh_id: refresh.id,
    labels_at: refresh.labels,
    origin: ctx.store.learn.isControl(project.id, exampleId) ? 'control' : 'mined',
    truth,
    predicted,
    probs: Buffer.from(probs.buffer, probs.byteOffset, probs.byteLength),
    correct: predicted === truth ? 1 : 0,
    created_at: Date.now(),
  });
}
