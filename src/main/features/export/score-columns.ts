import { scoreColumn } from '../../../shared/features/predictions/contract';
import type { ExportReadQueries } from '../../store/export-reads';
import { classScores, predictedNames, scoreText, type ClassLayout } from '../predictions/prediction-lines';

/** A model run whose scores an export adds to its rows. */
export interface ScoreRun {
  id: number;
  name: string;
  version: string;
  source: string;
}

/** What writing score columns needs: the project's classes and the runs, in the order asked. Plain data. */
export interface ScoreLayout extends ClassLayout {
  runs: ScoreRun[];
}

/** A run's columns start with its id, which the manifest maps to the model's name and version. */
export function runPrefix(run: { id: number }): string {
  return `run${run.id}_`;
}

/** A run's columns: its predicted label, then a score per class. */
export function runColumns(layout: ClassLayout, run: { id: number }): { predicted: string; scores: string[] } {
  const prefix = runPrefix(run);
  return { predicted: `${prefix}predicted`, scores: layout.classes.map((c) => `${prefix}${scoreColumn(c)}`) };
}

/** Every score column, run by run. */
export function scoreColumnNames(layout: ScoreLayout): string[] {
  return layout.runs.flatMap((run) => {
    const c = runColumns(layout, run);
    return [c.predicted, ...c.scores];
  });
}

interface Scored {
  predicted: number;
  scores: Buffer;
}

/** The scores of one job's rows, per run: null where the run did not score the row's example. */
export class JobScores {
  private readonly byRun: (Scored | null)[][];
  /** Rows of the job each run did not score. */
  readonly unscored: number[];

  constructor(
    reads: ExportReadQueries,
    private readonly layout: ScoreLayout,
    ids: Int32Array,
  ) {
    // The rows of a job are in id order (a Parquet job's too: one split's rows, ascending).
    const sorted = Int32Array.from(ids).sort();
    const position = new Map<number, number>();
    ids.forEach((id, i) => position.set(id, i));
    this.byRun = layout.runs.map((run) => {
      const rows = new Array<Scored | null>(ids.length).fill(null);
      for (const [exampleId, predicted, scores] of reads.scores(run.id, sorted)) {
        const at = position.get(exampleId);
        if (at !== undefined) rows[at] = { predicted, scores };
      }
      return rows;
    });
    this.unscored = this.byRun.map((rows) => rows.reduce((n, r) => n + (r === null ? 1 : 0), 0));
  }

  /** Row i's predicted labels and score texts for run r (null: not scored). */
  private cells(r: number, i: number): { names: string[]; values: number[] } | null {
    const s = this.byRun[r]![i];
    if (!s) return null;
    return { names: predictedNames(this.layout, s.predicted), values: classScores(this.layout, s.scores) };
  }

  /** Row i's score fields for a JSONL line, each after a comma: `,"run3_predicted":…,"run3_p_a":…`. */
  jsonl(i: number, keys: JsonlScoreKeys): string {
    let text = '';
    this.layout.runs.forEach((_, r) => {
      const c = this.cells(r, i);
      const k = keys[r]!;
      if (!c) {
        text += k.unscored;
        return;
      }
      const predicted = this.layout.taskType === 'multilabel' ? c.names : (c.names[0] ?? null);
      text += `${k.predicted}${JSON.stringify(predicted)}`;
      k.scores.forEach((key, j) => (text += `${key}${scoreText(this.layout, c.values, j)}`));
    });
    return text;
  }

  /** Row i's score cells for a CSV line: predicted labels joined by |, then the scores as text. */
  csv(i: number): (string | null)[] {
    return this.layout.runs.flatMap((_, r) => {
      const c = this.cells(r, i);
      if (!c) return new Array<null>(1 + this.layout.classes.length).fill(null);
      return [c.names.join('|'), ...this.layout.classes.map((_, j) => scoreText(this.layout, c.values, j))];
    });
  }

  /** Row i's values for Parquet: predicted labels joined by |, then the float32 scores; nulls where unscored. */
  typed(i: number): { predicted: string | null; values: number[] | null }[] {
    return this.layout.runs.map((_, r) => {
      const c = this.cells(r, i);
      return c ? { predicted: c.names.join('|'), values: c.values } : { predicted: null, values: null };
    });
  }
}

/** The fixed text of each run's JSONL fields, made once per export. */
export type JsonlScoreKeys = { predicted: string; scores: string[]; unscored: string }[];

export function jsonlScoreKeys(layout: ScoreLayout): JsonlScoreKeys {
  return layout.runs.map((run) => {
    const c = runColumns(layout, run);
    const predicted = `,${JSON.stringify(c.predicted)}:`;
    const scores = c.scores.map((s) => `,${JSON.stringify(s)}:`);
    return { predicted, scores, unscored: `${predicted}null${scores.map((s) => `${s}null`).join('')}` };
  });
}
