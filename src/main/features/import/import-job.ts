import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApiError } from '../../../shared/api/errors';
import type { ImportRun, RowReject } from '../../../shared/features/import/contract';
import type { ImportMapping } from '../../../shared/features/import/mapping';
import type { Project } from '../../../shared/features/projects/contract';
import type { Context } from '../../core/context';
import type { JobControl } from '../../core/jobs';
import type { ImportRunRow } from '../../store/import-runs';
import { openRegularFile, pathKind } from '../../io/safe-open';
import { ImportWriter, RunTakenOverError } from '../../store/import-writer';
import { THIS_HOST } from '../../store/store';
import type { SourceReject } from './batch';
import { startParsers } from './parser-host';
import { FileHasher } from './file-hasher';
import { checkNewRejectsPath, RejectsFile } from './rejects-file';
import { describeHolder, HEARTBEAT_EXPIRY_MS, HEARTBEAT_MS, holderOf } from './run-lock';
import { fingerprint, type SniffResult } from './sniff';

export interface ImportRequest {
  project: Project;
  file: SniffResult;
  mapping: ImportMapping;
  strict: boolean;
  rejectsPath?: string;
  maxLineBytes: number;
  maxDecompressedBytes: number;
  maxGzipRatio: number;
  batchRows: number;
  batchBytes: number;
}

const FIRST_REJECTS = 20;
/**
 * Parsing costs more than writing, so with cores to spare a second parser keeps the writer
 * fed. On two cores the three threads only compete (measured: same rows/s, more memory).
 */
function parserThreads(): number {
  const asked = Number(process.env['FLYWHEEL_PARSER_THREADS']);
  if (Number.isInteger(asked) && asked >= 1 && asked <= 8) return asked;
  const cores = os.availableParallelism?.() ?? os.cpus().length;
  return Math.min(2, Math.max(1, cores - 1));
}

async function sha256OfFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  const { fd } = openRegularFile(file, 'prediction log');
  for await (const chunk of fs.createReadStream(file, { fd, highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export function readFirstRejects(file: string | null, limit = FIRST_REJECTS): RowReject[] {
  if (!file || pathKind(file) !== 'file') return [];
  const { fd } = openRegularFile(file, 'rejects file');
  try {
    const buf = Buffer.alloc(256 * 1024);
    const n = fs.readSync(fd, buf, 0, buf.length, 0);
    return buf
      .toString('utf8', 0, n)
      .split('\n')
      .slice(0, limit)
      .filter((l) => l.startsWith('{') && l.endsWith('}'))
      .map((l) => {
        const r = JSON.parse(l) as SourceReject;
        return { row: r.row, line: r.line, field: r.field, reason: r.reason };
      });
  } finally {
    fs.closeSync(fd);
  }
}

export function toImportRun(
  row: ImportRunRow,
  extra: { alreadyImported?: boolean; resumedFromRecord?: number } = {},
): ImportRun {
  const interrupted = row.status === 'running' && !holderOf(row).alive;
  return {
    id: row.id,
    projectId: row.project_id,
    sourcePath: row.source_path,
    format: row.format,
    compression: row.compression,
    status: interrupted ? 'interrupted' : row.status,
    strict: row.strict === 1,
    recordsRead: row.records_read,
    rowsImported: row.rows_imported,
    rowsRejected: row.rows_rejected,
    rowsPresent: row.rows_present,
    examplesAdded: row.examples_added,
    rejectsPath: row.rejects_path,
    firstRejects: readFirstRejects(row.rejects_path),
    error: row.error,
    sha256: row.sha256,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    alreadyImported: extra.alreadyImported ?? false,
    resumedFromRecord: extra.resumedFromRecord ?? 0,
  };
}

/** A rejects path asked for must be new, or be the resumed run's own file. */
function checkRejectsPath(asked: string | undefined, resumed: ImportRunRow | null): void {
  if (!asked) return;
  const own = resumed?.rejects_path ?? null;
  if (own === asked) return;
  if (own !== null) {
    throw new ApiError(
      'conflict',
      `import #${resumed!.id} resumes writing its rejects to ${own}: leave --rejects out, or give that path`,
    );
  }
  checkNewRejectsPath(asked);
}

/** Finds the run to continue, or refuses when another import of the project is in the way. */
export function prepareRun(
  ctx: Context,
  req: ImportRequest,
  options: { ignoreDone?: boolean } = {},
): { run: ImportRunRow; resumed: boolean } | { done: ImportRunRow } {
  const runs = ctx.store.importRuns;
  const print = fingerprint(req.file.path, req.file.size);
  const done = options.ignoreDone ? null : runs.doneWithFingerprint(req.project.id, print);
  if (done) return { done };
  for (const other of runs.unfinished(req.project.id)) {
    const holder = holderOf(other);
    if (holder.alive) {
      throw new ApiError(
        'conflict',
        `import #${other.id} of ${path.basename(other.source_path)} is still running in ${describeHolder(holder)}`,
      );
    }
    if (other.fingerprint === print) {
      checkRejectsPath(req.rejectsPath, other);
      // Resume with the mapping and strictness the run started with, whatever this call asked.
      req.mapping = JSON.parse(other.mapping) as ImportMapping;
      req.strict = other.strict === 1;
      if (!runs.takeOver(other, process.pid, THIS_HOST)) {
        throw new ApiError('conflict', `import #${other.id} was taken over by another process just now`);
      }
      return { run: runs.get(other.id)!, resumed: true };
    }
    throw new ApiError(
      'conflict',
      `import #${other.id} of ${other.source_path} was interrupted at record ${other.records_read}: ` +
        `resume it by importing that file again, or discard it (flywheel import --discard ${other.id})`,
    );
  }
  checkRejectsPath(req.rejectsPath, null);
  const run = runs.create({
    projectId: req.project.id,
    sourcePath: req.file.path,
    sourceSize: req.file.size,
    fingerprint: print,
    format: req.file.format,
    compression: req.file.compression,
    mapping: JSON.stringify(req.mapping),
    strict: req.strict,
    ownerPid: process.pid,
    ownerHost: THIS_HOST,
  });
  return { run, resumed: false };
}

/** Streams one log into the store: parse off-thread, write here, one transaction per batch. */
export async function runImport(
  ctx: Context,
  req: ImportRequest,
  runRow: ImportRunRow,
  resumed: boolean,
  control: JobControl,
): Promise<ImportRun> {
  const runs = ctx.store.importRuns;
  const owner = { pid: process.pid, host: THIS_HOST };
  let rejects: RejectsFile;
  try {
    rejects = runRow.rejects_path
      ? RejectsFile.reopen(runRow.rejects_path, runRow.rejects_bytes)
      : req.rejectsPath
        ? RejectsFile.create(req.rejectsPath)
        : RejectsFile.createIn(
            path.join(ctx.dataDir, 'rejects'),
            `import-${runRow.id}-${path.basename(req.file.path)}`,
          );
  } catch (e) {
    const error = e instanceof ApiError ? e : new ApiError('internal', (e as Error).message);
    // A fresh run has nothing to keep; a resumed one stays interrupted, to try again.
    if (resumed) runs.release(runRow.id, owner.pid, owner.host);
    else runs.abandon(runRow.id, 'failed', error.message);
    throw error;
  }
  const rejectsPath = rejects.file;
  runs.setRejectsPath(runRow.id, rejectsPath);
  const db = ctx.store.openBulkConnection();
  const writer = new ImportWriter(db, req.project.id, runRow.id, owner, req.file.format === 'jsonl');
  const skipRecords = runRow.records_read;
  const parser = startParsers(
    {
      path: req.file.path,
      format: req.file.format,
      compression: req.file.compression,
      mapping: req.mapping,
      projectClasses: req.project.classes,
      skipRecords,
      maxLineBytes: req.maxLineBytes,
      maxDecompressedBytes: req.maxDecompressedBytes,
      maxGzipRatio: req.maxGzipRatio,
      batchRows: req.batchRows,
      batchBytes: req.batchBytes,
      maxInFlight: 2,
    },
    parserThreads(),
  );
  // The lock dies with this process: without this heartbeat, the run soon counts as interrupted.
  // A heartbeat that finds the run no longer this process's stops the import.
  let lost = false;
  const heartbeat = setInterval(() => {
    let held: boolean;
    try {
      held = runs.heartbeat(runRow.id, owner.pid, owner.host);
    } catch {
      return; // the database is busy: the next beat, or the next batch's commit, refreshes it
    }
    if (!held) {
      lost = true;
      void parser.kill();
    }
  }, HEARTBEAT_MS);
  heartbeat.unref();
  // A cancelled parser sends nothing more: end it, which ends the message stream below.
  const onAbort = () => void parser.kill();
  control.signal.addEventListener('abort', onAbort);
  const started = Date.now();
  let failure: ApiError | null = null;
  let firstStrictReject: SourceReject | null = null;
  /** Bad rows a strict import listed after it stopped storing: no checkpoint counted them. */
  let strictRejects = 0;
  let hasher: FileHasher | null = null;
  const hashStep = req.batchRows * 1024; // a little more than a batch of typical rows
  let parsedSha256: string | undefined;
  let ended = false;
  try {
    // JSONL and CSV parsers hash the bytes as they read them; DuckDB reads Parquet files itself.
    if (req.file.format === 'parquet') hasher = new FileHasher(req.file.path);
    for await (const message of parser.messages) {
      if (message.type === 'fatal') {
        failure = new ApiError(message.code === 'internal' ? 'internal' : 'bad-file', message.message);
        break;
      }
      if (message.type === 'end') {
        ended = true;
        parsedSha256 = message.sha256;
        break;
      }
      if (req.strict && (message.rejects.length > 0 || firstStrictReject)) {
        // Strict: keep reading to report every bad row, but store nothing more.
        firstStrictReject ??= message.rejects[0] ?? null;
        rejects.append(message.rejects);
        strictRejects += message.rejects.length;
      } else {
        const outcome = writer.writeBatch(message.batch, message.recordsEnd, message.rejects, (r) => rejects.append(r));
        if (req.strict && outcome.rejects.length > 0) firstStrictReject ??= outcome.rejects[0]!;
      }
      const rows = message.recordsEnd;
      parser.ack();
      hasher?.advance(hashStep);
      // Let timers, IPC, HTTP and signals run between batches.
      await new Promise<void>((resolve) => setImmediate(resolve));
      const seconds = (Date.now() - started) / 1000;
      const rate = seconds > 0 ? (rows - skipRecords) / seconds : 0;
      const total = req.file.compression === 'none' ? req.file.size : null;
      control.progress({
        phase: 'importing',
        rowsDone: rows,
        bytesDone: message.bytesRead,
        bytesTotal: total,
        rowsPerSecond: rate,
        etaSeconds: total && message.bytesRead > 0 ? ((total - message.bytesRead) / message.bytesRead) * seconds : null,
      });
    }
    if (control.signal.aborted) failure = new ApiError('cancelled', 'the import was cancelled; nothing of it was kept');
    else if (!failure && !ended) failure = new ApiError('internal', 'the parser stopped without finishing the file');
    if (!failure && firstStrictReject) {
      const r = firstStrictReject;
      failure = new ApiError(
        'rejected-rows',
        `strict import refused ${path.basename(req.file.path)}: row ${r.row}, field '${r.field}': ${r.reason} ` +
          `(every bad row is listed in ${rejectsPath}); nothing was imported`,
      );
    }
  } catch (e) {
    if (e instanceof RunTakenOverError) lost = true;
    failure = e instanceof ApiError ? e : new ApiError('internal', (e as Error).message);
  } finally {
    control.signal.removeEventListener('abort', onAbort);
    rejects.close();
    if (failure || lost) hasher?.close();
    await parser.kill();
    db.close();
  }

  try {
    return finishRun();
  } finally {
    clearInterval(heartbeat);
  }

  function finishRun(): ImportRun {
    if (lost || !runs.heartbeat(runRow.id, owner.pid, owner.host)) {
      // Another process holds the run now: leave its rows and its rejects file alone.
      throw new ApiError(
        'conflict',
        `import #${runRow.id} was taken over by another process after this one gave no heartbeat for ` +
          `${HEARTBEAT_EXPIRY_MS / 1000} s; this process stopped writing to it`,
      );
    }
    if (failure) {
      if (rejects.bytes === 0 && rejects.removeOwn()) runs.setRejectsPath(runRow.id, null);
      runs.abandon(runRow.id, failure.code === 'cancelled' ? 'cancelled' : 'failed', failure.message, strictRejects);
      const ended = runs.get(runRow.id)!;
      throw new ApiError(failure.code, failure.message, toImportRun(ended, { resumedFromRecord: skipRecords }));
    }
    let sha256: string;
    try {
      sha256 = hasher ? hasher.finish() : (parsedSha256 ?? new FileHasher(req.file.path).finish());
    } catch (e) {
      runs.abandon(runRow.id, 'failed', `cannot read ${req.file.path} to hash it: ${(e as Error).message}`);
      throw new ApiError('bad-file', `cannot read ${req.file.path} to hash it: ${(e as Error).message}`);
    }
    runs.finish(runRow.id, sha256);
    const finished = runs.get(runRow.id)!;
    // Only the file this import created goes: never one that took its path since.
    if (finished.rows_rejected === 0) {
      rejects.removeOwn();
      runs.setRejectsPath(runRow.id, null);
    }
    ctx.emit({ type: 'data.changed', projectId: req.project.id });
    return toImportRun(runs.get(runRow.id)!, { resumedFromRecord: resumed ? skipRecords : 0 });
  }
}

export async function confirmAlreadyImported(done: ImportRunRow, file: string): Promise<boolean> {
  return done.sha256 !== null && (await sha256OfFile(file)) === done.sha256;
}
