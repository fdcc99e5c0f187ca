import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ApiError } from '../../../shared/api/errors';
import type { SourceReject } from './batch';

const { O_WRONLY, O_CREAT, O_EXCL, O_APPEND, O_NOFOLLOW, O_NONBLOCK } = fs.constants;

function existsError(file: string): ApiError {
  return new ApiError(
    'conflict',
    `${file} already exists: a rejects file is always a new file that the import creates ` +
      '(give a path where nothing is, or leave --rejects out to write it in the data folder)',
  );
}

/** Refuses, before an import starts, a rejects path that names something already there. */
export function checkNewRejectsPath(file: string): void {
  try {
    fs.lstatSync(file);
  } catch {
    return;
  }
  throw existsError(file);
}

/**
 * The rows an import refused, one JSON line each. The file is one the import created itself
 * (exclusive create, never through a link), so an import can neither overwrite nor, when nothing
 * was rejected, delete a file that was there before it; a resumed run reopens its own recorded file.
 */
export class RejectsFile {
  private fd: number | null;
  private readonly identity: { dev: number; ino: number };

  private constructor(
    readonly file: string,
    fd: number,
    public bytes: number,
  ) {
    this.fd = fd;
    const stat = fs.fstatSync(fd);
    this.identity = { dev: stat.dev, ino: stat.ino };
  }

  private static openNew(file: string): number {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    try {
      return fs.openSync(file, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_NOFOLLOW, 0o644);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw existsError(file);
      throw new ApiError('bad-file', `cannot create the rejects file ${file}: ${(e as Error).message}`);
    }
  }

  /** A new file at `file`; an existing file there is refused. */
  static create(file: string): RejectsFile {
    return new RejectsFile(file, RejectsFile.openNew(file), 0);
  }

  /** A new file in the data folder's rejects/, under a name of its own. */
  static createIn(dir: string, name: string): RejectsFile {
    for (let attempt = 0; ; attempt++) {
      const suffix = attempt === 0 ? '' : `-${randomBytes(3).toString('hex')}`;
      const file = path.join(dir, `${name}${suffix}.rejects.jsonl`);
      try {
        return RejectsFile.create(file);
      } catch (e) {
        if (!(e instanceof ApiError && e.code === 'conflict')) throw e;
      }
    }
  }

  /**
   * A resumed run's own file (the path the run recorded), cut back to what its committed batches
   * wrote; created anew if it is gone.
   */
  static reopen(file: string, committedBytes: number): RejectsFile {
    let fd: number;
    try {
      fd = fs.openSync(file, O_WRONLY | O_APPEND | O_NOFOLLOW | O_NONBLOCK);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return RejectsFile.create(file);
      throw new ApiError('bad-file', `cannot reopen the rejects file ${file}: ${(e as Error).message}`);
    }
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) {
      fs.closeSync(fd);
      throw new ApiError('bad-file', `the rejects file ${file} is no longer a regular file: refusing to write to it`);
    }
    // Drop rejects written for batches that never committed.
    if (stat.size > committedBytes) fs.ftruncateSync(fd, committedBytes);
    return new RejectsFile(file, fd, Math.min(stat.size, committedBytes));
  }

  append(rejects: SourceReject[]): number {
    if (rejects.length === 0 || this.fd === null) return this.bytes;
    const text = rejects.map((r) => JSON.stringify(r)).join('\n') + '\n';
    this.bytes += fs.writeSync(this.fd, text);
    return this.bytes;
  }

  close(): void {
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = null;
  }

  /** Deletes the file, only if the path still names the file this import created or reopened. */
  removeOwn(): boolean {
    try {
      const stat = fs.lstatSync(this.file);
      if (stat.dev !== this.identity.dev || stat.ino !== this.identity.ino) return false;
      fs.unlinkSync(this.file);
      return true;
    } catch {
      return false;
    }
  }
}
