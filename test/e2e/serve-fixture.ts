import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const cli = path.join(root, 'bin', 'flywheel.js');

export interface Served {
  home: string;
  db: string;
  url: string;
  link: string;
  stop(): Promise<void>;
}

/** A real `flywheel serve` on a fresh data folder loaded with the demo projects. */
export async function serveDemo(rows: number): Promise<Served> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'flywheel-e2e-'));
  const db = path.join(home, 'workbench.db');
  const env = { ...process.env, FLYWHEEL_HOME: home };
  const demo = spawnSync(process.execPath, [cli, 'demo', '--rows', String(rows), '--db', db], {
    env,
    encoding: 'utf8',
  });
  if (demo.status !== 0) throw new Error(`flywheel demo failed: ${demo.stderr}`);
  return serveFolder(home, db);
}

/** A real `flywheel serve` on a fresh, empty data folder: no project yet. */
export function serveEmpty(): Promise<Served> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'flywheel-e2e-'));
  return serveFolder(home, path.join(home, 'workbench.db'));
}

async function serveFolder(home: string, db: string): Promise<Served> {
  const env = { ...process.env, FLYWHEEL_HOME: home };
  const child: ChildProcess = spawn(process.execPath, [cli, 'serve', '--port', '0', '--json', '--db', db], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const info = await new Promise<{ url: string; link: string }>((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve(JSON.parse(line) as { url: string; link: string });
    });
    child.once('exit', (code) => reject(new Error(`serve exited (${code}): ${err}`)));
  });
  return {
    home,
    db,
    ...info,
    stop: async () => {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
      fs.rmSync(home, { recursive: true, force: true });
    },
  };
}
