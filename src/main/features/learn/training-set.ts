import { createHash } from 'node:crypto';
import { ApiError } from '../../../shared/api/errors';
import { currentLabels } from '../../../shared/features/labels';
import type { LearnerConfig } from '../../../shared/features/learn/contract';
import type { Project } from '../../../shared/features/projects/contract';
import type { Context } from '../../core/context';
import { schemaClasses } from '../insights/eval-set';
import { derivationOptions } from '../labels/derivation';

/** What the learner is fitted on: labels under the current schema as class indexes (multilabel: bitmasks). */
export interface TrainingSet {
  schemaVersionId: number;
  schemaVersion: number;
  /** Ascending example ids and their labels. */
  exampleIds: Int32Array;
  y: Int32Array;
  classCounts: number[];
  /** Labels that came from imported ground truth (curated+truth only). */
  fromTruth: number;
  fromTruthIds: Set<number>;
  /** Ground truth left out because its example belongs to an evaluation set. */
  heldOut: number;
  /** Curated labels that name no class of the model (after a split, say). */
  unmapped: number;
  /** Curated labels on examples that also carry imported ground truth, and how many of them disagree with it. */
  truthCompared: number;
  truthDisagreements: number;
  /** The newest label event read: decisions after it count towards the next refresh. */
  lastEventId: number;
  hash: string;
}

/**
 * Curated labels resolved as export resolves them with agreement 'any' (agreed or adjudicated,
 * under the current schema version), plus imported ground truth when the learner is set to use it
 * (curated labels win; examples of any frozen evaluation set are never trained on).
 */
export function trainingSet(
  ctx: Context,
  project: Project,
  config: LearnerConfig,
  /** The labels as they stood after this event (a past refresh's training set); default: now. */
  upToEventId?: number,
): TrainingSet {
  const lastEventId = upToEventId ?? ctx.store.learn.lastEventId(project.id);
  const { schema, classLabels, classOf } = schemaClasses(ctx, project, undefined);
  const options = { ...derivationOptions(project, schema), schemaVersionId: schema.id };
  const multilabel = project.taskType === 'multilabel';
  const labels = new Map<number, number>();
  let unmapped = 0;
  for (const [exampleId, { events }] of ctx.store.labelEvents.byExample(project.id)) {
    if (events.every((e) => e.id > lastEventId)) continue;
    const r = currentLabels(
      events.filter((e) => e.id <= lastEventId),
      options,
    ).resolution;
    if (r.status !== 'agreed' && r.status !== 'adjudicated') continue;
    const classes = r.labels.map((id) => classOf.get(id));
    if (classes.some((c) => c === undefined) || (!multilabel && classes.length !== 1)) {
      unmapped++;
      continue;
    }
    labels.set(exampleId, multilabel ? classes.reduce<number>((m, c) => m | (1 << c!), 0) : classes[0]!);
  }
  const fromTruthIds = new Set<number>();
  let heldOut = 0;
  // Where people and the log's ground truth both label an example, say how often they differ: the
  // learner follows people, and a disagreeing annotator (or mapping) should not go unnoticed.
  let truthCompared = 0;
  let truthDisagreements = 0;
  if (!multilabel && labels.size > 0) {
    for (const row of ctx.store.mining.groundTruthOf([...labels.keys()])) {
      const curated = labels.get(row.id);
      if (curated === undefined) continue;
      const c = project.classes.indexOf(row.ground_truth);
      const id = c >= 0 ? classLabels[c] : null;
      const truth = id ? classOf.get(id) : undefined;
      if (truth === undefined) continue;
      truthCompared++;
      if (truth !== curated) truthDisagreements++;
    }
  }
  if (config.labelSource === 'curated+truth') {
    const evalExamples = ctx.store.learn.heldOut(project.id);
    for (const row of ctx.store.mining.groundTruth(project.id)) {
      if (labels.has(row.id)) continue;
      if (evalExamples.has(row.id)) {
        heldOut++;
        continue;
      }
      const names = multilabel ? (JSON.parse(row.ground_truth) as string[]) : [row.ground_truth];
      const mapped = names.map((name) => {
        const c = project.classes.indexOf(name);
        const id = c >= 0 ? classLabels[c] : null;
        return id ? classOf.get(id) : undefined;
      });
      if (mapped.some((c) => c === undefined) || (!multilabel && mapped.length !== 1)) continue;
      labels.set(row.id, multilabel ? mapped.reduce<number>((m, c) => m | (1 << c!), 0) : mapped[0]!);
      fromTruthIds.add(row.id);
    }
  }
  const exampleIds = Int32Array.from([...labels.keys()].sort((a, b) => a - b));
  const y = Int32Array.from(exampleIds, (id) => labels.get(id)!);
  const classCounts = project.classes.map((_, c) =>
    multilabel ? y.filter((v) => (v >> c) & 1).length : y.filter((v) => v === c).length,
  );
  const hash = createHash('sha256')
    .update(JSON.stringify([schema.id, config.representation, config.l2, config.labelSource]))
    .update(Buffer.from(exampleIds.buffer))
    .update(Buffer.from(y.buffer))
    .digest('hex');
  return {
    schemaVersionId: schema.id,
    schemaVersion: schema.version,
    exampleIds,
    y,
    classCounts,
    fromTruth: fromTruthIds.size,
    fromTruthIds,
    heldOut,
    unmapped,
    truthCompared,
    truthDisagreements,
    lastEventId,
    hash,
  };
}

/**
 * Refuses to fit on labels of one class (or none): a learner of one class ranks nothing, and the
 * previous learner stays in place.
 */
export function assertFittable(project: Project, set: TrainingSet): void {
  const present = set.classCounts.filter((n) => n > 0).length;
  const multilabel = project.taskType === 'multilabel';
  const distinct = new Set(set.y).size;
  if (set.exampleIds.length === 0)
    throw new ApiError(
      'conflict',
      `project '${project.name}' has no labels under schema v${set.schemaVersion} to learn from: label some examples first`,
      { reason: 'no-labels' },
    );
  if (multilabel ? distinct < 2 : present < 2) {
    const only = project.classes[set.classCounts.findIndex((n) => n > 0)] ?? '?';
    throw new ApiError(
      'conflict',
      `the learner needs labels of at least two classes; all ${set.exampleIds.length} labels under schema v${set.schemaVersion} are ${multilabel ? 'the same label set' : `'${only}'`}: label examples of another class (the previous learner stays in place)`,
      { reason: 'one-class', labels: set.exampleIds.length },
    );
  }
}
