import type { Device } from '../../../shared/features/models/contract';

export interface TensorInfo {
  name: string;
  type: string;
  shape: (number | string)[];
}

export type HostMessage =
  | { type: 'open'; modelPath: string; device: Device; threads: number }
  | { type: 'batch'; id: number; input: string; output: string; features: Float32Array; n: number; dim: number }
  | { type: 'close' };

export type ModelMessage =
  | { type: 'ready'; device: string; notes: string[]; inputs: TensorInfo[]; outputs: TensorInfo[] }
  | { type: 'scores'; id: number; values: Float32Array; dims: number[] }
  | { type: 'fatal'; message: string };
