import { ApiError } from '../../../shared/api/errors';
import type { Project } from '../../../shared/features/projects/contract';
import type { Context } from '../../core/context';
import { embeddingDesign } from './embedding-design';
import { HASH_DIM, hashRows, type Rows } from './math';

/** How a fitted learner's inputs were built, kept with its weights so one row can be built again alike. */
export interface RepresentationMeta {
  representation: string;
  dim: number;
  /** features: per-column mean and standard deviation over the pool (the learner sees z-scores). */
  mean?: number[];
  std?: number[];
}

/** A design, or the texts it is hashed from (hashing a large pool belongs on the worker thread). */
export type DesignSource = { kind: 'rows'; rows: Rows } | { kind: 'texts'; texts: string[] };

export function materialize(source: DesignSource): Rows {
  return source.kind === 'rows' ? source.rows : hashRows(source.texts);
}

export interface PoolDesign {
  /** Example ids in row order (ascending). */
  ids: Int32Array;
  source: DesignSource;
  meta: RepresentationMeta;
  /** Examples without the input (scored as if all-zero / empty). */
  missing: number;
  /** Whether the stored vectors were those the previous refresh read (nothing read from the database). */
  reused?: boolean;
}

const WINDOW = 20_000;

/**
 * Embeddings are stored by an encoder's pass (learn.embed); the representation is refused until
 * the pass is complete and its width is the encoder's.
 */
export function checkEmbeddings(ctx: Context, project: Project, model: string): void {
  embeddingDesign(ctx, project, model, new Int32Array(0));
}

function floats(buf: Buffer): Float32Array {
  return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
}

function readWindows<T>(
  ctx: Context,
  project: Project,
  ids: Int32Array,
  what: 'features' | 'text',
  each: (row: number, value: T | null) => void,
  signal?: AbortSignal,
): void {
  let row = 0;
  while (row < ids.length) {
    if (signal?.aborted) throw new ApiError('cancelled', 'the learner refresh was cancelled: nothing was kept');
    const last = Math.min(ids.length, row + WINDOW) - 1;
    const got = ctx.store.learn.inputsBetween(project.id, ids[row]!, ids[last]!, what);
    let g = 0;
    for (; row <= last; row++) {
      while (g < got.length && got[g]!.id < ids[row]!) g++;
      each(row, g < got.length && got[g]!.id === ids[row]! ? (got[g]!.value as T | null) : null);
    }
  }
}

/** readWindows for a whole pool: gives the thread back between windows, so label saves go through. */
async function readPool<T>(
  ctx: Context,
  project: Project,
  ids: Int32Array,
  what: 'features' | 'text',
  each: (row: number, value: T | null) => void,
  signal?: AbortSignal,
): Promise<void> {
  for (let from = 0; from < ids.length; from += WINDOW) {
    readWindows(
      ctx,
      project,
      ids.subarray(from, from + WINDOW),
      what,
      (row, v: T | null) => each(from + row, v),
      signal,
    );
    await new Promise((resolve) => setImmediate(resolve));
  }
}

function featureDim(project: Project, ctx: Context, ids: Int32Array): number {
  if (project.featureNames && project.featureNames.length > 0) return project.featureNames.length;
  let dim = 0;
  readWindows<Buffer>(ctx, project, ids.subarray(0, Math.min(ids.length, 1000)), 'features', (_r, v) => {
    if (v && dim === 0) dim = v.byteLength / 4;
  });
  return dim;
}

/**
 * The pool's standardised vectors as last built, per store, while the pool holds the same examples
 * (examples never change once stored; an import adds ids, so it changes the key). The loop refreshes
 * every few labels over the same pool, and reading a million vectors again each time cost most of a
 * refresh. They live in shared memory, so the worker reads them without a copy.
 */
const pools = new WeakMap<object, { key: string; design: PoolDesign }>();

function poolKey(project: Project, ids: Int32Array, dim: number): string {
  let sum = 0;
  for (let i = 0; i < ids.length; i++) sum = (Math.imul(sum, 31) + ids[i]!) | 0;
  return [project.id, dim, ids.length, sum].join('/');
}

/** Standardised feature vectors of every example of the pool. */
async function featureDesign(
  ctx: Context,
  project: Project,
  ids: Int32Array,
  signal?: AbortSignal,
): Promise<PoolDesign> {
  const dim = featureDim(project, ctx, ids);
  if (dim === 0) throw new ApiError('invalid-input', `project '${project.name}' has no logged feature vectors`);
  const key = poolKey(project, ids, dim);
  const cached = pools.get(ctx.store);
  if (cached?.key === key) return { ...cached.design, ids, reused: true };
  pools.delete(ctx.store);
  const stored = new Float32Array(ids.length * dim);
  // Stored vectors are copied as bytes: no per-row array, whatever the blob's alignment.
  const bytes = new Uint8Array(stored.buffer);
  const present = new Uint8Array(ids.length);
  let missing = 0;
  await readPool<Buffer>(
    ctx,
    project,
    ids,
    'features',
    (row, v) => {
      if (v && v.byteLength === dim * 4) {
        bytes.set(v, row * dim * 4);
        present[row] = 1;
      } else missing++;
    },
    signal,
  );
  const mean = new Float64Array(dim);
  const sq = new Float64Array(dim);
  const n = ids.length - missing;
  for (let r = 0; r < ids.length; r++) {
    if (!present[r]) continue;
    const base = r * dim;
    for (let c = 0; c < dim; c++) {
      const x = stored[base + c]!;
      mean[c]! += x;
      sq[c]! += x * x;
    }
  }
  const std = new Float64Array(dim);
  for (let c = 0; c < dim; c++) {
    mean[c] = n > 0 ? mean[c]! / n : 0;
    const variance = n > 0 ? sq[c]! / n - mean[c]! ** 2 : 0;
    std[c] = variance > 1e-12 ? Math.sqrt(variance) : 1;
  }
  const values = new Float32Array(new SharedArrayBuffer(ids.length * dim * 4));
  for (let r = 0; r < ids.length; r++) {
    if (!present[r]) continue;
    const base = r * dim;
    for (let c = 0; c < dim; c++) values[base + c] = (stored[base + c]! - mean[c]!) / std[c]!;
  }
  const design: PoolDesign = {
    ids,
    source: { kind: 'rows', rows: { kind: 'dense', rows: ids.length, dim, values } },
    meta: { representation: 'features', dim, mean: Array.from(mean), std: Array.from(std) },
    missing,
    reused: false,
  };
  pools.set(ctx.store, { key, design });
  return design;
}

async function textDesign(ctx: Context, project: Project, ids: Int32Array, signal?: AbortSignal): Promise<PoolDesign> {
  const texts = new Array<string>(ids.length).fill('');
  let missing = 0;
  await readPool<string>(
    ctx,
    project,
    ids,
    'text',
    (row, v) => {
      if (v === null) missing++;
      else texts[row] = v;
    },
    signal,
  );
  return { ids, source: { kind: 'texts', texts }, meta: { representation: 'text', dim: HASH_DIM }, missing };
}

/** The learner's inputs for every example of the pool (ascending example ids). */
export async function poolDesign(
  ctx: Context,
  project: Project,
  representation: string,
  ids: Int32Array,
  signal?: AbortSignal,
): Promise<PoolDesign> {
  if (representation === 'features') return featureDesign(ctx, project, ids, signal);
  if (representation === 'text') return textDesign(ctx, project, ids, signal);
  if (representation.startsWith('embeddings:')) {
    const d = embeddingDesign(ctx, project, representation.slice('embeddings:'.length), ids, signal);
    return {
      ids,
      source: { kind: 'rows', rows: d.rows },
      meta: { representation, dim: d.rows.dim },
      missing: d.missing,
    };
  }
  throw new ApiError('invalid-input', `unknown representation '${representation}'`);
}

/** One example's row, built as the learner's pool was (for scoring a new label before it is learned). */
export function oneRow(ctx: Context, project: Project, meta: RepresentationMeta, exampleId: number): Rows | null {
  const ids = Int32Array.of(exampleId);
  if (meta.representation === 'features') {
    let row: Rows | null = null;
    readWindows<Buffer>(ctx, project, ids, 'features', (_r, v) => {
      if (!v || v.byteLength !== meta.dim * 4) return;
      const x = floats(v);
      const values = new Float32Array(meta.dim);
      for (let c = 0; c < meta.dim; c++) values[c] = (x[c]! - meta.mean![c]!) / meta.std![c]!;
      row = { kind: 'dense', rows: 1, dim: meta.dim, values };
    });
    return row;
  }
  if (meta.representation === 'text') {
    let text: string | null = null;
    readWindows<string>(ctx, project, ids, 'text', (_r, v) => (text = v));
    return text === null ? null : hashRows([text]);
  }
  if (meta.representation.startsWith('embeddings:')) {
    try {
      const d = embeddingDesign(ctx, project, meta.representation.slice('embeddings:'.length), ids);
      return d.missing === 0 && d.rows.dim === meta.dim ? d.rows : null;
    } catch {
      // an encoder since removed or a column being recomputed: the label is not scored
      return null;
    }
  }
  return null;
}
