import { createHash, type Hash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const BUFFER_BYTES = 4 << 20;
const DIRECT_BYTES = 64 << 10;
/** Written bytes that start a background fdatasync: the one at close then has little left to do. */
const SYNC_EVERY_BYTES = 64 << 20;

/** A file written in ~4 MB appends, hashed as it goes, synced as it grows and fsync'd on close. */
export class FileSink {
  private readonly fd: number;
  private unsynced = 0;
  private syncing: Promise<void> | null = null;
  private syncError: Error | null = null;
  /** Set by close(): no new background sync may start on an fd about to close. */
  private closing = false;
  private closed = false;
  private readonly hash: Hash = createHash('sha256');
  private readonly buffer = Buffer.allocUnsafe(BUFFER_BYTES);
  private used = 0;
  bytes = 0;
  rows = 0;

  constructor(readonly file: string) {
    this.fd = fs.openSync(file, 'wx', 0o644);
  }

  /** Bytes written so far, buffered ones included: where the next byte goes. */
  get position(): number {
    return this.bytes + this.used;
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
    // Large pieces (a worker's chunk) go straight to the file: copying them first costs more than the call.
    if (bytes.length >= DIRECT_BYTES || this.used + bytes.length > BUFFER_BYTES) {
      this.flush();
      if (bytes.length >= DIRECT_BYTES) return this.append(bytes);
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
    this.unsynced += chunk.length;
    if (this.unsynced >= SYNC_EVERY_BYTES && this.syncing === null && !this.closing) {
      this.unsynced = 0;
      this.syncing = new Promise((resolve) =>
        fs.fdatasync(this.fd, (e) => {
          if (e) this.syncError = e;
          this.syncing = null;
          resolve();
        }),
      );
    }
  }

  /** Waits for the background sync in flight, if any: close() needs none running. */
  async settle(): Promise<void> {
    while (this.syncing) await this.syncing;
  }

  /** Flushes, fsyncs and closes; returns the file's sha256. */
  close(): string {
    if (this.syncing) throw new Error(`${this.file}: close() while a sync is in flight; await settle() first`);
    this.closing = true;
    try {
      if (this.syncError) throw this.syncError;
      this.flush();
      fs.fsyncSync(this.fd);
    } finally {
      this.closed = true;
      fs.closeSync(this.fd);
    }
    return this.hash.digest('hex');
  }

  /** Closes without flushing (after a failure), once a sync in flight on the fd has returned. */
  async abandon(): Promise<void> {
    this.closing = true;
    await this.settle();
    if (this.closed) return; // its number may belong to another file by now
    this.closed = true;
    fs.closeSync(this.fd);
  }
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
