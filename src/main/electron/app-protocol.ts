import fs from 'node:fs';
import path from 'node:path';
import { CONTENT_SECURITY_POLICY } from '../server/http-server';

/**
 * The desktop window's page is served from app://workbench/, a privileged scheme of our own,
 * not from file://: a file:// page shares its origin with every file on the disk, this one
 * sees out/renderer and nothing else.
 */
export const APP_SCHEME = 'app';
export const APP_HOST = 'workbench';
export const APP_ENTRY_URL = `${APP_SCHEME}://${APP_HOST}/index.html`;

/** Privileges for protocol.registerSchemesAsPrivileged: a standard, secure origin; no CSP bypass. */
export const APP_SCHEME_PRIVILEGES = { standard: true, secure: true, supportFetchAPI: true } as const;

/** The only file types the page is built from; anything else is not served. */
export const MIME_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

export type AppFile = { ok: true; file: string; mimeType: string } | { ok: false; status: 404; reason: string };

const notFound = (reason: string): AppFile => ({ ok: false, status: 404, reason });

function isInside(root: string, candidate: string): boolean {
  const rel = path.relative(root, candidate);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

/**
 * Maps an app:// URL to a file strictly inside rendererRoot, or says why it will not be served.
 * The URL parser folds `..` and `%2e%2e` segments at the root already; what this refuses is what
 * survives it: encoded separators (`%2f`, `%5c`), NUL, drive letters and streams (`:`), dot
 * segments after decoding, symbolic links that lead out of the root, folders and unknown types.
 */
export function resolveAppFile(rendererRoot: string, requestUrl: string): AppFile {
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    return notFound('not a URL');
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST || url.username || url.password) {
    return notFound('not the workbench origin');
  }
  let pathname: string;
  try {
    pathname = decodeURIComponent(url.pathname);
  } catch {
    return notFound('malformed escape in the path');
  }
  const segments = pathname.split('/').filter((s) => s !== '');
  if (segments.some((s) => s === '.' || s === '..' || /[\\:\0]/.test(s))) return notFound('path escapes the root');
  const root = path.resolve(rendererRoot);
  const candidate = path.resolve(root, segments.length === 0 ? 'index.html' : segments.join(path.sep));
  if (!isInside(root, candidate)) return notFound('path escapes the root');
  const mimeType = MIME_TYPES[path.extname(candidate).toLowerCase()];
  if (!mimeType) return notFound('file type not served');
  let real: string;
  let realRoot: string;
  try {
    real = fs.realpathSync(candidate);
    realRoot = fs.realpathSync(root);
  } catch {
    return notFound('no such file');
  }
  if (!isInside(realRoot, real)) return notFound('link leads out of the root');
  if (!fs.statSync(real).isFile()) return notFound('not a file');
  return { ok: true, file: real, mimeType };
}

const RESPONSE_HEADERS = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

/** The protocol.handle handler's work, free of Electron: a request in, a Response out. */
export async function serveAppRequest(
  rendererRoot: string,
  request: { url: string; method: string },
): Promise<Response> {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    return new Response('method not allowed', {
      status: 405,
      headers: { ...RESPONSE_HEADERS, 'Content-Type': 'text/plain; charset=utf-8', Allow: 'GET, HEAD' },
    });
  }
  const found = resolveAppFile(rendererRoot, request.url);
  if (!found.ok) {
    return new Response('not found', {
      status: 404,
      headers: { ...RESPONSE_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' },
    });
  }
  const body = request.method === 'HEAD' ? null : await fs.promises.readFile(found.file);
  return new Response(body, { status: 200, headers: { ...RESPONSE_HEADERS, 'Content-Type': found.mimeType } });
}
