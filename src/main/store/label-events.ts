import type { LabelAction, LabelEvent } from '../../shared/features/labels';
import { prepared, type Db } from './database';

export interface NewLabelEvent {
  projectId: number;
  exampleId: number;
  annotatorId: number;
  schemaVersionId: number;
  action: LabelAction;
  labels: string[] | null;
  comment: string | null;
  timeSpentMs: number | null;
  clientEventId: string | null;
}

interface EventRow {
  id: number;
  annotator_id: number;
  schema_version_id: number;
  action: LabelAction;
  labels: string | null;
  created_at: number;
}

function toEvent(r: EventRow): LabelEvent {
  return {
    id: r.id,
    annotatorId: r.annotator_id,
    schemaVersionId: r.schema_version_id,
    action: r.action,
    labels: r.labels === null ? null : (JSON.parse(r.labels) as string[]),
    createdAt: r.created_at,
  };
}

/** Label events: appended, never changed; a retried save with the same client id is a no-op. */
export class LabelEventQueries {
  constructor(private readonly db: Db) {}

  annotatorId(name: string): number {
    const find = prepared(this.db, 'SELECT id FROM annotators WHERE name = ?').pluck();
    const known = find.get(name) as number | undefined;
    if (known !== undefined) return known;
    prepared(this.db, 'INSERT INTO annotators (name, created_at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING').run(
      name,
      Date.now(),
    );
    return find.get(name) as number;
  }

  /** The example with this log id, if an import that finished brought it. */
  visibleExample(projectId: number, externalId: string): number | null {
    const id = prepared(
      this.db,
      `SELECT e.id FROM examples e JOIN import_runs r ON r.id = e.import_run_id
         WHERE e.project_id = ? AND e.external_id = ? AND r.status = 'done'`,
    )
      .pluck()
      .get(projectId, externalId) as number | undefined;
    return id ?? null;
  }

  forExample(projectId: number, exampleId: number): LabelEvent[] {
    const rows = prepared(
      this.db,
      `SELECT id, annotator_id, schema_version_id, action, labels, created_at FROM label_events
         WHERE project_id = ? AND example_id = ? ORDER BY id`,
    ).all(projectId, exampleId) as EventRow[];
    return rows.map(toEvent);
  }

  /** Every event of a project grouped by example (in id order within each), with the example's log id. */
  byExample(projectId: number): Map<number, { externalId: string; events: LabelEvent[] }> {
    const rows = prepared(
      this.db,
      `SELECT l.id, l.example_id, e.external_id, l.annotator_id, l.schema_version_id, l.action, l.labels, l.created_at
         FROM label_events l JOIN examples e ON e.id = l.example_id
         WHERE l.project_id = ? ORDER BY l.example_id, l.id`,
    ).all(projectId) as (EventRow & { example_id: number; external_id: string })[];
    const out = new Map<number, { externalId: string; events: LabelEvent[] }>();
    for (const r of rows) {
      let entry = out.get(r.example_id);
      if (!entry) {
        entry = { externalId: r.external_id, events: [] };
        out.set(r.example_id, entry);
      }
      entry.events.push(toEvent(r));
    }
    return out;
  }

  annotatorNames(): Map<number, string> {
    const rows = prepared(this.db, 'SELECT id, name FROM annotators').all() as { id: number; name: string }[];
    return new Map(rows.map((r) => [r.id, r.name]));
  }

  byClientId(clientEventId: string): { id: number; example_id: number } | null {
    return (
      (prepared(this.db, 'SELECT id, example_id FROM label_events WHERE client_event_id = ?').get(clientEventId) as
        { id: number; example_id: number } | undefined) ?? null
    );
  }

  /** Commits on the primary connection (synchronous=FULL): once this returns, the event survives power loss. */
  append(e: NewLabelEvent): number {
    const info = prepared(
      this.db,
      `INSERT INTO label_events (project_id, example_id, annotator_id, schema_version_id, action, labels, comment,
           time_spent_ms, client_event_id, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      e.projectId,
      e.exampleId,
      e.annotatorId,
      e.schemaVersionId,
      e.action,
      e.labels === null ? null : JSON.stringify(e.labels),
      e.comment,
      e.timeSpentMs,
      e.clientEventId,
      Date.now(),
    );
    return Number(info.lastInsertRowid);
  }
}
