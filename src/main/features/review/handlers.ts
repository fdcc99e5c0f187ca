import { readTextParts } from '../../../shared/domain/text-template';
import { ApiError } from '../../../shared/api/errors';
import type { Project } from '../../../shared/features/projects/contract';
import type { QueueItem } from '../../../shared/features/review/contract';
import type { Context } from '../../core/context';
import type { HandlerGroup } from '../../core/handler';
import type { QueueItemRow } from '../../store/queue';
import { resolveProject } from '../projects/handlers';
import { classLabelIds } from '../../../shared/features/labels/from-classes';
import { predictedLabels, predictedNames } from './predicted-names';
import { queueOverview } from './queue-overview';
import { exampleImage } from './example-image';

export function toQueueItem(row: QueueItemRow): QueueItem {
  return {
    id: row.id,
    externalId: row.external_id,
    miningRunId: row.mining_run_id,
    priority: row.priority,
    reason: row.reason,
    status: row.status,
    labelsWanted: row.labels_wanted,
    control: row.control === 1,
    lease:
      row.status === 'leased' && row.lease_expires_at !== null
        ? { annotator: row.lease_annotator_name ?? '', session: row.lease_session, expiresAt: row.lease_expires_at }
        : null,
    ...(row.snippet !== undefined ? { snippet: row.snippet } : {}),
  };
}

function floats(blob: Buffer): number[] {
  return Array.from(new Float32Array(blob.buffer.slice(blob.byteOffset, blob.byteOffset + blob.byteLength)));
}

export function reviewExample(ctx: Context, project: Project, exampleId: number) {
  const e = ctx.store.examples.byId(exampleId);
  if (!e) return null;
  const names = project.featureNames ?? [];
  const classLabels = classLabelIds(project.classes, ctx.store.labelSchemas.all(project.id));
  return {
    externalId: e.external_id,
    ts: e.ts,
    text: e.text,
    features: e.features ? floats(e.features).map((value, i) => ({ name: names[i] ?? `f${i}`, value })) : null,
    imagePath: e.image_path,
    metadata: e.metadata ? (JSON.parse(e.metadata) as Record<string, unknown>) : null,
    textParts: readTextParts(e.text_parts),
    predictions: ctx.store.examples.predictions(project.id, exampleId).map((p) => ({
      modelRunId: p.model_run_id,
      model: `${p.model_name}@${p.model_version}`,
      predicted: predictedNames(project, p.predicted),
      labels: predictedLabels(project, p.predicted, classLabels),
      scores: floats(p.scores),
    })),
  };
}

type ReviewMethods =
  | 'queue.next'
  | 'queue.lease'
  | 'queue.item'
  | 'queue.release'
  | 'queue.list'
  | 'queue.overview'
  | 'queue.stats'
  | 'examples.image';

export const reviewHandlers: HandlerGroup<ReviewMethods> = {
  'queue.next': (input, ctx) => {
    const project = resolveProject(ctx, input.project);
    const latest = ctx.store.labelSchemas.latest(project.id);
    const schemaVersion = latest?.version ?? 0;
    const schemaVersionId = latest?.id ?? 0;
    const queue = ctx.store.queue;
    const annotatorId = ctx.store.labelEvents.annotatorId(input.annotator);
    const now = Date.now();
    // One write transaction: concurrent callers (other windows, other processes) queue up on
    // SQLite's write lock, so an item is leased once.
    const leased = ctx.store.withoutFsync(() =>
      ctx.store.db
        .transaction(() => {
          queue.expireLeases(project.id, now);
          const held = queue.heldBy(project.id, annotatorId, input.session, now);
          const id = held?.id ?? queue.nextPending(project.id, annotatorId, schemaVersionId)?.id;
          if (id === undefined) return null;
          queue.lease(id, annotatorId, input.session, now + input.leaseSeconds * 1000);
          return id;
        })
        .immediate(),
    );
    const remaining = queue.pendingCount(project.id);
    if (leased === null) return { item: null, example: null, schemaVersion, remaining };
    const row = queue.item(leased);
    return {
      item: toQueueItem(row),
      example: reviewExample(ctx, project, row.example_id),
      schemaVersion,
      remaining,
    };
  },

  'queue.lease': (input, ctx) => {
    const project = resolveProject(ctx, input.project);
    const latest = ctx.store.labelSchemas.latest(project.id);
    const schemaVersion = latest?.version ?? 0;
    const schemaVersionId = latest?.id ?? 0;
    const queue = ctx.store.queue;
    const annotatorId = ctx.store.labelEvents.annotatorId(input.annotator);
    const now = Date.now();
    const ids = ctx.store.withoutFsync(() =>
      ctx.store.db
        .transaction(() => {
          queue.expireLeases(project.id, now);
          const out: number[] = [];
          for (let i = 0; i < input.count; i++) {
            const next = queue.nextPending(project.id, annotatorId, schemaVersionId);
            if (!next) break;
            queue.lease(next.id, annotatorId, input.session, now + input.leaseSeconds * 1000);
            out.push(next.id);
          }
          return out;
        })
        .immediate(),
    );
    return {
      items: ids.map((id) => {
        const row = queue.item(id);
        return { item: toQueueItem(row), example: reviewExample(ctx, project, row.example_id) };
      }),
      schemaVersion,
      remaining: queue.pendingCount(project.id),
    };
  },

  'queue.item': (input, ctx) => {
    const project = resolveProject(ctx, input.project);
    const exampleId = ctx.store.labelEvents.visibleExample(project.id, input.externalId);
    const example = exampleId === null ? null : reviewExample(ctx, project, exampleId);
    if (exampleId === null || !example)
      throw new ApiError('not-found', `project '${project.name}' has no example '${input.externalId}'`);
    const row = ctx.store.queue.forExample(project.id, exampleId);
    return { item: row ? toQueueItem(row) : null, example };
  },

  'queue.release': (input, ctx) => {
    const project = resolveProject(ctx, input.project);
    const annotatorId = ctx.store.labelEvents.annotatorId(input.annotator);
    return { released: ctx.store.queue.release(project.id, annotatorId, input.session ?? null) };
  },

  'queue.list': (input, ctx) => {
    const project = resolveProject(ctx, input.project);
    return ctx.store.queue.list(project.id, input.status ?? null, input.limit, input.offset).map(toQueueItem);
  },

  'examples.image': (input, ctx) => exampleImage(ctx, resolveProject(ctx, input.project), input.externalId),
  'queue.overview': (input, ctx) => queueOverview(ctx, resolveProject(ctx, input)),
  'queue.stats': (input, ctx) => {
    const projectId = resolveProject(ctx, input).id;
    const c = ctx.store.queue.counts(projectId, Date.now());
    const refresh = ctx.store.learn.latestRefresh(projectId);
    return {
      learner: refresh ? { refreshedAt: refresh.created_at, labels: refresh.labels } : null,
      pending: c.pending,
      leased: c.leased - c.expired,
      done: c.done,
      skipped: c.skipped,
      expiredLeases: c.expired,
      doublyLabeled: c.doubles,
    };
  },
};
