import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ApiError } from '../../../shared/api/errors';
import type { Context } from '../../core/context';
import type { ExportRow } from '../../store/exports';
import { THIS_HOST } from '../../store/store';
import { recoverInterrupted } from './publish';

/** What the record of an export will hold, known before it is built. */
export type PendingExport = Omit<ExportRow, 'id' | 'created_at' | 'manifest' | 'content_hash'>;

/**
 * Held while an export of one name into one folder runs, from before its temp folder exists to
 * after its record is written: a second export of that name is refused instead of deleting the
 * first's temp folder, and an export that died between publishing its folder and recording it
 * leaves the lock (and a journal entry in the data folder) for the next export call to adopt
 * the folder from.
 */
interface LockFile {
  token: string;
  pid: number;
  host: string;
  dbPath: string;
  startedAt: number;
  lockPath: string;
  pending: PendingExport;
}

/** Tokens of the locks this process holds: its own pid alone cannot tell its live locks from a dead namesake's. */
const held = new Set<string>();

const lockPathOf = (finalPath: string) => path.join(path.dirname(finalPath), `.${path.basename(finalPath)}.lock`);

const journalDir = (ctx: Context) => path.join(ctx.dataDir, 'export-journal');

const journalPathOf = (ctx: Context, lockPath: string) =>
  path.join(journalDir(ctx), `${createHash('sha256').update(lockPath).digest('hex').slice(0, 32)}.json`);

function ownerAlive(lock: LockFile): boolean {
  if (lock.host !== THIS_HOST) return true; // cannot tell: assume it is alive
  if (lock.pid === process.pid) return held.has(lock.token);
  try {
    process.kill(lock.pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A lock file that cannot be read yet may be one being written this moment. */
function justWritten(file: string): boolean {
  try {
    return Date.now() - fs.statSync(file).mtimeMs < 10_000;
  } catch {
    return false;
  }
}

function readLock(file: string): LockFile | null {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as LockFile;
  } catch {
    return null; // gone, or cut short by a crash while it was written: nothing to adopt from
  }
}

/**
 * Records the folder a dead export published but did not record: it is the export the lock
 * describes when it appeared after the lock was taken and no record holds its content hash.
 */
function adoptPublished(ctx: Context, lock: LockFile): void {
  const finalPath = lock.pending.path;
  let manifest: { contentHash?: unknown };
  let text: string;
  try {
    if (fs.statSync(finalPath).mtimeMs < lock.startedAt) return;
    text = fs.readFileSync(path.join(finalPath, 'manifest.json'), 'utf8');
    manifest = JSON.parse(text) as { contentHash?: unknown };
  } catch {
    return; // nothing published (or not whole): the temp folders are cleaned below
  }
  if (typeof manifest.contentHash !== 'string') return;
  const recorded = ctx.store.exports
    .forProject(lock.pending.project_id)
    .some((r) => r.path === finalPath && r.content_hash === manifest.contentHash);
  if (recorded || !ctx.store.projects.byId(lock.pending.project_id)) return;
  ctx.store.exports.add(
    { ...lock.pending, manifest: JSON.stringify(manifest), content_hash: manifest.contentHash },
    Date.now(),
  );
  ctx.emit({ type: 'data.changed', projectId: lock.pending.project_id });
}

/** Ends the lock of a dead export: adopts what it published, cleans its temp folders, removes the lock. */
function recoverDead(ctx: Context, lock: LockFile, lockPath: string): void {
  if (lock.dbPath === ctx.store.connectionInfo.dbPath) adoptPublished(ctx, lock);
  recoverInterrupted(path.dirname(lockPath), path.basename(lock.pending.path));
  fs.rmSync(lockPath, { force: true });
  fs.rmSync(journalPathOf(ctx, lockPath), { force: true });
}

/** Finishes what dead exports of this database left: called before an export starts or is listed. */
export function recoverDeadExports(ctx: Context): void {
  let entries: string[];
  try {
    entries = fs.readdirSync(journalDir(ctx));
  } catch {
    return;
  }
  for (const entry of entries) {
    const journal = readLock(path.join(journalDir(ctx), entry));
    const lock = journal ? readLock(journal.lockPath) : null;
    if (!journal || !lock || lock.token !== journal.token) {
      fs.rmSync(path.join(journalDir(ctx), entry), { force: true }); // released, or taken over since
      continue;
    }
    if (!ownerAlive(lock)) recoverDead(ctx, lock, journal.lockPath);
  }
}

export interface ExportLock {
  /** The export is recorded (or never started): the name is free again. */
  release(): void;
  /** The export failed or was cancelled: records what it published all the same, cleans up, frees the name. */
  releaseAfterFailure(): void;
  /** Recording failed: the lock stays, for the next export call to adopt the folder. */
  leaveForRecovery(): void;
}

/** Takes the lock of an export's name in its folder, or refuses while another live export holds it. */
export function acquireExportLock(ctx: Context, pending: PendingExport): ExportLock {
  const lockPath = lockPathOf(pending.path);
  const lock: LockFile = {
    token: randomBytes(12).toString('hex'),
    pid: process.pid,
    host: THIS_HOST,
    dbPath: ctx.store.connectionInfo.dbPath,
    startedAt: Date.now(),
    lockPath,
    pending,
  };
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = fs.openSync(lockPath, 'wx');
      try {
        fs.writeSync(fd, JSON.stringify(lock));
      } finally {
        fs.closeSync(fd);
      }
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new ApiError('bad-file', `cannot write ${lockPath}: ${(e as Error).message}`);
      }
      const other = readLock(lockPath);
      if (other ? ownerAlive(other) : justWritten(lockPath)) {
        throw new ApiError(
          'conflict',
          `an export named '${path.basename(pending.path)}' is already being written to ${path.dirname(pending.path)} ` +
            (other
              ? `(process ${other.pid}${other.host !== THIS_HOST ? ` on ${other.host}` : ''}, since ` +
                `${new Date(other.startedAt).toISOString()})`
              : '(just started)') +
            ': wait for it to finish, or choose another name',
          { reason: 'in-progress' },
        );
      }
      if (attempt > 0) throw new ApiError('conflict', `cannot take ${lockPath}: another export keeps taking it`);
      if (other) recoverDead(ctx, other, lockPath);
      else fs.rmSync(lockPath, { force: true });
    }
  }
  held.add(lock.token);
  const journal = journalPathOf(ctx, lockPath);
  fs.mkdirSync(journalDir(ctx), { recursive: true });
  fs.writeFileSync(journal, JSON.stringify(lock));
  const release = () => {
    held.delete(lock.token);
    fs.rmSync(lockPath, { force: true });
    fs.rmSync(journal, { force: true });
  };
  return {
    release,
    releaseAfterFailure() {
      // Killed or cancelled after its rename, the export process may have published all the same.
      adoptPublished(ctx, lock);
      release();
    },
    leaveForRecovery() {
      held.delete(lock.token);
    },
  };
}
