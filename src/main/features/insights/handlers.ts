import type { HandlerGroup } from '../../core/handler';
import { confusionExamples } from './confusion-examples';
import { drift } from './drift';
import { evaluate } from './evaluate';
import { histograms } from './histograms';
import { runAgreement } from './run-agreement';
import { slices } from './slices';

export const insightsHandlers: HandlerGroup<
  | 'insights.eval'
  | 'insights.drift'
  | 'insights.histograms'
  | 'insights.runAgreement'
  | 'insights.slices'
  | 'insights.confusionExamples'
> = {
  'insights.histograms': (input, ctx) => histograms(ctx, input),
  'insights.runAgreement': (input, ctx) => runAgreement(ctx, input),
  'insights.eval': (input, ctx) => evaluate(ctx, input),
  'insights.drift': (input, ctx) => drift(ctx, input),
  'insights.slices': (input, ctx) => slices(ctx, input),
  'insights.confusionExamples': (input, ctx) => confusionExamples(ctx, input),
};
