import fs from 'node:fs';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { writeDemoLog } from '../../src/main/features/demo/demo-data';
import { serveDemo, type Served } from './serve-fixture';

let served: Served;

test.beforeAll(async () => {
  served = await serveDemo(1500);
});

test.afterAll(async () => {
  await served.stop();
});

async function tab(page: Page, name: string) {
  await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name }).click();
}

async function labelByKeyboard(page: Page, annotator: string, count: number) {
  await tab(page, 'Review');
  await page.getByLabel('Annotator').fill(annotator);
  await page.getByRole('button', { name: 'Start reviewing' }).click();
  const text = page.getByTestId('example-text');
  await expect(text).toBeVisible();
  await page.locator('body').click({ position: { x: 5, y: 790 } });
  for (let i = 0; i < count; i++) {
    const before = (await text.textContent()) ?? '';
    await page.keyboard.press(String((i % 3) + 1));
    await expect(text).not.toHaveText(before);
  }
  await expect(page.getByTestId('session-labeled')).toHaveText(String(count));
}

test('the whole flywheel through the UI: import, add a model, rescore, mine, label by keyboard, rename a label, export', async ({
  page,
}) => {
  test.setTimeout(120_000);
  const outside: string[] = [];
  page.on('request', (r) => {
    if (new URL(r.url()).hostname !== '127.0.0.1' && !r.url().startsWith('data:')) outside.push(r.url());
  });
  const shots = 'test-results/screens';
  await page.goto(served.link);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('sentiment');

  // Import a new model version's log of the same examples.
  const log = path.join(served.home, 'sentiment-v4.jsonl');
  await writeDemoLog({ project: 'sentiment', rows: 1500, modelVersion: 'v4', format: 'jsonl', outPath: log });
  // Browser mode picks files by upload: the server keeps the bytes in its data folder.
  await tab(page, 'Import');
  await page.getByLabel('Upload a file…').setInputFiles(log);
  await expect(page.getByLabel(/File on this machine/)).toHaveValue(/uploads.*sentiment-v4\.jsonl$/);
  await page.getByRole('button', { name: 'Preview' }).click();
  await expect(page.getByTestId('import-mapping')).toContainText('multiclass over negative, neutral, positive');
  await expect(page.getByRole('region', { name: 'Mapping' })).toBeVisible();
  await page.getByLabel('Save mapping as').fill('v4 logs');
  await page.getByRole('button', { name: 'Check mapping' }).click();
  await expect(page.getByText(/The first \d+ rows pass the mapping/)).toBeVisible();
  await page.screenshot({ path: `${shots}/import.png`, fullPage: true });
  await page.getByRole('button', { name: 'Start import' }).click();
  await expect(page.getByTestId('import-result')).toContainText('Imported 1,500 rows');

  // Add the demo's retrained model and rescore with it.
  await tab(page, 'Models');
  await page.getByLabel(/ONNX model file/).fill(path.join(served.home, 'demo', 'sentiment-retrained.onnx'));
  await page.getByRole('button', { name: 'Add model' }).click();
  await page.getByRole('button', { name: /Rescore sentiment-retrained/ }).click();
  await expect(page.getByTestId('rescore-result')).toContainText('1,500 examples scored on cpu', { timeout: 60_000 });
  await expect(page.getByRole('img', { name: /Histogram of top-class probability/ })).toBeVisible();
  await page.getByRole('button', { name: 'Edit mappings of sentiment-retrained' }).click();
  await page.getByLabel('Graph output').fill('nope');
  await page.getByRole('button', { name: 'Save mappings' }).click();
  await expect(page.getByText('already scored this project')).toBeVisible();
  await page.screenshot({ path: `${shots}/models.png`, fullPage: true });

  // Mine, then two annotators label 15 items each, by keyboard only.
  await tab(page, 'Mine');
  await page.getByLabel('Items').fill('40');
  await page.getByRole('button', { name: 'Preview' }).click();
  await expect(page.getByTestId('mining-preview')).toContainText('40 items would be queued');
  await expect(page.getByRole('img', { name: /Histogram of entropy priority/ })).toBeVisible();
  await page.screenshot({ path: `${shots}/mine-preview.png` });
  await page.getByRole('button', { name: 'Build queue' }).click();
  await expect(page.getByTestId('mining-summary')).toContainText('40 added');
  await expect(page.getByRole('table', { name: 'strategy' })).toContainText('entropy');
  await expect(page.getByRole('region', { name: 'Queue items' }).getByRole('row')).not.toHaveCount(0);
  await page.screenshot({ path: `${shots}/mine.png`, fullPage: true });
  await labelByKeyboard(page, 'ana', 15);
  await labelByKeyboard(page, 'ben', 15);
  await page.screenshot({ path: `${shots}/review-flow.png` });

  // A new schema version renames "negative" to "bad"; labels carry forward.
  await tab(page, 'Labels');
  await page.getByLabel('id of negative').fill('bad');
  await page.getByLabel('name of negative').fill('Bad');
  await expect(page.getByRole('list', { name: 'Declared changes' })).toHaveText(
    'rename negative → Bad (id negative → bad)',
  );
  await page.getByLabel('Change note').fill('negative is now bad');
  await page.getByRole('button', { name: 'Save new version' }).click();
  await expect(page.getByRole('status')).toContainText('Version 2 saved: 30 labels carried forward');
  await page.screenshot({ path: `${shots}/labels.png` });

  // Insights: the charts draw, the new model is evaluated on the curated labels.
  await tab(page, 'Insights');
  // one small chart per run, not overlaid sets
  const histograms = page.getByRole('img', { name: /Histogram of top-class probability of / });
  await expect(histograms.first()).toBeVisible();
  expect(await histograms.count()).toBeGreaterThan(1);
  await expect(page.getByRole('img', { name: /Reliability diagram of / }).first()).toBeVisible();
  await expect(page.getByRole('table', { name: 'Evaluation' })).toContainText('sentiment-retrained');
  await expect(page.getByTestId('comparison')).toContainText('gate');
  // The verdict comes with its evidence: the evaluation set, each check's interval and margin.
  await expect(page.getByTestId('gate-verdict')).toHaveText(/^(passed|failed|insufficient evidence)$/);
  await expect(page.getByTestId('evaluation-set')).toContainText('imported ground truth');
  const checks = page.getByRole('table', { name: 'Gate checks' });
  await expect(checks.getByRole('rowheader')).toHaveText([
    'macroF1',
    'recall of bad',
    'recall of neutral',
    'recall of positive',
  ]);
  await page.getByLabel('Reference labels').selectOption('curated');
  await page.getByLabel('Metric').selectOption('accuracy');
  await page.getByRole('button', { name: 'Evaluate' }).click();
  await expect(page.getByTestId('evaluation-set')).toContainText('curated labels (asked for: curated)');
  await expect(checks.getByRole('rowheader').first()).toHaveText('accuracy');
  // one run against itself is not a comparison
  const champion = await page.getByLabel('Champion').inputValue();
  await page.getByLabel('Challenger').selectOption(champion);
  await expect(page.getByRole('button', { name: 'Evaluate' })).toBeDisabled();
  await expect(page.getByText('Pick two different model runs.')).toBeVisible();
  await page.screenshot({ path: `${shots}/insights.png`, fullPage: true });

  // Export: the files hold the 30 labels, under the renamed id.
  await tab(page, 'Export');
  await expect(page.getByTestId('export-preview')).toContainText('30 rows (30 labeled by people');
  await page.getByLabel('Name', { exact: true }).fill('flow');
  await page.getByRole('button', { name: 'Build export' }).click();
  await expect(page.getByRole('list', { name: 'Past exports' })).toContainText('flow');
  await page.screenshot({ path: `${shots}/export.png` });
  const folder = path.join(served.home, 'exports', 'flow');
  const rows = ['train', 'validation', 'test'].flatMap((s) =>
    fs
      .readFileSync(path.join(folder, `${s}.jsonl`), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { label: string; label_source: string }),
  );
  expect(rows).toHaveLength(30);
  const labels = new Set(rows.map((r) => r.label));
  expect(labels.has('bad')).toBe(true);
  expect(labels.has('negative')).toBe(false);
  expect(rows.every((r) => r.label_source === 'human')).toBe(true);
  expect(outside).toEqual([]);
});
