import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContext } from '../core/create-context';
import { call } from '../core/dispatch';
import { parsePublicHost } from './allowed-hosts';
import { startHttpServer, type RunningServer, type ServerOptions } from './http-server';
import { loadOrCreateToken, TokenFileError } from './token';

let dir: string;
let ctx: ReturnType<typeof createContext>;
let server: RunningServer;
let token: string;

/** A raw request, so the Host header can be anything (fetch would not let a test set it). */
function request(
  pathname: string,
  options: { method?: string; headers?: Record<string, string>; body?: string; port?: number } = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port: options.port ?? server.port,
        path: pathname,
        method: options.method ?? 'GET',
        headers: options.headers,
      },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** A second server on the same context, with other options; closed by the caller. */
function startOther(options: Partial<ServerOptions>): Promise<RunningServer> {
  return startHttpServer(ctx, {
    host: '127.0.0.1',
    port: 0,
    token,
    staticDir: path.join(dir, 'static'),
    ...options,
  });
}

/**
 * Sends `head` on a raw socket, then nothing more: resolves with what came back and how long the
 * server kept the connection open (or `null` if it was still open after `waitMs`).
 */
function stall(port: number, head: string, waitMs: number): Promise<{ closedAfterMs: number | null; reply: string }> {
  return new Promise((resolve) => {
    const started = Date.now();
    let reply = '';
    const socket = net.connect(port, '127.0.0.1', () => socket.write(head));
    socket.on('data', (d: Buffer) => (reply += d.toString()));
    socket.on('error', () => undefined);
    const giveUp = setTimeout(() => {
      socket.destroy();
      resolve({ closedAfterMs: null, reply });
    }, waitMs);
    socket.on('close', () => {
      clearTimeout(giveUp);
      resolve({ closedAfterMs: Date.now() - started, reply });
    });
  });
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flywheel-http-'));
  fs.mkdirSync(path.join(dir, 'static'));
  fs.writeFileSync(path.join(dir, 'static', 'index.html'), '<!doctype html><title>ui</title>');
  fs.writeFileSync(path.join(dir, 'secret.txt'), 'not for the web');
  ctx = createContext({ dbPath: path.join(dir, 'w.db'), runtime: 'server' });
  token = loadOrCreateToken(dir);
  server = await startHttpServer(ctx, { host: '127.0.0.1', port: 0, token, staticDir: path.join(dir, 'static') });
});

afterAll(async () => {
  await server.close();
  await ctx.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('browser-mode server', () => {
  it('makes a different token per install, readable by its owner only, and keeps it', () => {
    const other = fs.mkdtempSync(path.join(os.tmpdir(), 'flywheel-token-'));
    expect(loadOrCreateToken(other)).not.toBe(token);
    expect(loadOrCreateToken(dir)).toBe(token);
    expect(fs.statSync(path.join(dir, 'server-token')).mode & 0o077).toBe(0);
    fs.rmSync(other, { recursive: true, force: true });
  });

  it('answers API calls with the token, and only with it', async () => {
    const host = `127.0.0.1:${server.port}`;
    const call = (headers: Record<string, string>) =>
      request('/api/call/projects.list', {
        method: 'POST',
        headers: { Host: host, 'Content-Type': 'application/json', ...headers },
        body: '{}',
      });
    expect((await call({ Authorization: `Bearer ${token}` })).body).toBe('{"ok":true,"result":[]}');
    expect((await call({})).status).toBe(401);
    expect((await call({ Authorization: `Bearer ${token.slice(1)}x` })).status).toBe(401);
  });

  it('refuses other Host names (DNS rebinding) and foreign origins before anything else', async () => {
    const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
    const rebinding = await request('/api/call/projects.list', {
      method: 'POST',
      headers: { ...headers, Host: `evil.example:${server.port}` },
      body: '{}',
    });
    expect(rebinding.status).toBe(403);
    const page = await request('/', { headers: { Host: 'evil.example' } });
    expect(page.status).toBe(403);
    const cross = await request('/api/call/projects.list', {
      method: 'POST',
      headers: { ...headers, Host: `localhost:${server.port}`, Origin: 'http://evil.example' },
      body: '{}',
    });
    expect(cross.status).toBe(403);
  });

  it('serves the UI with a strict CSP and never a file outside its folder', async () => {
    const host = { Host: `localhost:${server.port}` };
    const index = await request('/', { headers: host });
    expect(index.status).toBe(200);
    expect(index.headers['content-security-policy']).toMatch(/default-src 'self'; script-src 'self'/);
    expect(index.headers['x-content-type-options']).toBe('nosniff');
    for (const sneaky of ['/../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt']) {
      const res = await request(sneaky, { headers: host });
      expect(res.body).not.toContain('not for the web');
    }
  });

  it('returns validation errors as data, naming the field', async () => {
    const res = await request('/api/call/projects.create', {
      method: 'POST',
      headers: {
        Host: `127.0.0.1:${server.port}`,
        Authorization: `Bearer ${token}`,
        'Content-Type': 'application/json',
      },
      body: JSON.stringify({ name: 'x', taskType: 'binary', inputKind: 'text', classes: ['a'] }),
    });
    expect(JSON.parse(res.body)).toMatchObject({
      ok: false,
      error: { code: 'invalid-input', message: expect.stringMatching(/classes/) },
    });
  });

  it('takes uploads into the data folder with a safe name, and only with the token', async () => {
    const host = `127.0.0.1:${server.port}`;
    const body = '{"id":"a","text":"hi"}\n'.repeat(1000);
    const headers = { Host: host, 'Content-Type': 'application/octet-stream', Authorization: `Bearer ${token}` };
    const refused = await request('/api/upload?name=log.jsonl', {
      method: 'POST',
      headers: { ...headers, Authorization: 'Bearer nope' },
      body,
    });
    expect(refused.status).toBe(401);
    const wrongType = await request('/api/upload?name=log.jsonl', {
      method: 'POST',
      headers: { ...headers, 'Content-Type': 'application/json' },
      body,
    });
    expect(wrongType.status).toBe(415);
    const ok = await request('/api/upload?name=..%2F..%2Fetc%2F.evil%20log.jsonl', { method: 'POST', headers, body });
    expect(ok.status).toBe(200);
    const saved = (JSON.parse(ok.body) as { value: { path: string; bytes: number } }).value;
    expect(path.dirname(saved.path)).toBe(path.join(dir, 'uploads'));
    expect(path.basename(saved.path)).toMatch(/^\d{8}T\d{6}-[0-9a-f]{6}-evil_log\.jsonl$/);
    expect(fs.readFileSync(saved.path, 'utf8')).toBe(body);
    expect(fs.readdirSync(path.join(dir, 'uploads')).filter((f) => f.endsWith('.part'))).toEqual([]);
    const nameless = await request('/api/upload', { method: 'POST', headers, body });
    expect(nameless.status).toBe(400);
    expect(nameless.body).toMatch(/give the file name/);
  });

  it('keeps nothing of an upload cut off mid-way', async () => {
    const req = http.request({
      host: '127.0.0.1',
      port: server.port,
      path: '/api/upload?name=cut.csv',
      method: 'POST',
      headers: {
        Host: `127.0.0.1:${server.port}`,
        'Content-Type': 'application/octet-stream',
        Authorization: `Bearer ${token}`,
        'Content-Length': String(1 << 20),
      },
    });
    req.on('error', () => undefined);
    req.write('a,b\n1,2\n');
    await new Promise((r) => setTimeout(r, 100));
    req.destroy();
    await new Promise((r) => setTimeout(r, 200));
    const left = fs.readdirSync(path.join(dir, 'uploads')).filter((f) => f.includes('cut'));
    expect(left).toEqual([]);
  });

  it("says the OS file dialog is the desktop app's, not the server's", async () => {
    const res = await request('/api/call/app.pickFile', {
      method: 'POST',
      headers: {
        Host: `127.0.0.1:${server.port}`,
        'Content-Type': 'application/json',
        Authorization: `Bearer ${token}`,
      },
      body: JSON.stringify({ purpose: 'log' }),
    });
    expect(JSON.parse(res.body)).toMatchObject({
      ok: false,
      error: { code: 'unsupported', message: /upload the file/ },
    });
  });
});

describe('export downloads', () => {
  /** A recorded export of project p: its folder with a data file and a manifest listing it. */
  async function recordExport(folder: string): Promise<number> {
    const projects = await call('projects.list', {}, ctx);
    const projectId =
      projects.find((p) => p.name === 'downloads')?.id ??
      (
        await call(
          'projects.create',
          { name: 'downloads', taskType: 'binary', inputKind: 'text', classes: ['no', 'yes'] },
          ctx,
        )
      ).id;
    fs.mkdirSync(folder, { recursive: true });
    fs.writeFileSync(path.join(folder, 'train.jsonl'), '{"id":"a","label":"yes"}\n');
    const manifest = {
      files: [{ path: 'train.jsonl', split: 'train', rows: 1, bytes: 25, sha256: 'x' }],
      schema: { version: 1 },
    };
    fs.writeFileSync(path.join(folder, 'manifest.json'), JSON.stringify(manifest));
    const schema = ctx.store.labelSchemas.all(projectId).at(-1)!;
    return ctx.store.exports.add(
      {
        project_id: projectId,
        schema_version_id: schema.id,
        options: '{}',
        format: 'jsonl',
        path: folder,
        manifest: JSON.stringify(manifest),
        content_hash: 'h',
      },
      Date.now(),
    );
  }
  const get = (query: string, auth = true) =>
    request(`/api/export-file?${query}`, {
      headers: { Host: `127.0.0.1:${server.port}`, ...(auth ? { Authorization: `Bearer ${token}` } : {}) },
    });

  it('hands out the files an export lists, with the token only, and nothing outside the exports folder', async () => {
    const id = await recordExport(path.join(dir, 'exports', 'ds'));
    const file = await get(`exportId=${id}&file=train.jsonl`);
    expect(file.status).toBe(200);
    expect(file.body).toBe('{"id":"a","label":"yes"}\n');
    expect(file.headers['content-disposition']).toBe('attachment; filename="train.jsonl"');
    expect((await get(`exportId=${id}&file=manifest.json`)).status).toBe(200);
    expect((await get(`exportId=${id}&file=train.jsonl`, false)).status).toBe(401);
    // Only listed files: no climbing out of the folder, not even to the database beside it.
    for (const name of ['../../w.db', '../ds/../../secret.txt', '/etc/passwd', 'other.txt']) {
      const refused = await get(`exportId=${id}&file=${encodeURIComponent(name)}`);
      expect(refused.status).toBe(404);
      expect(refused.body).not.toContain('not for the web');
    }
    // An export written outside the exports folder is not served, though its manifest lists the file.
    const outside = await recordExport(path.join(dir, 'elsewhere'));
    const res = await get(`exportId=${outside}&file=train.jsonl`);
    expect(res.status).toBe(403);
    expect(JSON.parse(res.body).error.message).toMatch(/outside the workbench's exports folder/);
    expect((await get('exportId=999&file=train.jsonl')).status).toBe(404);
  });

  it('says a browser cannot open folders, pointing to the downloads', async () => {
    const id = await recordExport(path.join(dir, 'exports', 'ds2'));
    await expect(call('export.openFolder', { exportId: id }, ctx)).rejects.toThrow(/download the files/);
  });
});

describe('the token file', () => {
  const me = { uid: process.getuid?.(), platform: process.platform };
  let home: string;
  beforeAll(() => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'flywheel-token-file-'));
  });
  afterAll(() => fs.rmSync(home, { recursive: true, force: true }));
  const fresh = (name: string) => {
    const d = path.join(home, name);
    fs.mkdirSync(d);
    return d;
  };
  const aToken = 'A'.repeat(43);

  it('refuses a symbolic link planted as server-token, and never writes through it', () => {
    const d = fresh('link');
    const target = path.join(home, 'victim.txt');
    fs.writeFileSync(target, 'precious');
    fs.symlinkSync(target, path.join(d, 'server-token'));
    expect(() => loadOrCreateToken(d)).toThrow(TokenFileError);
    expect(() => loadOrCreateToken(d)).toThrow(/symbolic link.*Remove it/);
    expect(fs.readFileSync(target, 'utf8')).toBe('precious');
    // A dangling link (the file it names does not exist yet) is not followed to create it either.
    const d2 = fresh('dangling');
    const nowhere = path.join(home, 'made-by-the-link');
    fs.symlinkSync(nowhere, path.join(d2, 'server-token'));
    expect(() => loadOrCreateToken(d2)).toThrow(/symbolic link/);
    expect(fs.existsSync(nowhere)).toBe(false);
  });

  it('refuses a token file others may read, saying to delete it or chmod 600', () => {
    const d = fresh('mode');
    const file = path.join(d, 'server-token');
    fs.writeFileSync(file, `${aToken}\n`, { mode: 0o644 });
    fs.chmodSync(file, 0o644);
    expect(() => loadOrCreateToken(d)).toThrow(/mode 0644.*Delete it.*chmod 600/);
    fs.chmodSync(file, 0o600);
    expect(loadOrCreateToken(d)).toBe(aToken);
    // Windows has no such modes: only there is the check skipped.
    fs.chmodSync(file, 0o644);
    expect(loadOrCreateToken(d, { uid: undefined, platform: 'win32' })).toBe(aToken);
  });

  it('refuses a token file owned by another user', () => {
    const d = fresh('owner');
    const file = path.join(d, 'server-token');
    fs.writeFileSync(file, `${aToken}\n`, { mode: 0o600 });
    expect(() => loadOrCreateToken(d, { ...me, uid: (me.uid ?? 0) + 1 })).toThrow(/belongs to user \d+, not to you/);
    if (me.uid === 0) {
      // As root the file can really be given away: the process's own uid is then the one checked.
      fs.chownSync(file, 4242, 4242);
      expect(() => loadOrCreateToken(d)).toThrow(/belongs to user 4242, not to you \(user 0\)/);
    }
  });

  it('refuses a folder or a file that holds no token, and makes a new one with mode 0600 only where none is', () => {
    const d = fresh('other');
    fs.mkdirSync(path.join(d, 'server-token'));
    expect(() => loadOrCreateToken(d)).toThrow(/is a folder/);
    const d2 = fresh('garbage');
    fs.writeFileSync(path.join(d2, 'server-token'), 'not a token', { mode: 0o600 });
    expect(() => loadOrCreateToken(d2)).toThrow(/does not hold an access token/);
    const d3 = path.join(fresh('new'), 'nested');
    const made = loadOrCreateToken(d3);
    expect(made).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(fs.statSync(path.join(d3, 'server-token')).mode & 0o777).toBe(0o600);
    expect(loadOrCreateToken(d3)).toBe(made);
  });
});

describe('public host names (--public-host)', () => {
  const call = (port: number, host: string, extra: Record<string, string> = {}) =>
    request('/api/call/projects.list', {
      port,
      method: 'POST',
      headers: { Host: host, Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', ...extra },
      body: '{}',
    });

  it('accepts a Host and Origin naming a public host, and still refuses any other name', async () => {
    // Without the option, the machine's name is refused like any other.
    expect((await call(server.port, `myhost.example:${server.port}`)).status).toBe(403);
    const other = await startOther({
      publicHosts: ['MyHost.example', 'proxy.example:8443', 'tls.example:443', 'fd00::7'].map(parsePublicHost),
    });
    try {
      const p = other.port;
      expect((await call(p, `myhost.example:${p}`)).status).toBe(200);
      expect((await call(p, `myhost.example:${p}`, { Origin: `http://myhost.example:${p}` })).status).toBe(200);
      expect((await call(p, `[fd00::7]:${p}`)).status).toBe(200);
      expect((await call(p, 'proxy.example:8443')).status).toBe(200);
      expect((await call(p, 'tls.example', { Origin: 'https://tls.example' })).status).toBe(200);
      expect((await call(p, `127.0.0.1:${p}`)).status).toBe(200);
      // A name given with a port is accepted with that port only; foreign names and origins stay refused.
      expect((await call(p, `proxy.example:${p}`)).status).toBe(403);
      expect((await call(p, `evil.example:${p}`)).status).toBe(403);
      expect((await call(p, `myhost.example:${p}`, { Origin: 'http://evil.example' })).status).toBe(403);
    } finally {
      await other.close();
    }
  });

  it('parses NAME, NAME:PORT and IPv6 forms, and says what is wrong with anything else', () => {
    expect(parsePublicHost('Lab-PC.local')).toEqual({ name: 'lab-pc.local' });
    expect(parsePublicHost('192.168.1.20:8080')).toEqual({ name: '192.168.1.20', port: 8080 });
    expect(parsePublicHost('[fd00::1]:4780')).toEqual({ name: '[fd00::1]', port: 4780 });
    expect(parsePublicHost('fd00::1')).toEqual({ name: '[fd00::1]' });
    expect(() => parsePublicHost('http://lab-pc')).toThrow(/host name or address/);
    expect(() => parsePublicHost('lab pc')).toThrow(/host name or address/);
    expect(() => parsePublicHost('lab-pc:70000')).toThrow(/port must be 1\.\.65535/);
  });
});

describe('timeouts: a client that stalls does not hold a connection', () => {
  const SHORT = { headersMs: 600, bodyMs: 600, uploadIdleMs: 600, keepAliveMs: 600 };
  let quick: RunningServer;
  beforeAll(async () => {
    quick = await startOther({ timeouts: SHORT });
  });
  afterAll(() => quick.close());
  const head = (pathname: string, type: string, length: number) =>
    `POST ${pathname} HTTP/1.1\r\nHost: 127.0.0.1:${quick.port}\r\nAuthorization: Bearer ${token}\r\n` +
    `Content-Type: ${type}\r\nContent-Length: ${length}\r\n\r\n`;

  it('answers 408 and closes when an API call sends part of its body, then nothing', async () => {
    const r = await stall(quick.port, `${head('/api/call/projects.list', 'application/json', 100)}{"pa`, 4000);
    expect(r.closedAfterMs).not.toBeNull();
    expect(r.closedAfterMs!).toBeLessThan(2000);
    expect(r.reply).toMatch(/^HTTP\/1\.1 408/);
    expect(r.reply).toMatch(/did not arrive within 0\.6 s/);
  });

  it('closes when the headers never end', async () => {
    const r = await stall(quick.port, `GET / HTTP/1.1\r\nHost: 127.0.0.1:${quick.port}\r\nX-Slow: 1`, 4000);
    expect(r.closedAfterMs).not.toBeNull();
    expect(r.closedAfterMs!).toBeLessThan(2000);
  });

  it('closes a refused request whose body stalls (no token: the body is never read)', async () => {
    const noToken = `POST /api/upload?name=x.csv HTTP/1.1\r\nHost: 127.0.0.1:${quick.port}\r\nContent-Type: application/octet-stream\r\nContent-Length: 100000\r\n\r\nabc`;
    const r = await stall(quick.port, noToken, 4000);
    expect(r.reply).toMatch(/^HTTP\/1\.1 401/);
    expect(r.closedAfterMs).not.toBeNull();
    expect(r.closedAfterMs!).toBeLessThan(2000);
  });

  it('gives up an upload that sends nothing for its idle time, keeping nothing of it', async () => {
    const r = await stall(
      quick.port,
      `${head('/api/upload?name=stalled.csv', 'application/octet-stream', 1000)}a,b\n`,
      4000,
    );
    expect(r.closedAfterMs).not.toBeNull();
    expect(r.closedAfterMs!).toBeLessThan(2000);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(fs.readdirSync(path.join(dir, 'uploads')).filter((f) => f.includes('stalled'))).toEqual([]);
  });

  it('lets an upload run longer than any body timeout while its bytes keep coming', async () => {
    const chunks = 12; // one every 150 ms: 1.8 s in all, three times the 0.6 s limits
    const piece = '1,2,3,4,5\n';
    const reply = await new Promise<string>((resolve, reject) => {
      let text = '';
      const socket = net.connect(quick.port, '127.0.0.1', () => {
        socket.write(head('/api/upload?name=steady.csv', 'application/octet-stream', chunks * piece.length));
        let sent = 0;
        const drip = setInterval(() => {
          socket.write(piece);
          if (++sent === chunks) clearInterval(drip);
        }, 150);
      });
      socket.on('data', (d: Buffer) => {
        text += d.toString();
        if (text.includes('"ok":')) {
          socket.destroy();
          resolve(text);
        }
      });
      socket.on('error', reject);
      socket.on('close', () => resolve(text));
    });
    expect(reply).toMatch(/^HTTP\/1\.1 200/);
    expect(reply).toContain(`"bytes":${chunks * piece.length}`);
  });
});
