import fs from 'node:fs';
import path from 'node:path';
import { pathKind, readRegularText } from '../../io/safe-open';
import { ApiError } from '../../../shared/api/errors';

/** A Hugging Face style folder: model.onnx beside tokenizer.json (and its configs). */
export interface HfFolder {
  modelPath: string;
  files: string[];
  id2label: string[] | null;
  /** The longest token sequence the model takes, and where that figure came from. */
  maxLength: number;
  maxLengthFrom: string | null;
  /** config.json's _name_or_path, as a model name. */
  name: string | null;
  version: string | null;
}

/** Where nothing states a maximum length: BERT's. */
export const DEFAULT_MAX_LENGTH = 512;
/** transformers writes a huge model_max_length (int(1e30)) when the model has none. */
const NO_LIMIT = 1_000_000;

export function readJson(file: string, what = 'model configuration'): Record<string, unknown> | null {
  if (pathKind(file) === 'missing') return null;
  const text = readRegularText(file, what);
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch (e) {
    throw new ApiError('bad-file', `${file}: not JSON (${(e as Error).message})`);
  }
}

function positive(v: unknown): number | null {
  const n = Number(v);
  return Number.isInteger(n) && n > 0 && n < NO_LIMIT ? n : null;
}

function cardText(v: unknown): string | null {
  if (typeof v !== 'string' && typeof v !== 'number') return null;
  const s = String(v).trim();
  return s.length > 0 ? s.slice(0, 100) : null;
}

/** A hub id (org/model) stays whole; a local path (where the model was saved) gives its last folder. */
function nameOf(nameOrPath: unknown): string | null {
  const s = cardText(nameOrPath);
  if (!s) return null;
  if (/^([./~]|[A-Za-z]:\\)/.test(s) || s.split('/').length > 2) return cardText(path.basename(s));
  return s;
}

export function hfFolder(source: string): HfFolder {
  const modelPath = [path.join(source, 'model.onnx'), path.join(source, 'onnx', 'model.onnx')].find((f) =>
    fs.existsSync(f),
  );
  if (!modelPath) throw new ApiError('bad-file', `${source}: a model folder needs model.onnx (or onnx/model.onnx)`);
  const tokenizerFile = path.join(source, 'tokenizer.json');
  if (!fs.existsSync(tokenizerFile)) {
    throw new ApiError(
      'bad-file',
      `${source}: has no tokenizer.json, which the text must go through before model.onnx`,
    );
  }
  const tokenizer = readJson(tokenizerFile, 'tokenizer file');
  const config = readJson(path.join(source, 'config.json'));
  const tokenizerConfig = readJson(path.join(source, 'tokenizer_config.json'), 'tokenizer file');
  const id2label = config?.['id2label'] as Record<string, string> | undefined;
  const truncation = tokenizer?.['truncation'] as { max_length?: unknown } | null | undefined;
  // The tightest stated limit: the tokenizer's own truncation, the tokenizer config, the position table.
  const limits = [
    { from: "tokenizer.json's truncation", n: positive(truncation?.max_length) },
    { from: "tokenizer_config.json's model_max_length", n: positive(tokenizerConfig?.['model_max_length']) },
    { from: "config.json's max_position_embeddings", n: positive(config?.['max_position_embeddings']) },
  ].filter((l): l is { from: string; n: number } => l.n !== null);
  const tightest = limits.sort((a, b) => a.n - b.n)[0];
  return {
    modelPath,
    files: ['tokenizer.json', 'tokenizer_config.json', 'config.json', 'special_tokens_map.json'].filter((f) =>
      fs.existsSync(path.join(source, f)),
    ),
    id2label:
      id2label && typeof id2label === 'object'
        ? Object.keys(id2label)
            .sort((a, b) => Number(a) - Number(b))
            .map((k) => String(id2label[k]))
        : null,
    maxLength: tightest?.n ?? DEFAULT_MAX_LENGTH,
    maxLengthFrom: tightest?.from ?? null,
    name: nameOf(config?.['_name_or_path']) ?? cardText(config?.['name']),
    version: cardText(config?.['model_version']) ?? cardText(config?.['version']),
  };
}
