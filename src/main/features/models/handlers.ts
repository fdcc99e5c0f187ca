import type { HandlerGroup } from '../../core/handler';
import { resolveProject } from '../projects/handlers';
import { addModel, toModel } from './add-model';
import { startRescore } from './rescore';
import { updateModel } from './update-model';

export const modelsHandlers: HandlerGroup<'models.add' | 'models.update' | 'models.list' | 'models.rescore'> = {
  'models.add': (input, ctx) => addModel(ctx, input),
  'models.update': (input, ctx) => updateModel(ctx, input),
  'models.list': (input, ctx) => ctx.store.models.forProject(resolveProject(ctx, input).id).map(toModel),
  'models.rescore': (input, ctx) => startRescore(ctx, input),
};
