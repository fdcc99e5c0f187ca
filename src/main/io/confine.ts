import fs from 'node:fs';
import path from 'node:path';
import { ApiError } from '../../shared/api/errors';
import type { Context } from '../core/context';

function isWithin(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** The path with links resolved as far as it exists (the rest does not exist yet, so holds no link). */
function realPathOf(file: string): string {
  let existing = path.resolve(file);
  const rest: string[] = [];
  for (;;) {
    try {
      return path.join(fs.realpathSync(existing), ...rest);
    } catch {
      const up = path.dirname(existing);
      if (up === existing) return path.resolve(file);
      rest.unshift(path.basename(existing));
      existing = up;
    }
  }
}

/**
 * Where a path that the process will WRITE, named in an API call, resolves. Over HTTP (browser
 * mode) any token holder can call the API, so such a path must lie inside the data folder, as
 * uploads do: relative paths are taken from the data folder, and a path that leaves it (directly,
 * by '..', or through a link) is refused. The desktop app and the CLI act for the local user and
 * write where they are told.
 */
export function writablePath(ctx: Context, file: string, what: string): string {
  if (ctx.runtime !== 'server') return path.resolve(file);
  const dataDir = realPathOf(ctx.dataDir);
  const resolved = path.resolve(ctx.dataDir, file);
  if (!isWithin(realPathOf(resolved), dataDir)) {
    throw new ApiError(
      'forbidden',
      `${what} ${file} is outside the data folder ${dataDir}: in browser mode the server writes only inside ` +
        'its data folder (give a path inside it, or leave the option out)',
    );
  }
  return resolved;
}
