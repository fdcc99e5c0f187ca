import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContext } from '../core/create-context';
import { startHttpServer, type RunningServer } from './http-server';
import { loadOrCreateToken } from './token';

let dir: string;
let ctx: ReturnType<typeof createContext>;
let server: RunningServer;
let token: string;

/** A raw request, so the Host header can be anything (fetch would not let a test set it). */
function request(
  pathname: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port: server.port,
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
