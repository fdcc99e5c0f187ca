import type { ExportReadQueries } from '../../store/export-reads';
import type { ExportPlan } from './plan';
import { candidateIds, SelectionBuilder, type SelectedChunk, type Selection } from './select-rows';
import type { ExportWorkers } from './worker-pool';

/** Candidates per selection job: a short read transaction each. */
const CHUNK = 2000;

/** What a worker choosing rows is told before its jobs. */
export interface SelectWorkerInit {
  task: 'select';
  plan: ExportPlan;
}

export interface SelectJob {
  seq: number;
  ids: Int32Array;
}

/** Chooses the export's rows in worker threads, a chunk of candidates each, merged in order. */
export async function selectInWorkers(
  workers: ExportWorkers,
  reads: ExportReadQueries,
  plan: ExportPlan,
  progress: (done: number, total: number) => void,
): Promise<Selection> {
  const candidates = candidateIds(reads, plan);
  const builder = new SelectionBuilder(plan, candidates.length);
  const init: SelectWorkerInit = { task: 'select', plan };
  await workers.run<SelectJob, SelectedChunk>({
    init,
    count: Math.ceil(candidates.length / CHUNK),
    job: (seq) => ({ message: { seq, ids: candidates.slice(seq * CHUNK, (seq + 1) * CHUNK) } }),
    take: (chunk, seq) => {
      builder.add(chunk);
      progress(Math.min(candidates.length, (seq + 1) * CHUNK), candidates.length);
    },
  });
  return builder.finish();
}
