import fs from 'node:fs';
import path from 'node:path';
import { ApiError } from '../../../shared/api/errors';
import type { Context } from '../../core/context';

/** Where every export the app may show or hand out lives: the data folder's exports/. */
export function exportsFolder(ctx: Context): string {
  return path.join(ctx.dataDir, 'exports');
}

function inside(folder: string, target: string): boolean {
  const rel = path.relative(folder, target);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

/** A recorded export's folder, refused unless it is an existing folder inside the exports folder. */
export function exportFolder(ctx: Context, exportId: number): { folder: string; files: string[] } {
  const row = ctx.store.exports.byId(exportId);
  if (!row) throw new ApiError('not-found', `There is no export #${exportId}: it may have been removed.`);
  const root = fs.existsSync(exportsFolder(ctx)) ? fs.realpathSync(exportsFolder(ctx)) : exportsFolder(ctx);
  const folder = fs.existsSync(row.path) ? fs.realpathSync(row.path) : path.resolve(row.path);
  if (!inside(root, folder)) {
    throw new ApiError(
      'forbidden',
      `Export #${exportId} was written outside the workbench's exports folder (${row.path}); open it from your file manager.`,
    );
  }
  if (!fs.existsSync(folder) || !fs.statSync(folder).isDirectory()) {
    throw new ApiError('not-found', `The folder of export #${exportId} is gone (${row.path}): rebuild the export.`);
  }
  const manifest = JSON.parse(row.manifest) as { files: { path: string }[] };
  return { folder, files: ['manifest.json', ...manifest.files.map((f) => f.path)] };
}

/**
 * One file of a recorded export, for a download: only the files its manifest lists (and the
 * manifest itself), resolved inside its folder, which lies inside the exports folder.
 */
export function exportFile(ctx: Context, exportId: number, file: string): string {
  const { folder, files } = exportFolder(ctx, exportId);
  if (!files.includes(file))
    throw new ApiError('not-found', `Export #${exportId} has no file '${file.slice(0, 200)}'.`);
  const target = path.resolve(folder, file);
  const real = fs.existsSync(target) ? fs.realpathSync(target) : target;
  if (!inside(folder, real) || !fs.existsSync(real) || !fs.statSync(real).isFile()) {
    throw new ApiError('not-found', `The file '${file}' of export #${exportId} is gone: rebuild the export.`);
  }
  return real;
}
