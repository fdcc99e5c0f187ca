import fs from 'node:fs';
import { ApiError } from '../../shared/api/errors';

const { O_RDONLY, O_NONBLOCK } = fs.constants;

export interface OpenedFile {
  fd: number;
  size: number;
}

function kindOf(stat: fs.Stats): string {
  if (stat.isDirectory()) return 'a folder';
  if (stat.isFIFO()) return 'a named pipe (FIFO)';
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'a device';
  if (stat.isSocket()) return 'a socket';
  return 'something else';
}

function notRegular(file: string, what: string, kind: string): ApiError {
  return new ApiError(
    'bad-file',
    `${file} (${what}) is not a regular file but ${kind}: give the path of a regular file`,
  );
}

function openFailure(file: string, what: string, e: unknown): ApiError {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return new ApiError('not-found', `${file}: no such file (${what})`);
  if (code === 'ENXIO') return notRegular(file, what, 'a socket');
  if (code === 'EACCES' || code === 'EPERM') return new ApiError('bad-file', `${file} (${what}): permission denied`);
  return new ApiError('bad-file', `${file} (${what}): cannot open it (${(e as Error).message})`);
}

/**
 * Opens a file that a caller named, for reading, refusing anything but a regular file. The open
 * never waits (O_NONBLOCK: a FIFO with no writer blocks a plain open() and every read after it,
 * which would freeze the event loop for every client), and the check is made with fstat on the
 * opened descriptor, so a path swapped for a FIFO or a device after a check cannot slip through.
 * The caller closes `fd`.
 */
export function openRegularFile(file: string, what = 'file'): OpenedFile {
  let fd: number;
  try {
    fd = fs.openSync(file, O_RDONLY | O_NONBLOCK);
  } catch (e) {
    throw openFailure(file, what, e);
  }
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) {
      throw notRegular(file, what, kindOf(stat));
    }
    return { fd, size: stat.size };
  } catch (e) {
    fs.closeSync(fd);
    throw e;
  }
}

/** The whole of a regular file (see openRegularFile); `maxBytes` caps a file that is, or grows, larger. */
export function readRegularFile(file: string, what = 'file', maxBytes = Number.MAX_SAFE_INTEGER): Buffer {
  const { fd } = openRegularFile(file, what);
  try {
    const chunks: Buffer[] = [];
    let size = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(maxBytes + 1 - size, 1 << 20));
      const n = chunk.length > 0 ? fs.readSync(fd, chunk, 0, chunk.length, size) : 0;
      if (n === 0) break;
      chunks.push(chunk.subarray(0, n));
      size += n;
    }
    if (size > maxBytes)
      throw new ApiError('bad-file', `${file} (${what}) is over the cap of ${maxBytes} bytes`, {
        reason: 'too-large',
      });
    return Buffer.concat(chunks, size);
  } finally {
    fs.closeSync(fd);
  }
}

export function readRegularText(file: string, what = 'file'): string {
  return readRegularFile(file, what).toString('utf8');
}

/**
 * What is at a path, without opening it (stat never blocks, even on a FIFO). For choosing between
 * a file and a folder; the file itself is then read through openRegularFile.
 */
export function pathKind(file: string): 'file' | 'folder' | 'missing' | 'other' {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    return 'missing';
  }
  return stat.isFile() ? 'file' : stat.isDirectory() ? 'folder' : 'other';
}
