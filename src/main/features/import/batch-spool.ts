import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import type { ParserMessage, SpooledMessage } from './parse-protocol';

/**
 * Batches from the Parquet reader process travel as files in a folder of their own (in memory
 * where the system has one: /dev/shm). Sent through the IPC pipe, a batch of 8,192 rows (~6 MB)
 * moved a socket buffer at a time, and only when both event loops were free: the writer idled
 * 45 % of a Parquet import waiting for batches the reader had already made.
 */
export function createSpool(): string {
  sweepStaleSpools();
  return fs.mkdtempSync(spoolPrefix());
}

const SPOOL_NAME = 'flywheel-batches-';

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

/** Folders left by importing processes that are gone (killed): their batches are of no use now. */
export function sweepStaleSpools(): void {
  const base = spoolBase();
  for (const name of fs.readdirSync(base)) {
    if (!name.startsWith(SPOOL_NAME)) continue;
    const pid = Number(name.slice(SPOOL_NAME.length).split('-')[0]);
    if (Number.isInteger(pid) && pid > 0 && !alive(pid)) removeSpool(path.join(base, name));
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

export function removeSpool(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
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

/** The host's side: the batch a spooled message names, read and its file deleted. */
export function unspool(dir: string, message: SpooledMessage): ParserMessage {
  // The name comes from another process: only a file directly in this import's own folder.
  const file = path.join(dir, path.basename(message.file));
  const bytes = fs.readFileSync(file);
  fs.rmSync(file);
  return v8.deserialize(bytes) as ParserMessage;
}
