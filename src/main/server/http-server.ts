import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { AppEvent } from '../../shared/api/events';
import { ApiError } from '../../shared/api/errors';
import { dispatch, toApiError } from '../core/dispatch';
import { exportFile } from '../features/export/export-files';
import type { Context } from '../core/context';
import { allowedHostSet, type PublicHost } from './allowed-hosts';
import { tokenMatches } from './token';
import { receiveUpload, UploadError } from './upload';

const MAX_BODY_BYTES = 8 << 20;

const STATIC_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
  "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'";

const SECURITY_HEADERS = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

export interface ServerOptions {
  host: string;
  port: number;
  token: string;
  /** Built renderer (index.html and assets). */
  staticDir: string;
  /** Names the browser reaches this machine by (`--public-host`), accepted besides the bound address. */
  publicHosts?: PublicHost[];
  /** Defaults are DEFAULT_TIMEOUTS; tests shorten them. */
  timeouts?: Partial<ServerTimeouts>;
}

/** How long a client may take: a token holder who stalls must not hold connections open forever. */
export interface ServerTimeouts {
  /** The request line and headers must arrive within this. */
  headersMs: number;
  /** Any request's body but an upload's must arrive whole within this. */
  bodyMs: number;
  /** An upload (long, streamed) is given up after this long without a byte. */
  uploadIdleMs: number;
  /** A kept-alive connection with no request is closed after this. */
  keepAliveMs: number;
}

export const DEFAULT_TIMEOUTS: ServerTimeouts = {
  headersMs: 20_000,
  bodyMs: 30_000,
  uploadIdleMs: 60_000,
  keepAliveMs: 5_000,
};

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
  // A request that ran out of time was already answered (408) or its connection closed.
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'Content-Type': 'application/json; charset=utf-8',
    'Cache-Control': 'no-store',
  });
  res.end(text);
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('request body too large'));
        req.destroy();
      } else parts.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
    req.on('close', () => reject(new Error('the connection closed before the body arrived')));
  });
}

/**
 * Ends a request whose body has not arrived whole within `ms` (408, then the connection closes).
 * Uploads cancel it and keep an idle timeout of their own instead.
 */
function bodyDeadline(req: http.IncomingMessage, res: http.ServerResponse, ms: number): { cancel(): void } {
  const timer = setTimeout(() => {
    if (req.complete) return;
    if (res.headersSent) {
      req.socket.destroy();
      return;
    }
    res.shouldKeepAlive = false; // Connection: close, and Node closes the socket once the 408 is out
    send(res, 408, {
      ok: false,
      error: { code: 'invalid-input', message: `the request body did not arrive within ${ms / 1000} s` },
    });
  }, ms);
  timer.unref();
  const cancel = () => clearTimeout(timer);
  req.once('end', cancel);
  res.once('close', () => {
    if (req.complete) cancel();
  });
  return { cancel };
}

/** Browser mode: the renderer and the API over HTTP, for this machine's browser only unless asked. */
export async function startHttpServer(
  ctx: Context & { listeners: Set<(e: AppEvent) => void> },
  options: ServerOptions,
): Promise<RunningServer> {
  const staticRoot = path.resolve(options.staticDir);
  const timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  let allowedHosts = new Set<string>();
  const sseClients = new Set<http.ServerResponse>();
  const onEvent = (event: AppEvent) => {
    const frame = `data: ${JSON.stringify(event)}\n\n`;
    for (const res of sseClients) res.write(frame);
  };
  ctx.listeners.add(onEvent);

  // Node checks the headers timeout on this interval; requestTimeout stays off (0), as it would also
  // end long uploads: bodies are timed per route below.
  const server = http.createServer(
    {
      headersTimeout: timeouts.headersMs,
      requestTimeout: 0,
      keepAliveTimeout: timeouts.keepAliveMs,
      connectionsCheckingInterval: Math.max(100, Math.min(30_000, Math.floor(timeouts.headersMs / 4))),
    },
    (req, res) => {
      void handle(req, res).catch((e: unknown) => {
        if (!res.headersSent) send(res, 500, { ok: false, error: { code: 'internal', message: (e as Error).message } });
        else res.end();
      });
    },
  );

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const deadline = bodyDeadline(req, res, timeouts.bodyMs);
    // DNS rebinding: a page on another name that resolves here must not reach the API.
    const host = (req.headers.host ?? '').toLowerCase();
    if (!allowedHosts.has(host))
      return send(res, 403, { ok: false, error: { code: 'forbidden', message: 'unexpected Host header' } });
    const origin = req.headers.origin;
    if (origin !== undefined && !allowedHosts.has(origin.replace(/^https?:\/\//, '').toLowerCase())) {
      return send(res, 403, { ok: false, error: { code: 'forbidden', message: 'cross-origin request refused' } });
    }
    const url = new URL(req.url ?? '/', 'http://local');
    if (url.pathname.startsWith('/api/')) {
      const auth = req.headers.authorization;
      const given = auth?.startsWith('Bearer ') ? auth.slice(7) : undefined;
      if (!tokenMatches(options.token, given)) {
        return send(res, 401, { ok: false, error: { code: 'unauthorized', message: 'missing or wrong access token' } });
      }
      if (url.pathname === '/api/events' && req.method === 'GET') {
        res.writeHead(200, {
          ...SECURITY_HEADERS,
          'Content-Type': 'text/event-stream',
          'Cache-Control': 'no-store',
          Connection: 'keep-alive',
        });
        res.write(': connected\n\n');
        sseClients.add(res);
        req.on('close', () => sseClients.delete(res));
        return;
      }
      if (url.pathname === '/api/upload' && req.method === 'POST') {
        if (!(req.headers['content-type'] ?? '').startsWith('application/octet-stream'))
          return send(res, 415, {
            ok: false,
            error: { code: 'invalid-input', message: 'send application/octet-stream' },
          });
        deadline.cancel();
        try {
          return send(res, 200, {
            ok: true,
            value: await receiveUpload(req, url.searchParams.get('name'), ctx.dataDir, timeouts.uploadIdleMs),
          });
        } catch (e) {
          // The rest of a refused upload (up to 64 GiB) is not worth reading: close instead.
          res.shouldKeepAlive = false;
          const status = e instanceof UploadError ? e.status : 500;
          return send(res, status, { ok: false, error: { code: 'invalid-input', message: (e as Error).message } });
        }
      }
      if (url.pathname === '/api/export-file' && req.method === 'GET') return sendExportFile(url, res);
      const match = /^\/api\/call\/([a-z][a-zA-Z.]{1,60})$/.exec(url.pathname);
      if (!match || req.method !== 'POST')
        return send(res, 404, { ok: false, error: { code: 'unknown-method', message: 'not found' } });
      if (!(req.headers['content-type'] ?? '').startsWith('application/json')) {
        return send(res, 415, { ok: false, error: { code: 'invalid-input', message: 'send application/json' } });
      }
      let input: unknown;
      try {
        const body = await readBody(req);
        input = body.length ? (JSON.parse(body) as unknown) : {};
      } catch (e) {
        return send(res, 400, {
          ok: false,
          error: { code: 'invalid-input', message: `bad request body: ${(e as Error).message}` },
        });
      }
      const envelope = await dispatch(match[1]!, input, ctx);
      return send(res, 200, envelope);
    }
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return send(res, 405, { ok: false, error: { code: 'invalid-input', message: 'method not allowed' } });
    serveStatic(url.pathname, res);
  }

  /** A download of one file of a recorded export (browser mode's "open folder"): see exportFile for what is allowed. */
  function sendExportFile(url: URL, res: http.ServerResponse): void {
    let file: string;
    try {
      const id = Number(url.searchParams.get('exportId'));
      if (!Number.isInteger(id) || id <= 0) throw new ApiError('invalid-input', 'Say which export (exportId).');
      file = exportFile(ctx, id, url.searchParams.get('file') ?? '');
    } catch (e) {
      const error = toApiError(e);
      const status = error.code === 'forbidden' ? 403 : error.code === 'not-found' ? 404 : 400;
      return send(res, status, { ok: false, error: error.toData() });
    }
    const type = file.endsWith('.json')
      ? 'application/json'
      : file.endsWith('.md')
        ? 'text/markdown'
        : 'application/octet-stream';
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'Content-Type': type,
      'Content-Length': fs.statSync(file).size,
      'Content-Disposition': `attachment; filename="${path.basename(file).replace(/[^A-Za-z0-9._-]/g, '_')}"`,
      'Cache-Control': 'no-store',
    });
    fs.createReadStream(file).pipe(res);
  }

  function serveStatic(pathname: string, res: http.ServerResponse): void {
    let rel: string;
    try {
      rel = decodeURIComponent(pathname);
    } catch {
      return send(res, 400, { ok: false, error: { code: 'invalid-input', message: 'bad path' } });
    }
    let file = path.resolve(staticRoot, `.${rel}`);
    if (!file.startsWith(staticRoot + path.sep) && file !== staticRoot) return send(res, 404, { ok: false });
    if (!fs.existsSync(file) || fs.statSync(file).isDirectory()) file = path.join(staticRoot, 'index.html');
    const type = STATIC_TYPES[path.extname(file)];
    if (!type || !fs.existsSync(file)) {
      return send(res, 404, {
        ok: false,
        error: { code: 'not-found', message: 'the UI is not built: run npm run build' },
      });
    }
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'Content-Type': type,
      'Cache-Control': file.endsWith('index.html') ? 'no-store' : 'public, max-age=31536000, immutable',
    });
    fs.createReadStream(file).pipe(res);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  allowedHosts = allowedHostSet(options.host, port, options.publicHosts);
  const keepAlive = setInterval(() => {
    for (const res of sseClients) res.write(': ping\n\n');
  }, 15_000);
  const shownHost = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${shownHost}:${port}/`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(keepAlive);
        ctx.listeners.delete(onEvent);
        for (const res of sseClients) res.end();
        server.close(() => resolve());
        server.closeAllConnections?.();
      }),
  };
}
