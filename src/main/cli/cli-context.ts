import path from 'node:path';
import type { JobStatus } from '../../shared/features/app/contract';
import { ApiError } from '../../shared/api/errors';
import { DatabaseSetupError } from '../store/database';
import { createContext, defaultDataDir, defaultDbPath } from '../core/create-context';
import { ProgressBar } from './progress-bar';

export interface GlobalOptions {
  db?: string;
  json: boolean;
}

/**
 * The context of a CLI command ('cli': short, no start-up check) or of `flywheel serve` ('server':
 * quick_check at open, WAL checkpointed in the background). A database that fails its checks is
 * refused as a bad file, with the message saying what to do.
 */
export function openCliContext(opts: GlobalOptions, runtime: 'cli' | 'server' = 'cli') {
  const dataDir = opts.db ? path.dirname(path.resolve(opts.db)) : defaultDataDir();
  try {
    return createContext({ dbPath: opts.db ? path.resolve(opts.db) : defaultDbPath(dataDir), dataDir, runtime });
  } catch (e) {
    if (e instanceof DatabaseSetupError) throw new ApiError('bad-file', e.message);
    throw e;
  }
}

export { UsageError } from './usage-error';

export function print(opts: GlobalOptions, json: unknown, human: () => string): void {
  process.stdout.write(opts.json ? `${JSON.stringify(json, null, 2)}\n` : `${human()}\n`);
}

/** Waits for a job with a progress line on a TTY; Ctrl-C cancels it. */
export async function followJob(ctx: ReturnType<typeof openCliContext>, jobId: string): Promise<JobStatus> {
  const bar = new ProgressBar();
  ctx.listeners.add((e) => {
    if (e.type === 'job.progress' && e.progress.jobId === jobId) bar.update(e.progress);
  });
  const onSigint = () => ctx.jobs.cancel(jobId);
  process.once('SIGINT', onSigint);
  try {
    return await ctx.jobs.wait(jobId);
  } finally {
    process.off('SIGINT', onSigint);
    bar.done();
  }
}
