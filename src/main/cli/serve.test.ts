import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../../shared/api/errors';
import { EXIT } from './exit-codes';
import { openCliContext } from './cli-context';

// `flywheel serve` as users run it: the built CLI (npm run build) in a child process.
const CLI = path.resolve(__dirname, '../../../bin/flywheel.js');

let root: string;
const children = new Set<ChildProcess>();

beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'flywheel-serve-'));
});
afterEach(() => {
  for (const child of children) child.kill('SIGTERM');
  children.clear();
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

type Started = { started: true; url: string; port: number; link: string; child: ChildProcess };
type Exited = { started: false; code: number | null; stderr: string };

/** Runs `flywheel serve ARGS --port 0 --json` until it prints where it listens, or exits. */
function serve(args: string[], home: string): Promise<Started | Exited> {
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--json', ...args], {
    env: { ...process.env, FLYWHEEL_HOME: home },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  return new Promise((resolve) => {
    let out = '';
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.startsWith('{"url"') && l.endsWith('}'));
      if (line) resolve({ started: true, child, ...(JSON.parse(line) as { url: string; port: number; link: string }) });
    });
    child.once('exit', (code) => resolve({ started: false, code, stderr: err }));
  });
}

function get(port: number, host: string, token: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path: '/api/call/projects.list',
        method: 'POST',
        headers: { Host: host, Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end('{}');
  });
}

function folder(name: string): string {
  const d = path.join(root, name);
  fs.mkdirSync(d, { recursive: true });
  return d;
}

/** A real database with a few hundred pages, closed cleanly (everything in the main file). */
function realDatabase(file: string): void {
  const ctx = openCliContext({ db: file, json: false });
  const db = ctx.store.db;
  db.exec('CREATE TABLE filler (id INTEGER PRIMARY KEY, text TEXT)');
  const insert = db.prepare('INSERT INTO filler (text) VALUES (?)');
  db.transaction(() => {
    for (let i = 0; i < 3000; i++) insert.run(`row ${i} `.repeat(40));
  })();
  ctx.store.close();
}

describe('flywheel serve', () => {
  it("keeps the access token in the user's own data folder, not next to a --db in a shared folder", async () => {
    const home = folder('token-home');
    const shared = folder('token-shared');
    const s = await serve(['--db', path.join(shared, 'team.db')], home);
    expect(s.started, s.started ? '' : s.stderr).toBe(true);
    if (!s.started) return;
    const token = fs.readFileSync(path.join(home, 'server-token'), 'utf8').trim();
    expect(s.link).toContain(`#token=${token}`);
    expect(fs.existsSync(path.join(shared, 'server-token'))).toBe(false);
  }, 30_000);

  it('refuses a database with damaged pages, with a message and exit code, before serving it', async () => {
    const home = folder('corrupt-home');
    const db = path.join(home, 'damaged.db');
    realDatabase(db);
    const size = fs.statSync(db).size;
    expect(size).toBeGreaterThan(100 * 4096);
    const fd = fs.openSync(db, 'r+');
    fs.writeSync(fd, Buffer.alloc(8 * 4096, 0x5a), 0, 8 * 4096, Math.floor(size / 2 / 4096) * 4096);
    fs.closeSync(fd);
    // A CLI command that does not read those pages still opens it (no check at start): serve must not.
    const s = await serve(['--db', db], home);
    expect(s.started).toBe(false);
    if (s.started) return;
    expect(s.code).toBe(EXIT.badInput);
    expect(s.stderr).toMatch(/damaged\.db is damaged \(quick_check: .+\): refusing to open it; restore a backup/);
    expect(s.stderr).not.toMatch(/\n\s+at /);
  }, 30_000);

  it('runs its context with the start-up check and the background WAL checkpointer', async () => {
    const home = folder('checkpoint-home');
    const db = path.join(home, 'fresh.db');
    const s = await serve(['--db', db], home);
    expect(s.started, s.started ? '' : s.stderr).toBe(true);
    // The migrations of a fresh database sit in the WAL; the checkpointer copies them into the
    // database file within moments (a CLI context would leave them there: 4096 bytes).
    const deadline = Date.now() + 5000;
    while (fs.statSync(db).size <= 4096 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(fs.statSync(db).size).toBeGreaterThan(4096);
    const ctx = openCliContext({ db: path.join(home, 'other.db'), json: false }, 'server');
    try {
      expect(ctx.checks).toEqual({ quickCheck: true, backgroundCheckpoint: true });
    } finally {
      await ctx.dispose();
    }
  }, 30_000);

  it('accepts requests naming a --public-host, and asks for one when bound to every address', async () => {
    const home = folder('public-home');
    const db = path.join(home, 'w.db');
    const everywhere = await serve(['--db', db, '--host', '0.0.0.0', '--allow-remote'], home);
    expect(everywhere.started).toBe(false);
    if (everywhere.started) return;
    expect(everywhere.code).toBe(EXIT.usage);
    expect(everywhere.stderr).toMatch(/--host 0\.0\.0\.0 listens on every address.*add --public-host NAME/);

    const s = await serve(['--db', db, '--public-host', 'myhost.example'], home);
    expect(s.started, s.started ? '' : s.stderr).toBe(true);
    if (!s.started) return;
    const token = fs.readFileSync(path.join(home, 'server-token'), 'utf8').trim();
    expect(await get(s.port, `myhost.example:${s.port}`, token)).toBe(200);
    expect(await get(s.port, `evil.example:${s.port}`, token)).toBe(403);

    const bad = await serve(['--db', db, '--public-host', 'http://myhost'], home);
    expect(bad.started).toBe(false);
    if (!bad.started) expect(bad.stderr).toMatch(/--public-host http:\/\/myhost: give a host name/);
  }, 30_000);
});

describe("the CLI's contexts", () => {
  it('refuses a damaged database as a bad file where the runtime checks at open', () => {
    const home = folder('context-corrupt');
    const db = path.join(home, 'damaged.db');
    realDatabase(db);
    const size = fs.statSync(db).size;
    const fd = fs.openSync(db, 'r+');
    fs.writeSync(fd, Buffer.alloc(8 * 4096, 0x5a), 0, 8 * 4096, Math.floor(size / 2 / 4096) * 4096);
    fs.closeSync(fd);
    let error: unknown;
    try {
      openCliContext({ db, json: false }, 'server');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ code: 'bad-file', message: expect.stringMatching(/restore a backup/) });
  });
});
