import type { ParsedInput } from '../../../shared/api/contract';
import { ApiError } from '../../../shared/api/errors';
import type { MiningPreview, MiningResult } from '../../../shared/features/mining/contract';
import type { Project } from '../../../shared/features/projects/contract';
import type { Context } from '../../core/context';
import { SNIPPET_CHARS } from '../../store/queue';
import { resolveProject } from '../projects/handlers';
import { learnerConfig } from './config';
import { labelIssueRows, outOfSampleProba } from './math';
import { materialize, poolDesign } from './representation';
import { assertFittable, trainingSet } from './training-set';

type Asked = ParsedInput<'mining.run'>;

interface Found {
  project: Project;
  checked: number;
  items: { exampleId: number; priority: number; reason: string; fromTruth: boolean }[];
  flagged: number;
  ms: number;
}

/**
 * Out-of-sample probabilities for every label the learner trains on (k-fold, same learner and
 * representation), ranked by confident learning: the labels most likely wrong, each with a reason
 * an annotator can check.
 */
async function findIssues(ctx: Context, asked: Asked): Promise<Found> {
  const t0 = performance.now();
  const project = resolveProject(ctx, asked.project);
  if (asked.strategy.strategy !== 'label-issues') throw new ApiError('internal', 'not a label-issues request');
  if (project.taskType === 'multilabel')
    throw new ApiError('invalid-input', `label-issues compares one class per label; '${project.name}' is multilabel`);
  let config;
  try {
    config = learnerConfig(ctx, project);
  } catch (e) {
    throw new ApiError(
      'conflict',
      `label-issues uses the project's learner, and '${project.name}' has none: set one up with \`flywheel learn ${project.name} --representation features|text\``,
      { reason: 'no-learner', cause: (e as Error).message },
    );
  }
  const set = trainingSet(ctx, project, config);
  assertFittable(project, set);
  const design = await poolDesign(ctx, project, config.representation, set.exampleIds);
  const classes = project.classes.length;
  const probs = outOfSampleProba(materialize(design.source), set.y, {
    task: project.taskType,
    classes,
    l2: config.l2,
    folds: asked.strategy.folds,
    seed: asked.seed,
  });
  const ranked = labelIssueRows(probs, set.y, classes);
  const truthIds = new Set(ctx.store.mining.groundTruth(project.id).map((r) => r.id));
  const labeledCurated = new Set(ctx.store.mining.labeledUnder(project.id, set.schemaVersionId));
  const items = ranked.slice(0, asked.limit).map(({ row, score }) => {
    const given = set.y[row]!;
    const p = probs.subarray(row * classes, (row + 1) * classes);
    let best = given === 0 ? 1 : 0;
    for (let c = 0; c < classes; c++) if (c !== given && p[c]! > p[best]!) best = c;
    const fromTruth = !labeledCurated.has(set.exampleIds[row]!) && truthIds.has(set.exampleIds[row]!);
    const name = project.classes[given]!;
    return {
      exampleId: set.exampleIds[row]!,
      priority: 2 + score,
      reason: `${fromTruth ? 'ground truth says' : 'labeled'} ${name}; a model trained without this label gives ${name} ${p[given]!.toFixed(2)} (${project.classes[best]} ${p[best]!.toFixed(2)})`,
      fromTruth,
    };
  });
  return { project, checked: set.exampleIds.length, items, flagged: ranked.length, ms: performance.now() - t0 };
}

function described(ctx: Context, items: Found['items']) {
  const rows = new Map(ctx.store.mining.candidates(items.map((i) => i.exampleId)).map((r) => [r.id, r]));
  return items.map((i) => ({
    externalId: rows.get(i.exampleId)?.external_id ?? '',
    priority: i.priority,
    reason: i.reason,
    labelsWanted: 2,
    snippet: rows.get(i.exampleId)?.text?.slice(0, SNIPPET_CHARS) ?? null,
  }));
}

export async function previewLabelIssues(ctx: Context, asked: Asked, bins: number): Promise<MiningPreview> {
  const found = await findIssues(ctx, asked);
  const top = described(ctx, found.items.slice(0, 20));
  const priorities = found.items.map((i) => i.priority);
  const min = priorities.length > 0 ? Math.min(...priorities) : 0;
  const max = priorities.length > 0 ? Math.max(...priorities) : 0;
  const all = new Array<number>(bins).fill(0);
  const width = max > min ? (max - min) / bins : 1;
  for (const p of priorities) all[Math.min(bins - 1, Math.floor((p - min) / width))]!++;
  return {
    strategy: 'label-issues',
    modelRuns: [],
    scanned: found.checked,
    eligible: found.flagged,
    selected: found.items.length,
    doublyLabeled: found.items.length,
    controlSample: 0,
    suppressedDuplicates: 0,
    suppressedByQuota: 0,
    cutoff: found.items.at(-1)?.priority ?? null,
    histogram: { min, max, all, selected: [...all] },
    top,
    ...(asked.listItems ? { items: described(ctx, found.items) } : {}),
  };
}

/** Queues the likely-wrong labels for a second look (one more annotator; a disagreement goes to adjudication). */
export async function mineLabelIssues(ctx: Context, asked: Asked): Promise<MiningResult> {
  const found = await findIssues(ctx, asked);
  const t = performance.now();
  const now = Date.now();
  const { miningRunId, merged } = ctx.store.db
    .transaction(() => {
      const id = ctx.store.mining.createRun(
        found.project.id,
        {
          strategy: 'label-issues',
          params: {
            folds: asked.strategy.strategy === 'label-issues' ? asked.strategy.folds : 5,
            limit: asked.limit,
            seed: asked.seed,
          },
          modelRuns: [],
          filters: {},
        },
        now,
      );
      const m = ctx.store.learn.queueSecondLook(found.project.id, id, found.items, now);
      ctx.store.mining.finishRun(id, m.added, {
        checked: found.checked,
        flagged: found.flagged,
        queued: m.added + m.updated,
        selected: found.items.length,
        updated: m.updated,
        alreadyQueued: m.unchanged,
      });
      return { miningRunId: id, merged: m };
    })
    .immediate();
  ctx.emit({ type: 'data.changed', projectId: found.project.id });
  const top = described(ctx, found.items.slice(0, 20));
  return {
    miningRunId,
    strategy: 'label-issues',
    modelRuns: [],
    scanned: found.checked,
    eligible: found.flagged,
    selected: found.items.length,
    added: merged.added,
    updated: merged.updated,
    alreadyQueued: merged.unchanged,
    suppressedDuplicates: 0,
    suppressedByQuota: 0,
    doublyLabeled: found.items.length,
    controlSample: 0,
    timings: { loadMs: found.ms, rankMs: 0, selectMs: 0, writeMs: performance.now() - t },
    top,
    ...(asked.listItems ? { items: described(ctx, found.items) } : {}),
  };
}
