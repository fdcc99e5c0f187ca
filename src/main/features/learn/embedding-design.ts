import { ApiError } from '../../../shared/api/errors';
import type { EmbeddingColumn } from '../../../shared/features/learn/encode-contract';
import type { Project } from '../../../shared/features/projects/contract';
import type { Context } from '../../core/context';
import { toModel } from '../models/add-model';
import { checkStoredWidth, findEncoder } from './embed';

/** Stored embeddings as the learner reads them: row-major rows×dim, one row per asked example. */
export interface EmbeddingDesign {
  ids: Int32Array;
  rows: { kind: 'dense'; rows: number; dim: number; values: Float32Array };
  meta: { representation: string; dim: number; encoderId: number };
  /** Examples with no stored vector (no text): their rows are zero. */
  missing: number;
}

/** The encoder a representation names; one the project lacks is refused listing the encoders it has. */
function encoderOf(ctx: Context, project: Project, ref: number | string) {
  try {
    return findEncoder(ctx, project, typeof ref === 'string' && /^\d+$/.test(ref) ? Number(ref) : ref);
  } catch (e) {
    if (!(e instanceof ApiError) || e.code !== 'not-found') throw e;
    const encoders = ctx.store.models
      .forProject(project.id)
      .map(toModel)
      .filter((m) => m.outputMapping.kind === 'embedding')
      .map((m) => `${m.name}@${m.version}`);
    throw new ApiError(
      'invalid-input',
      `project '${project.name}' has no stored embeddings of encoder '${ref}': it has no such model (its sentence encoders: ${encoders.join(', ') || 'none'}); ` +
        `register one (flywheel model add FOLDER --project ${project.name}) and compute its embeddings (flywheel learn ${project.name} embed --encoder NAME)`,
      { reason: 'no-embeddings' },
    );
  }
}

/**
 * The embeddings of `ids` (any order; rows follow it) under encoder `ref`. Refused when the
 * encoder is not one, its pass has not covered every example, or the stored width is not the
 * encoder's: a learner never trains on a partial or mixed column without saying so.
 */
export function embeddingDesign(
  ctx: Context,
  project: Project,
  ref: number | string,
  ids: Int32Array,
  signal?: AbortSignal,
): EmbeddingDesign {
  const encoder = encoderOf(ctx, project, ref);
  const name = `${encoder.name}@${encoder.version}`;
  const run = ctx.store.embeddings.run(encoder.id);
  if (!run || run.project_id !== project.id) {
    throw new ApiError(
      'invalid-input',
      `project '${project.name}' has no stored embeddings of encoder ${name}: compute them first (flywheel learn ${project.name} embed --encoder ${name})`,
      { reason: 'no-embeddings' },
    );
  }
  checkStoredWidth(ctx, encoder);
  const pending = ctx.store.models.visibleAfter(project.id, run.last_example_id);
  if (run.status !== 'done' || pending > 0) {
    throw new ApiError(
      'invalid-input',
      `the embeddings of encoder ${name} are incomplete (${pending} example${pending === 1 ? '' : 's'} not reached${run.status === 'failed' ? `; the last pass failed: ${run.error}` : ''}): ` +
        `finish them first (flywheel learn ${project.name} embed --encoder ${name}; it continues where it stopped)`,
      { reason: 'embeddings-incomplete' },
    );
  }
  const dim = run.dim;
  const values = new Float32Array(ids.length * dim);
  const rowOf = new Map<number, number[]>();
  ids.forEach((id, row) => {
    const rows = rowOf.get(id);
    if (rows) rows.push(row);
    else rowOf.set(id, [row]);
  });
  const bytes = new Uint8Array(values.buffer);
  let found = 0;
  const WINDOW = 4096;
  const unique = [...rowOf.keys()];
  for (let at = 0; at < unique.length; at += WINDOW) {
    if (signal?.aborted) throw new ApiError('cancelled', 'reading the embeddings was cancelled');
    for (const { example_id, vector } of ctx.store.embeddings.vectors(encoder.id, unique.slice(at, at + WINDOW))) {
      // A blob need not be 4-byte aligned: copied as bytes.
      for (const row of rowOf.get(example_id)!) {
        bytes.set(vector.subarray(0, dim * 4), row * dim * 4);
        found++;
      }
    }
  }
  return {
    ids,
    rows: { kind: 'dense', rows: ids.length, dim, values },
    meta: { representation: `embeddings:${name}`, dim, encoderId: encoder.id },
    missing: ids.length - found,
  };
}

/** `learn.embeddings`: the project's embedding columns and how complete each is. */
export function embeddingColumns(ctx: Context, project: Project): EmbeddingColumn[] {
  return ctx.store.embeddings.forProject(project.id).map((run) => {
    const model = ctx.store.models.byId(run.model_id);
    const m = model ? toModel(model) : null;
    return {
      encoder: m ? `${m.name}@${m.version}` : `#${run.model_id}`,
      modelId: run.model_id,
      dim: run.dim,
      stored: ctx.store.embeddings.count(run.model_id),
      pending: ctx.store.models.visibleAfter(project.id, run.last_example_id),
      status: run.status,
      error: run.error,
      updatedAt: run.updated_at,
    };
  });
}
