import { ApiError } from '../../../shared/api/errors';
import type { Project } from '../../../shared/features/projects/contract';
import type { Context } from '../../core/context';
import { refreshLearner } from './refresh';
import { computeInWorker } from './run-compute';

/** The refresh job running per project (one at a time), and why the last one of each did not apply. */
const running = new Map<number, string>();
const problems = new Map<number, string | null>();

export function runningRefresh(projectId: number): string | null {
  return running.get(projectId) ?? null;
}

export function lastProblem(projectId: number): string | null {
  return problems.get(projectId) ?? null;
}

/** Starts a refresh job; a project's second refresh while one runs gets the running one's id. */
export function startRefresh(ctx: Context, project: Project): string {
  const already = running.get(project.id);
  if (already) return already;
  if (!ctx.store.learn.config(project.id))
    throw new ApiError(
      'conflict',
      `project '${project.name}' has no learner yet: run \`flywheel learn ${project.name} --representation features|text|embeddings:MODEL\``,
      { reason: 'no-learner' },
    );
  const jobId = ctx.jobs.start('learn', async (control) => {
    try {
      const result = await refreshLearner(
        ctx,
        project,
        {
          signal: control.signal,
          progress: (phase, rowsDone, rowsTotal) =>
            control.progress({
              phase,
              rowsDone,
              bytesDone: rowsDone,
              bytesTotal: rowsTotal,
              rowsPerSecond: 0,
              etaSeconds: null,
            }),
        },
        computeInWorker,
      );
      problems.set(project.id, null);
      return result;
    } catch (e) {
      problems.set(project.id, (e as Error).message);
      throw e;
    } finally {
      running.delete(project.id);
    }
  });
  running.set(project.id, jobId);
  return jobId;
}

/**
 * After a label is saved: starts a refresh once `every` decisions have come since the last one.
 * Scheduled after the save's answer, so the annotator never waits for it; a long-lived process
 * only (a one-shot CLI command would exit under it).
 */
export function refreshIfDue(ctx: Context, projectId: number): void {
  if (ctx.runtime === 'cli' || running.has(projectId)) return;
  setImmediate(() => {
    try {
      const config = ctx.store.learn.config(projectId);
      if (!config || running.has(projectId)) return;
      const last = ctx.store.learn.latestRefresh(projectId);
      if (ctx.store.learn.decisionsAfter(projectId, last?.last_event_id ?? 0) < config.every_labels) return;
      const project = ctx.store.projects.byId(projectId);
      if (project) startRefresh(ctx, project);
    } catch {
      // the cadence is a convenience: learn.status shows what is due and learn.refresh starts it
    }
  });
}
