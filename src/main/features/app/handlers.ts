import { ApiError } from '../../../shared/api/errors';
import type { HandlerGroup } from '../../core/handler';
import { APP_VERSION } from '../../core/version';

export const appHandlers: HandlerGroup<'app.info' | 'app.pickFile' | 'jobs.list' | 'jobs.get' | 'jobs.cancel'> = {
  'app.info': (_input, ctx) => ({
    name: 'Flywheel Workbench',
    version: APP_VERSION,
    databasePath: ctx.store.path,
    runtime: ctx.runtime,
    schemaVersion: ctx.store.schemaVersion,
  }),
  'app.pickFile': async ({ purpose }, ctx) => {
    if (!ctx.pickFile)
      throw new ApiError(
        'unsupported',
        `no file dialog in the ${ctx.runtime} runtime: upload the file or give its path`,
      );
    return { path: await ctx.pickFile(purpose) };
  },
  'jobs.list': (_input, ctx) => ctx.jobs.list(),
  'jobs.get': ({ jobId }, ctx) => ctx.jobs.get(jobId),
  'jobs.cancel': ({ jobId }, ctx) => ctx.jobs.cancel(jobId),
};
