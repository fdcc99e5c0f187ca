import type { HandlerGroup } from '../../core/handler';
import { resolveProject } from '../projects/handlers';
import { configure } from './config';
import { startRefresh } from './refresh-job';
import { learnStatus } from './status';

export const learnHandlers: HandlerGroup<'learn.configure' | 'learn.refresh' | 'learn.status'> = {
  'learn.configure': ({ project, ...asked }, ctx) => configure(ctx, resolveProject(ctx, project), asked),
  'learn.refresh': ({ project }, ctx) => ({ jobId: startRefresh(ctx, resolveProject(ctx, project)) }),
  'learn.status': (input, ctx) => learnStatus(ctx, resolveProject(ctx, input)),
};
