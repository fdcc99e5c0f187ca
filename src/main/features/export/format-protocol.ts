import type { Project } from '../../../shared/features/projects/contract';

/** What a format worker is started with: its own read-only connection and the rows' labels. */
export interface FormatWorkerInit {
  dbPath: string;
  nativeBinding?: string;
  project: Project;
  csv: boolean;
  labelSets: string[][];
  splits: number;
}

/** One chunk of the export, in example id order, with each row's label, source and split. */
export interface FormatJob {
  seq: number;
  ids: Int32Array;
  labelIndex: Int32Array;
  source: Uint8Array;
  split: Uint8Array;
}

/** The chunk's lines, UTF-8 encoded, one buffer and row count per split; its longest line in bytes (at most). */
export type FormatResult =
  { seq: number; parts: Uint8Array[]; rows: number[]; longestLine: number } | { seq: number; error: string };
