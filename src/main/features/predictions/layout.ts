import type { InputKind, TaskType } from '../../../shared/domain/task';
import type { PredictionsFormat } from '../../../shared/features/predictions/contract';

/** What a predictions file holds, fixed before the first row: the project's shape and the run. */
export interface PredictionsLayout {
  taskType: TaskType;
  inputKind: InputKind;
  classes: string[];
  featureNames: string[];
  model: { name: string; version: string };
}

/** What the worker thread that writes a predictions file is given. */
export interface PredictionsWorkerData {
  dbPath: string;
  nativeBinding?: string;
  modelRunId: number;
  layout: PredictionsLayout;
  format: PredictionsFormat;
  file: string;
  createdBy: string;
}

export type PredictionsWorkerMessage =
  | { type: 'progress'; rows: number; total: number }
  | { type: 'done'; rows: number; bytes: number; sha256: string }
  | { type: 'error'; message: string };
