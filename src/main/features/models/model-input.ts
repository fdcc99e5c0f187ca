import type { InputMapping } from '../../../shared/features/models/contract';
import type { ModelInputRow } from '../../store/models';
import fs from 'node:fs';
import path from 'node:path';
import type { Payload, TokenizerSpec } from './model-protocol';
import { textsOf } from './model-template';

/**
 * The rows a model can take (features of the right width, or the text its input mapping reads:
 * the example's text, a template's rendering, or a pair) and their batch tensor.
 */
export function batchOf<T extends ModelInputRow>(
  mapping: InputMapping,
  batch: T[],
): { rows: T[]; payload: Payload } | null {
  if (mapping.kind === 'tokens' || mapping.kind === 'text') {
    const texts = textsOf(mapping);
    const rows: T[] = [];
    const first: string[] = [];
    const second: string[] = [];
    for (const r of batch) {
      const t = texts(r);
      if (t === null) continue;
      rows.push(r);
      first.push(t[0]!);
      if (t.length > 1) second.push(t[1]!);
    }
    if (rows.length === 0) return null;
    if (mapping.kind === 'tokens') {
      return { rows, payload: { kind: 'tokenize', data: first, ...(mapping.pair ? { pairs: second } : {}) } };
    }
    return {
      rows,
      payload: { kind: 'string', data: first, dims: mapping.rank === 1 ? [rows.length] : [rows.length, 1] },
    };
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
