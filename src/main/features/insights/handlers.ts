import type { HandlerGroup } from '../../core/handler';
import { drift } from './drift';
import { evaluate } from './evaluate';

export const insightsHandlers: HandlerGroup<'insights.eval' | 'insights.drift'> = {
  'insights.eval': (input, ctx) => evaluate(ctx, input),
  'insights.drift': (input, ctx) => drift(ctx, input),
};
