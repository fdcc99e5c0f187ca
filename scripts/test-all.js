// `npm test`: build, unit and integration tests (vitest), then browser tests (Playwright on Debian's Chromium).
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
  return null;
}

run('build', process.execPath, [path.join(root, 'scripts/build.js')]);
run('typecheck', bin('tsc'), ['--noEmit', '-p', 'tsconfig.json']);
run('lint', bin('eslint'), ['.']);
run('unit and integration tests', bin('vitest'), [
  'run',
  '--reporter=default',
  '--reporter=json',
  '--outputFile.json=test-results/vitest.json',
]);
if (!chromium()) {
  console.error('\nbrowser tests need Chromium: install it (Debian: apt-get install -y chromium) or set CHROMIUM_PATH');
  process.exit(1);
}
run('browser tests', bin('playwright'), ['test']);

// One closing line for the whole run: "N passed, N failed, N skipped".
const unit = JSON.parse(fs.readFileSync(path.join(root, 'test-results/vitest.json'), 'utf8'));
const browser = JSON.parse(fs.readFileSync(path.join(root, 'test-results/playwright.json'), 'utf8'));
const passed = unit.numPassedTests + (browser.stats.expected ?? 0);
const failed = unit.numFailedTests + (browser.stats.unexpected ?? 0) + (browser.stats.flaky ?? 0);
const skipped = unit.numPendingTests + unit.numTodoTests + (browser.stats.skipped ?? 0);
console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed === 0 ? 0 : 1);
