import { createHash, type Hash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const FLUSH_AT = 1 << 20;

/** A file written in ~1 MB appends, hashed as it goes, fsync'd on close. */
export class FileSink {
  private readonly fd: number;
  private readonly hash: Hash = createHash('sha256');
  private pending: string[] = [];
  private pendingChars = 0;
  bytes = 0;
  rows = 0;

  constructor(readonly file: string) {
    this.fd = fs.openSync(file, 'wx', 0o644);
  }

  write(text: string): void {
    this.pending.push(text);
    this.pendingChars += text.length;
    if (this.pendingChars >= FLUSH_AT) this.flush();
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    const chunk = Buffer.from(this.pending.join(''), 'utf8');
    this.pending = [];
    this.pendingChars = 0;
    let at = 0;
    while (at < chunk.length) at += fs.writeSync(this.fd, chunk, at, chunk.length - at);
    this.hash.update(chunk);
    this.bytes += chunk.length;
  }

  /** Flushes, fsyncs and closes; returns the file's sha256. */
  close(): string {
    try {
      this.flush();
      fs.fsyncSync(this.fd);
    } finally {
      fs.closeSync(this.fd);
    }
    return this.hash.digest('hex');
  }

  /** Closes without flushing (after a failure). */
  abandon(): void {
    try {
      fs.closeSync(this.fd);
    } catch {
      // already closed
    }
  }
}

export function sha256File(file: string): { sha256: string; bytes: number } {
  const hash = createHash('sha256');
  const data = fs.readFileSync(file);
  hash.update(data);
  return { sha256: hash.digest('hex'), bytes: data.length };
}

export function fsyncDir(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } catch {
    // Some file systems do not fsync directories; the renames are still ordered.
  } finally {
    fs.closeSync(fd);
  }
}

export function relative(root: string, file: string): string {
  return path.relative(root, file).split(path.sep).join('/');
}
