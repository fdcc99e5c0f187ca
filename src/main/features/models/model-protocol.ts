import type { Device } from '../../../shared/features/models/contract';

export interface TensorInfo {
  name: string;
  type: string;
  shape: (number | string)[];
}

export type HostMessage =
  | { type: 'open'; modelPath: string; device: Device; threads: number }
  | { type: 'batch'; id: number; input: string; output: string; payload: Payload }
  | { type: 'close' };

export type ModelMessage =
  | { type: 'ready'; device: string; notes: string[]; inputs: TensorInfo[]; outputs: TensorInfo[] }
  | { type: 'scores'; id: number; values: Float32Array; dims: number[] }
  | { type: 'fatal'; message: string };

/** One batch of model input: floats [n, dim] or strings [n] / [n, 1]. */
export type Payload =
  { kind: 'float32'; data: Float32Array; dims: number[] } | { kind: 'string'; data: string[]; dims: number[] };
