import { prepared, type Db } from './database';

export interface LearnerRow {
  project_id: number;
  representation: string;
  every_labels: number;
  control_share: number;
  label_source: 'curated' | 'curated+truth';
  l2: number;
  created_at: number;
  updated_at: number;
}

export interface RefreshRow {
  id: number;
  project_id: number;
  representation: string;
  schema_version_id: number;
  labels: number;
  class_counts: string;
  training_hash: string;
  last_event_id: number;
  model_run_id: number | null;
  mining_run_id: number | null;
  cold_start: number;
  kappa_previous: number | null;
  fit: string;
  timings: string;
  created_at: number;
}

export type NewRefresh = Omit<RefreshRow, 'id'>;

export interface WeightsRow {
  refresh_id: number;
  role: 'learner' | 'control';
  labels: number;
  dim: number;
  outputs: number;
  weights: Buffer;
  meta: string;
}

export interface PrequentialRow {
  example_id: number;
  label_event_id: number;
  refresh_id: number;
  labels_at: number;
  origin: 'mined' | 'control';
  truth: number;
  predicted: number;
  probs: Buffer;
  correct: number;
  random_correct: number | null;
  random_labels_at: number | null;
  created_at: number;
}

const DECISIONS = `('label', 'accept', 'reject', 'adjudicate')`;

/** The learner in the loop: its configuration, refreshes, weights and prequential record. */
export class LearnQueries {
  constructor(private readonly db: Db) {}

  config(projectId: number): LearnerRow | null {
    return (
      (prepared(this.db, 'SELECT * FROM learners WHERE project_id = ?').get(projectId) as LearnerRow | undefined) ??
      null
    );
  }

  configure(row: Omit<LearnerRow, 'created_at' | 'updated_at'>, now: number): void {
    prepared(
      this.db,
      `INSERT INTO learners (project_id, representation, every_labels, control_share, label_source, l2, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (project_id) DO UPDATE SET representation = excluded.representation,
         every_labels = excluded.every_labels, control_share = excluded.control_share,
         label_source = excluded.label_source, l2 = excluded.l2, updated_at = excluded.updated_at`,
    ).run(row.project_id, row.representation, row.every_labels, row.control_share, row.label_source, row.l2, now, now);
  }

  addRefresh(r: NewRefresh): number {
    return Number(
      prepared(
        this.db,
        `INSERT INTO learner_refreshes (project_id, representation, schema_version_id, labels, class_counts, training_hash,
           last_event_id, model_run_id, mining_run_id, cold_start, kappa_previous, fit, timings, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        r.project_id,
        r.representation,
        r.schema_version_id,
        r.labels,
        r.class_counts,
        r.training_hash,
        r.last_event_id,
        r.model_run_id,
        r.mining_run_id,
        r.cold_start,
        r.kappa_previous,
        r.fit,
        r.timings,
        r.created_at,
      ).lastInsertRowid,
    );
  }

  saveWeights(w: WeightsRow): void {
    prepared(
      this.db,
      `INSERT OR REPLACE INTO learner_weights (refresh_id, role, labels, dim, outputs, weights, meta)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ).run(w.refresh_id, w.role, w.labels, w.dim, w.outputs, w.weights, w.meta);
  }

  weights(refreshId: number, role: 'learner' | 'control' = 'learner'): WeightsRow | null {
    return (
      (prepared(this.db, 'SELECT * FROM learner_weights WHERE refresh_id = ? AND role = ?').get(refreshId, role) as
        WeightsRow | undefined) ?? null
    );
  }

  latestRefresh(projectId: number): RefreshRow | null {
    return (
      (prepared(this.db, 'SELECT * FROM learner_refreshes WHERE project_id = ? ORDER BY id DESC LIMIT 1').get(
        projectId,
      ) as RefreshRow | undefined) ?? null
    );
  }

  refreshById(id: number): RefreshRow | null {
    return (
      (prepared(this.db, 'SELECT * FROM learner_refreshes WHERE id = ?').get(id) as RefreshRow | undefined) ?? null
    );
  }

  /** Newest first. */
  refreshes(projectId: number, limit: number): RefreshRow[] {
    return prepared(this.db, 'SELECT * FROM learner_refreshes WHERE project_id = ? ORDER BY id DESC LIMIT ?').all(
      projectId,
      limit,
    ) as RefreshRow[];
  }

  refreshCount(projectId: number): number {
    return prepared(this.db, 'SELECT count(*) FROM learner_refreshes WHERE project_id = ?')
      .pluck()
      .get(projectId) as number;
  }

  /** Label decisions recorded after this event id: what the refresh cadence counts. */
  decisionsAfter(projectId: number, eventId: number): number {
    return prepared(
      this.db,
      `SELECT count(*) FROM label_events WHERE id > ? AND project_id = ? AND action IN ${DECISIONS}`,
    )
      .pluck()
      .get(eventId, projectId) as number;
  }

  lastEventId(projectId: number): number {
    return (prepared(this.db, 'SELECT coalesce(max(id), 0) FROM label_events WHERE project_id = ?')
      .pluck()
      .get(projectId) ?? 0) as number;
  }

  addPrequential(projectId: number, r: PrequentialRow): void {
    prepared(
      this.db,
      `INSERT INTO learner_prequential (project_id, example_id, label_event_id, refresh_id, labels_at, origin, truth,
         predicted, probs, correct, random_correct, random_labels_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (label_event_id) DO NOTHING`,
    ).run(
      projectId,
      r.example_id,
      r.label_event_id,
      r.refresh_id,
      r.labels_at,
      r.origin,
      r.truth,
      r.predicted,
      r.probs,
      r.correct,
      r.random_correct,
      r.random_labels_at,
      r.created_at,
    );
  }

  /** The prequential record in label order. */
  prequential(projectId: number): PrequentialRow[] {
    return prepared(
      this.db,
      `SELECT example_id, label_event_id, refresh_id, labels_at, origin, truth, predicted, probs, correct,
         random_correct, random_labels_at, created_at FROM learner_prequential WHERE project_id = ? ORDER BY id`,
    ).all(projectId) as PrequentialRow[];
  }

  /** Examples of every frozen evaluation set of the project: never trained on. */
  heldOut(projectId: number): Set<number> {
    return new Set(
      prepared(
        this.db,
        `SELECT DISTINCT x.example_id FROM eval_set_examples x JOIN eval_sets s ON s.id = x.eval_set_id WHERE s.project_id = ?`,
      )
        .pluck()
        .all(projectId) as number[],
    );
  }

  /** Every example the learner scores: those of finished imports, in id order, with what it may read. */
  exampleIds(projectId: number): Int32Array {
    return Int32Array.from(
      prepared(
        this.db,
        `SELECT e.id FROM examples e JOIN import_runs r ON r.id = e.import_run_id
          WHERE +e.project_id = ? AND r.status = 'done' ORDER BY e.id`,
      )
        .pluck()
        .all(projectId) as number[],
    );
  }

  /**
   * Raw feature vectors and texts of examples in [fromId, toId], id order (one read of a window).
   * `+project_id` keeps SQLite on the rowid range rather than the (project, external id) index,
   * which would scan the whole project for every window.
   */
  inputsBetween(
    projectId: number,
    fromId: number,
    toId: number,
    what: 'features' | 'text',
  ): { id: number; value: Buffer | string | null }[] {
    const column = what === 'features' ? 'features' : 'text';
    return prepared(
      this.db,
      `SELECT e.id, e.${column} AS value FROM examples e JOIN import_runs r ON r.id = e.import_run_id
        WHERE +e.project_id = ? AND e.id BETWEEN ? AND ? AND r.status = 'done' ORDER BY e.id`,
    ).all(projectId, fromId, toId) as { id: number; value: Buffer | string | null }[];
  }

  /** Whether any example of the project carries this input at all (a cheap look before a refusal). */
  hasInput(projectId: number, what: 'features' | 'text'): boolean {
    const column = what === 'features' ? 'features' : 'text';
    return (
      prepared(this.db, `SELECT 1 FROM examples WHERE project_id = ? AND ${column} IS NOT NULL LIMIT 1`).get(
        projectId,
      ) !== undefined
    );
  }

  /** Queue items a refresh may re-rank: pending ones. Leased, done and skipped items stay put. */
  pendingItems(projectId: number): { example_id: number; control: number; strategy: string }[] {
    return prepared(
      this.db,
      `SELECT q.example_id, q.control, m.strategy FROM queue_items q JOIN mining_runs m ON m.id = q.mining_run_id
        WHERE q.project_id = ? AND q.status = 'pending'`,
    ).all(projectId) as { example_id: number; control: number; strategy: string }[];
  }

  /** Sets a pending item's place in the queue; an item leased meanwhile is left alone. */
  reprioritise(
    projectId: number,
    miningRunId: number,
    exampleId: number,
    priority: number,
    reason: string,
    control: boolean,
  ) {
    return prepared(
      this.db,
      `UPDATE queue_items SET priority = ?, reason = ?, mining_run_id = ?, control = max(control, ?)
        WHERE project_id = ? AND example_id = ? AND status = 'pending'`,
    ).run(priority, reason, miningRunId, control ? 1 : 0, projectId, exampleId).changes;
  }

  /** Whether the example's queue item was drawn by a random control sample. */
  isControl(projectId: number, exampleId: number): boolean {
    return (
      (prepared(this.db, 'SELECT control FROM queue_items WHERE project_id = ? AND example_id = ?')
        .pluck()
        .get(projectId, exampleId) as number | undefined) === 1
    );
  }

  /** The learner's model run of this many labels, if one exists (its version may carry a suffix). */
  learnerRuns(projectId: number): { id: number; model_version: string; import_run_id: number | null }[] {
    return prepared(
      this.db,
      `SELECT id, model_version, import_run_id FROM model_runs WHERE project_id = ? AND source = 'rescore' AND model_name = 'learner'`,
    ).all(projectId) as { id: number; model_version: string; import_run_id: number | null }[];
  }

  schemaVersionNumber(schemaVersionId: number): number | null {
    return (prepared(this.db, 'SELECT version FROM label_schema_versions WHERE id = ?').pluck().get(schemaVersionId) ??
      null) as number | null;
  }

  modelRunName(modelRunId: number): { model_name: string; model_version: string } | null {
    return (
      (prepared(this.db, 'SELECT model_name, model_version FROM model_runs WHERE id = ?').get(modelRunId) as
        { model_name: string; model_version: string } | undefined) ?? null
    );
  }

  /** Whether this event is the example's first decision (an earlier one may have been learned from). */
  firstDecision(projectId: number, exampleId: number, eventId: number): boolean {
    return (
      prepared(
        this.db,
        `SELECT 1 FROM label_events WHERE project_id = ? AND example_id = ? AND id < ? AND action IN ${DECISIONS} LIMIT 1`,
      ).get(projectId, exampleId, eventId) === undefined
    );
  }

  hasGroundTruth(exampleId: number): boolean {
    return (
      prepared(this.db, 'SELECT 1 FROM examples WHERE id = ? AND ground_truth IS NOT NULL').get(exampleId) !== undefined
    );
  }

  /** The newest label-issues mining run: when, how many labels it checked, flagged and queued. */
  lastLabelIssuesRun(projectId: number): { at: number; checked: number; flagged: number; queued: number } | null {
    const row = prepared(
      this.db,
      `SELECT created_at, items_added, summary FROM mining_runs WHERE project_id = ? AND strategy = 'label-issues'
        ORDER BY id DESC LIMIT 1`,
    ).get(projectId) as { created_at: number; items_added: number; summary: string } | undefined;
    if (!row) return null;
    const summary = JSON.parse(row.summary) as { checked?: number; flagged?: number; queued?: number };
    return {
      at: row.created_at,
      checked: summary.checked ?? 0,
      flagged: summary.flagged ?? 0,
      queued: summary.queued ?? row.items_added,
    };
  }

  /**
   * Puts labeled examples back for one more annotator's label (a second look): a new item, or the
   * example's item pending again with one more label wanted. A leased item is left to its holder.
   */
  queueSecondLook(
    projectId: number,
    miningRunId: number,
    items: readonly { exampleId: number; priority: number; reason: string }[],
    now: number,
  ): { added: number; updated: number; unchanged: number } {
    const find = prepared(
      this.db,
      'SELECT status, labels_wanted FROM queue_items WHERE project_id = ? AND example_id = ?',
    );
    const insert = prepared(
      this.db,
      `INSERT INTO queue_items (project_id, example_id, mining_run_id, priority, reason, status, labels_wanted, added_at)
       VALUES (?, ?, ?, ?, ?, 'pending', 2, ?)`,
    );
    const again = prepared(
      this.db,
      `UPDATE queue_items SET status = 'pending', priority = ?, reason = ?, mining_run_id = ?,
         labels_wanted = CASE WHEN status = 'pending' THEN labels_wanted ELSE labels_wanted + 1 END
       WHERE project_id = ? AND example_id = ? AND status != 'leased'`,
    );
    let added = 0;
    let updated = 0;
    let unchanged = 0;
    for (const item of items) {
      const existing = find.get(projectId, item.exampleId) as { status: string } | undefined;
      if (!existing) {
        insert.run(projectId, item.exampleId, miningRunId, item.priority, item.reason, now);
        added++;
      } else if (existing.status === 'leased') unchanged++;
      else {
        again.run(item.priority, item.reason, miningRunId, projectId, item.exampleId);
        updated++;
      }
    }
    return { added, updated, unchanged };
  }

  /** Of these examples, those whose queue item was drawn by a random control sample. */
  controlExamples(projectId: number): Set<number> {
    return new Set(
      prepared(this.db, 'SELECT example_id FROM queue_items WHERE project_id = ? AND control = 1')
        .pluck()
        .all(projectId) as number[],
    );
  }
}
