import os from 'node:os';
import { Worker, type Transferable } from 'node:worker_threads';
import { builtEntry } from '../../core/entry-points';

const MAX_WORKERS = 4;
/** Jobs each worker holds at once: one running, more waiting, so it never idles. */
const IN_FLIGHT = 4;

export interface OrderedJobs<J, R> {
  /** Sent to every worker before the jobs: what this pass is. */
  init: unknown;
  count: number;
  job: (seq: number) => { message: J & { seq: number }; transfer?: Transferable[] };
  /** Called with each result in job order, whatever order the workers finish in. */
  take: (result: R, seq: number) => void;
}

/** Where the workers read from: each opens its own read-only connection. */
export interface ExportWorkerData {
  dbPath: string;
  nativeBinding?: string;
}

type Reply<R> = { seq: number; error: string } | ({ seq: number } & R);

/**
 * Export worker threads, started once for both passes of an export (choosing rows, then writing
 * them): a thread takes a third of a second to start, and the first pass's threads start while
 * the main thread reads the candidates.
 */
export class ExportWorkers {
  private readonly workers: Worker[];
  /** Why the pool can no longer run jobs: a worker failed or stopped, even between runs. */
  private broken: Error | null = null;
  private closing = false;
  /** The current run's way to fail. */
  private onBroken: ((e: Error) => void) | null = null;

  constructor(data: ExportWorkerData) {
    const count = Math.max(1, Math.min(MAX_WORKERS, os.availableParallelism()));
    this.workers = Array.from({ length: count }, () => {
      // Built code: none of the process's flags (a TypeScript loader in tests slows each start).
      const w = new Worker(builtEntry('export-worker'), { workerData: data, execArgv: [] });
      w.on('error', (e) => this.break(e));
      w.on('exit', (code) =>
        this.break(new Error(`an export worker stopped (exit code ${code}) before its work was done`)),
      );
      return w;
    });
  }

  /**
   * Jobs given out may run at most this far ahead of the taker: a worker that stalls (a
   * checkpoint pause, huge rows) must not let the others fill memory with finished results. So
   * job seq modulo this is free again once job seq was taken.
   */
  get jobsAhead(): number {
    return this.workers.length * IN_FLIGHT;
  }

  private break(e: Error): void {
    if (this.closing) return;
    this.broken ??= e;
    this.onBroken?.(e);
  }

  /** Runs jobs and hands the results back in job order: what is written is the same whatever the number of workers. */
  async run<J, R>(jobs: OrderedJobs<J, R>): Promise<void> {
    if (this.broken) throw this.broken;
    if (jobs.count === 0) return;
    const workers = this.workers;
    const detach: (() => void)[] = [];
    try {
      await new Promise<void>((resolve, reject) => {
        let next = 0;
        let taken = 0;
        let failed = false;
        const ready = new Map<number, R>();
        const fail = (e: Error) => {
          if (failed) return;
          failed = true;
          reject(e);
        };
        this.onBroken = fail;
        const ahead = this.jobsAhead;
        const idle: Worker[] = [];
        const send = (w: Worker) => {
          if (next >= jobs.count) return;
          if (next >= taken + ahead) {
            idle.push(w);
            return;
          }
          const { message, transfer } = jobs.job(next++);
          w.postMessage(message, transfer ?? []);
        };
        const takeReady = () => {
          for (let r = ready.get(taken); r !== undefined; r = ready.get(taken)) {
            ready.delete(taken);
            jobs.take(r, taken);
            taken++;
          }
          while (idle.length > 0 && next < jobs.count && next < taken + ahead) send(idle.shift()!);
        };
        for (const w of workers) {
          const onMessage = (r: Reply<R>) => {
            if (failed) return;
            if ('error' in r) return fail(new Error(r.error));
            ready.set(r.seq, r as R);
            try {
              takeReady();
            } catch (e) {
              return fail(e as Error);
            }
            if (taken === jobs.count) return resolve();
            send(w);
          };
          w.on('message', onMessage);
          detach.push(() => w.off('message', onMessage));
          w.postMessage({ init: jobs.init });
          for (let i = 0; i < IN_FLIGHT; i++) send(w);
        }
      });
    } finally {
      this.onBroken = null;
      for (const d of detach) d();
    }
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
