import type { LabelSchemaVersion } from '../../shared/features/labels/contract';
import type { Label, LabelChange } from '../../shared/features/labels';
import { prepared, type Db } from './database';

interface Row {
  id: number;
  project_id: number;
  version: number;
  labels: string;
  guidelines: string;
  change_note: string;
  mapping_from_previous: string | null;
  created_at: number;
}

function toVersion(r: Row): LabelSchemaVersion {
  return {
    id: r.id,
    projectId: r.project_id,
    version: r.version,
    labels: JSON.parse(r.labels) as Label[],
    guidelines: r.guidelines,
    changeNote: r.change_note,
    mappingFromPrevious:
      r.mapping_from_previous === null ? null : (JSON.parse(r.mapping_from_previous) as LabelChange[]),
    createdAt: r.created_at,
  };
}

/** Label schema versions are rows that are only ever added (a trigger refuses updates). */
export class LabelSchemaQueries {
  constructor(private readonly db: Db) {}

  all(projectId: number): LabelSchemaVersion[] {
    const rows = prepared(this.db, 'SELECT * FROM label_schema_versions WHERE project_id = ? ORDER BY version').all(
      projectId,
    ) as Row[];
    return rows.map(toVersion);
  }

  latest(projectId: number): LabelSchemaVersion | null {
    const row = prepared(
      this.db,
      'SELECT * FROM label_schema_versions WHERE project_id = ? ORDER BY version DESC LIMIT 1',
    ).get(projectId) as Row | undefined;
    return row ? toVersion(row) : null;
  }

  byVersion(projectId: number, version: number): LabelSchemaVersion | null {
    const row = prepared(this.db, 'SELECT * FROM label_schema_versions WHERE project_id = ? AND version = ?').get(
      projectId,
      version,
    ) as Row | undefined;
    return row ? toVersion(row) : null;
  }

  /** Appends the next version; the UNIQUE (project, version) key refuses a concurrent twin. */
  add(
    projectId: number,
    v: { labels: Label[]; guidelines: string; changeNote: string; mappingFromPrevious: LabelChange[] | null },
  ): LabelSchemaVersion {
    const next =
      ((prepared(this.db, 'SELECT max(version) FROM label_schema_versions WHERE project_id = ?')
        .pluck()
        .get(projectId) as number | null) ?? 0) + 1;
    const info = prepared(
      this.db,
      `INSERT INTO label_schema_versions (project_id, version, labels, guidelines, change_note, mapping_from_previous, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      projectId,
      next,
      JSON.stringify(v.labels),
      v.guidelines,
      v.changeNote,
      v.mappingFromPrevious === null ? null : JSON.stringify(v.mappingFromPrevious),
      Date.now(),
    );
    const row = prepared(this.db, 'SELECT * FROM label_schema_versions WHERE id = ?').get(
      Number(info.lastInsertRowid),
    ) as Row;
    return toVersion(row);
  }
}
