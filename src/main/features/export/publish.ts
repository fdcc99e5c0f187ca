import fs from 'node:fs';
import path from 'node:path';
import { ApiError } from '../../../shared/api/errors';
import { fsyncDir } from './file-sink';

/** Resolves where an export goes: a plain name inside the chosen folder, never a path out of it. */
export function exportTarget(baseDir: string, name: string): { baseDir: string; finalPath: string } {
  const base = path.resolve(baseDir);
  try {
    fs.mkdirSync(base, { recursive: true });
  } catch (e) {
    throw new ApiError('bad-file', `cannot create the export folder ${base}: ${(e as Error).message}`);
  }
  const real = fs.realpathSync(base);
  const finalPath = path.join(real, name);
  if (path.dirname(finalPath) !== real || name === '.' || name === '..') {
    throw new ApiError('invalid-input', `export name '${name}' would leave the folder ${real}`);
  }
  try {
    fs.accessSync(real, fs.constants.W_OK);
  } catch {
    throw new ApiError('bad-file', `the export folder ${real} is not writable`);
  }
  return { baseDir: real, finalPath };
}

/** Refuses an existing destination unless forced, and anything there that is a link. */
/** An export of that name is there already: the caller may pick another name or ask to replace it. */
function exportExists(finalPath: string): ApiError {
  return new ApiError(
    'conflict',
    `an export named "${path.basename(finalPath)}" already exists (${finalPath}): choose another name, or replace the existing export`,
    { reason: 'exists', name: path.basename(finalPath) },
  );
}

export function checkDestination(finalPath: string, force: boolean): void {
  let stat: fs.Stats;
  try {
    stat = fs.lstatSync(finalPath);
  } catch {
    return;
  }
  if (stat.isSymbolicLink()) throw new ApiError('bad-file', `${finalPath} is a link: refusing to write through it`);
  if (!force) throw exportExists(finalPath);
}

const TEMP = (name: string) => new RegExp(`^\\.${name.replace(/[.]/g, '\\.')}\\.(tmp|old)-\\d+-[0-9a-f]+$`);

/**
 * Cleans what an interrupted export of this name left: temp folders go; a previous version moved
 * aside by a forced export that died before the swap finished is put back.
 */
export function recoverInterrupted(baseDir: string, name: string): void {
  const finalPath = path.join(baseDir, name);
  for (const entry of fs.readdirSync(baseDir)) {
    const match = TEMP(name).exec(entry);
    if (!match) continue;
    const full = path.join(baseDir, entry);
    if (match[1] === 'old' && !fs.existsSync(finalPath)) fs.renameSync(full, finalPath);
    else fs.rmSync(full, { recursive: true, force: true });
  }
}

export function tempFolder(baseDir: string, name: string, kind: 'tmp' | 'old'): string {
  return path.join(baseDir, `.${name}.${kind}-${process.pid}-${Math.floor(Math.random() * 2 ** 32).toString(16)}`);
}

/** Swaps a finished temp folder in: the final name holds the old export or the new one, never a mix. */
export function publish(tempDir: string, finalPath: string, force: boolean): void {
  const baseDir = path.dirname(finalPath);
  fsyncDir(tempDir);
  let old: string | null = null;
  if (fs.existsSync(finalPath)) {
    if (!force) throw exportExists(finalPath);
    old = tempFolder(baseDir, path.basename(finalPath), 'old');
    fs.renameSync(finalPath, old);
  }
  fs.renameSync(tempDir, finalPath);
  fsyncDir(baseDir);
  if (old) fs.rmSync(old, { recursive: true, force: true });
}
