import type { Output, ParsedInput } from '../../../shared/api/contract';
import type { Context } from '../../core/context';
import { runLabel } from '../mining/model-runs';
import { resolveProject } from '../projects/handlers';

/** Each model run's score histogram, from its prediction columns. */
export function histograms(ctx: Context, input: ParsedInput<'insights.histograms'>): Output<'insights.histograms'> {
  const project = resolveProject(ctx, input.project);
  return ctx.store.mining.modelRuns(project.id).map((run) => {
    const cols = ctx.store.predictionColumns.load(run.id);
    const bins = new Array<number>(input.bins).fill(0);
    const w = cols.width;
    for (let i = 0; i < cols.n; i++) {
      let top = cols.scores[i * w]!;
      for (let c = 1; c < w; c++) top = Math.max(top, cols.scores[i * w + c]!);
      if (!Number.isFinite(top)) continue;
      bins[Math.min(input.bins - 1, Math.max(0, Math.floor(top * input.bins)))]!++;
    }
    return { modelRunId: run.id, name: runLabel(run), bins, binary: w === 1 };
  });
}
