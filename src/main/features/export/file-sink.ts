import { createHash, type Hash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const BUFFER_BYTES = 4 << 20;

/** A file written in ~4 MB appends, hashed as it goes, fsync'd on close. */
export class FileSink {
  private readonly fd: number;
  private readonly hash: Hash = createHash('sha256');
  private readonly buffer = Buffer.allocUnsafe(BUFFER_BYTES);
  private used = 0;
  bytes = 0;
  rows = 0;

  constructor(readonly file: string) {
    this.fd = fs.openSync(file, 'wx', 0o644);
  }

  write(text: string): void {
    // UTF-8 takes at most 3 bytes per UTF-16 unit: room for that, or flush first.
    if (this.used + text.length * 3 > BUFFER_BYTES) {
      this.flush();
      if (text.length * 3 > BUFFER_BYTES) return this.append(Buffer.from(text, 'utf8'));
    }
    this.used += this.buffer.write(text, this.used, 'utf8');
  }

  /** Bytes already encoded (by a format worker). */
  writeBytes(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    if (this.used + bytes.length > BUFFER_BYTES) {
      this.flush();
      if (bytes.length > BUFFER_BYTES) return this.append(bytes);
    }
    this.buffer.set(bytes, this.used);
    this.used += bytes.length;
  }

  private flush(): void {
    if (this.used === 0) return;
    this.append(this.buffer.subarray(0, this.used));
    this.used = 0;
  }

  private append(chunk: Uint8Array): void {
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
