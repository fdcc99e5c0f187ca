import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import type { ParserMessage, SpooledMessage } from './parse-protocol';

/**
 * Batches from the Parquet reader process travel as files in a folder of their own (in memory
 * where the system has one: /dev/shm). Sent through the IPC pipe, a batch of 8,192 rows (~6 MB)
 * moved a socket buffer at a time, and only when both event loops were free: the writer idled
 * 45 % of a Parquet import waiting for batches the reader had already made. Null when no folder
 * can be made: batches then go through the pipe, slower but whole.
 */
export function createSpool(): string | null {
  sweepStaleSpools();
  try {
    const dir = fs.mkdtempSync(spoolPrefix());
    openSpools++;
    return dir;
  } catch {
    return null;
  }
}

let openSpools = 0;

/** The import's reader has exited: its folder goes, and the read buffer with the last import's. */
export function closeSpool(dir: string): void {
  removeSpool(dir);
  openSpools = Math.max(0, openSpools - 1);
  if (openSpools === 0) readBuffer = Buffer.alloc(0);
}

const SPOOL_NAME = 'flywheel-batches-';
/** A live import writes a batch file every fraction of a second: a folder this still is not one. */
const IDLE_MS = 60 * 60 * 1000;
/** Past this, a folder is no live import's even if its process id is in use (reused, or another container's). */
const ABANDONED_MS = 24 * 60 * 60 * 1000;

function spoolBase(): string {
  const shm = '/dev/shm';
  try {
    fs.accessSync(shm, fs.constants.W_OK);
    return shm;
  } catch {
    // No memory-backed folder: the page cache makes a short-lived file nearly as cheap.
    return os.tmpdir();
  }
}

/** Where this process's spool folders are made: their names start with this. */
export function spoolPrefix(): string {
  return path.join(spoolBase(), `${SPOOL_NAME}${process.pid}-`);
}

/**
 * Folders left by importing processes that were killed: their batches are of no use now. Only
 * this user's, untouched for an hour and whose process is gone (or untouched for a day); one
 * that cannot be removed is left for later, never a reason to fail an import.
 */
export function sweepStaleSpools(now = Date.now()): void {
  const base = spoolBase();
  let names: string[];
  try {
    names = fs.readdirSync(base).filter((n) => n.startsWith(SPOOL_NAME));
  } catch {
    return;
  }
  for (const name of names) {
    const dir = path.join(base, name);
    try {
      const stat = fs.statSync(dir);
      if (process.getuid && stat.uid !== process.getuid()) continue;
      const idle = now - stat.mtimeMs;
      const pid = Number(name.slice(SPOOL_NAME.length).split('-')[0]);
      const gone = Number.isInteger(pid) && pid > 0 && !alive(pid);
      if ((idle > IDLE_MS && gone) || idle > ABANDONED_MS) removeSpool(dir);
    } catch {
      // Someone else's, or removed meanwhile: not ours to worry about.
    }
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes a spool folder; one that cannot be (a file held open on Windows) is swept later. */
export function removeSpool(dir: string): void {
  try {
    fs.rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  } catch {
    // Left for a later sweep.
  }
}

/**
 * The reader's side: writes the batch whole, then names it; anything else goes as it is. A batch
 * that cannot be written (a full or small /dev/shm: Docker gives 64 MB) goes through the pipe.
 */
export function spooler(dir: string, send: (m: ParserMessage | SpooledMessage) => void) {
  let seq = 0;
  return (message: ParserMessage): void => {
    if (message.type !== 'batch') return send(message);
    const file = path.join(dir, `${seq++}.batch`);
    try {
      fs.writeFileSync(file, v8.serialize(message));
    } catch {
      fs.rmSync(file, { force: true });
      return send(message);
    }
    send({ type: 'spooled', file });
  };
}

/**
 * One buffer the host reads batch files into, grown as needed: a fresh one a batch (~6 MB) left
 * that much garbage outside V8's heap a batch, collected late (the host's peak RSS 300–307 MB
 * against 262–267 MB reusing one).
 */
let readBuffer = Buffer.alloc(0);

function readWhole(file: string): Buffer {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    if (readBuffer.length < size) readBuffer = Buffer.allocUnsafeSlow(Math.max(size, readBuffer.length * 2));
    let at = 0;
    while (at < size) {
      const got = fs.readSync(fd, readBuffer, at, size - at, at);
      if (got === 0) throw new Error(`${path.basename(file)} ended after ${at} of ${size} bytes`);
      at += got;
    }
    return readBuffer.subarray(0, size);
  } finally {
    fs.closeSync(fd);
  }
}

const BATCH_ARRAYS = ['rows', 'ts', 'features', 'scores', 'predicted', 'modelIndex', 'hashes'] as const;

/**
 * Node's deserializer may return typed arrays as views of the bytes it read (Node 20 copies them,
 * other versions need not): those are copied out, so the next batch read cannot overwrite them.
 */
function ownArrays(message: ParserMessage): ParserMessage {
  if (message.type !== 'batch') return message;
  const batch = message.batch as unknown as Record<string, unknown>;
  for (const key of BATCH_ARRAYS) {
    const a = batch[key];
    if (ArrayBuffer.isView(a) && a.buffer === readBuffer.buffer) batch[key] = (a as Float64Array).slice();
  }
  return message;
}

/** The host's side: the batch a spooled message names, read, then its file deleted if it can be. */
export function unspool(dir: string, message: SpooledMessage): ParserMessage {
  // The name comes from another process: only a file directly in this import's own folder.
  const file = path.join(dir, path.basename(message.file));
  const batch = ownArrays(v8.deserialize(readWhole(file)) as ParserMessage);
  try {
    fs.rmSync(file);
  } catch {
    // Held open by a scanner on Windows, say: the folder goes when the reader exits, or is swept.
  }
  return batch;
}
