import { prepared, type Db } from './database';

/** Reads behind evaluation and drift. */
export class InsightQueries {
  constructor(private readonly db: Db) {}

  /** For each queued example, the strategy of the mining run that queued it. */
  queueOrigins(projectId: number): Map<number, string> {
    const rows = prepared(
      this.db,
      `SELECT q.example_id, m.strategy FROM queue_items q JOIN mining_runs m ON m.id = q.mining_run_id WHERE q.project_id = ?`,
    ).all(projectId) as { example_id: number; strategy: string }[];
    return new Map(rows.map((r) => [r.example_id, r.strategy]));
  }

  /** Example id → timestamp, for examples that have one. */
  timestamps(projectId: number): Map<number, number> {
    const rows = prepared(this.db, 'SELECT id, ts FROM examples WHERE project_id = ? AND ts IS NOT NULL')
      .raw()
      .all(projectId) as [number, number][];
    return new Map(rows);
  }

  /** Feature vectors of the examples in [from, to). */
  featuresIn(projectId: number, from: number, to: number): Buffer[] {
    return prepared(
      this.db,
      'SELECT features FROM examples WHERE project_id = ? AND ts >= ? AND ts < ? AND features IS NOT NULL',
    )
      .pluck()
      .all(projectId, from, to) as Buffer[];
  }

  /** Example id → its metadata JSON, for the examples that have any. */
  metadata(projectId: number): Map<number, string> {
    const rows = prepared(this.db, 'SELECT id, metadata FROM examples WHERE project_id = ? AND metadata IS NOT NULL')
      .raw()
      .all(projectId) as [number, string][];
    return new Map(rows);
  }

  /** External id and text of the examples, by id. */
  describe(ids: readonly number[]): Map<number, { externalId: string; text: string | null }> {
    const one = prepared(this.db, 'SELECT external_id, text FROM examples WHERE id = ?');
    const out = new Map<number, { externalId: string; text: string | null }>();
    for (const id of ids) {
      const r = one.get(id) as { external_id: string; text: string | null } | undefined;
      if (r) out.set(id, { externalId: r.external_id, text: r.text });
    }
    return out;
  }
}
