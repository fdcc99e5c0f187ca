import { spawn } from 'node:child_process';
import path from 'node:path';
import { chromium } from '@playwright/test';
import { createContext } from '../src/main/core/create-context';
import { call } from '../src/main/core/dispatch';
import { percentile, removeDb, round, twoRunDatabase } from './bench-data';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

/** Serves a database with `flywheel serve` and returns its access link. */
async function serve(db: string) {
  const child = spawn(
    process.execPath,
    [path.join(ROOT, 'bin/flywheel.js'), 'serve', '--port', '0', '--json', '--db', db],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const link = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve((JSON.parse(line) as { link: string }).link);
    });
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}`)));
  });
  return { link, stop: () => new Promise((r) => (child.once('exit', r), child.kill('SIGTERM'))) };
}

/** Keypress → next item painted and the label committed, in Chromium, on a 1M-example project. */
export async function reviewBench(o: { rows: number; labels: number; workDir: string }) {
  const { db } = await twoRunDatabase(o.workDir, o.rows);
  const ctx = createContext({ dbPath: db, runtime: 'cli' });
  await call(
    'mining.run',
    { project: { project: 'sentiment' }, strategy: { strategy: 'entropy' }, limit: o.labels + 50 },
    ctx,
  );
  await ctx.dispose();
  const server = await serve(db);
  const browser = await chromium.launch({
    executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(server.link);
    await page.getByRole('heading', { level: 1 }).waitFor();
    await page.evaluate(() => localStorage.setItem('flywheel.annotator', 'bench'));
    await page.reload();
    await page.getByRole('heading', { level: 1 }).waitFor();
    const t0 = performance.now();
    await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: 'Review' }).click();
    await page.getByTestId('example-text').waitFor();
    const firstPaint = performance.now() - t0;
    await page.locator('body').click({ position: { x: 5, y: 790 } });
    const times: number[] = [];
    for (let i = 0; i < o.labels; i++) {
      const before = await page.getByTestId('example-text').textContent();
      const start = performance.now();
      await page.keyboard.press(String((i % 3) + 1));
      // Painted: the next text is on screen. Committed: the newest decision shows its ✓.
      await page.waitForFunction(
        (prev) => {
          const text = document.querySelector('[data-testid="example-text"]')?.textContent;
          const saved = document.querySelector('.history li')?.querySelector('.saved');
          return text !== prev && saved !== null && saved !== undefined;
        },
        before,
        { polling: 'raf' },
      );
      times.push(performance.now() - start);
    }
    return {
      bench: 'review',
      labels: times.length,
      p50_ms: round(percentile(times, 50), 1),
      p95_ms: round(percentile(times, 95), 1),
      first_paint_ms: round(firstPaint, 0),
    };
  } finally {
    await browser.close();
    await server.stop();
    removeDb(db);
  }
}
