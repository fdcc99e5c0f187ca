import { randomUUID } from 'node:crypto';
import type { JobProgress, JobStatus } from '../../shared/features/app/contract';
import type { AppEvent } from '../../shared/api/events';
import { ApiError } from '../../shared/api/errors';

export interface JobControl {
  readonly jobId: string;
  readonly signal: AbortSignal;
  progress(update: Omit<JobProgress, 'jobId' | 'kind'>): void;
}

type JobBody<T> = (control: JobControl) => Promise<T>;

const KEEP_FINISHED = 50;

/** Runs long jobs in the background of one process, with progress, cancel and a result. */
export class JobRunner {
  private readonly jobs = new Map<string, { status: JobStatus; abort: AbortController; done: Promise<JobStatus> }>();

  constructor(private readonly emit: (event: AppEvent) => void) {}

  start<T>(kind: JobStatus['kind'], body: JobBody<T>): string {
    const jobId = randomUUID();
    const abort = new AbortController();
    const status: JobStatus = {
      jobId,
      kind,
      state: 'running',
      progress: null,
      startedAt: Date.now(),
      finishedAt: null,
    };
    let lastEmit = 0;
    const control: JobControl = {
      jobId,
      signal: abort.signal,
      progress: (update) => {
        status.progress = { ...update, jobId, kind };
        const now = Date.now();
        if (now - lastEmit >= 100) {
          lastEmit = now;
          this.emit({ type: 'job.progress', progress: status.progress });
        }
      },
    };
    const done = (async () => {
      try {
        status.result = await body(control);
        status.state = 'succeeded';
      } catch (error) {
        const apiError =
          error instanceof ApiError ? error : new ApiError('internal', (error as Error)?.message ?? String(error));
        status.state = apiError.code === 'cancelled' ? 'cancelled' : 'failed';
        status.error = apiError.toData();
        if (apiError.details !== undefined) status.result = apiError.details;
      }
      status.finishedAt = Date.now();
      this.emit({ type: 'job.finished', job: { ...status } });
      this.prune();
      return { ...status };
    })();
    this.jobs.set(jobId, { status, abort, done });
    return jobId;
  }

  get(jobId: string): JobStatus {
    const job = this.jobs.get(jobId);
    if (!job) throw new ApiError('not-found', `no job ${jobId}`);
    return { ...job.status };
  }

  list(): JobStatus[] {
    return [...this.jobs.values()].map((j) => ({ ...j.status }));
  }

  cancel(jobId: string): JobStatus {
    const job = this.jobs.get(jobId);
    if (!job) throw new ApiError('not-found', `no job ${jobId}`);
    if (job.status.state === 'running') job.abort.abort();
    return { ...job.status };
  }

  wait(jobId: string): Promise<JobStatus> {
    const job = this.jobs.get(jobId);
    if (!job) return Promise.reject(new ApiError('not-found', `no job ${jobId}`));
    return job.done;
  }

  cancelAll(): Promise<unknown> {
    for (const job of this.jobs.values()) if (job.status.state === 'running') job.abort.abort();
    return Promise.allSettled([...this.jobs.values()].map((j) => j.done));
  }

  private prune(): void {
    const finished = [...this.jobs.values()].filter((j) => j.status.state !== 'running');
    for (const job of finished.slice(0, Math.max(0, finished.length - KEEP_FINISHED)))
      this.jobs.delete(job.status.jobId);
  }
}
