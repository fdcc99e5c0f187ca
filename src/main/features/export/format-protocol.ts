import type { Project } from '../../../shared/features/projects/contract';
import type { RowGroupInfo } from './parquet/parquet-format';

export type RowFormatName = 'jsonl' | 'csv' | 'parquet';

/** What a worker writing rows is told before its jobs: the format and the rows' labels. */
export interface FormatWorkerInit {
  task: 'format';
  project: Project;
  format: RowFormatName;
  labelSets: string[][];
  splits: number;
}

/**
 * Rows of the export, in example id order, with each row's label, source and split. A Parquet
 * job holds rows of one split only: it becomes whole row groups of that split's file.
 */
export interface FormatJob {
  seq: number;
  ids: Int32Array;
  labelIndex: Int32Array;
  source: Uint8Array;
  split: Uint8Array;
}

/**
 * The job's bytes and row count per split: JSONL or CSV lines, or Parquet row groups (their
 * column chunks, with footer entries whose offsets count from the part's first byte).
 */
export interface FormatOutput {
  parts: Uint8Array[];
  rows: number[];
  rowGroups?: RowGroupInfo[];
}
