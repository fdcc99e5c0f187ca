import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import { denseClassifier } from '../../src/main/features/models/onnx-writer';
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

test('is it better: every difference with its interval per class, and each run at its own decisions', async ({
  page,
}) => {
  // After the test above: a binary model over the spam features, registered with its own
  // decision threshold and rescored.
  const model = path.join(served.home, 'spam-lr.onnx');
  const weights = Float32Array.from({ length: 32 }, (_, i) => (i % 2 === 1 ? 0.6 : -0.6) * (((i * 7) % 5) - 2));
  fs.writeFileSync(
    model,
    denseClassifier({ layers: [{ weights, bias: new Float32Array(2), inputs: 16, outputs: 2 }] }),
  );
  flywheel('model', 'add', model, '--project', 'spam', '--name', 'spam-lr', '--version', 't02', '--threshold', '0.2');
  flywheel('rescore', 'spam', 'spam-lr@t02');
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.goto(served.link);
  await page.getByRole('navigation', { name: 'Projects' }).getByRole('button', { name: /^spam/ }).click();
  await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: 'Insights' }).click();
  await page.getByLabel('Champion').selectOption({ label: 'spam-filter@v3' });
  await page.getByLabel('Challenger').selectOption({ label: 'spam-filter@v4' });
  await page.getByRole('button', { name: 'Evaluate' }).click();
  const overall = page.getByRole('table', { name: 'Differences overall' });
  await expect(overall.getByRole('rowheader')).toHaveText([
    'accuracy',
    'macro-F1',
    'ROC-AUC',
    'PR-AUC',
    'log loss (lower is better)',
    'Brier (lower is better)',
  ]);
  const perClass = page.getByRole('table', { name: 'Differences per class' });
  await expect(perClass.getByRole('rowheader')).toHaveText(
    ['ham', 'spam'].flatMap((c) => [`precision of ${c}`, `recall of ${c}`, `F1 of ${c}`]),
  );
  await expect(perClass.locator('tbody tr').first().locator('td').nth(3)).toHaveText(/^-?\d\.\d{3} to -?\d\.\d{3}$/);
  // the imported runs decide by their logged labels (here the argmax), the rescored model at its 0.2
  await expect(page.getByTestId('decision-rules')).toContainText('the predicted labels its log recorded');
  await expect(page.getByTestId('decision-rules')).toContainText(
    "spam-lr@t02 decides by its model's threshold: spam when P(spam) ≥ 0.2",
  );
  await expect(page.getByTestId('at-threshold')).toHaveCount(1);
  await expect(page.getByTestId('at-threshold')).toContainText('all, at its threshold');
  await page.getByRole('table', { name: 'Differences per class' }).scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'test-results/eval-differences.png' });
  await page.getByTestId('decision-rules').scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'test-results/eval-at-threshold.png' });
});

test('a new evaluation set is made in Insights, picked, and judged on; bad input is refused inline', async ({
  page,
}) => {
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.goto(served.link);
  await page.getByRole('navigation', { name: 'Projects' }).getByRole('button', { name: /^spam/ }).click();
  await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: 'Insights' }).click();
  await page.getByText('New evaluation set…').click();
  const form = page.getByRole('form', { name: 'New evaluation set' });
  // refused: a name with a space, then a metadata filter that is not KEY=VALUE; nothing is created
  await form.getByLabel('Name').fill('late german');
  await form.getByRole('button', { name: 'Create evaluation set' }).click();
  await expect(form.getByRole('alert')).toContainText('a name of letters, digits');
  await form.getByLabel('Name').fill('late-de');
  await form.getByLabel('Metadata').fill('lang');
  await form.getByRole('button', { name: 'Create evaluation set' }).click();
  await expect(form.getByRole('alert')).toHaveText("metadata filter: 'lang' is not KEY=VALUE (e.g. channel=email)");
  expect(flywheel('--json', 'eval-set', 'list', 'spam')).not.toContain('late-de');
  // made: ground truth of German messages after the challenger's training window
  await form.getByLabel('Metadata').fill('lang=de');
  await form.getByRole('combobox', { name: /^Reference labels/ }).selectOption('truth');
  await form.getByLabel('From').fill('2026-09-15');
  await form.getByRole('button', { name: 'Create evaluation set' }).click();
  await expect(page.getByTestId('eval-set-created')).toContainText(/Evaluation set late-de frozen with \d+ examples/);
  await expect(form.getByRole('alert')).toHaveCount(0);
  const picker = page.getByRole('combobox', { name: /^Evaluation set/ });
  await expect(picker).toHaveValue('late-de');
  await page.getByLabel('Champion').selectOption({ label: 'spam-filter@v3' });
  await page.getByLabel('Challenger').selectOption({ label: 'spam-filter@v4' });
  await page.getByRole('button', { name: 'Evaluate' }).click();
  await expect(page.getByTestId('evaluation-set')).toContainText('evaluation set late-de (frozen)');
  await expect(page.getByTestId('gate-verdict')).toBeVisible();
  const shown = JSON.parse(flywheel('--json', 'eval-set', 'show', 'spam', 'late-de')) as {
    definition: Record<string, unknown>;
  };
  expect(shown.definition).toMatchObject({ source: 'truth', metadata: { lang: 'de' } });
  await page.getByRole('form', { name: 'New evaluation set' }).scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'test-results/eval-set-form.png' });
});
