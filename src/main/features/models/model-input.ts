import type { InputMapping } from '../../../shared/features/models/contract';
import type { ModelInputRow } from '../../store/models';
import type { Payload } from './model-protocol';

/** The rows a model can take (features of the right width, or a text) and their batch tensor. */
export function batchOf<T extends ModelInputRow>(
  mapping: InputMapping,
  batch: T[],
): { rows: T[]; payload: Payload } | null {
  if (mapping.kind === 'text') {
    const rows = batch.filter((r) => r.text !== null);
    if (rows.length === 0) return null;
    const data = rows.map((r) => r.text!);
    return { rows, payload: { kind: 'string', data, dims: mapping.rank === 1 ? [rows.length] : [rows.length, 1] } };
  }
  const { dim } = mapping;
  const rows = batch.filter((r) => r.features !== null && r.features.byteLength === dim * 4);
  if (rows.length === 0) return null;
  const data = new Float32Array(rows.length * dim);
  const bytes = new Uint8Array(data.buffer);
  rows.forEach((r, i) => bytes.set(r.features!, i * dim * 4));
  return { rows, payload: { kind: 'float32', data, dims: [rows.length, dim] } };
}
