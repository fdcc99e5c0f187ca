import { ApiError } from '../../../shared/api/errors';
import type { RegisteredModel } from '../../../shared/features/models/contract';
import type { Project } from '../../../shared/features/projects/contract';
import type { Context } from '../../core/context';
import { batchOf, inputName } from './model-input';
import type { OpenModel } from './model-host';

type Model = RegisteredModel;

/**
 * The token states a tokenizer folder gives when it is a sentence encoder rather than a
 * classifier: a float32 output [batch, sequence, hidden] (`last_hidden_state` first), and no output
 * [batch, classes] of the project's width. A pooled [batch, hidden] output is not used: the
 * workbench pools over the attention mask itself, so that every encoder's embedding means the same.
 */
export function encoderOutput(model: OpenModel, classWidths: number[]): string | null {
  const states = model.outputs.filter((o) => o.type === 'float32' && o.shape.length === 3);
  if (states.length === 0) return null;
  const scores = model.outputs.filter(
    (o) => o.type === 'float32' && o.shape.length === 2 && classWidths.includes(Number(o.shape[1])),
  );
  if (scores.length > 0) return null;
  return (states.find((o) => o.name === 'last_hidden_state') ?? states[0]!).name;
}

/** The embedding width, read from a probe batch of the project's texts (mean-pooled in the model process). */
export async function probeEncoder(
  ctx: Context,
  project: Project,
  model: OpenModel,
  input: Model['inputMapping'],
  output: string,
  source: string,
): Promise<Model['outputMapping']> {
  if (input.kind !== 'tokens') throw new ApiError('internal', 'a sentence encoder is a tokenizer folder');
  const declared = model.outputs.find((o) => o.name === output)!.shape[2];
  const batch = batchOf(input, ctx.store.models.featureBatch(project.id, 0, 8));
  let width = typeof declared === 'number' ? declared : null;
  if (batch) {
    const { values, dims } = await model.score(inputName(input), output, batch.payload, input.attentionMask);
    if (width !== null && dims[1] !== width)
      throw new ApiError('bad-file', `${source}: output '${output}' gives ${dims[1]} numbers per token, not ${width}`);
    width = dims[1]!;
    const bad = values.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0)
      throw new ApiError(
        'bad-file',
        `${source}: the encoder gives a non-finite state for example '${batch.rows[Math.floor(bad / width)]!.external_id}': refusing it`,
      );
  }
  if (width === null || width < 1)
    throw new ApiError(
      'bad-mapping',
      `${source}: output '${output}' has no fixed hidden size and the project has no text to probe it with`,
    );
  return { output, kind: 'embedding', width };
}

/** The refusal for a tokenizer folder whose only [batch, n] output is already pooled. */
export function pooledHint(model: OpenModel): string {
  const pooled = model.outputs.some((o) => o.type === 'float32' && o.shape.length === 2);
  const states = model.outputs.some((o) => o.type === 'float32' && o.shape.length === 3);
  return pooled && !states
    ? '; if it is a sentence encoder, export it with its token states (last_hidden_state [batch, sequence, hidden]): the workbench mean-pools over the attention mask itself and does not take an already pooled [batch, hidden] output'
    : '';
}
