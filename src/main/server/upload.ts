import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';

/** Big enough for a month of prediction logs; a runaway or hostile upload stops here. */
export const MAX_UPLOAD_BYTES = 64 * 2 ** 30;

export class UploadError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** A plain file name kept from what the browser sent: no folders, no leading dot, the extension kept. */
export function safeUploadName(raw: string | null): string {
  const base = (raw ?? '').split(/[\\/]/).pop() ?? '';
  const cleaned = base.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '');
  if (!cleaned) throw new UploadError(400, 'upload: give the file name as ?name=FILE');
  return cleaned.slice(-120);
}

/**
 * Browser mode's stand-in for the desktop open dialog: the file's bytes are streamed into the
 * data folder's uploads/ (temp name, fsync, rename), and the import or model steps take its path.
 */
export async function receiveUpload(
  req: http.IncomingMessage,
  rawName: string | null,
  dataDir: string,
  /** An upload that sends nothing for this long is given up. */
  idleMs: number,
): Promise<{ path: string; bytes: number }> {
  const name = safeUploadName(rawName);
  const declared = Number(req.headers['content-length'] ?? Number.NaN);
  if (declared > MAX_UPLOAD_BYTES) throw new UploadError(413, `upload: ${name} is larger than the 64 GiB cap`);
  const dir = path.join(dataDir, 'uploads');
  fs.mkdirSync(dir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '');
  const finalPath = path.join(dir, `${stamp}-${randomBytes(3).toString('hex')}-${name}`);
  const temp = `${finalPath}.part`;
  let bytes = 0;
  const out = fs.createWriteStream(temp, { flags: 'wx' });
  req.setTimeout(idleMs, () =>
    req.destroy(new UploadError(408, `upload: ${name} sent nothing for ${idleMs / 1000} s; send it again`)),
  );
  try {
    req.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > MAX_UPLOAD_BYTES) req.destroy(new UploadError(413, `upload: ${name} passed the 64 GiB cap`));
    });
    await pipeline(req, out);
    if (Number.isFinite(declared) && bytes !== declared)
      throw new UploadError(400, `upload: ${name} arrived with ${bytes} of ${declared} bytes`);
    const fd = fs.openSync(temp, 'r');
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fs.renameSync(temp, finalPath);
    return { path: finalPath, bytes };
  } catch (e) {
    // The stream's open may still be pending: let it finish closing, then nothing is left behind.
    await new Promise<void>((resolve) => {
      if (out.closed) resolve();
      else {
        out.once('close', () => resolve());
        out.destroy();
      }
    });
    fs.rmSync(temp, { force: true });
    if (e instanceof UploadError) throw e;
    throw new UploadError(400, `upload of ${name} failed: ${(e as Error).message}`);
  }
}
