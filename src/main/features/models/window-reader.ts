import { Worker } from 'node:worker_threads';
import { ApiError } from '../../../shared/api/errors';
import { builtEntry } from '../../core/entry-points';
import type { Payload } from './model-protocol';
import type { ReaderData } from './rescore-reader';

/** A window of rows the model can take, in example id order, and its batch tensor. */
export interface ReadWindow {
  ids: Int32Array;
  externalIds: string[];
  payload: Payload;
}

type Message = { window: ReadWindow } | { done: true } | { error: string };

/** The reading thread as the writer sees it: windows in order, read ahead up to `ahead`. */
export class WindowReader {
  private readonly worker: Worker;
  private readonly ready: ReadWindow[] = [];
  private finished = false;
  private failure: Error | null = null;
  private waiting: (() => void) | null = null;
  private closing = false;

  constructor(data: ReaderData, what: string) {
    // Built code: none of the process's flags (a TypeScript loader in tests slows each start).
    this.worker = new Worker(builtEntry('rescore-reader'), { workerData: data, execArgv: [] });
    this.worker.on('message', (m: Message) => {
      if ('window' in m) this.ready.push(m.window);
      else if ('done' in m) this.finished = true;
      else this.failure = new ApiError('internal', `${what}: reading the examples failed: ${m.error}`);
      this.wake();
    });
    this.worker.on('error', (e) => {
      this.failure ??= new ApiError('internal', `${what}: the reading thread failed: ${e.message}`);
      this.wake();
    });
    this.worker.on('exit', (code) => {
      if (this.closing) return;
      this.failure ??= new ApiError('internal', `${what}: the reading thread stopped (exit code ${code})`);
      this.wake();
    });
  }

  private wake(): void {
    const w = this.waiting;
    this.waiting = null;
    w?.();
  }

  /** The next window if it has been read, null once every window was taken, undefined if still reading. */
  take(): ReadWindow | null | undefined {
    if (this.failure) throw this.failure;
    const w = this.ready.shift();
    if (w) {
      this.worker.postMessage('more');
      return w;
    }
    return this.finished ? null : undefined;
  }

  /** Resolves when a window (or the end, or a failure) has arrived. */
  arrival(): Promise<void> {
    if (this.ready.length > 0 || this.finished || this.failure) return Promise.resolve();
    return new Promise((resolve) => (this.waiting = resolve));
  }

  async close(): Promise<void> {
    this.closing = true;
    await this.worker.terminate();
  }
}
