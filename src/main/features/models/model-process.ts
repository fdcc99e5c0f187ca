// Child-process entry that runs ONNX models: ONNX Runtime is native code that has crashed on
// malformed models, so it never runs in the process that holds the database writer or the UI.
import { createRequire } from 'node:module';
import { Tokenizer } from '@huggingface/tokenizers';
import { readRegularText } from '../../io/safe-open';
import type { HostMessage, ModelMessage, Payload, TensorInfo, TokenizerSpec } from './model-protocol';

type Ort = typeof import('onnxruntime-node');
type Session = Awaited<ReturnType<Ort['InferenceSession']['create']>>;

const requireNative = createRequire(import.meta.url);

function send(m: ModelMessage): void {
  process.send!(m);
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
let tokenizer: { spec: TokenizerSpec; tok: Tokenizer } | null = null;

/** Texts → input_ids, attention_mask (and token_type_ids) int64 [n, longest], padded with 0. */
function tokenize(texts: string[]): Record<string, InstanceType<Ort['Tensor']>> {
  const { spec, tok } = tokenizer!;
  const encoded = texts.map((t) => {
    const e = tok.encode(t);
    const keep = Math.min(e.ids.length, spec.maxLength);
    return { ids: e.ids.slice(0, keep), mask: e.attention_mask.slice(0, keep) };
  });
  const width = Math.max(1, ...encoded.map((e) => e.ids.length));
  const ids = new BigInt64Array(texts.length * width);
  const mask = new BigInt64Array(texts.length * width);
  encoded.forEach((e, i) => {
    e.ids.forEach((id, j) => (ids[i * width + j] = BigInt(id)));
    e.mask.forEach((m, j) => (mask[i * width + j] = BigInt(m)));
  });
  const dims = [texts.length, width];
  const feeds: Record<string, InstanceType<Ort['Tensor']>> = {
    [spec.inputIds]: new ort.Tensor('int64', ids, dims),
    [spec.attentionMask]: new ort.Tensor('int64', mask, dims),
  };
  if (spec.tokenTypeIds) feeds[spec.tokenTypeIds] = new ort.Tensor('int64', new BigInt64Array(ids.length), dims);
  return feeds;
}

function feedsOf(input: string, p: Payload): Record<string, InstanceType<Ort['Tensor']>> {
  if (p.kind === 'tokenize') return tokenize(p.data);
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
      const json = JSON.parse(readRegularText(m.tokenizer.tokenizerJson, 'tokenizer file')) as object;
      const config = m.tokenizer.tokenizerConfig
        ? (JSON.parse(readRegularText(m.tokenizer.tokenizerConfig, 'tokenizer file')) as object)
        : {};
      tokenizer = { spec: m.tokenizer, tok: new Tokenizer(json as never, config as never) };
    } catch (e) {
      send({ type: 'fatal', message: `tokenizer.json cannot be used: ${firstLine(e)}` });
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
  const feeds = feedsOf(m.input, m.payload);
  const out = await s.run(feeds, [m.output]);
  const t = out[m.output]!;
  const data = t.data as Float32Array;
  send({ type: 'scores', id: m.id, values: new Float32Array(data), dims: [...t.dims].map(Number) });
}

process.on('message', (m: HostMessage) => {
  const run = m.type === 'open' ? open(m) : m.type === 'batch' ? score(m) : Promise.resolve(process.exit(0));
  run.catch((e: unknown) => send({ type: 'fatal', message: firstLine(e) }));
});
process.once('disconnect', () => process.exit(0));
