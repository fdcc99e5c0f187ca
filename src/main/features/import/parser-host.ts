import { Worker } from 'node:worker_threads';
import { builtEntry } from '../../core/entry-points';
import { spawnHelper, type HelperProcess } from '../../core/spawn-helper';
import { closeSpool, createSpool, unspool } from './batch-spool';
import type { HostMessage, ParseJob, ParserMessage, SpooledMessage } from './parse-protocol';

/** A running parser, wherever it runs: a stream of messages plus flow control. */
export interface ParserHandle {
  messages: AsyncIterable<ParserMessage>;
  ack(): void;
  stop(): void;
  kill(): Promise<void>;
}

const PARSER_HEAP_MB = 1024;

class MessageQueue {
  private items: ParserMessage[] = [];
  private waiting: ((r: IteratorResult<ParserMessage>) => void) | null = null;
  private closed = false;

  push(m: ParserMessage): void {
    if (this.waiting) {
      const w = this.waiting;
      this.waiting = null;
      w({ value: m, done: false });
    } else this.items.push(m);
  }

  close(): void {
    this.closed = true;
    if (this.waiting) {
      const w = this.waiting;
      this.waiting = null;
      w({ value: undefined, done: true });
    }
  }

  [Symbol.asyncIterator](): AsyncIterator<ParserMessage> {
    return {
      next: () => {
        const m = this.items.shift();
        if (m) return Promise.resolve({ value: m, done: false });
        if (this.closed) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => (this.waiting = resolve));
      },
    };
  }
}

function startWorker(job: ParseJob): ParserHandle {
  const queue = new MessageQueue();
  const worker = new Worker(builtEntry('parse-worker'), {
    workerData: job,
    execArgv: [], // built code: no TypeScript loader from a test or bench process, which slows the start
    resourceLimits: { maxOldGenerationSizeMb: PARSER_HEAP_MB, maxYoungGenerationSizeMb: 32 },
  });
  let finished = false;
  worker.on('message', (m: ParserMessage) => queue.push(m));
  worker.on('error', (e) => {
    finished = true;
    queue.push({ type: 'fatal', code: 'internal', message: `parser thread failed: ${e.message}` });
    queue.close();
  });
  worker.on('exit', (code) => {
    if (!finished && code !== 0)
      queue.push({ type: 'fatal', code: 'internal', message: `parser thread exited with code ${code}` });
    finished = true;
    queue.close();
  });
  const send = (m: HostMessage) => {
    if (!finished) worker.postMessage(m);
  };
  return {
    messages: queue,
    ack: () => send({ type: 'ack' }),
    stop: () => send({ type: 'stop' }),
    kill: async () => {
      finished = true;
      await worker.terminate();
      queue.close();
    },
  };
}

function startProcess(job: ParseJob): ParserHandle {
  const queue = new MessageQueue();
  const spoolDir = createSpool();
  const child: HelperProcess<ParserMessage | SpooledMessage> = spawnHelper(builtEntry('parquet-reader'), {
    // Its collector on its own thread: V8's helper threads took ~2.8 s of CPU a million rows from
    // the two cores the writer needs too (`flywheel import` of 1M rows: 7.9–9.2 s against 8.9–9.5 s).
    execArgv: [`--max-old-space-size=${PARSER_HEAP_MB}`, '--single-threaded-gc'],
    stderr: 'pipe',
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
  let finished = false;
  child.on('message', (m) => {
    if (m.type !== 'spooled') return queue.push(m);
    try {
      queue.push(unspool(spoolDir!, m));
    } catch (e) {
      queue.push({
        type: 'fatal',
        code: 'internal',
        message: `a batch of the Parquet reader was lost: ${(e as Error).message}`,
      });
    }
  });
  child.on('exit', (code, signal) => {
    if (spoolDir) closeSpool(spoolDir);
    if (!finished && (code !== 0 || signal)) {
      const why = signal ? `was killed by ${signal}` : `exited with code ${code}`;
      queue.push({
        type: 'fatal',
        code: 'internal',
        message: `the Parquet reader process ${why}${stderr ? `: ${stderr.trim().split('\n').pop()}` : ''}`,
      });
    }
    finished = true;
    queue.close();
  });
  child.on('error', (e) => {
    queue.push({ type: 'fatal', code: 'internal', message: `the Parquet reader process failed: ${e.message}` });
  });
  child.send(spoolDir ? { ...job, spoolDir } : job);
  const send = (m: HostMessage) => {
    if (!finished && child.connected) child.send(m);
  };
  return {
    messages: queue,
    ack: () => send({ type: 'ack' }),
    stop: () => send({ type: 'stop' }),
    kill: async () => {
      finished = true;
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGKILL');
        await exited;
      }
      queue.close();
    },
  };
}

/** Pure-JS formats parse in a worker thread; Parquet (native DuckDB) in a child process. */
export function startParser(job: ParseJob): ParserHandle {
  return job.format === 'parquet' ? startProcess(job) : startWorker(job);
}

/**
 * Several parsers over one file (each takes every n-th segment of records), seen as one:
 * batches come out in segment order, so commits and checkpoints stay contiguous.
 */
export function startParsers(job: Omit<ParseJob, 'shardIndex' | 'shardCount'>, count: number): ParserHandle {
  if (count <= 1 || job.format === 'parquet') return startParser({ ...job, shardIndex: 0, shardCount: 1 });
  const handles = Array.from({ length: count }, (_, i) => startParser({ ...job, shardIndex: i, shardCount: count }));
  const out = new MessageQueue();
  // The batches of each segment not yet passed on, in the order their parser sent them.
  const waiting = new Map<number, { message: ParserMessage & { type: 'batch' }; from: number }[]>();
  const ackOrder: number[] = [];
  let next = Math.floor(job.skipRecords / job.batchRows);
  let ended = 0;
  let records = job.skipRecords;
  let bytesRead = 0;
  let sha256: string | undefined;
  let closed = false;
  const close = () => {
    if (!closed) {
      closed = true;
      out.close();
    }
  };
  const release = () => {
    for (let parts = waiting.get(next); parts && parts.length > 0; parts = waiting.get(next)) {
      const w = parts.shift()!;
      ackOrder.push(w.from);
      out.push(w.message);
      if (w.message.last) {
        waiting.delete(next);
        next++;
      }
    }
    if (ended === count && waiting.size === 0 && !closed) {
      out.push({ type: 'end', records, bytesRead, ...(sha256 ? { sha256 } : {}) });
      close();
    }
  };
  handles.forEach((handle, from) => {
    void (async () => {
      for await (const message of handle.messages) {
        if (closed) return;
        if (message.type === 'batch') {
          const parts = waiting.get(message.segment) ?? [];
          parts.push({ message, from });
          waiting.set(message.segment, parts);
        } else if (message.type === 'end') {
          ended++;
          records = Math.max(records, message.records);
          bytesRead = Math.max(bytesRead, message.bytesRead);
          sha256 ??= message.sha256;
        } else {
          out.push(message);
          close();
          return;
        }
        release();
      }
    })();
  });
  return {
    messages: out,
    ack: () => {
      const from = ackOrder.shift();
      if (from !== undefined) handles[from]!.ack();
    },
    stop: () => handles.forEach((h) => h.stop()),
    kill: async () => {
      close();
      await Promise.all(handles.map((h) => h.kill()));
    },
  };
}
