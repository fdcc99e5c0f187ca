import { prepared, type Db } from './database';

export type QueueStatus = 'pending' | 'leased' | 'done' | 'skipped';

export interface NewQueueItem {
  exampleId: number;
  priority: number;
  reason: string;
  labelsWanted: number;
  /** Part of the run's random control sample. */
  control?: boolean;
}

export interface QueueItemRow {
  id: number;
  example_id: number;
  external_id: string;
  mining_run_id: number;
  priority: number;
  reason: string;
  status: QueueStatus;
  labels_wanted: number;
  control: number;
  lease_annotator: number | null;
  lease_annotator_name: string | null;
  lease_session: string | null;
  lease_expires_at: number | null;
  /** The start of the example's text: list() only. */
  snippet?: string | null;
}

/** How much of an example's text a queue listing carries. */
export const SNIPPET_CHARS = 200;

const ITEM_COLUMNS = `q.id, q.example_id, e.external_id, q.mining_run_id, q.priority, q.reason, q.status, q.labels_wanted,
  q.control, q.lease_annotator, a.name AS lease_annotator_name, q.lease_session, q.lease_expires_at`;
const ITEM_FROM = `queue_items q JOIN examples e ON e.id = q.example_id LEFT JOIN annotators a ON a.id = q.lease_annotator`;

/**
 * The review queue. Leases are taken inside BEGIN IMMEDIATE transactions, so two processes (or two
 * windows) calling next at once are serialised by SQLite's write lock and never get the same item.
 */
export class QueueQueries {
  constructor(private readonly db: Db) {}

  /** Adds new items and raises the priority of pending ones; never duplicates an example. */
  merge(projectId: number, miningRunId: number, items: readonly NewQueueItem[], now: number) {
    const find = prepared(
      this.db,
      'SELECT status, priority, labels_wanted FROM queue_items WHERE project_id = ? AND example_id = ?',
    );
    const wantMore = prepared(
      this.db,
      'UPDATE queue_items SET labels_wanted = ?, control = max(control, ?) WHERE project_id = ? AND example_id = ?',
    );
    const insert = prepared(
      this.db,
      `INSERT INTO queue_items (project_id, example_id, mining_run_id, priority, reason, status, labels_wanted, added_at, control)
       VALUES (?, ?, ?, ?, ?, 'pending', ?, ?, ?)`,
    );
    // Once drawn by a control sample an item stays in it: it was drawn uniformly, whatever ranks it later.
    const raise = prepared(
      this.db,
      `UPDATE queue_items SET priority = ?, reason = ?, mining_run_id = ?, labels_wanted = max(labels_wanted, ?),
         control = max(control, ?) WHERE project_id = ? AND example_id = ?`,
    );
    let added = 0;
    let updated = 0;
    let unchanged = 0;
    for (const item of items) {
      const c = item.control ? 1 : 0;
      const existing = find.get(projectId, item.exampleId) as
        { status: QueueStatus; priority: number; labels_wanted: number } | undefined;
      if (!existing) {
        insert.run(projectId, item.exampleId, miningRunId, item.priority, item.reason, item.labelsWanted, now, c);
        added++;
      } else if (existing.status === 'pending' && item.priority > existing.priority) {
        raise.run(item.priority, item.reason, miningRunId, item.labelsWanted, c, projectId, item.exampleId);
        updated++;
      } else {
        if (existing.status === 'pending' && (item.labelsWanted > existing.labels_wanted || c === 1))
          wantMore.run(Math.max(item.labelsWanted, existing.labels_wanted), c, projectId, item.exampleId);
        unchanged++;
      }
    }
    return { added, updated, unchanged };
  }

  /**
   * Puts examples back in the queue at the top (priority 1), whatever their item's state: their
   * label no longer exists in the current schema version. Returns how many items were queued.
   */
  requeue(
    projectId: number,
    miningRunId: number,
    items: readonly { exampleId: number; reason: string }[],
    now: number,
  ) {
    const upsert = prepared(
      this.db,
      `INSERT INTO queue_items (project_id, example_id, mining_run_id, priority, reason, status, labels_wanted, added_at)
       VALUES (?, ?, ?, 1, ?, 'pending', 1, ?)
       ON CONFLICT (project_id, example_id) DO UPDATE SET mining_run_id = excluded.mining_run_id, priority = 1,
         reason = excluded.reason, status = 'pending', labels_wanted = 1, lease_annotator = NULL,
         lease_session = NULL, lease_expires_at = NULL`,
    );
    for (const item of items) upsert.run(projectId, item.exampleId, miningRunId, item.reason, now);
    return items.length;
  }

  /** Example ids whose queue item is no longer pending (leased, done or skipped). */
  notPending(projectId: number): number[] {
    return prepared(this.db, `SELECT example_id FROM queue_items WHERE project_id = ? AND status != 'pending'`)
      .pluck()
      .all(projectId) as number[];
  }

  pendingCount(projectId: number): number {
    return (prepared(this.db, `SELECT n FROM queue_status_counts WHERE project_id = ? AND status = 'pending'`)
      .pluck()
      .get(projectId) ?? 0) as number;
  }

  /** Returns expired leases to the queue. */
  expireLeases(projectId: number, now: number): number {
    return prepared(
      this.db,
      `UPDATE queue_items SET status = 'pending', lease_annotator = NULL, lease_session = NULL, lease_expires_at = NULL
         WHERE project_id = ? AND status = 'leased' AND lease_expires_at <= ?`,
    ).run(projectId, now).changes;
  }

  /** The unexpired lease this annotator's session already holds, if any. */
  heldBy(projectId: number, annotatorId: number, session: string, now: number): QueueItemRow | null {
    return (
      (prepared(
        this.db,
        `SELECT ${ITEM_COLUMNS} FROM ${ITEM_FROM}
           WHERE q.project_id = ? AND q.status = 'leased' AND q.lease_annotator = ?
             AND (q.lease_session = ? OR q.lease_session IS NULL) AND q.lease_expires_at > ?
           ORDER BY q.priority DESC LIMIT 1`,
      ).get(projectId, annotatorId, session, now) as QueueItemRow | undefined) ?? null
    );
  }

  /**
   * The highest-priority pending item this annotator has not decided yet under the current schema
   * version (an item wanting a second label is pending again after the first; one requeued after a
   * split wants a new decision). A decision this annotator undid afterwards does not count.
   */
  nextPending(
    projectId: number,
    annotatorId: number,
    schemaVersionId: number,
  ): { id: number; example_id: number } | null {
    return (
      (prepared(
        this.db,
        `SELECT q.id, q.example_id FROM queue_items q
           WHERE q.project_id = ? AND q.status = 'pending'
             AND NOT EXISTS (SELECT 1 FROM label_events l WHERE l.project_id = q.project_id AND l.annotator_id = ?
                             AND l.example_id = q.example_id AND l.schema_version_id = ?
                             AND l.action IN ('label', 'accept', 'reject')
                             AND NOT EXISTS (SELECT 1 FROM label_events u WHERE u.project_id = l.project_id
                                             AND u.example_id = l.example_id AND u.annotator_id = l.annotator_id
                                             AND u.action = 'undo' AND u.id > l.id))
           ORDER BY q.priority DESC, q.id LIMIT 1`,
      ).get(projectId, annotatorId, schemaVersionId) as { id: number; example_id: number } | undefined) ?? null
    );
  }

  /** `session` null: held by the annotator in whichever session asks next (an item given back by an undo). */
  lease(id: number, annotatorId: number, session: string | null, expiresAt: number): void {
    prepared(
      this.db,
      `UPDATE queue_items SET status = 'leased', lease_annotator = ?, lease_session = ?, lease_expires_at = ? WHERE id = ?`,
    ).run(annotatorId, session, expiresAt, id);
  }

  item(id: number): QueueItemRow {
    return prepared(this.db, `SELECT ${ITEM_COLUMNS} FROM ${ITEM_FROM} WHERE q.id = ?`).get(id) as QueueItemRow;
  }

  forExample(projectId: number, exampleId: number): QueueItemRow | null {
    return (
      (prepared(this.db, `SELECT ${ITEM_COLUMNS} FROM ${ITEM_FROM} WHERE q.project_id = ? AND q.example_id = ?`).get(
        projectId,
        exampleId,
      ) as QueueItemRow | undefined) ?? null
    );
  }

  setStatus(id: number, status: Exclude<QueueStatus, 'leased'>): void {
    prepared(
      this.db,
      `UPDATE queue_items SET status = ?, lease_annotator = NULL, lease_session = NULL, lease_expires_at = NULL WHERE id = ?`,
    ).run(status, id);
  }

  /** Gives back this annotator's leases (one session, or all of them). */
  release(projectId: number, annotatorId: number, session: string | null): number {
    return prepared(
      this.db,
      `UPDATE queue_items SET status = 'pending', lease_annotator = NULL, lease_session = NULL, lease_expires_at = NULL
         WHERE project_id = ? AND status = 'leased' AND lease_annotator = ? AND (? IS NULL OR lease_session = ?)`,
    ).run(projectId, annotatorId, session, session).changes;
  }

  counts(projectId: number, now: number): Record<QueueStatus, number> & { expired: number; doubles: number } {
    const rows = prepared(
      this.db,
      `SELECT status, count(*) AS n, sum(status = 'leased' AND lease_expires_at <= ?) AS expired,
           sum(labels_wanted > 1) AS doubles
         FROM queue_items WHERE project_id = ? GROUP BY status`,
    ).all(now, projectId) as { status: QueueStatus; n: number; expired: number; doubles: number }[];
    const out = { pending: 0, leased: 0, done: 0, skipped: 0, expired: 0, doubles: 0 };
    for (const r of rows) {
      out[r.status] = r.n;
      out.expired += r.expired;
      out.doubles += r.doubles;
    }
    return out;
  }

  list(projectId: number, status: QueueStatus | null, limit: number, offset: number): QueueItemRow[] {
    return prepared(
      this.db,
      `SELECT ${ITEM_COLUMNS}, substr(e.text, 1, ${SNIPPET_CHARS}) AS snippet FROM ${ITEM_FROM}
         WHERE q.project_id = ? AND (? IS NULL OR q.status = ?)
         ORDER BY q.priority DESC, q.id LIMIT ? OFFSET ?`,
    ).all(projectId, status, status, limit, offset) as QueueItemRow[];
  }

  /** Items per mining strategy, per predicted class of one model run, and per status. */
  breakdown(projectId: number, modelRunId: number | null) {
    return prepared(
      this.db,
      `SELECT m.strategy, p.predicted, q.status, count(*) AS n
         FROM queue_items q JOIN mining_runs m ON m.id = q.mining_run_id
         LEFT JOIN predictions p ON p.model_run_id = ? AND p.example_id = q.example_id
        WHERE q.project_id = ? GROUP BY 1, 2, 3`,
    ).all(modelRunId, projectId) as { strategy: string; predicted: number | null; status: QueueStatus; n: number }[];
  }
}
