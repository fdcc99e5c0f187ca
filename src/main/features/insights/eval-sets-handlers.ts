import type { HandlerGroup } from '../../core/handler';
import { createEvalSet, listEvalSets, showEvalSet } from './eval-sets';
import { setLineage } from './lineage';

export const evalSetsHandlers: HandlerGroup<
  'evalSets.create' | 'evalSets.list' | 'evalSets.show' | 'models.setLineage'
> = {
  'evalSets.create': (input, ctx) => createEvalSet(ctx, input),
  'evalSets.list': (input, ctx) => listEvalSets(ctx, input),
  'evalSets.show': (input, ctx) => showEvalSet(ctx, input),
  'models.setLineage': (input, ctx) => setLineage(ctx, input),
};
