import type { Project, ProjectSummary, ProjectStats } from '../../shared/features/projects/contract';
import { ImportMappingSchema, type ImportMapping } from '../../shared/features/import/mapping';
import { prepared, type Db } from './database';

interface ProjectRow {
  id: number;
  name: string;
  task_type: Project['taskType'];
  input_kind: Project['inputKind'];
  classes: string;
  feature_names: string | null;
  created_at: number;
}

function toProject(r: ProjectRow): Project {
  return {
    id: r.id,
    name: r.name,
    taskType: r.task_type,
    inputKind: r.input_kind,
    classes: JSON.parse(r.classes) as string[],
    featureNames: r.feature_names === null ? null : (JSON.parse(r.feature_names) as string[]),
    createdAt: r.created_at,
  };
}

/** What finished imports of a project added; rows of unfinished imports stay out of every count. */
const DONE_COUNTS = `import_run_counts c JOIN import_runs r ON r.id = c.import_run_id
  WHERE r.project_id = ? AND r.status = 'done'`;

export class ProjectQueries {
  constructor(private readonly db: Db) {}

  all(): Project[] {
    return (prepared(this.db, 'SELECT * FROM projects ORDER BY name').all() as ProjectRow[]).map(toProject);
  }

  byId(id: number): Project | null {
    const row = prepared(this.db, 'SELECT * FROM projects WHERE id = ?').get(id) as ProjectRow | undefined;
    return row ? toProject(row) : null;
  }

  byName(name: string): Project | null {
    const row = prepared(this.db, 'SELECT * FROM projects WHERE name = ?').get(name) as ProjectRow | undefined;
    return row ? toProject(row) : null;
  }

  create(p: Omit<Project, 'id' | 'createdAt'>): Project {
    const info = prepared(
      this.db,
      'INSERT INTO projects (name, task_type, input_kind, classes, feature_names, created_at) VALUES (?, ?, ?, ?, ?, ?)',
    ).run(
      p.name,
      p.taskType,
      p.inputKind,
      JSON.stringify(p.classes),
      p.featureNames ? JSON.stringify(p.featureNames) : null,
      Date.now(),
    );
    return this.byId(Number(info.lastInsertRowid))!;
  }

  setFeatureNames(id: number, names: string[]): void {
    prepared(this.db, 'UPDATE projects SET feature_names = ? WHERE id = ? AND feature_names IS NULL').run(
      JSON.stringify(names),
      id,
    );
  }

  saveMapping(projectId: number, name: string, mapping: ImportMapping): void {
    prepared(
      this.db,
      `INSERT INTO import_mappings (project_id, name, mapping, created_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (project_id, name) DO UPDATE SET mapping = excluded.mapping, created_at = excluded.created_at`,
    ).run(projectId, name, JSON.stringify(mapping), Date.now());
  }

  savedMappings(projectId: number): { name: string; mapping: ImportMapping; createdAt: number }[] {
    const rows = prepared(
      this.db,
      'SELECT name, mapping, created_at FROM import_mappings WHERE project_id = ? ORDER BY created_at DESC',
    ).all(projectId) as { name: string; mapping: string; created_at: number }[];
    return rows.flatMap((r) => {
      const parsed = ImportMappingSchema.safeParse(JSON.parse(r.mapping));
      return parsed.success ? [{ name: r.name, mapping: parsed.data, createdAt: r.created_at }] : [];
    });
  }

  /**
   * Removes a project that holds nothing but failed or cancelled imports (and the label schema
   * and saved mapping made with it); false, and nothing removed, when it holds anything else.
   */
  removeIfOnlyFailedImports(projectId: number): boolean {
    return this.db.transaction(() => {
      const has = (sql: string) => prepared(this.db, sql).get(projectId) !== undefined;
      if (
        has(`SELECT 1 FROM import_runs WHERE project_id = ? AND status NOT IN ('failed', 'cancelled')`) ||
        has('SELECT 1 FROM examples WHERE project_id = ?') ||
        has('SELECT 1 FROM model_runs WHERE project_id = ?') ||
        has('SELECT 1 FROM models WHERE project_id = ?') ||
        has('SELECT 1 FROM mining_runs WHERE project_id = ?') ||
        has('SELECT 1 FROM queue_items WHERE project_id = ?') ||
        has('SELECT 1 FROM label_events WHERE project_id = ?') ||
        has('SELECT 1 FROM exports WHERE project_id = ?') ||
        has('SELECT 1 FROM label_schema_versions WHERE project_id = ? AND version > 1')
      ) {
        return false;
      }
      const runs = 'SELECT id FROM import_runs WHERE project_id = ?';
      for (const sql of [
        `DELETE FROM import_run_counts WHERE import_run_id IN (${runs})`,
        `DELETE FROM prediction_columns WHERE import_run_id IN (${runs})`,
        'DELETE FROM import_runs WHERE project_id = ?',
        'DELETE FROM import_mappings WHERE project_id = ?',
        'DELETE FROM queue_status_counts WHERE project_id = ?',
        'DELETE FROM label_schema_versions WHERE project_id = ?',
        'DELETE FROM projects WHERE id = ?',
      ]) {
        prepared(this.db, sql).run(projectId);
      }
      return true;
    })();
  }

  // Counts come from what each finished import recorded as it committed (import_runs and
  // import_run_counts): sums over a few runs, not scans of millions of rows.
  counts(projectId: number): ProjectSummary['counts'] {
    const one = (sql: string) => (prepared(this.db, sql).pluck().get(projectId) as number | null) ?? 0;
    return {
      examples: one(`SELECT sum(examples_added) FROM import_runs WHERE project_id = ? AND status = 'done'`),
      groundTruth: one(`SELECT sum(truth_added) FROM import_runs WHERE project_id = ? AND status = 'done'`),
      modelRuns: one(`SELECT count(DISTINCT c.model_run_id) FROM ${DONE_COUNTS} AND c.model_run_id <> 0`),
      predictions: one(`SELECT sum(c.n) FROM ${DONE_COUNTS} AND c.model_run_id <> 0`),
      labelEvents: one('SELECT count(*) FROM label_events WHERE project_id = ?'),
      queuePending: one(`SELECT count(*) FROM queue_items WHERE project_id = ? AND status = 'pending'`),
      interruptedImports: one(
        `SELECT count(*) FROM import_runs WHERE project_id = ? AND status = 'running' AND format != 'rescore'`,
      ),
    };
  }

  stats(project: Project): Omit<ProjectStats, 'counts' | 'project'> {
    const range = prepared(
      this.db,
      `SELECT min(min_ts) AS "from", max(max_ts) AS "to" FROM import_runs WHERE project_id = ? AND status = 'done'`,
    ).get(project.id) as { from: number | null; to: number | null };
    const truth = prepared(
      this.db,
      `SELECT c.value AS label, sum(c.n) AS n FROM ${DONE_COUNTS} AND c.model_run_id = 0 GROUP BY c.value`,
    ).all(project.id) as { label: string; n: number }[];
    const groundTruthCounts: Record<string, number> = {};
    for (const { label, n } of truth) {
      const names = project.taskType === 'multilabel' ? (JSON.parse(label) as string[]) : [label];
      for (const name of names) groundTruthCounts[name] = (groundTruthCounts[name] ?? 0) + n;
    }
    const rows = prepared(
      this.db,
      `SELECT m.id, m.source, m.model_name, m.model_version, m.created_at, c.value, sum(c.n) AS n
         FROM import_run_counts c
         JOIN import_runs r ON r.id = c.import_run_id
         JOIN model_runs m ON m.id = c.model_run_id
         WHERE r.project_id = ? AND r.status = 'done'
         GROUP BY m.id, c.value ORDER BY m.id`,
    ).all(project.id) as {
      id: number;
      source: 'import' | 'rescore';
      model_name: string;
      model_version: string;
      created_at: number;
      value: string;
      n: number;
    }[];
    const runs = new Map<number, ProjectStats['modelRuns'][number]>();
    for (const r of rows) {
      let run = runs.get(r.id);
      if (!run) {
        run = {
          id: r.id,
          source: r.source,
          modelName: r.model_name,
          modelVersion: r.model_version,
          predictions: 0,
          predictedCounts: {},
          createdAt: r.created_at,
        };
        runs.set(r.id, run);
      }
      run.predictions += r.n;
      const predicted = Number(r.value);
      project.classes.forEach((name, i) => {
        const hit = project.taskType === 'multilabel' ? Math.floor(predicted / 2 ** i) % 2 === 1 : predicted === i;
        if (hit) run.predictedCounts[name] = (run.predictedCounts[name] ?? 0) + r.n;
      });
    }
    return {
      timeRange: range.from === null || range.to === null ? null : { from: range.from, to: range.to },
      groundTruthCounts,
      modelRuns: [...runs.values()],
    };
  }
}
