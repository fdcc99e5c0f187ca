import type { Output } from '../../../shared/api/contract';
import type { Project } from '../../../shared/features/projects/contract';
import type { Context } from '../../core/context';
import { runLabel } from '../mining/model-runs';
import { predictedNames } from './predicted-names';

type Counts = { pending: number; leased: number; done: number; skipped: number };

function tally(groups: Map<string, Counts>, key: string, status: keyof Counts, n: number): void {
  let c = groups.get(key);
  if (!c) groups.set(key, (c = { pending: 0, leased: 0, done: 0, skipped: 0 }));
  c[status] += n;
}

function sorted(groups: Map<string, Counts>) {
  const total = (c: Counts) => c.pending + c.leased + c.done + c.skipped;
  return [...groups]
    .map(([key, counts]) => ({ key, counts }))
    .sort((a, b) => total(b.counts) - total(a.counts) || (a.key < b.key ? -1 : 1));
}

/** The queue at a glance: what queued each item and what the newest model run predicts for it. */
export function queueOverview(ctx: Context, project: Project): Output<'queue.overview'> {
  const newest = ctx.store.mining.modelRuns(project.id).at(-1) ?? null;
  const byStrategy = new Map<string, Counts>();
  const byClass = new Map<string, Counts>();
  let total = 0;
  for (const row of ctx.store.queue.breakdown(project.id, newest?.id ?? null)) {
    total += row.n;
    tally(byStrategy, row.strategy, row.status, row.n);
    const cls =
      row.predicted === null ? '(no prediction)' : predictedNames(project, row.predicted).join(' + ') || '(none)';
    tally(byClass, cls, row.status, row.n);
  }
  return {
    total,
    byStrategy: sorted(byStrategy),
    byClass: sorted(byClass),
    modelRun: newest ? runLabel(newest) : null,
  };
}
