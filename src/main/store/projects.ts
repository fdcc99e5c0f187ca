import type { Project, ProjectSummary, ProjectStats } from '../../shared/features/projects/contract';
import { ImportMappingSchema, type ImportMapping } from '../../shared/features/import/mapping';
import type { Db } from './database';

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

/** Rows written by an import that has not finished stay out of every count. */
const VISIBLE_EXAMPLES = `examples e JOIN import_runs r ON r.id = e.import_run_id AND r.status = 'done'`;

export class ProjectQueries {
  constructor(private readonly db: Db) {}

  all(): Project[] {
    return (this.db.prepare('SELECT * FROM projects ORDER BY name').all() as ProjectRow[]).map(toProject);
  }

  byId(id: number): Project | null {
    const row = this.db.prepare('SELECT * FROM projects WHERE id = ?').get(id) as ProjectRow | undefined;
    return row ? toProject(row) : null;
  }

  byName(name: string): Project | null {
    const row = this.db.prepare('SELECT * FROM projects WHERE name = ?').get(name) as ProjectRow | undefined;
    return row ? toProject(row) : null;
  }

  create(p: Omit<Project, 'id' | 'createdAt'>): Project {
    const info = this.db
      .prepare(
        'INSERT INTO projects (name, task_type, input_kind, classes, feature_names, created_at) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(
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
    this.db
      .prepare('UPDATE projects SET feature_names = ? WHERE id = ? AND feature_names IS NULL')
      .run(JSON.stringify(names), id);
  }

  saveMapping(projectId: number, name: string, mapping: ImportMapping): void {
    this.db
      .prepare(
        `INSERT INTO import_mappings (project_id, name, mapping, created_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (project_id, name) DO UPDATE SET mapping = excluded.mapping, created_at = excluded.created_at`,
      )
      .run(projectId, name, JSON.stringify(mapping), Date.now());
  }

  savedMappings(projectId: number): { name: string; mapping: ImportMapping; createdAt: number }[] {
    const rows = this.db
      .prepare('SELECT name, mapping, created_at FROM import_mappings WHERE project_id = ? ORDER BY created_at DESC')
      .all(projectId) as { name: string; mapping: string; created_at: number }[];
    return rows.flatMap((r) => {
      const parsed = ImportMappingSchema.safeParse(JSON.parse(r.mapping));
      return parsed.success ? [{ name: r.name, mapping: parsed.data, createdAt: r.created_at }] : [];
    });
  }

  counts(projectId: number): ProjectSummary['counts'] {
    const one = (sql: string) => (this.db.prepare(sql).pluck().get(projectId) as number | null) ?? 0;
    return {
      examples: one(`SELECT count(*) FROM ${VISIBLE_EXAMPLES} WHERE e.project_id = ?`),
      groundTruth: one(
        `SELECT count(*) FROM ${VISIBLE_EXAMPLES} WHERE e.project_id = ? AND e.ground_truth IS NOT NULL`,
      ),
      modelRuns: one(`SELECT count(*) FROM model_runs m WHERE m.project_id = ? AND ${MODEL_RUN_VISIBLE}`),
      predictions: one(
        `SELECT count(*) FROM predictions p JOIN model_runs m ON m.id = p.model_run_id
         LEFT JOIN import_runs r ON r.id = p.import_run_id
         WHERE m.project_id = ? AND (p.import_run_id IS NULL OR r.status = 'done')`,
      ),
      labelEvents: one('SELECT count(*) FROM label_events WHERE project_id = ?'),
      queuePending: one(`SELECT count(*) FROM queue_items WHERE project_id = ? AND status = 'pending'`),
      interruptedImports: one(`SELECT count(*) FROM import_runs WHERE project_id = ? AND status = 'running'`),
    };
  }

  stats(project: Project): Omit<ProjectStats, 'counts' | 'project'> {
    const range = this.db
      .prepare(`SELECT min(e.ts) AS "from", max(e.ts) AS "to" FROM ${VISIBLE_EXAMPLES} WHERE e.project_id = ?`)
      .get(project.id) as { from: number | null; to: number | null };
    const truth = this.db
      .prepare(
        `SELECT e.ground_truth AS label, count(*) AS n FROM ${VISIBLE_EXAMPLES}
         WHERE e.project_id = ? AND e.ground_truth IS NOT NULL GROUP BY e.ground_truth`,
      )
      .all(project.id) as { label: string; n: number }[];
    const groundTruthCounts: Record<string, number> = {};
    for (const { label, n } of truth) {
      const names = project.taskType === 'multilabel' ? (JSON.parse(label) as string[]) : [label];
      for (const name of names) groundTruthCounts[name] = (groundTruthCounts[name] ?? 0) + n;
    }
    const runs = this.db
      .prepare(
        `SELECT m.id, m.source, m.model_name, m.model_version, m.created_at FROM model_runs m
         WHERE m.project_id = ? AND ${MODEL_RUN_VISIBLE} ORDER BY m.id`,
      )
      .all(project.id) as {
      id: number;
      source: 'import' | 'rescore';
      model_name: string;
      model_version: string;
      created_at: number;
    }[];
    const byPredicted = this.db.prepare(
      `SELECT p.predicted, count(*) AS n FROM predictions p LEFT JOIN import_runs r ON r.id = p.import_run_id
       WHERE p.model_run_id = ? AND (p.import_run_id IS NULL OR r.status = 'done') GROUP BY p.predicted`,
    );
    const modelRuns = runs.map((run) => {
      const predictedCounts: Record<string, number> = {};
      let predictions = 0;
      for (const { predicted, n } of byPredicted.all(run.id) as { predicted: number; n: number }[]) {
        predictions += n;
        project.classes.forEach((name, i) => {
          const hit = project.taskType === 'multilabel' ? Math.floor(predicted / 2 ** i) % 2 === 1 : predicted === i;
          if (hit) predictedCounts[name] = (predictedCounts[name] ?? 0) + n;
        });
      }
      return {
        id: run.id,
        source: run.source,
        modelName: run.model_name,
        modelVersion: run.model_version,
        predictions,
        predictedCounts,
        createdAt: run.created_at,
      };
    });
    return {
      timeRange: range.from === null || range.to === null ? null : { from: range.from, to: range.to },
      groundTruthCounts,
      modelRuns: modelRuns.filter((r) => r.predictions > 0),
    };
  }
}

const MODEL_RUN_VISIBLE = `EXISTS (SELECT 1 FROM predictions p LEFT JOIN import_runs r ON r.id = p.import_run_id
  WHERE p.model_run_id = m.id AND (p.import_run_id IS NULL OR r.status = 'done'))`;
