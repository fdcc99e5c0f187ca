import os from 'node:os';
import { ApiError } from '../../../shared/api/errors';
import type { Device } from '../../../shared/features/models/contract';
import { builtEntry } from '../../core/entry-points';
import { spawnHelper, type HelperProcess } from '../../core/spawn-helper';
import type { HostMessage, ModelMessage, Payload, TokenizerSpec } from './model-protocol';
import { defaultModelMemoryMb, residentMb, residentMbNow } from './process-memory';

export interface OpenModel {
  device: string;
  notes: string[];
  /** Which library tokenizes the text (folders with tokenizer.json), else null. */
  tokenizer: string | null;
  inputs: Extract<ModelMessage, { type: 'ready' }>['inputs'];
  outputs: Extract<ModelMessage, { type: 'ready' }>['outputs'];
  /** `pool`: the attention mask input; the output comes back mean-pooled over it and L2-normalised. */
  score(
    input: string,
    output: string,
    payload: Payload,
    pool?: string,
  ): Promise<{ values: Float32Array; dims: number[] }>;
  /** Milliseconds the model process has spent in session.run so far. */
  readonly busyMs: number;
  /** The ids, attention mask and token type ids the texts are fed as (tokenizer folders). */
  tokenize(texts: string[]): Promise<{ ids: number[][]; mask: number[][]; typeIds: number[][] }>;
  close(): Promise<void>;
}

/** How long one batch may take before the model process is killed as runaway. */
const BATCH_TIMEOUT_MS = 120_000;
const MEMORY_POLL_MS = 200;
/** The model process's JS heap cap (ONNX Runtime's own memory is native and grows with the model). */
const HEAP_MB = 1024;

/** Starts a model process and loads the model on the requested device (auto: best that works). */
export async function openModel(
  modelPath: string,
  device: Device,
  what: string,
  tokenizer?: TokenizerSpec,
  memoryLimitMb = defaultModelMemoryMb(),
): Promise<OpenModel> {
  const child: HelperProcess<ModelMessage> = spawnHelper(builtEntry('model-process'), {
    execArgv: [`--max-old-space-size=${HEAP_MB}`],
    stderr: 'pipe',
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  interface Pending {
    resolve: (m: ModelMessage) => void;
    reject: (e: Error) => void;
    timer: NodeJS.Timeout | null;
  }
  // Requests in flight, answered in the order they were sent (the model process runs one at a time).
  const pending: Pending[] = [];
  let exited: Error | null = null;
  /** The model process's clock for a request starts when the one before it is answered. */
  const startClock = (timeoutMs: number) => {
    const head = pending[0];
    if (!head || head.timer) return;
    head.timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(
        new ApiError(
          'bad-file',
          `${what}: a batch took longer than ${timeoutMs / 1000} s; the model process was stopped`,
        ),
      );
    }, timeoutMs);
  };
  let clockMs = BATCH_TIMEOUT_MS;
  const fail = (e: Error) => {
    for (const p of pending.splice(0)) {
      if (p.timer) clearTimeout(p.timer);
      p.reject(e);
    }
  };
  child.on('message', (m) => {
    // A fatal error ends the process's usefulness: every request in flight fails with it.
    if (m.type === 'fatal') return fail(new ApiError('bad-file', `${what}: ${m.message}`));
    const p = pending.shift();
    if (!p) return;
    if (p.timer) clearTimeout(p.timer);
    startClock(clockMs);
    p.resolve(m);
  });
  // A runaway model (or a malformed one ONNX Runtime mis-sizes) is stopped before it takes the machine.
  let overMemory: string | null = null;
  // The last figure the watchdog read; on Linux a fresh one is read before each batch as well.
  let lastRss: number | null = null;
  const overCap = (rss = child.pid === undefined ? null : (residentMbNow(child.pid) ?? lastRss)): boolean => {
    if (overMemory) return true;
    if (rss === null || rss <= memoryLimitMb) return false;
    overMemory = `${what}: the model process used ${Math.round(rss)} MB, over its cap of ${memoryLimitMb} MB, and was stopped (raise the cap with --memory-limit or FLYWHEEL_MODEL_MEMORY_MB)`;
    child.kill('SIGKILL');
    return true;
  };
  const watchdog = setInterval(() => {
    if (child.pid === undefined) return;
    void residentMb(child.pid).then((rss) => {
      lastRss = rss;
      overCap(rss);
    });
  }, MEMORY_POLL_MS);
  watchdog.unref();
  child.on('error', () => {
    // Sends to a process that died (EPIPE): the exit handler says why.
  });
  child.on('exit', (code, signal) => {
    clearInterval(watchdog);
    if (overMemory) {
      exited = new ApiError('bad-file', overMemory);
      return fail(exited);
    }
    const last = stderr
      .trim()
      .split('\n')
      .filter((l) => !/Warning|at operator/.test(l))
      .pop();
    exited = new ApiError(
      'bad-file',
      `${what}: the model process ${signal ? `was killed by ${signal}` : `exited with code ${code}`}${last ? `: ${last}` : ''}`,
    );
    fail(exited);
  });
  const ask = (m: HostMessage, timeoutMs: number) =>
    new Promise<ModelMessage>((resolve, reject) => {
      if (exited) return reject(exited);
      // Between batches too: a small batch can finish inside one polling interval.
      if (overCap()) return reject(new ApiError('bad-file', overMemory!));
      pending.push({ resolve, reject, timer: null });
      clockMs = timeoutMs;
      startClock(timeoutMs);
      // A send racing the process's death fails with EPIPE: its exit fails every request with the reason.
      child.send(m, () => {});
    });
  const threads = Math.max(1, os.availableParallelism() - 1);
  let ready: ModelMessage;
  try {
    ready = await ask({ type: 'open', modelPath, device, threads, ...(tokenizer ? { tokenizer } : {}) }, 60_000);
  } catch (e) {
    child.kill('SIGKILL');
    throw e;
  }
  if (ready.type !== 'ready') throw new ApiError('internal', 'unexpected reply from the model process');
  let nextId = 1;
  let busyMs = 0;
  return {
    get busyMs() {
      return busyMs;
    },
    device: ready.device,
    notes: ready.notes,
    tokenizer: ready.tokenizer,
    inputs: ready.inputs,
    outputs: ready.outputs,
    async score(input, output, payload, pool) {
      const m = await ask(
        { type: 'batch', id: nextId++, input, output, payload, ...(pool ? { pool } : {}) },
        BATCH_TIMEOUT_MS,
      );
      if (m.type !== 'scores') throw new ApiError('internal', 'unexpected reply from the model process');
      busyMs += m.runMs;
      return { values: m.values, dims: m.dims };
    },
    async tokenize(texts) {
      const m = await ask({ type: 'tokenize', id: nextId++, texts }, BATCH_TIMEOUT_MS);
      if (m.type !== 'tokens') throw new ApiError('internal', 'unexpected reply from the model process');
      return { ids: m.ids, mask: m.mask, typeIds: m.typeIds };
    },
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const done = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await done;
    },
  };
}
