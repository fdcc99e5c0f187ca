import { ApiError } from '../../../shared/api/errors';
import { readTextParts } from '../../../shared/domain/text-template';
import type { BrowseFilters, ExampleDetail, QueueState } from '../../../shared/features/browse/contract';
import { currentLabels } from '../../../shared/features/labels/events';
import type { Project } from '../../../shared/features/projects/contract';
import type { Context } from '../../core/context';
import type { HandlerGroup } from '../../core/handler';
import { derivationOptions } from '../labels/derivation';
import { runLabel } from '../mining/model-runs';
import { resolveProject } from '../projects/handlers';
import { browseIndex, toLabelEvent } from './browse-index';
import { browsePage, matchRows } from './browse-query';

function floats(blob: Buffer): number[] {
  const bytes = new Uint8Array(blob);
  return Array.from(new Float32Array(bytes.buffer, 0, bytes.byteLength / 4));
}

function detail(ctx: Context, project: Project, externalId: string): ExampleDetail {
  const ex = ctx.store.browse.example(project.id, externalId);
  if (!ex || !ex.visible) throw new ApiError('not-found', `project '${project.name}' has no example '${externalId}'`);
  const runs = new Map(ctx.store.mining.modelRuns(project.id).map((r) => [r.id, runLabel(r)]));
  const predictions = ctx.store.browse
    .predictionsOf(ex.id)
    .filter(([runId]) => runs.has(runId))
    .map(([runId, predicted, blob]) => {
      const values = floats(blob);
      const perClass = project.taskType === 'binary' && values.length === 1 ? [1 - values[0]!, values[0]!] : values;
      const names =
        project.taskType === 'multilabel'
          ? project.classes.filter((_, c) => Math.floor(predicted / 2 ** c) % 2 === 1)
          : [project.classes[predicted] ?? String(predicted)];
      return {
        run: runs.get(runId)!,
        predicted: names,
        scores: Object.fromEntries(project.classes.map((c, i) => [c, perClass[i] ?? Number.NaN])),
      };
    });
  const history = ctx.store.browse.history(ex.id);
  const latest = ctx.store.labelSchemas.latest(project.id);
  const versions = new Map(ctx.store.labelSchemas.all(project.id).map((v) => [v.id, v.version]));
  const current = currentLabels(history.map(toLabelEvent), {
    ...derivationOptions(project, latest),
    ...(latest ? { schemaVersionId: latest.id } : {}),
  });
  const r = current.resolution;
  const labeled = r.status === 'agreed' || r.status === 'adjudicated';
  const queued = ctx.store.browse.queueStatusesOf([ex.id])[0];
  return {
    externalId: ex.external_id,
    ts: ex.ts,
    text: ex.text,
    textParts: readTextParts(ex.text_parts),
    imagePath: ex.image_path,
    metadata: ex.metadata === null ? null : (JSON.parse(ex.metadata) as Record<string, unknown>),
    groundTruth: ex.ground_truth,
    predictions,
    label: labeled ? r.labels : null,
    labelState: labeled ? 'labeled' : r.status === 'conflict' ? 'conflict' : current.flagged ? 'flagged' : 'unlabeled',
    queueState: (queued?.[1] as QueueState | undefined) ?? 'not-queued',
    history: history.map((e) => ({
      id: e.id,
      annotator: e.annotator,
      action: e.action,
      labels: e.labels === null ? null : (JSON.parse(e.labels) as string[]),
      comment: e.comment,
      schemaVersion: versions.get(e.schema_version_id) ?? 0,
      at: e.created_at,
    })),
  };
}

/** A filter in words, for the reason a queued item shows. */
export function describeFilters(f: BrowseFilters): string {
  const parts: string[] = [];
  if (f.search) parts.push(`text has "${f.search}"`);
  if (f.from !== undefined || f.to !== undefined)
    parts.push(
      `time ${f.from !== undefined ? new Date(f.from).toISOString() : '…'} to ${f.to !== undefined ? new Date(f.to).toISOString() : '…'}`,
    );
  for (const [k, v] of Object.entries(f.metadata ?? {})) parts.push(`${k} = ${String(v)}`);
  if (f.predictedClasses) parts.push(`predicted ${f.predictedClasses.join(' or ')}`);
  if (f.scoreMin !== undefined || f.scoreMax !== undefined)
    parts.push(`${f.scoreClass ? `P(${f.scoreClass})` : 'score'} in [${f.scoreMin ?? 0}, ${f.scoreMax ?? 1}]`);
  if (f.disagreesWith !== undefined) parts.push(`models disagree`);
  if (f.labelStates) parts.push(f.labelStates.join(' or '));
  if (f.labels) parts.push(`labeled ${f.labels.join(' or ')}`);
  if (f.groundTruth) parts.push(`ground truth ${f.groundTruth.join(' or ')}`);
  if (f.queueStates) parts.push(`queue: ${f.queueStates.join(' or ')}`);
  return parts.length > 0 ? parts.join(', ') : 'all examples';
}

function queueSelection(ctx: Context, project: Project, filters: BrowseFilters, limit: number) {
  const { matched } = matchRows(ctx, project, filters);
  const exampleIds = browseIndex(ctx.store).examples(project.id).ids;
  const ids = Array.from(matched.subarray(0, limit), (r) => exampleIds[r]!);
  const reason = `picked in the data browser: ${describeFilters(filters)}`;
  const now = Date.now();
  const merged = ctx.store.db
    .transaction(() => {
      const runId = ctx.store.mining.createRun(
        project.id,
        { strategy: 'browser-selection', params: { limit }, modelRuns: [], filters },
        now,
      );
      const m = ctx.store.queue.merge(
        project.id,
        runId,
        ids.map((exampleId) => ({ exampleId, priority: 1, reason, labelsWanted: 1 })),
        now,
      );
      ctx.store.mining.finishRun(runId, m.added, { selected: ids.length, alreadyQueued: m.unchanged });
      return m;
    })
    .immediate();
  ctx.emit({ type: 'data.changed', projectId: project.id });
  return { matched: matched.length, queued: merged.added, alreadyQueued: merged.unchanged + merged.updated };
}

export const browseHandlers: HandlerGroup<'examples.browse' | 'examples.detail' | 'examples.queue'> = {
  'examples.browse': (input, ctx) =>
    browsePage(ctx, resolveProject(ctx, input.project), input.filters, input.sort, input.offset, input.limit),
  'examples.detail': (input, ctx) => detail(ctx, resolveProject(ctx, input.project), input.externalId),
  'examples.queue': (input, ctx) => queueSelection(ctx, resolveProject(ctx, input.project), input.filters, input.limit),
};
