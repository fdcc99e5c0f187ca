import { prepared, type Db } from './database';

export interface ExportRow {
  id: number;
  project_id: number;
  schema_version_id: number | null;
  options: string;
  format: string;
  path: string;
  manifest: string;
  content_hash: string;
  created_at: number;
}

/** The record of every export built, so it can be listed and rebuilt. */
export class ExportQueries {
  constructor(private readonly db: Db) {}

  add(e: Omit<ExportRow, 'id' | 'created_at'>, now: number): number {
    return Number(
      prepared(
        this.db,
        `INSERT INTO exports (project_id, schema_version_id, options, format, path, manifest, content_hash, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(e.project_id, e.schema_version_id, e.options, e.format, e.path, e.manifest, e.content_hash, now)
        .lastInsertRowid,
    );
  }

  byId(id: number): ExportRow | null {
    return (prepared(this.db, 'SELECT * FROM exports WHERE id = ?').get(id) as ExportRow | undefined) ?? null;
  }

  forProject(projectId: number): ExportRow[] {
    return prepared(this.db, 'SELECT * FROM exports WHERE project_id = ? ORDER BY id DESC').all(
      projectId,
    ) as ExportRow[];
  }
}
