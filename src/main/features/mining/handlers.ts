import type { HandlerGroup } from '../../core/handler';
import { mineLabelIssues, previewLabelIssues } from '../learn/label-issues';
import { resolveProject } from '../projects/handlers';
import { mine, previewMining } from './mine';

export const miningHandlers: HandlerGroup<'mining.run' | 'mining.preview' | 'mining.runs'> = {
  'mining.run': (input, ctx) =>
    input.strategy.strategy === 'label-issues' ? mineLabelIssues(ctx, input) : mine(ctx, input),
  'mining.preview': ({ bins, ...request }, ctx) =>
    request.strategy.strategy === 'label-issues'
      ? previewLabelIssues(ctx, request, bins)
      : previewMining(ctx, request, bins),
  'mining.runs': (input, ctx) =>
    ctx.store.mining.runs(resolveProject(ctx, input).id).map((r) => ({
      id: r.id,
      strategy: r.strategy,
      params: JSON.parse(r.params) as unknown,
      modelRuns: JSON.parse(r.model_runs) as number[],
      filters: JSON.parse(r.filters) as unknown,
      itemsAdded: r.items_added,
      summary: JSON.parse(r.summary) as unknown,
      createdAt: r.created_at,
    })),
};
