import type { HandlerGroup } from '../../core/handler';
import { resolveProject } from '../projects/handlers';
import { startEmbed } from './embed';
import { embeddingColumns } from './embedding-design';
import { exportLearner } from './export-learner';

export const learnEncodeHandlers: HandlerGroup<'learn.embed' | 'learn.embeddings' | 'learn.export'> = {
  'learn.embed': (input, ctx) => startEmbed(ctx, { ...input, project: resolveProject(ctx, input.project) }),
  'learn.embeddings': (input, ctx) => embeddingColumns(ctx, resolveProject(ctx, input)),
  'learn.export': (input, ctx) => exportLearner(ctx, input),
};
