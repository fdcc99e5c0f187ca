// `npm test`: build, unit and integration tests (vitest), then browser tests (Playwright on Chromium: Debian's,
// CHROMIUM_PATH's or Playwright's own, downloaded when none is found).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
const bin = (name) => path.join(root, 'node_modules', '.bin', name);

function run(label, cmd, args) {
  console.log(`\n=== ${label}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`\n${label} failed (exit ${r.status ?? r.signal})`);
    process.exit(r.status ?? 1);
  }
}

function chromium() {
  for (const p of [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser']) {
    if (p && fs.existsSync(p)) return p;
  }
  return playwrightChromium();
}

/** Playwright's own Chromium, where `npx playwright install chromium` has put one. */
function playwrightChromium() {
  const r = spawnSync(process.execPath, ['-e', "console.log(require('playwright-core').chromium.executablePath())"], {
    cwd: root,
    encoding: 'utf8',
  });
  const p = r.status === 0 ? r.stdout.trim() : '';
  return p && fs.existsSync(p) ? p : null;
}

/** Finds a Chromium for the browser tests, downloading Playwright's when none is installed. */
function findOrInstallChromium() {
  const found = chromium();
  if (found) return found;
  console.log('\nNo Chromium found for the browser tests: trying `npx playwright install chromium` …');
  spawnSync(bin('playwright'), ['install', 'chromium'], { cwd: root, stdio: 'inherit' });
  return playwrightChromium();
}

const browser = findOrInstallChromium();
if (!browser) {
  console.error(
    '\nThe browser tests need Chromium, and none could be found or downloaded. Install one and run `npm test` again:\n' +
      '  Debian/Ubuntu: sudo apt-get install -y chromium\n' +
      '  elsewhere:     npx playwright install chromium   (or set CHROMIUM_PATH to a Chromium binary)',
  );
  process.exit(1);
}
process.env.CHROMIUM_PATH = browser;

run('build', process.execPath, [path.join(root, 'scripts/build.js')]);
run('typecheck', bin('tsc'), ['--noEmit', '-p', 'tsconfig.json']);
run('lint', bin('eslint'), ['.']);
run('unit and integration tests', bin('vitest'), [
  'run',
  '--reporter=default',
  '--reporter=json',
  '--outputFile.json=test-results/vitest.json',
]);
run('browser tests', bin('playwright'), ['test']);

// One closing line for the whole run: "N passed, N failed, N skipped".
const unit = JSON.parse(fs.readFileSync(path.join(root, 'test-results/vitest.json'), 'utf8'));
const browserResults = JSON.parse(fs.readFileSync(path.join(root, 'test-results/playwright.json'), 'utf8'));
const passed = unit.numPassedTests + (browserResults.stats.expected ?? 0);
const failed = unit.numFailedTests + (browserResults.stats.unexpected ?? 0) + (browserResults.stats.flaky ?? 0);
const skipped = unit.numPendingTests + unit.numTodoTests + (browserResults.stats.skipped ?? 0);
console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed === 0 ? 0 : 1);
