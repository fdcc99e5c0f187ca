import { _electron as electron, expect, test } from '@playwright/test';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Why the desktop app cannot be tested on this machine, or null when it can. */
function electronUnavailable(): string | null {
  // electron's path.txt, not require('electron'): that would try to download a missing runtime.
  const pathFile = path.join(root, 'node_modules', 'electron', 'path.txt');
  if (!fs.existsSync(pathFile)) return 'no Electron runtime downloaded (its download host is unreachable here)';
  const bin = path.join(root, 'node_modules', 'electron', 'dist', fs.readFileSync(pathFile, 'utf8').trim());
  if (!fs.existsSync(bin)) return `the Electron runtime is missing (${bin})`;
  if (!fs.existsSync(path.join(root, 'native', 'electron', 'better_sqlite3.node'))) {
    return 'better-sqlite3 is not built for Electron (see README: native/electron/)';
  }
  if (process.platform === 'linux' && !process.env['DISPLAY'] && !process.env['WAYLAND_DISPLAY']) return 'no display';
  return null;
}

const reason = electronUnavailable();

/** Writes the demo project into a fresh workbench folder and starts the desktop app on it. */
async function launchOnDemo() {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'flywheel-electron-'));
  const db = path.join(home, 'workbench.db');
  const demo = spawnSync(
    process.execPath,
    [path.join(root, 'bin', 'flywheel.js'), 'demo', '--rows', '2000', '--db', db],
    {
      encoding: 'utf8',
    },
  );
  expect(demo.status, demo.stderr).toBe(0);
  const app = await electron.launch({ args: [root], env: { ...process.env, FLYWHEEL_DB: db, FLYWHEEL_HOME: home } });
  const close = async () => {
    await app.close();
    fs.rmSync(home, { recursive: true, force: true });
  };
  return { app, close };
}

test('the desktop window opens on the demo project, isolated from Node', async () => {
  if (reason) console.log(`electron test skipped: ${reason}`);
  test.skip(reason !== null, reason ?? '');
  const { app, close } = await launchOnDemo();
  try {
    const page = await app.firstWindow();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('sentiment');
    await expect(page.getByTestId('count-examples')).toHaveText('2,000');
    expect(await page.evaluate(() => typeof (window as unknown as { require?: unknown }).require)).toBe('undefined');
    expect(await page.evaluate(() => typeof (window as unknown as { process?: unknown }).process)).toBe('undefined');
    await page.screenshot({ path: 'test-results/screens/electron-home.png' });
  } finally {
    await close();
  }
});

test('the desktop page is app://workbench, stays there, and gets no permissions', async () => {
  test.skip(reason !== null, reason ?? '');
  const { app, close } = await launchOnDemo();
  try {
    const page = await app.firstWindow();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('sentiment');
    expect(page.url()).toMatch(/^app:\/\/workbench\//);
    // The protocol serves out/renderer only, with its CSP.
    const probe = await page.evaluate(async () => {
      const page = await fetch('/index.html');
      const climb = await fetch('/%2e%2e%2fpackage.json');
      const unknown = await fetch('/no-such-file.js');
      return {
        page: page.status,
        csp: page.headers.get('content-security-policy'),
        type: page.headers.get('content-type'),
        climb: climb.status,
        unknown: unknown.status,
      };
    });
    expect(probe).toMatchObject({ page: 200, type: 'text/html; charset=utf-8', climb: 404, unknown: 404 });
    expect(probe.csp).toContain("default-src 'self'");
    // No new windows, no navigation away.
    expect(await page.evaluate(() => window.open('https://example.com/') === null)).toBe(true);
    await page.evaluate(() => {
      window.location.href = 'https://example.com/';
    });
    await page.waitForTimeout(500);
    expect(page.url()).toMatch(/^app:\/\/workbench\//);
    expect(app.windows()).toHaveLength(1);
    // Every web permission is refused.
    expect(await page.evaluate(() => Notification.requestPermission())).toBe('denied');
    expect(await page.evaluate(async () => (await navigator.permissions.query({ name: 'geolocation' })).state)).toBe(
      'denied',
    );
    // Helper processes start as Electron utility processes (the packaged app cannot fork itself as
    // Node): an export preview runs in the export process.
    const preview = await page.evaluate(() =>
      (window as unknown as { flywheel: { call(m: string, i: unknown): Promise<unknown> } }).flywheel.call(
        'export.preview',
        { project: { project: 'sentiment' }, labelSource: 'human+model' },
      ),
    );
    expect(preview, JSON.stringify(preview)).toMatchObject({ ok: true });
  } finally {
    await close();
  }
});
