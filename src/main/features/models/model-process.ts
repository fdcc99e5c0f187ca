// Child-process entry that runs ONNX models: ONNX Runtime is native code that has crashed on
// malformed models, so it never runs in the process that holds the database writer or the UI.
import { createRequire } from 'node:module';
import type { HostMessage, ModelMessage, Payload, TensorInfo, TokenizerSpec } from './model-protocol';
import { parentPort } from '../../core/parent-port';
import type { TextTokenizer } from './text-tokenizer';

type Ort = typeof import('onnxruntime-node');
type Session = Awaited<ReturnType<Ort['InferenceSession']['create']>>;

const requireNative = createRequire(import.meta.url);

const host = parentPort<HostMessage>();

function send(m: ModelMessage): void {
  host.send(m);
}

/** Providers `auto` tries, best first, on this platform; CPU always last. */
function candidates(device: string): string[] {
  if (device !== 'auto') return [device];
  if (process.platform === 'darwin') return ['coreml', 'webgpu', 'cpu'];
  if (process.platform === 'win32') return ['cuda', 'dml', 'webgpu', 'cpu'];
  return ['cuda', 'webgpu', 'cpu'];
}

function firstLine(e: unknown): string {
  const text = (e as Error)?.message ?? String(e);
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .slice(0, 2)
    .join(' ')
    .slice(0, 300);
}

function describe(meta: readonly unknown[]): TensorInfo[] {
  return meta.map((m) => {
    const x = m as { name: string; isTensor?: boolean; type?: string; shape?: (number | string)[] };
    return { name: x.name, type: x.isTensor === false ? 'non-tensor' : (x.type ?? 'unknown'), shape: x.shape ?? [] };
  });
}

let ort: Ort;
let session: Session | null = null;
let tokenizer: { spec: TokenizerSpec; tok: TextTokenizer } | null = null;

function int64(rows: number[][], width: number): BigInt64Array {
  const out = new BigInt64Array(rows.length * width);
  rows.forEach((row, i) => row.forEach((v, j) => (out[i * width + j] = BigInt(v))));
  return out;
}

/** Texts → input_ids, attention_mask (and token_type_ids) int64 [n, width], as the tokenizer pads them. */
async function tokenize(texts: string[], pairs?: string[]): Promise<Record<string, InstanceType<Ort['Tensor']>>> {
  const { spec, tok } = tokenizer!;
  const e = await tok.encode(texts, pairs);
  const width = e.ids[0]?.length ?? 0;
  if (e.ids.some((row) => row.length !== width)) throw new Error('the tokenizer returned rows of different lengths');
  const dims = [texts.length, width];
  const feeds: Record<string, InstanceType<Ort['Tensor']>> = {
    [spec.inputIds]: new ort.Tensor('int64', int64(e.ids, width), dims),
    [spec.attentionMask]: new ort.Tensor('int64', int64(e.mask, width), dims),
  };
  if (spec.tokenTypeIds) feeds[spec.tokenTypeIds] = new ort.Tensor('int64', int64(e.typeIds, width), dims);
  return feeds;
}

async function feedsOf(input: string, p: Payload): Promise<Record<string, InstanceType<Ort['Tensor']>>> {
  if (p.kind === 'tokenize') return tokenize(p.data, p.pairs);
  if (p.kind === 'int64') {
    return Object.fromEntries(
      Object.entries(p.feeds).map(([name, data]) => [name, new ort.Tensor('int64', data, p.dims)]),
    );
  }
  return {
    [input]: p.kind === 'string' ? new ort.Tensor('string', p.data, p.dims) : new ort.Tensor('float32', p.data, p.dims),
  };
}

async function open(m: Extract<HostMessage, { type: 'open' }>): Promise<void> {
  try {
    ort = requireNative('onnxruntime-node') as Ort;
  } catch (e) {
    send({ type: 'fatal', message: `ONNX Runtime is not installed: ${firstLine(e)} (run npm install)` });
    return;
  }
  if (m.tokenizer) {
    try {
      // Loaded only for a tokenizer folder: the JavaScript tokenizer library costs every model
      // process ~0.2 s to import, a large part of a small tabular model's whole rescore.
      const { loadTokenizer } = await import('./text-tokenizer');
      tokenizer = { spec: m.tokenizer, tok: loadTokenizer(m.tokenizer, requireNative) };
    } catch (e) {
      send({
        type: 'fatal',
        message: `the tokenizer cannot load tokenizer.json (${firstLine(e)}): save it again with the tokenizer the model was trained with (tokenizer.save_pretrained in transformers)`,
      });
      return;
    }
  }
  const notes: string[] = [];
  for (const provider of candidates(m.device)) {
    try {
      session = await ort.InferenceSession.create(m.modelPath, {
        executionProviders: [provider],
        intraOpNumThreads: m.threads,
        graphOptimizationLevel: 'all',
      });
      send({
        type: 'ready',
        device: provider,
        notes,
        tokenizer: tokenizer?.tok.name ?? null,
        inputs: describe(session.inputMetadata),
        outputs: describe(session.outputMetadata),
      });
      return;
    } catch (e) {
      notes.push(`${provider}: ${firstLine(e)}`);
    }
  }
  send({ type: 'fatal', message: `no execution provider could load the model: ${notes.join('; ')}` });
}

async function score(m: Extract<HostMessage, { type: 'batch' }>): Promise<void> {
  const s = session!;
  const feeds = await feedsOf(m.input, m.payload);
  const t0 = performance.now();
  const out = await s.run(feeds, [m.output]);
  const runMs = performance.now() - t0;
  const t = out[m.output]!;
  const data = t.data as Float32Array;
  const dims = [...t.dims].map(Number);
  if (m.pool) {
    const mask = feeds[m.pool]?.data as BigInt64Array | undefined;
    if (!mask) throw new Error(`the attention mask '${m.pool}' is not among the model's feeds`);
    send({ type: 'scores', id: m.id, ...meanPooled(data, dims, mask), runMs });
    return;
  }
  send({ type: 'scores', id: m.id, values: new Float32Array(data), dims, runMs });
}

/**
 * A sentence embedding per row: the mean of the token states [batch, sequence, hidden] where the
 * attention mask is 1, scaled to unit length (a row with no tokens stays zero).
 */
function meanPooled(data: Float32Array, dims: number[], mask: BigInt64Array): { values: Float32Array; dims: number[] } {
  const [n, seq, hidden] = dims as [number, number, number];
  if (dims.length !== 3 || mask.length !== n * seq) {
    throw new Error(
      `the encoder output is [${dims.join(', ')}], not [batch, sequence, hidden] over the attention mask [${n}, ${mask.length / Math.max(n, 1)}]`,
    );
  }
  const values = new Float32Array(n * hidden);
  const sum = new Float64Array(hidden);
  for (let i = 0; i < n; i++) {
    sum.fill(0);
    let count = 0;
    for (let s = 0; s < seq; s++) {
      if (mask[i * seq + s] === 0n) continue;
      count++;
      const base = (i * seq + s) * hidden;
      for (let h = 0; h < hidden; h++) sum[h] = sum[h]! + data[base + h]!;
    }
    let norm = 0;
    for (let h = 0; h < hidden; h++) norm += (sum[h]! / Math.max(count, 1)) ** 2;
    const scale = norm > 0 ? 1 / (Math.max(count, 1) * Math.sqrt(norm)) : 0;
    for (let h = 0; h < hidden; h++) values[i * hidden + h] = sum[h]! * scale;
  }
  return { values, dims: [n, hidden] };
}

async function tokens(m: Extract<HostMessage, { type: 'tokenize' }>): Promise<void> {
  if (!tokenizer) throw new Error('this model has no tokenizer');
  const e = await tokenizer.tok.encode(m.texts);
  send({ type: 'tokens', id: m.id, ...e });
}

// The host keeps several batches in flight; they run one after another, in the order sent, so
// the next one is already here when a run ends and the replies come back in order.
let queue: Promise<void> = Promise.resolve();
host.onMessage((m) => {
  const step = () =>
    m.type === 'open'
      ? open(m)
      : m.type === 'batch'
        ? score(m)
        : m.type === 'tokenize'
          ? tokens(m)
          : Promise.resolve(process.exit(0));
  queue = queue.then(step).catch((e: unknown) => send({ type: 'fatal', message: firstLine(e) }));
});
host.onHostGone(() => process.exit(0));
