import type { InputMapping } from '../../../shared/features/models/contract';
import type { ModelInputRow } from '../../store/models';
import fs from 'node:fs';
import path from 'node:path';
import type { Payload, TokenizerSpec } from './model-protocol';

/** The rows a model can take (features of the right width, or a text) and their batch tensor. */
export function batchOf<T extends ModelInputRow>(
  mapping: InputMapping,
  batch: T[],
): { rows: T[]; payload: Payload } | null {
  if (mapping.kind === 'tokens') {
    const rows = batch.filter((r) => r.text !== null);
    return rows.length === 0 ? null : { rows, payload: { kind: 'tokenize', data: rows.map((r) => r.text!) } };
  }
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

/** Where a registered Hugging Face folder keeps its tokenizer (beside model.onnx). */
export function tokenizerOf(mapping: InputMapping, modelFile: string): TokenizerSpec | undefined {
  if (mapping.kind !== 'tokens') return undefined;
  const dir = path.dirname(modelFile);
  const config = path.join(dir, 'tokenizer_config.json');
  return {
    tokenizerJson: path.join(dir, 'tokenizer.json'),
    tokenizerConfig: fs.existsSync(config) ? config : null,
    inputIds: mapping.inputIds,
    attentionMask: mapping.attentionMask,
    tokenTypeIds: mapping.tokenTypeIds,
    maxLength: mapping.maxLength,
  };
}

/** The model input a batch is fed to (a tokenizer fills several; the first names the batch). */
export function inputName(mapping: InputMapping): string {
  return mapping.kind === 'tokens' ? mapping.inputIds : mapping.input;
}
