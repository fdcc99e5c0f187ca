import type { Project } from '../../../shared/features/projects/contract';
import type { RowGroupInfo } from './parquet/parquet-format';
import type { ScoreLayout } from './score-columns';

export type RowFormatName = 'jsonl' | 'csv' | 'parquet';

/** What a worker writing rows is told before its jobs: the format and the rows' labels. */
export interface FormatWorkerInit {
  task: 'format';
  project: Project;
  format: RowFormatName;
  labelSets: string[][];
  splits: number;
  /** Model runs whose scores the rows carry (none: the rows are as without them, byte for byte). */
  scores?: ScoreLayout;
  /**
   * Lines only: where a job's lines go, a slot of `slotBytes` for each job in flight (job seq
   * modulo the slots). Bytes written in place and read in place by the writing thread: a new
   * buffer for each job made V8 collect the whole heap of the writing thread every ~64 MB.
   */
  shared?: { buffer: SharedArrayBuffer; slotBytes: number; slots: number };
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

/** A part written in the shared slots: its offset in the shared buffer and its length. */
export interface SharedPart {
  at: number;
  length: number;
}

/**
 * The job's bytes and row count per split: JSONL or CSV lines, or Parquet row groups (their
 * column chunks, with footer entries whose offsets count from the part's first byte).
 */
export interface FormatOutput<Part = Uint8Array> {
  parts: Part[];
  rows: number[];
  rowGroups?: RowGroupInfo[];
  /** Rows of the job each score run did not score (with score runs only). */
  unscored?: number[];
}
