import type { ExportReadQueries } from '../../store/export-reads';
import type { ExportPlan } from './plan';
import { RowSelector, SelectionBuilder, type SelectedChunk, type Selection } from './select-rows';
import type { ExportWorkers } from './worker-pool';

/** Candidates per selection job (example ids, for labeled examples): a short read transaction each. */
const CHUNK = 2000;

/** What a worker choosing rows is told before its jobs. */
export interface SelectWorkerInit {
  task: 'select';
  plan: ExportPlan;
}

/** Candidates: these example ids, or the examples with label events among ids `between[0]` to `between[1]`. */
export interface SelectJob {
  seq: number;
  ids?: Int32Array;
  between?: [first: number, last: number];
}

interface SelectJobs {
  /** The most rows the jobs can keep. */
  capacity: number;
  count: number;
  job: (seq: number) => SelectJob;
  /** Progress: candidates (or example ids) covered by the first `seq` jobs, out of `total`. */
  covered: (seq: number) => number;
  total: number;
}

/**
 * Labeled examples are found by the workers, a range of example ids each: their label events,
 * which they read anyway, say which examples have any. (A list read here first took the main
 * thread ~0.3 s a million, while the workers waited for it.) Every visible example, for model
 * labels, is listed here.
 */
function selectJobs(reads: ExportReadQueries, plan: ExportPlan): SelectJobs {
  if (plan.options.labelSource === 'human') {
    const span = reads.labeledSpan(plan.project.id);
    const total = span ? span.last - span.first + 1 : 0;
    return {
      // Each example kept has an event: a count of them (an index scan) bounds the columns to size.
      capacity: span ? Math.min(total, reads.labelEventCount(plan.project.id)) : 0,
      count: Math.ceil(total / CHUNK),
      job: (seq) => {
        const first = span!.first + seq * CHUNK;
        return { seq, between: [first, Math.min(span!.last, first + CHUNK - 1)] };
      },
      covered: (seq) => Math.min(total, seq * CHUNK),
      total,
    };
  }
  const candidates = Int32Array.from(reads.visibleExamples(plan.project.id));
  return {
    capacity: candidates.length,
    count: Math.ceil(candidates.length / CHUNK),
    job: (seq) => ({ seq, ids: candidates.slice(seq * CHUNK, (seq + 1) * CHUNK) }),
    covered: (seq) => Math.min(candidates.length, seq * CHUNK),
    total: candidates.length,
  };
}

/** Chooses the export's rows in worker threads, a chunk of candidates each, merged in order. */
export async function selectInWorkers(
  workers: ExportWorkers,
  reads: ExportReadQueries,
  plan: ExportPlan,
  progress: (done: number, total: number) => void,
): Promise<Selection> {
  const jobs = selectJobs(reads, plan);
  const builder = new SelectionBuilder(plan, jobs.capacity);
  const init: SelectWorkerInit = { task: 'select', plan };
  await workers.run<SelectJob, SelectedChunk>({
    init,
    count: jobs.count,
    job: (seq) => ({ message: jobs.job(seq) }),
    take: (chunk, seq) => {
      builder.add(chunk);
      progress(jobs.covered(seq + 1), jobs.total);
    },
  });
  return builder.finish();
}

/** Candidates up to which a preview chooses its rows on the calling thread: a process and threads cost more to start. */
export const IN_THREAD_CANDIDATES = 20_000;

/**
 * Chooses the rows on this thread, with the same jobs and the same selector as the workers, so the
 * counts are the same; null when the project has more candidates than a quick answer allows.
 */
export function selectInThisThread(reads: ExportReadQueries, plan: ExportPlan): Selection | null {
  const jobs = selectJobs(reads, plan);
  if (jobs.total > IN_THREAD_CANDIDATES) return null;
  const builder = new SelectionBuilder(plan, jobs.capacity);
  const selector = new RowSelector(reads, plan, false);
  for (let seq = 0; seq < jobs.count; seq++) {
    const { between, ids } = jobs.job(seq);
    builder.add(between ? selector.between(...between) : selector.chunk(ids!));
  }
  return builder.finish();
}
