import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { ApiError } from '../../../shared/api/errors';
import { builtEntry } from '../../core/entry-points';
import type { TokenizerSpec } from './model-protocol';
import type { TokenBatch } from './token-batches';

/**
 * Threads that tokenize: FLYWHEEL_TOKENIZER_THREADS, else one per core left after the thread that
 * reads and writes the database.
 */
export function tokenizerThreads(): number {
  const asked = Number(process.env['FLYWHEEL_TOKENIZER_THREADS']);
  return Number.isInteger(asked) && asked > 0 ? asked : Math.max(1, os.availableParallelism() - 1);
}

type Reply = { seq: number; batches: TokenBatch[] } | { seq: number; error: string };

interface Job {
  resolve: (b: TokenBatch[]) => void;
  reject: (e: Error) => void;
}

/**
 * Worker threads that turn windows of texts into padded int64 batches. The Rust tokenizer spreads
 * each encodeBatch over Rayon's threads as well; its pool is sized to the same number of threads
 * (RAYON_NUM_THREADS, unless set), so the pool uses the cores it says it does.
 */
export class TokenizerPool {
  private readonly jobs = new Map<number, Job & { worker: Worker }>();
  private readonly load = new Map<Worker, number>();
  private nextSeq = 0;
  private broken: Error | null = null;
  private closing = false;

  private constructor(
    private readonly workers: Worker[],
    readonly name: string,
    private readonly what: string,
  ) {
    for (const w of workers) {
      this.load.set(w, 0);
      w.on('message', (r: Reply) => this.reply(w, r));
      w.on('error', (e) => this.break(new ApiError('internal', `${what}: a tokenizer thread failed: ${e.message}`)));
      w.on('exit', (code) =>
        this.break(new ApiError('internal', `${what}: a tokenizer thread stopped (exit code ${code})`)),
      );
    }
  }

  static async start(spec: TokenizerSpec, threads: number, what: string): Promise<TokenizerPool> {
    process.env['RAYON_NUM_THREADS'] ??= String(threads);
    const workers = Array.from(
      { length: threads },
      // Built code: none of the process's flags (a TypeScript loader in tests slows each start).
      () => new Worker(builtEntry('tokenize-worker'), { workerData: { spec }, execArgv: [] }),
    );
    try {
      const names = await Promise.all(
        workers.map(
          (w) =>
            new Promise<string>((resolve, reject) => {
              w.once('message', (m: { ready?: string; failed?: string }) =>
                m.ready
                  ? resolve(m.ready)
                  : reject(new ApiError('bad-file', `the tokenizer cannot load tokenizer.json (${m.failed})`)),
              );
              w.once('error', reject);
            }),
        ),
      );
      return new TokenizerPool(workers, names[0]!, what);
    } catch (e) {
      await Promise.all(workers.map((w) => w.terminate()));
      throw e;
    }
  }

  get size(): number {
    return this.workers.length;
  }

  /** A window's texts as batches of `batchRows` (by length where `bucket`), on the least busy thread. */
  tokenize(texts: string[], pairs: string[] | undefined, batchRows: number, bucket: boolean): Promise<TokenBatch[]> {
    if (this.broken) return Promise.reject(this.broken);
    const worker = this.workers.reduce((a, b) => (this.load.get(b)! < this.load.get(a)! ? b : a));
    const seq = this.nextSeq++;
    this.load.set(worker, this.load.get(worker)! + 1);
    return new Promise((resolve, reject) => {
      this.jobs.set(seq, { resolve, reject, worker });
      worker.postMessage({ seq, texts, ...(pairs ? { pairs } : {}), batchRows, bucket });
    });
  }

  private reply(w: Worker, r: Reply): void {
    const job = this.jobs.get(r.seq);
    if (!job) return;
    this.jobs.delete(r.seq);
    this.load.set(w, this.load.get(w)! - 1);
    if ('error' in r) job.reject(new ApiError('bad-file', `${this.what}: the tokenizer failed: ${r.error}`));
    else job.resolve(r.batches);
  }

  private break(e: Error): void {
    if (this.closing) return;
    this.broken ??= e;
    for (const job of this.jobs.values()) job.reject(e);
    this.jobs.clear();
  }

  async close(): Promise<void> {
    this.closing = true;
    for (const job of this.jobs.values()) job.reject(new ApiError('cancelled', `${this.what}: tokenizing stopped`));
    this.jobs.clear();
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
