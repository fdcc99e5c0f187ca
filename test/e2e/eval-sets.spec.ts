import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import { serveDemo, type Served } from './serve-fixture';

let served: Served;
const cli = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'flywheel.js');

function flywheel(...args: string[]) {
  const run = spawnSync(process.execPath, [cli, '--db', served.db, ...args], {
    env: { ...process.env, FLYWHEEL_HOME: served.home },
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`flywheel ${args.join(' ')}: ${run.stderr}`);
  return run.stdout;
}

test.beforeAll(async () => {
  served = await serveDemo(3000);
  // The demo's spam trap: the challenger's lineage and a frozen set of the traffic after it.
  flywheel('model-run', 'lineage', 'spam', 'spam-filter@v4', '--train-until', '2026-09-15');
  flywheel('eval-set', 'create', 'spam', 'later', '--source', 'truth', '--from', '2026-09-15');
});

test.afterAll(async () => {
  await served.stop();
});

test('the Evaluate screen judges on a frozen evaluation set picked from a list', async ({ page }) => {
  await page.goto(served.link);
  await page.getByRole('navigation', { name: 'Projects' }).getByRole('button', { name: /^spam/ }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('spam');
  await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: 'Insights' }).click();
  const picker = page.getByRole('combobox', { name: /^Evaluation set/ });
  await expect(picker.locator('option')).toHaveText(['none: pick the labels here', /^later \(n = \d+, frozen\)$/]);
  await picker.selectOption('later');
  await expect(page.getByLabel('Reference labels')).toBeDisabled();
  await page.getByLabel('Metric').selectOption('accuracy');
  await page.getByRole('button', { name: 'Evaluate' }).click();
  await expect(page.getByTestId('evaluation-set')).toContainText('evaluation set later (frozen)');
  await expect(page.getByTestId('gate-verdict')).toHaveText('failed');
  await expect(page.getByTestId('gate-basis')).toContainText(
    'Judged on ground truth, control-sample and unmined labels',
  );
});
