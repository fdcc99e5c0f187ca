import path from 'node:path';
import type { Output } from '../../../shared/api/contract';
import { ApiError } from '../../../shared/api/errors';
import type { Project } from '../../../shared/features/projects/contract';
import type { Context } from '../../core/context';
import { readRegularFile } from '../../io/safe-open';

export const MAX_IMAGE_BYTES = 20 * 2 ** 20;

type Image = Output<'examples.image'>;

/** The type an image's first bytes prove; the file name's extension is not trusted. */
function sniff(head: Buffer): Image['mimeType'] | null {
  if (head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'image/jpeg';
  if (head.subarray(0, 4).toString('latin1') === 'GIF8') return 'image/gif';
  if (head.subarray(0, 4).toString('latin1') === 'RIFF' && head.subarray(8, 12).toString('latin1') === 'WEBP')
    return 'image/webp';
  if (head.subarray(0, 2).toString('latin1') === 'BM') return 'image/bmp';
  return null;
}

/** Reads the file through the checked opener; a file that grows reads no further than the cap. */
function readCapped(ctx: Context, file: string, externalId: string, relative: boolean): Buffer {
  const what = `image of '${externalId}'`;
  try {
    return readRegularFile(file, what, MAX_IMAGE_BYTES);
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    if (e.code === 'not-found') {
      // A log uploaded through the browser has no folder of its own to resolve relative paths from.
      const hint =
        relative && file.startsWith(path.join(ctx.dataDir, 'uploads') + path.sep)
          ? ' (relative image paths are read from the folder of the log, and this log was uploaded: import it by its path, or use absolute image paths)'
          : '';
      throw new ApiError('not-found', `the image of example '${externalId}' is not at ${file}${hint}`);
    }
    if ((e.details as { reason?: string } | undefined)?.reason === 'too-large')
      throw new ApiError('bad-file', `${file} (${what}) is over 20 MiB; images that large are not shown`);
    throw e;
  }
}

/**
 * An image example's picture. Only raster images (SVG can carry scripts), only regular files, at
 * most 20 MiB; a relative path is taken relative to the folder of the log that brought the example.
 */
export function exampleImage(ctx: Context, project: Project, externalId: string): Image {
  const row = ctx.store.examples.imageOf(project.id, externalId);
  if (!row) throw new ApiError('not-found', `project '${project.name}' has no example '${externalId}'`);
  if (!row.image_path) throw new ApiError('not-found', `example '${externalId}' has no image path`);
  const file = path.resolve(path.dirname(row.source_path), row.image_path);
  const bytes = readCapped(ctx, file, externalId, !path.isAbsolute(row.image_path));
  const mimeType = sniff(bytes.subarray(0, 16));
  if (!mimeType) {
    throw new ApiError(
      'bad-file',
      `${file} (image of '${externalId}') is not a PNG, JPEG, GIF, WebP or BMP image (SVG is not shown: it can hold scripts)`,
    );
  }
  return { mimeType, bytes: bytes.length, dataUrl: `data:${mimeType};base64,${bytes.toString('base64')}` };
}
