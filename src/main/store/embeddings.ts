import { prepared, type Db } from './database';

export interface EmbeddingRunRow {
  model_id: number;
  project_id: number;
  dim: number;
  last_example_id: number;
  rows: number;
  status: 'running' | 'done' | 'failed' | 'cancelled';
  error: string | null;
  updated_at: number;
}

/** Sentence embeddings: one float32 vector per example and encoder, and each encoder's run over the project. */
export class EmbeddingQueries {
  constructor(private readonly db: Db) {}

  run(modelId: number): EmbeddingRunRow | null {
    return (
      (prepared(this.db, 'SELECT * FROM embedding_runs WHERE model_id = ?').get(modelId) as
        EmbeddingRunRow | undefined) ?? null
    );
  }

  forProject(projectId: number): EmbeddingRunRow[] {
    return prepared(this.db, 'SELECT * FROM embedding_runs WHERE project_id = ? ORDER BY model_id').all(
      projectId,
    ) as EmbeddingRunRow[];
  }

  /** Starts (or continues) a run: a new run starts from the first example. */
  begin(modelId: number, projectId: number, dim: number, now: number): EmbeddingRunRow {
    prepared(
      this.db,
      `INSERT INTO embedding_runs (model_id, project_id, dim, status, updated_at) VALUES (?, ?, ?, 'running', ?)
       ON CONFLICT (model_id) DO UPDATE SET status = 'running', error = NULL, updated_at = excluded.updated_at`,
    ).run(modelId, projectId, dim, now);
    return this.run(modelId)!;
  }

  /** A finished pass has read every example visible when it started, text or not. */
  readThrough(modelId: number, projectId: number, upTo: number): void {
    prepared(
      this.db,
      'UPDATE embedding_runs SET last_example_id = max(last_example_id, ?) WHERE model_id = ? AND project_id = ?',
    ).run(upTo, modelId, projectId);
  }

  end(modelId: number, status: 'done' | 'failed' | 'cancelled', error: string | null, now: number): void {
    prepared(this.db, 'UPDATE embedding_runs SET status = ?, error = ?, updated_at = ? WHERE model_id = ?').run(
      status,
      error,
      now,
      modelId,
    );
  }

  /** Drops an encoder's stored vectors and its run (to compute them again). */
  reset(modelId: number): void {
    this.db.transaction(() => {
      prepared(this.db, 'DELETE FROM embeddings WHERE model_id = ?').run(modelId);
      prepared(this.db, 'DELETE FROM embedding_runs WHERE model_id = ?').run(modelId);
    })();
  }

  /** The highest example id an import has finished bringing into the project (0: none). */
  lastVisibleExample(projectId: number): number {
    return prepared(
      this.db,
      `SELECT coalesce(max(e.id), 0) FROM examples e JOIN import_runs r ON r.id = e.import_run_id
       WHERE e.project_id = ? AND r.status = 'done'`,
    )
      .pluck()
      .get(projectId) as number;
  }

  /** Vectors stored for an encoder (a quick count for status). */
  count(modelId: number): number {
    return prepared(this.db, 'SELECT count(*) FROM embeddings WHERE model_id = ?').pluck().get(modelId) as number;
  }

  /** Lengths (bytes) of the stored vectors that differ from `dim` floats, with how many have each. */
  otherWidths(modelId: number, dim: number): { bytes: number; n: number }[] {
    return prepared(
      this.db,
      'SELECT length(vector) AS bytes, count(*) AS n FROM embeddings WHERE model_id = ? AND length(vector) <> ? GROUP BY 1',
    ).all(modelId, dim * 4) as { bytes: number; n: number }[];
  }

  /** Vectors of the given examples, in no particular order (absent ones are missing). */
  vectors(modelId: number, exampleIds: ArrayLike<number>): { example_id: number; vector: Buffer }[] {
    const out: { example_id: number; vector: Buffer }[] = [];
    const one = prepared(this.db, 'SELECT example_id, vector FROM embeddings WHERE model_id = ? AND example_id = ?');
    for (let i = 0; i < exampleIds.length; i++) {
      const row = one.get(modelId, exampleIds[i]) as { example_id: number; vector: Buffer } | undefined;
      if (row) out.push(row);
    }
    return out;
  }

  /** Every stored vector of an encoder, in example id order. */
  all(modelId: number): IterableIterator<{ example_id: number; vector: Buffer }> {
    return prepared(
      this.db,
      'SELECT example_id, vector FROM embeddings WHERE model_id = ? ORDER BY example_id',
    ).iterate(modelId) as IterableIterator<{ example_id: number; vector: Buffer }>;
  }
}

/**
 * Writes one window of embeddings and the run's position (the last example read) in one
 * transaction, on the bulk connection: a stopped run keeps whole windows and where to go on.
 */
export function embeddingWriter(db: Db, modelId: number) {
  const insert = db.prepare('INSERT OR REPLACE INTO embeddings (model_id, example_id, vector) VALUES (?, ?, ?)');
  const advance = db.prepare(
    'UPDATE embedding_runs SET last_example_id = ?, rows = rows + ?, updated_at = ? WHERE model_id = ?',
  );
  return db.transaction((ids: Int32Array, vectors: Float32Array, dim: number, lastRead: number) => {
    const bytes = Buffer.from(vectors.buffer, vectors.byteOffset, vectors.byteLength);
    for (let i = 0; i < ids.length; i++) insert.run(modelId, ids[i], bytes.subarray(i * dim * 4, (i + 1) * dim * 4));
    advance.run(lastRead, ids.length, Date.now(), modelId);
  });
}
