import type { ExportOptions, SplitPolicy } from '../../../shared/features/export/contract';
import type { LabelSchemaVersion } from '../../../shared/features/labels/contract';
import type { Project } from '../../../shared/features/projects/contract';
import type { ScoreRun } from './score-columns';

/** Everything an export worker needs; plain data, so it crosses to the worker thread as is. */
export interface ExportPlan {
  dbPath: string;
  nativeBinding?: string;
  project: Project;
  schema: LabelSchemaVersion;
  /** The label id each model class stands for under `schema` (null: none, after a split). */
  classLabels: (string | null)[];
  options: ExportOptions;
  /** Model run filling in unlabeled examples (labelSource human+model). */
  modelRun: { id: number; name: string; version: string; source: string } | null;
  modelRuns: { id: number; name: string; version: string; source: string }[];
  /** Runs whose predicted label and scores go in the rows (`withScores`), in the order asked. */
  scoreRuns: ScoreRun[];
  annotatorIds: number[] | null;
  split: SplitPolicy | null;
  baseDir: string;
  finalPath: string;
  toolVersion: string;
  /** Count what the export would hold (per split and label) and write nothing. */
  previewOnly?: boolean;
}

export interface ExportFileInfo {
  path: string;
  split: string | null;
  rows: number;
  bytes: number;
  sha256: string;
}

export interface ExportOutcome {
  rows: number;
  /** Peak resident memory of the export process. */
  peakRssMb: number;
  files: ExportFileInfo[];
  manifest: Record<string, unknown>;
  contentHash: string;
  /** Per score run: how many exported examples it did not score (their score cells are empty). */
  scores?: { run: ScoreRun; columns: string[]; scored: number; unscored: number }[];
  /** The examples written and the split of each (an index into splitNames): a model's training lineage. */
  members: { splitNames: string[]; exampleIds: Int32Array; splits: Uint8Array };
}

export type SplitCounts = Record<string, { rows: number; labels: Record<string, number> }>;

export interface ExportPreview {
  rows: number;
  split: SplitPolicy;
  counts: SplitCounts;
  labelSources: { human: number; model: number };
}

export type ExportWorkerMessage =
  | { type: 'progress'; phase: string; rowsDone: number; rowsTotal: number }
  | { type: 'done'; outcome: ExportOutcome | ExportPreview }
  | { type: 'error'; code: string; message: string };
