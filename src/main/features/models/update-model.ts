import type { ParsedInput } from '../../../shared/api/contract';
import { ApiError } from '../../../shared/api/errors';
import type { RegisteredModel } from '../../../shared/features/models/contract';
import type { Context } from '../../core/context';
import { resolveProject } from '../projects/handlers';
import { probeKind, shape, toModel } from './add-model';
import { checkWidth } from './class-order';
import { openModel } from './model-host';
import { tokenizerOf } from './model-input';
import { checkFixedLength, checkPairTokenizer, withTextInput } from './model-template';
import { findModel } from './rescore';

type Model = RegisteredModel;

function editedInput(model: Model, input: ParsedInput<'models.update'>): Model['inputMapping'] {
  const mapping = model.inputMapping;
  if (mapping.kind === 'tokens') {
    if (input.input !== undefined)
      throw new ApiError('bad-mapping', `model ${model.name}: a tokenizer fills input_ids and attention_mask itself`);
    return input.maxLength === undefined ? mapping : { ...mapping, maxLength: input.maxLength };
  }
  if (input.maxLength !== undefined)
    throw new ApiError('bad-mapping', `model ${model.name}: maxLength applies to tokenizer folders only`);
  return input.input === undefined ? mapping : { ...mapping, input: input.input };
}

/**
 * New mappings for a registered model, checked like the inferred ones: the named input and output
 * must exist with the right types, and a probe batch of the project's examples must score.
 */
export async function updateModel(ctx: Context, input: ParsedInput<'models.update'>): Promise<Model> {
  const project = resolveProject(ctx, input.project);
  const model = findModel(ctx, project, input.model);
  const what = `model ${model.name}@${model.version}`;
  if (model.outputMapping.kind === 'embedding') {
    throw new ApiError(
      'bad-mapping',
      `${what} is a sentence encoder: its mappings are read from its graph; add the folder again under a new version to change them`,
    );
  }
  const inMap = withTextInput(ctx, project, editedInput(model, input), input, what);
  const tokenizer = tokenizerOf(inMap, model.file);
  if (tokenizer) {
    checkPairTokenizer(inMap, tokenizer.tokenizerJson, what);
    checkFixedLength(inMap, tokenizer.tokenizerJson, what);
  }
  const outName = input.output ?? model.outputMapping.output;
  const changed =
    JSON.stringify(inMap) !== JSON.stringify(model.inputMapping) ||
    outName !== model.outputMapping.output ||
    (input.outputKind ?? model.outputMapping.kind) !== model.outputMapping.kind;
  // Checked again right before saving: a rescore may have started while the graph was checked.
  const refuseIfScored = () => {
    const run = ctx.store.models.modelRun(project.id, model.name, model.version);
    if (changed && run) {
      throw new ApiError(
        'conflict',
        `model ${model.name}@${model.version} has already scored this project (model run #${run.id}); ` +
          'add it again under a new version to score with other mappings',
      );
    }
  };
  refuseIfScored();
  const opened = await openModel(model.file, 'cpu', `model ${model.name}`, tokenizer);
  try {
    const describe = (list: typeof opened.inputs) =>
      list.map((t) => `${t.name} ${t.type} ${shape(t.shape)}`).join(', ');
    if (inMap.kind !== 'tokens') {
      const want = inMap.kind === 'text' ? 'string' : 'float32';
      const found = opened.inputs.find((t) => t.name === inMap.input);
      if (!found || found.type !== want) {
        throw new ApiError(
          'bad-mapping',
          `model ${model.name}: input '${inMap.input}' must be a ${want} tensor of the graph; it takes ${describe(opened.inputs)}`,
        );
      }
      const fits =
        inMap.kind === 'features'
          ? found.shape.length === 2 && found.shape[1] === inMap.dim
          : found.shape.length === inMap.rank && (inMap.rank === 1 || found.shape[1] === 1);
      if (!fits) {
        throw new ApiError(
          'bad-mapping',
          `model ${model.name}: input '${inMap.input}' has shape ${shape(found.shape)}; the project gives ` +
            (inMap.kind === 'features'
              ? `[batch, ${inMap.dim}] (its features)`
              : `the text as ${inMap.rank === 1 ? '[batch]' : '[batch, 1]'}`),
        );
      }
    }
    const output = opened.outputs.find((t) => t.name === outName);
    if (!output || output.type !== 'float32') {
      throw new ApiError(
        'bad-mapping',
        `model ${model.name}: output '${outName}' must be a float32 tensor of the graph; it gives ${describe(opened.outputs)}`,
      );
    }
    const width = typeof output.shape[1] === 'number' ? output.shape[1] : model.outputMapping.width;
    const widths = project.taskType === 'binary' ? [1, 2] : [project.classes.length];
    if (output.shape.length !== 2 || !widths.includes(width)) {
      throw new ApiError(
        'bad-mapping',
        `model ${model.name}: output '${outName}' gives ${shape(output.shape)}; project '${project.name}' needs [batch, ${widths.join(' or ')}] (${project.classes.join(', ')})`,
      );
    }
    if (model.outputMapping.modelClasses) {
      checkWidth(
        { modelClasses: model.outputMapping.modelClasses, classOrder: null, warning: null },
        width,
        `model ${model.name}`,
        outName,
      );
    }
    const probed = await probeKind(ctx, project, opened, inMap, outName, width);
    const sameOutput = outName === model.outputMapping.output;
    const outMap = {
      output: outName,
      kind: input.outputKind ?? (sameOutput ? model.outputMapping.kind : probed),
      width,
      // The class order is the model's, whichever of its outputs is read.
      ...(model.outputMapping.classOrder
        ? { modelClasses: model.outputMapping.modelClasses!, classOrder: model.outputMapping.classOrder }
        : {}),
      // The decision threshold is the model's too.
      ...(model.outputMapping.threshold !== undefined ? { threshold: model.outputMapping.threshold } : {}),
    };
    refuseIfScored();
    ctx.store.models.setMappings(model.id, JSON.stringify(inMap), JSON.stringify(outMap));
    ctx.emit({ type: 'data.changed', projectId: project.id });
    return toModel(ctx.store.models.byId(model.id)!);
  } finally {
    await opened.close();
  }
}
