import { randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ApiError } from '../../shared/api/errors';

const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;
// Absent on Windows, where the open then follows plain semantics (the lstat below still catches links).
const O_NOFOLLOW = fs.constants.O_NOFOLLOW ?? 0;
const O_NONBLOCK = fs.constants.O_NONBLOCK ?? 0;

/** A token file this process must not use; the message says what to do. */
export class TokenFileError extends ApiError {
  constructor(message: string) {
    super('forbidden', message);
    this.name = 'TokenFileError';
  }
}

export interface TokenOwner {
  /** The user the file must belong to; undefined where the platform has no uids (Windows). */
  uid: number | undefined;
  platform: NodeJS.Platform;
}

const thisProcess = (): TokenOwner => ({ uid: process.getuid?.(), platform: process.platform });

/**
 * A random token per install, kept in the user's own data folder and readable by its owner only.
 * The file is created exclusively (never through a planted link), and an existing one is used only
 * when it is a regular file of this user with mode 0600: anyone else who could read or replace it
 * could call the API as this user.
 */
export function loadOrCreateToken(dataDir: string, owner: TokenOwner = thisProcess()): string {
  const file = path.join(dataDir, 'server-token');
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const existing = readExisting(file, owner);
  if (existing !== null) return existing;
  const token = randomBytes(32).toString('base64url');
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | O_NOFOLLOW, 0o600);
  } catch (e) {
    // Another start made it first (or something appeared): check it like any existing file.
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') {
      const raced = readExisting(file, owner);
      if (raced !== null) return raced;
    }
    throw e;
  }
  try {
    fs.writeSync(fd, `${token}\n`);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  return token;
}

/** The token in an existing file, or null when there is none; refuses a file that is not safe to trust. */
function readExisting(file: string, owner: TokenOwner): string | null {
  let link: fs.Stats;
  try {
    link = fs.lstatSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  if (!link.isFile()) throw notRegular(file, link);
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
  } catch (e) {
    // Swapped for a link between the lstat and the open.
    if ((e as NodeJS.ErrnoException).code === 'ELOOP') throw notRegular(file, fs.lstatSync(file));
    throw e;
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) throw notRegular(file, st);
    if (owner.platform !== 'win32') {
      if (owner.uid !== undefined && st.uid !== owner.uid)
        throw new TokenFileError(
          `${file} belongs to user ${st.uid}, not to you (user ${owner.uid}): another user could have chosen or read ` +
            `the access token. Delete it (a new token is made at the next start).`,
        );
      const mode = st.mode & 0o777;
      if (mode !== 0o600)
        throw new TokenFileError(
          `${file} has mode ${mode.toString(8).padStart(4, '0')}, so others may read the access token. ` +
            `Delete it (a new token is made at the next start), or run: chmod 600 '${file}'`,
        );
    }
    const text = fs.readFileSync(fd, 'utf8').trim();
    if (!TOKEN_PATTERN.test(text))
      throw new TokenFileError(
        `${file} does not hold an access token. Delete it (a new token is made at the next start).`,
      );
    return text;
  } finally {
    fs.closeSync(fd);
  }
}

function notRegular(file: string, st: fs.Stats): TokenFileError {
  const what = st.isSymbolicLink() ? 'a symbolic link' : st.isDirectory() ? 'a folder' : 'not a regular file';
  return new TokenFileError(
    `${file} is ${what}; the access token is only kept in a plain file. Remove it (a new token is made at the next start).`,
  );
}

export function tokenMatches(expected: string, given: string | undefined): boolean {
  if (!given) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}
