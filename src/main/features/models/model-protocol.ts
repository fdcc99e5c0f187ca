import type { Device } from '../../../shared/features/models/contract';

export interface TensorInfo {
  name: string;
  type: string;
  shape: (number | string)[];
}

export type HostMessage =
  | { type: 'open'; modelPath: string; device: Device; threads: number; tokenizer?: TokenizerSpec }
  /**
   * `pool`: the attention mask feed; the output [batch, sequence, hidden] comes back mean-pooled over
   * it and L2-normalised, [batch, hidden] (a sentence encoder's embedding).
   */
  | { type: 'batch'; id: number; input: string; output: string; payload: Payload; pool?: string }
  /** The token ids a batch of texts becomes (what a `tokenize` payload feeds the model). */
  | { type: 'tokenize'; id: number; texts: string[] }
  | { type: 'close' };

export type ModelMessage =
  | {
      type: 'ready';
      device: string;
      notes: string[];
      /** Which library tokenizes the text (folders with tokenizer.json), else null. */
      tokenizer: string | null;
      inputs: TensorInfo[];
      outputs: TensorInfo[];
    }
  /** runMs: how long session.run took on this batch. */
  | { type: 'scores'; id: number; values: Float32Array; dims: number[]; runMs: number }
  | { type: 'tokens'; id: number; ids: number[][]; mask: number[][]; typeIds: number[][] }
  | { type: 'fatal'; message: string };

/**
 * One batch of model input: floats [n, dim], strings [n] / [n, 1], texts to tokenize here, or
 * texts already tokenized (int64 [n, width] per model input: ids, attention mask, type ids).
 */
export type Payload =
  | { kind: 'float32'; data: Float32Array; dims: number[] }
  | { kind: 'string'; data: string[]; dims: number[] }
  /** `pairs`: each text's second text, encoded with it as a pair ([CLS] a [SEP] b [SEP]). */
  | { kind: 'tokenize'; data: string[]; pairs?: string[] }
  | { kind: 'int64'; feeds: Record<string, BigInt64Array>; dims: number[] };

/** A Hugging Face folder's tokenizer and the model inputs it fills. */
export interface TokenizerSpec {
  tokenizerJson: string;
  tokenizerConfig: string | null;
  inputIds: string;
  attentionMask: string;
  tokenTypeIds: string | null;
  maxLength: number;
}
