import type { LearnerRefresh } from '../../../shared/features/learn/contract';
import type { Context } from '../../core/context';
import type { RefreshRow } from '../../store/learn';

/** A refresh record as the API shows it. */
export function describeRefresh(ctx: Context, row: RefreshRow): LearnerRefresh {
  const schema = ctx.store.learn.schemaVersionNumber(row.schema_version_id);
  const fit = JSON.parse(row.fit) as Record<string, unknown>;
  const queued = typeof fit.queued === 'number' ? fit.queued : 0;
  const controlQueued = typeof fit.controlQueued === 'number' ? fit.controlQueued : 0;
  const run = row.model_run_id ? ctx.store.learn.modelRunName(row.model_run_id) : null;
  return {
    id: row.id,
    at: row.created_at,
    representation: row.representation,
    schemaVersion: schema ?? 0,
    labels: row.labels,
    classCounts: JSON.parse(row.class_counts) as number[],
    modelRun: run ? { id: row.model_run_id!, name: `${run.model_name}@${run.model_version}` } : null,
    queued,
    controlQueued,
    coldStart: row.cold_start === 1,
    kappaPrevious: row.kappa_previous,
    fit,
    timings: JSON.parse(row.timings) as Record<string, number>,
  };
}
