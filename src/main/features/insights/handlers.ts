import type { HandlerGroup } from '../../core/handler';
import { drift } from './drift';
import { evaluate } from './evaluate';
import { histograms } from './histograms';
import { runAgreement } from './run-agreement';

export const insightsHandlers: HandlerGroup<
  'insights.eval' | 'insights.drift' | 'insights.histograms' | 'insights.runAgreement'
> = {
  'insights.histograms': (input, ctx) => histograms(ctx, input),
  'insights.runAgreement': (input, ctx) => runAgreement(ctx, input),
  'insights.eval': (input, ctx) => evaluate(ctx, input),
  'insights.drift': (input, ctx) => drift(ctx, input),
};
