import { undoneEventIds, type LabelAction } from '../../shared/features/labels';
import { prepared, type Db } from './database';

const DECISIONS = new Set<string>(['label', 'accept', 'reject', 'adjudicate']);

interface EventForUndo {
  id: number;
  exampleId: number;
  annotatorId: number;
  schemaVersionId: number;
  action: LabelAction;
}

export interface MiningRunRow {
  id: number;
  strategy: string;
  params: string;
  model_runs: string;
  filters: string;
  items_added: number;
  summary: string;
  created_at: number;
}

export interface CandidateRow {
  id: number;
  external_id: string;
  ts: number | null;
  text: string | null;
  features: Buffer | null;
  content_hash: number;
}

export interface ModelRunRow {
  id: number;
  source: 'import' | 'rescore';
  model_name: string;
  model_version: string;
  created_at: number;
}

/** Reads and records behind hard-example mining. */
export class MiningQueries {
  constructor(private readonly db: Db) {}

  /** Model runs with at least one visible prediction, oldest first. */
  modelRuns(projectId: number): ModelRunRow[] {
    return prepared(
      this.db,
      `SELECT m.id, m.source, m.model_name, m.model_version, m.created_at FROM model_runs m
         WHERE m.project_id = ? AND EXISTS (
           SELECT 1 FROM prediction_columns c LEFT JOIN import_runs r ON r.id = c.import_run_id
           WHERE c.model_run_id = m.id AND (c.import_run_id IS NULL OR r.status = 'done'))
         ORDER BY m.created_at, m.id`,
    ).all(projectId) as ModelRunRow[];
  }

  /** The project a model run belongs to, by its id (undefined: no such run). */
  modelRunProject(modelRunId: number): string | undefined {
    return prepared(this.db, 'SELECT p.name FROM model_runs m JOIN projects p ON p.id = m.project_id WHERE m.id = ?')
      .pluck()
      .get(modelRunId) as string | undefined;
  }

  /** Model runs that hold predictions but predate the columnar copy (databases of schema v1). */
  runsWithoutColumns(projectId: number): number[] {
    const runs = prepared(this.db, 'SELECT id FROM model_runs WHERE project_id = ?').pluck().all(projectId) as number[];
    const hasColumns = prepared(this.db, 'SELECT 1 FROM prediction_columns WHERE model_run_id = ? LIMIT 1');
    const hasRows = prepared(this.db, 'SELECT 1 FROM predictions WHERE model_run_id = ? LIMIT 1');
    return runs.filter((id) => !hasColumns.get(id) && hasRows.get(id));
  }

  /** The largest example id of any project: sizes arrays indexed by example id (a rowid lookup). */
  maxExampleId(): number {
    return (prepared(this.db, 'SELECT coalesce(max(id), 0) FROM examples').pluck().get() ?? 0) as number;
  }

  /** Example ids in a time window [from, to) (epoch ms). */
  inTimeWindow(projectId: number, from: number | null, to: number | null): number[] {
    return prepared(
      this.db,
      `SELECT id FROM examples WHERE project_id = ? AND ts IS NOT NULL AND (? IS NULL OR ts >= ?) AND (? IS NULL OR ts < ?)`,
    )
      .pluck()
      .all(projectId, from, from, to, to) as number[];
  }

  /** Example ids whose metadata field equals the value (JSON path `$."key"`). */
  withMetadata(projectId: number, key: string, value: string | number | boolean): number[] {
    const path = `$.${JSON.stringify(key)}`;
    const v = typeof value === 'boolean' ? (value ? 1 : 0) : value;
    return prepared(this.db, `SELECT id FROM examples WHERE project_id = ? AND json_extract(metadata, ?) = ?`)
      .pluck()
      .all(projectId, path, v) as number[];
  }

  /**
   * Examples with a decision (label, accept, reject, adjudicate) under this schema version that
   * no undo took back. Only examples with an undo need their events replayed: few, as a rule.
   */
  labeledUnder(projectId: number, schemaVersionId: number): number[] {
    const decided = prepared(
      this.db,
      `SELECT DISTINCT example_id FROM label_events WHERE project_id = ? AND schema_version_id = ?
           AND action IN ('label', 'accept', 'reject', 'adjudicate')`,
    )
      .pluck()
      .all(projectId, schemaVersionId) as number[];
    // A separate pass (~0.1 s for a million events) beats one grouped query (4× the plain one).
    const withUndo = prepared(
      this.db,
      `SELECT DISTINCT example_id FROM label_events WHERE project_id = ? AND action = 'undo'`,
    )
      .pluck()
      .all(projectId) as number[];
    if (withUndo.length === 0) return decided;
    const takenBack = this.allDecisionsUndone(projectId, schemaVersionId, withUndo);
    return decided.filter((id) => !takenBack.has(id));
  }

  /** Of these examples, those whose decisions under the schema version were all undone. */
  private allDecisionsUndone(projectId: number, schemaVersionId: number, exampleIds: number[]): Set<number> {
    const events = prepared(
      this.db,
      `SELECT id, example_id AS exampleId, annotator_id AS annotatorId, schema_version_id AS schemaVersionId, action
         FROM label_events WHERE project_id = ? AND example_id IN (SELECT value FROM json_each(?))
         ORDER BY example_id, id`,
    ).all(projectId, JSON.stringify(exampleIds)) as EventForUndo[];
    const out = new Set<number>();
    for (let start = 0; start < events.length;) {
      let end = start;
      while (end < events.length && events[end]!.exampleId === events[start]!.exampleId) end++;
      const history = events.slice(start, end);
      const cancelled = undoneEventIds(history);
      const live = history.some(
        (e) => e.schemaVersionId === schemaVersionId && DECISIONS.has(e.action) && !cancelled.has(e.id),
      );
      if (!live) out.add(history[0]!.exampleId);
      start = end;
    }
    return out;
  }

  groundTruth(projectId: number): { id: number; ground_truth: string }[] {
    return prepared(
      this.db,
      'SELECT id, ground_truth FROM examples WHERE project_id = ? AND ground_truth IS NOT NULL',
    ).all(projectId) as { id: number; ground_truth: string }[];
  }

  /** The ground truth of these examples (those that have one). */
  groundTruthOf(ids: readonly number[]): { id: number; ground_truth: string }[] {
    return prepared(
      this.db,
      `SELECT e.id, e.ground_truth FROM json_each(?) j JOIN examples e ON e.id = j.value
        WHERE e.ground_truth IS NOT NULL`,
    ).all(JSON.stringify(ids)) as { id: number; ground_truth: string }[];
  }

  candidates(ids: readonly number[]): CandidateRow[] {
    const out: CandidateRow[] = [];
    const stmt = prepared(
      this.db,
      `SELECT e.id, e.external_id, e.ts, e.text, e.features, e.content_hash FROM json_each(?) j
       JOIN examples e ON e.id = j.value ORDER BY j.key`,
    );
    for (let i = 0; i < ids.length; i += 5000) {
      out.push(...(stmt.all(JSON.stringify(ids.slice(i, i + 5000))) as CandidateRow[]));
    }
    return out;
  }

  /** External ids of examples, in no particular order (mine-file leaves them out of the files). */
  externalIds(ids: readonly number[]): string[] {
    const out: string[] = [];
    const stmt = prepared(
      this.db,
      `SELECT e.external_id FROM json_each(?) j JOIN examples e ON e.id = j.value`,
    ).pluck();
    for (let i = 0; i < ids.length; i += 5000)
      out.push(...(stmt.all(JSON.stringify(ids.slice(i, i + 5000))) as string[]));
    return out;
  }

  /** The project's examples with these external ids, by external id. */
  exampleIdsByExternalId(projectId: number, externalIds: readonly string[]): Map<string, number> {
    const out = new Map<string, number>();
    const stmt = prepared(
      this.db,
      `SELECT e.external_id AS external_id, e.id AS id FROM json_each(?) j
         JOIN examples e ON e.project_id = ? AND e.external_id = j.value`,
    );
    for (let i = 0; i < externalIds.length; i += 5000) {
      const rows = stmt.all(JSON.stringify(externalIds.slice(i, i + 5000)), projectId) as {
        external_id: string;
        id: number;
      }[];
      for (const r of rows) out.set(r.external_id, r.id);
    }
    return out;
  }

  createRun(
    projectId: number,
    run: { strategy: string; params: unknown; modelRuns: number[]; filters: unknown },
    now: number,
  ): number {
    return Number(
      prepared(
        this.db,
        `INSERT INTO mining_runs (project_id, strategy, params, model_runs, filters, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
      ).run(
        projectId,
        run.strategy,
        JSON.stringify(run.params),
        JSON.stringify(run.modelRuns),
        JSON.stringify(run.filters),
        now,
      ).lastInsertRowid,
    );
  }

  finishRun(id: number, itemsAdded: number, summary: unknown): void {
    prepared(this.db, 'UPDATE mining_runs SET items_added = ?, summary = ? WHERE id = ?').run(
      itemsAdded,
      JSON.stringify(summary),
      id,
    );
  }

  runs(projectId: number): MiningRunRow[] {
    return prepared(
      this.db,
      `SELECT id, strategy, params, model_runs, filters, items_added, summary, created_at FROM mining_runs
         WHERE project_id = ? ORDER BY id DESC`,
    ).all(projectId) as MiningRunRow[];
  }
}
