import { prepared, type Db } from './database';

/** One example as a row of the data browser shows it (long texts cut). */
export interface BrowsePageRow {
  id: number;
  external_id: string;
  ts: number | null;
  text: string | null;
  text_length: number | null;
  image_path: string | null;
  metadata: string | null;
  ground_truth: string | null;
}

export interface BrowseEventRow {
  example_id: number;
  id: number;
  annotator_id: number;
  schema_version_id: number;
  action: string;
  labels: string | null;
  comment: string | null;
  created_at: number;
}

const PAGE_TEXT_CHARS = 400;

/** Reads behind the data browser: the visible examples, searches, and the rows of one page. */
export class BrowseQueries {
  constructor(private readonly db: Db) {}

  /** Changes whenever an import finishes (or is discarded): the visible examples' identity. */
  examplesVersion(projectId: number): string {
    return prepared(
      this.db,
      `SELECT count(*) || ':' || coalesce(max(id), 0) || ':' || coalesce(sum(examples_added), 0)
         FROM import_runs WHERE project_id = ? AND status = 'done'`,
    )
      .pluck()
      .get(projectId) as string;
  }

  /** Every example an import finished bringing, in id order, with its time: [id, ts] rows. */
  visibleExamples(projectId: number): [number, number | null][] {
    return prepared(
      this.db,
      `SELECT e.id, e.ts FROM examples e JOIN import_runs r ON r.id = e.import_run_id
         WHERE e.project_id = ? AND r.status = 'done' ORDER BY e.id`,
    )
      .raw()
      .all(projectId) as [number, number | null][];
  }

  /** Examples whose text or id holds the needle (ASCII letters compared without case). */
  search(projectId: number, needle: string): number[] {
    const lowered = needle.toLowerCase();
    return prepared(
      this.db,
      `SELECT id FROM examples WHERE project_id = ? AND (instr(lower(text), ?) > 0 OR instr(lower(external_id), ?) > 0)`,
    )
      .pluck()
      .all(projectId, lowered, lowered) as number[];
  }

  /** The ground truth of every example that has one: [example id, class or JSON list of classes] rows. */
  groundTruths(projectId: number): [number, string][] {
    return prepared(this.db, 'SELECT id, ground_truth FROM examples WHERE project_id = ? AND ground_truth IS NOT NULL')
      .raw()
      .all(projectId) as [number, string][];
  }

  /** Whether any example of the project has a ground truth. */
  hasGroundTruth(projectId: number): boolean {
    return (
      prepared(this.db, 'SELECT EXISTS (SELECT 1 FROM examples WHERE project_id = ? AND ground_truth IS NOT NULL)')
        .pluck()
        .get(projectId) === 1
    );
  }

  /**
   * One metadata field of every visible example, row by row as `visibleExamples` lists them (null
   * where an example lacks it): values alone, no ids, so a million rows cost a million strings only.
   */
  metadataValues(projectId: number, key: string): (string | number | null)[] {
    return prepared(
      this.db,
      `SELECT json_extract(e.metadata, ?) FROM examples e JOIN import_runs r ON r.id = e.import_run_id
         WHERE e.project_id = ? AND r.status = 'done' ORDER BY e.id`,
    )
      .pluck()
      .all(`$.${JSON.stringify(key)}`, projectId) as (string | number | null)[];
  }

  /** The metadata keys of a sample of examples (for the filter's choices). */
  metadataKeys(projectId: number): string[] {
    return prepared(
      this.db,
      `SELECT DISTINCT j.key FROM (SELECT metadata FROM examples WHERE project_id = ? AND metadata IS NOT NULL LIMIT 500) s,
         json_each(s.metadata) j ORDER BY j.key`,
    )
      .pluck()
      .all(projectId) as string[];
  }

  /** The rows of one page, in the order of `ids`. */
  page(ids: readonly number[]): BrowsePageRow[] {
    return prepared(
      this.db,
      `SELECT e.id, e.external_id, e.ts, substr(e.text, 1, ${PAGE_TEXT_CHARS}) AS text, length(e.text) AS text_length,
              e.image_path, e.metadata, e.ground_truth
         FROM json_each(?) j JOIN examples e ON e.id = j.value ORDER BY j.key`,
    ).all(JSON.stringify(ids)) as BrowsePageRow[];
  }

  /** Changes with every label event of the project. */
  labelsVersion(projectId: number): number {
    return (prepared(this.db, 'SELECT coalesce(max(id), 0) FROM label_events WHERE project_id = ?')
      .pluck()
      .get(projectId) ?? 0) as number;
  }

  /** Every label event of the project, by example then id. */
  labelEvents(projectId: number): BrowseEventRow[] {
    return prepared(
      this.db,
      `SELECT example_id, id, annotator_id, schema_version_id, action, labels, comment, created_at
         FROM label_events WHERE project_id = ? ORDER BY example_id, id`,
    ).all(projectId) as BrowseEventRow[];
  }

  /** Queue status of every queued example: [example id, status] rows. */
  queueStatuses(projectId: number): [number, string][] {
    return prepared(this.db, 'SELECT example_id, status FROM queue_items WHERE project_id = ?')
      .raw()
      .all(projectId) as [number, string][];
  }

  /** Queue status of these examples (those queued): [example id, status] rows. */
  queueStatusesOf(ids: readonly number[]): [number, string][] {
    return prepared(
      this.db,
      'SELECT q.example_id, q.status FROM json_each(?) j JOIN queue_items q ON q.example_id = j.value',
    )
      .raw()
      .all(JSON.stringify(ids)) as [number, string][];
  }

  /** One example by its external id (visible or not: the caller checks), whole. */
  example(
    projectId: number,
    externalId: string,
  ): (BrowsePageRow & { text_parts: string | null; visible: number }) | null {
    return (
      (prepared(
        this.db,
        `SELECT e.id, e.external_id, e.ts, e.text, e.text_parts, length(e.text) AS text_length, e.image_path, e.metadata,
                e.ground_truth, r.status = 'done' AS visible
           FROM examples e JOIN import_runs r ON r.id = e.import_run_id
          WHERE e.project_id = ? AND e.external_id = ?`,
      ).get(projectId, externalId) as (BrowsePageRow & { text_parts: string | null; visible: number }) | undefined) ??
      null
    );
  }

  /** An example's label events with the annotator's name, oldest first. */
  history(exampleId: number): (BrowseEventRow & { annotator: string })[] {
    return prepared(
      this.db,
      `SELECT l.example_id, l.id, l.annotator_id, l.schema_version_id, l.action, l.labels, l.comment, l.created_at,
              a.name AS annotator
         FROM label_events l JOIN annotators a ON a.id = l.annotator_id
        WHERE l.example_id = ? ORDER BY l.id`,
    ).all(exampleId) as (BrowseEventRow & { annotator: string })[];
  }

  /** Each run's prediction of one example: [model run id, predicted, scores]. */
  predictionsOf(exampleId: number): [number, number, Buffer][] {
    return prepared(
      this.db,
      `SELECT p.model_run_id, p.predicted, p.scores FROM predictions p
         LEFT JOIN import_runs r ON r.id = p.import_run_id
        WHERE p.example_id = ? AND (p.import_run_id IS NULL OR r.status = 'done') ORDER BY p.model_run_id`,
    )
      .raw()
      .all(exampleId) as [number, number, Buffer][];
  }
}
