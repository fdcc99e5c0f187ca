import type { ImportRun } from '../../shared/features/import/contract';
import type { Db } from './database';

export interface ImportRunRow {
  id: number;
  project_id: number;
  source_path: string;
  source_size: number;
  fingerprint: string;
  sha256: string | null;
  format: ImportRun['format'];
  compression: ImportRun['compression'];
  mapping: string;
  strict: number;
  status: 'running' | 'done' | 'failed' | 'cancelled';
  owner_pid: number | null;
  owner_host: string | null;
  /** When the holder last proved it is alive (ms); see features/import/run-lock.ts. */
  heartbeat_at: number | null;
  records_read: number;
  rows_imported: number;
  rows_rejected: number;
  rows_present: number;
  examples_added: number;
  rejects_path: string | null;
  rejects_bytes: number;
  error: string | null;
  started_at: number;
  finished_at: number | null;
}

export interface NewImportRun {
  projectId: number;
  sourcePath: string;
  sourceSize: number;
  fingerprint: string;
  format: ImportRun['format'];
  compression: ImportRun['compression'];
  mapping: string;
  strict: boolean;
  ownerPid: number;
  ownerHost: string;
}

export class ImportRunQueries {
  constructor(private readonly db: Db) {}

  create(r: NewImportRun): ImportRunRow {
    const info = this.db
      .prepare(
        `INSERT INTO import_runs (project_id, source_path, source_size, fingerprint, format, compression, mapping, strict,
           status, owner_pid, owner_host, heartbeat_at, started_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'running', ?, ?, ?, ?)`,
      )
      .run(
        r.projectId,
        r.sourcePath,
        r.sourceSize,
        r.fingerprint,
        r.format,
        r.compression,
        r.mapping,
        r.strict ? 1 : 0,
        r.ownerPid,
        r.ownerHost,
        Date.now(),
        Date.now(),
      );
    return this.get(Number(info.lastInsertRowid))!;
  }

  get(id: number): ImportRunRow | null {
    return (this.db.prepare('SELECT * FROM import_runs WHERE id = ?').get(id) as ImportRunRow | undefined) ?? null;
  }

  forProject(projectId: number): ImportRunRow[] {
    return this.db
      .prepare(`SELECT * FROM import_runs WHERE project_id = ? AND format != 'rescore' ORDER BY id DESC`)
      .all(projectId) as ImportRunRow[];
  }

  /** Runs of this project that hold rows not yet visible (in progress or interrupted). */
  unfinished(projectId: number): ImportRunRow[] {
    return this.db
      .prepare(
        `SELECT * FROM import_runs WHERE project_id = ? AND status = 'running' AND format != 'rescore' ORDER BY id`,
      )
      .all(projectId) as ImportRunRow[];
  }

  doneWithFingerprint(projectId: number, fingerprint: string): ImportRunRow | null {
    return (
      (this.db
        .prepare(
          `SELECT * FROM import_runs WHERE project_id = ? AND fingerprint = ? AND status = 'done' ORDER BY id DESC LIMIT 1`,
        )
        .get(projectId, fingerprint) as ImportRunRow | undefined) ?? null
    );
  }

  claim(id: number, pid: number, host: string, rejectsPath: string): void {
    this.db
      .prepare('UPDATE import_runs SET owner_pid = ?, owner_host = ?, heartbeat_at = ?, rejects_path = ? WHERE id = ?')
      .run(pid, host, Date.now(), rejectsPath, id);
  }

  /**
   * Takes a running run over from the holder `seen` had (a dead one), only if nobody changed the
   * holder since: of two processes taking over the same run, one wins.
   */
  takeOver(seen: ImportRunRow, pid: number, host: string): boolean {
    return (
      this.db
        .prepare(
          `UPDATE import_runs SET owner_pid = ?, owner_host = ?, heartbeat_at = ?
           WHERE id = ? AND status = 'running' AND owner_pid IS ? AND owner_host IS ? AND heartbeat_at IS ?`,
        )
        .run(pid, host, Date.now(), seen.id, seen.owner_pid, seen.owner_host, seen.heartbeat_at).changes === 1
    );
  }

  /** Lets go of a run without ending it: it shows as interrupted at once, to be resumed or discarded. */
  release(id: number, pid: number, host: string): void {
    this.db
      .prepare(
        `UPDATE import_runs SET owner_pid = NULL WHERE id = ? AND status = 'running' AND owner_pid = ? AND owner_host = ?`,
      )
      .run(id, pid, host);
  }

  /** The holder's proof of life; false when the run is no longer this holder's (taken over or ended). */
  heartbeat(id: number, pid: number, host: string): boolean {
    return (
      this.db
        .prepare(
          `UPDATE import_runs SET heartbeat_at = ? WHERE id = ? AND status = 'running' AND owner_pid = ? AND owner_host = ?`,
        )
        .run(Date.now(), id, pid, host).changes === 1
    );
  }

  finish(id: number, sha256: string): void {
    this.db
      .prepare(`UPDATE import_runs SET status = 'done', sha256 = ?, finished_at = ?, owner_pid = NULL WHERE id = ?`)
      .run(sha256, Date.now(), id);
  }

  setRejectsPath(id: number, rejectsPath: string | null): void {
    this.db.prepare('UPDATE import_runs SET rejects_path = ? WHERE id = ?').run(rejectsPath, id);
  }

  /** Ends a run that will not be resumed, removing every row it wrote (all-or-nothing). */
  /** `uncountedRejects`: bad rows found but never checkpointed (a strict import stops storing at the first). */
  abandon(
    id: number,
    status: 'failed' | 'cancelled',
    error: string,
    uncountedRejects = 0,
  ): { examplesRemoved: number; predictionsRemoved: number } {
    return this.db.transaction(() => {
      this.db.prepare('DELETE FROM prediction_columns WHERE import_run_id = ?').run(id);
      const predictionsRemoved = this.db.prepare('DELETE FROM predictions WHERE import_run_id = ?').run(id).changes;
      const examplesRemoved = this.db.prepare('DELETE FROM examples WHERE import_run_id = ?').run(id).changes;
      this.db
        .prepare(
          `DELETE FROM model_runs WHERE import_run_id = ?
           AND NOT EXISTS (SELECT 1 FROM predictions p WHERE p.model_run_id = model_runs.id)`,
        )
        .run(id);
      this.db
        .prepare(
          `UPDATE import_runs SET status = ?, error = ?, finished_at = ?, owner_pid = NULL,
             rows_imported = 0, examples_added = 0, rows_rejected = rows_rejected + ? WHERE id = ?`,
        )
        .run(status, error, Date.now(), uncountedRejects, id);
      return { examplesRemoved, predictionsRemoved };
    })();
  }
}
