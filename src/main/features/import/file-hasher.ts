import { createHash, type Hash } from 'node:crypto';
import fs from 'node:fs';
import { openRegularFile } from '../../io/safe-open';

const CHUNK = 1 << 20;

/**
 * sha256 of a file taken in steps between batch writes, for Parquet imports (DuckDB reads those
 * files itself; JSONL and CSV parsers hash the bytes as they read them). The writer has spare time
 * while the Parquet reader works, and hashing in step with the import keeps the two from competing.
 */
export class FileHasher {
  private readonly hash: Hash = createHash('sha256');
  private fd: number | null;
  private readonly buffer = Buffer.allocUnsafe(CHUNK);
  private position = 0;
  private done = false;

  constructor(file: string) {
    this.fd = openRegularFile(file, 'prediction log').fd;
  }

  /** Hashes up to `bytes` more of the file. */
  advance(bytes: number): void {
    let left = bytes;
    while (!this.done && left > 0 && this.fd !== null) {
      const n = fs.readSync(this.fd, this.buffer, 0, Math.min(CHUNK, left), this.position);
      if (n === 0) {
        this.done = true;
        break;
      }
      this.hash.update(this.buffer.subarray(0, n));
      this.position += n;
      left -= n;
    }
  }

  finish(): string {
    this.advance(Number.MAX_SAFE_INTEGER);
    this.close();
    return this.hash.digest('hex');
  }

  close(): void {
    // Closing a descriptor number twice could close someone else's file (even SQLite's).
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = null;
  }
}
