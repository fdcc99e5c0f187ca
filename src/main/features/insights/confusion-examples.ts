import type { Output, ParsedInput } from '../../../shared/api/contract';
import { ApiError } from '../../../shared/api/errors';
import type { Context } from '../../core/context';
import { runLabel } from '../mining/model-runs';
import { resolveProject } from '../projects/handlers';
import { evaluationSet } from './eval-set';
import { pickRun, refuseMultilabel, runPredictions } from './slices';

/** The examples of one confusion-matrix cell of a run on the evaluation set, most confident first. */
export function confusionExamples(
  ctx: Context,
  input: ParsedInput<'insights.confusionExamples'>,
): Output<'insights.confusionExamples'> {
  const project = resolveProject(ctx, input.project);
  refuseMultilabel(project, 'the confusion matrix');
  const set = evaluationSet(ctx, project, input);
  const classOf = (name: string, what: string) => {
    const c = set.labels.indexOf(name);
    if (c < 0)
      throw new ApiError(
        'invalid-input',
        `${what} '${name}' is not a class of '${project.name}': one of ${set.labels.join(', ')}`,
      );
    return c;
  };
  const truth = classOf(input.truth, 'truth');
  const predicted = classOf(input.predicted, 'predicted');
  const k = Math.max(2, project.classes.length);
  const run = pickRun(ctx, project, input.run);
  const r = runPredictions(ctx, run, set, k);
  const cell: { id: number; confidence: number }[] = [];
  r.ids.forEach((id, i) => {
    if (r.predicted[i] === predicted && set.truth.get(id) === truth)
      cell.push({ id, confidence: r.probs[i * k + predicted]! });
  });
  cell.sort((x, y) => y.confidence - x.confidence || x.id - y.id);
  const shown = cell.slice(0, input.limit);
  const described = ctx.store.insights.describe(shown.map((c) => c.id));
  return {
    run: runLabel(run),
    truth: input.truth,
    predicted: input.predicted,
    total: cell.length,
    examples: shown.map((c) => ({
      externalId: described.get(c.id)?.externalId ?? String(c.id),
      text: described.get(c.id)?.text ?? null,
      confidence: c.confidence,
    })),
  };
}
