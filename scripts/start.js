// `npm start`: the desktop app where an Electron runtime can run, browser mode otherwise.
// With no database given (FLYWHEEL_DB or --db), it opens a demo project made on first start.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { electronRuntime } from './electron-runtime.js';

const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
const cli = path.join(root, 'bin', 'flywheel.js');
const args = process.argv.slice(2);
const dbArg = args.indexOf('--db');
let db = dbArg >= 0 ? path.resolve(args[dbArg + 1]) : process.env.FLYWHEEL_DB;

if (!db) {
  const home = process.env.FLYWHEEL_HOME ?? path.join(os.homedir(), '.local', 'share', 'flywheel-workbench');
  db = path.join(home, 'demo', 'demo.db');
  if (!fs.existsSync(db)) {
    console.log(`No database given: making the demo project in ${db} …`);
    const r = spawnSync(process.execPath, [cli, 'demo', '--db', db, '--dir', path.dirname(db)], { stdio: 'inherit' });
    if (r.status !== 0) process.exit(r.status ?? 1);
  }
}

function electronBinary() {
  const runtime = electronRuntime(root);
  if (!runtime.ok) return runtime;
  const probe = spawnSync(runtime.bin, ['--version'], {
    encoding: 'utf8',
    timeout: 15000,
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
  });
  if (probe.status !== 0) {
    return {
      ok: false,
      why: `the Electron runtime does not start here (${(probe.stderr || '').trim().split('\n')[0]})`,
    };
  }
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    return { ok: false, why: 'there is no display' };
  }
  return runtime;
}

const electron = electronBinary();
if (electron.ok) {
  const child = spawn(electron.bin, [root], { stdio: 'inherit', env: { ...process.env, FLYWHEEL_DB: db } });
  child.on('exit', (code) => process.exit(code ?? 0));
} else {
  console.log(`Desktop window unavailable: ${electron.why}. Opening browser mode instead.`);
  const child = spawn(process.execPath, [cli, 'serve', '--db', db], { stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
}
