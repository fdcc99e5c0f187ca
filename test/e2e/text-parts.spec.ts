// A mail log imported with a text template: Review shows the subject and the body apart, under
// their field names, through the real UI of `flywheel serve`.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import {
  bertConfig,
  bertTokenizerConfig,
  bertTokenizerJson,
  tinyBertModel,
} from '../../src/main/features/models/fixture-bert';
import { serveDemo, type Served } from './serve-fixture';

let served: Served;
// The second test uses the project the first imports.
test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  served = await serveDemo(200);
});

test.afterAll(async () => {
  await served.stop();
});

function cli(...args: string[]): void {
  const r = spawnSync(process.execPath, ['bin/flywheel.js', ...args, '--db', served.db], {
    encoding: 'utf8',
    env: { ...process.env, FLYWHEEL_HOME: served.home },
  });
  expect(r.status, r.stderr).toBe(0);
}

test('Review shows the parts of a templated text under their names', async ({ page }) => {
  const log = path.join(served.home, 'mail.jsonl');
  const rows = Array.from({ length: 6 }, (_, i) => ({
    id: `mail-${i}`,
    subject: `Invoice ${i} overdue`,
    body: `Dear customer,\nplease pay invoice ${i}.`,
    scores: [0.4 + i / 20, 0.6 - i / 20],
    predicted_label: i % 2 ? 'ham' : 'spam',
    model: 'mailer',
    model_version: '1',
  }));
  fs.writeFileSync(log, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  const mapping = path.join(served.home, 'mail-mapping.json');
  fs.writeFileSync(
    mapping,
    JSON.stringify({
      id: 'id',
      inputKind: 'text',
      textTemplate: '{subject}\n{body}',
      taskType: 'binary',
      classes: ['ham', 'spam'],
      scores: { kind: 'vector', field: 'scores' },
      predictedLabel: 'predicted_label',
      model: { nameField: 'model', versionField: 'model_version' },
    }),
  );
  cli('import', log, '--project', 'mail', '--mapping', mapping);
  cli('mine', 'mail', '--strategy', 'random', '--limit', '6');

  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(served.link);
  await page
    .getByRole('navigation', { name: 'Projects' })
    .getByRole('button', { name: /^mail\b/ })
    .click();
  await expect(page.getByTestId('current-project')).toContainText('mail');
  await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: 'Review' }).click();
  await page.getByLabel('Annotator').fill('kim');
  await page.getByRole('button', { name: 'Start reviewing' }).click();
  const parts = page.getByTestId('example-part');
  await expect(parts).toHaveCount(2);
  const id = (await page.locator('.example-meta .mono').textContent())!;
  const i = Number(id.split('-')[1]);
  await expect(page.getByRole('region', { name: 'Subject' })).toContainText(`Invoice ${i} overdue`);
  await expect(page.getByRole('region', { name: 'Body' })).toContainText(`please pay invoice ${i}.`);
  await expect(page.getByTestId('example-text')).toHaveCount(0);
  await page.screenshot({ path: 'test-results/screens/review-text-parts.png' });
});

test('the data browser opens a templated example with its parts under their names', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.goto(served.link);
  await page
    .getByRole('navigation', { name: 'Projects' })
    .getByRole('button', { name: /^mail\b/ })
    .click();
  await expect(page.getByTestId('current-project')).toContainText('mail');
  await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: 'Browse' }).click();
  await page.getByLabel('Search text or id').fill('mail-3');
  await expect(page.getByTestId('browse-total')).toHaveText('1');
  await page.getByRole('region', { name: 'Examples' }).locator('tbody tr[aria-rowindex]').first().click();
  const detail = page.getByRole('complementary', { name: 'Example mail-3' });
  await expect(detail.getByTestId('example-part')).toHaveCount(2);
  await expect(detail.getByRole('region', { name: 'Subject' })).toHaveText(/^SubjectInvoice 3 overdue$/);
  await expect(detail.getByRole('region', { name: 'Body' })).toContainText('Dear customer,\nplease pay invoice 3.');
  for (const theme of ['light', 'dark'] as const) {
    await page.getByLabel('Theme').selectOption(theme);
    await page.screenshot({ path: `test-results/screens/browse-text-parts-${theme}.png` });
  }
});

test("a model's input template is edited on the Models screen; a field the project lacks is refused", async ({
  page,
}) => {
  const folder = path.join(served.home, 'tiny-bert');
  fs.mkdirSync(folder);
  fs.writeFileSync(path.join(folder, 'model.onnx'), tinyBertModel(2, { tokenTypeIds: true }));
  fs.writeFileSync(path.join(folder, 'tokenizer.json'), JSON.stringify(bertTokenizerJson()));
  fs.writeFileSync(path.join(folder, 'tokenizer_config.json'), JSON.stringify(bertTokenizerConfig()));
  fs.writeFileSync(path.join(folder, 'config.json'), JSON.stringify(bertConfig(['ham', 'spam'])));
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(served.link);
  await page
    .getByRole('navigation', { name: 'Projects' })
    .getByRole('button', { name: /^mail\b/ })
    .click();
  await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: 'Models' }).click();
  await page.getByLabel(/ONNX model file/).fill(folder);
  await page.getByRole('button', { name: 'Add model' }).click();
  await expect(page.getByText('text → tokenizer (≤ 128 tokens)')).toBeVisible();
  await page.getByRole('button', { name: /^Edit mappings of/ }).click();
  await page.getByLabel(/^Input template/).fill('{subject}\n{sender}');
  await page.getByRole('button', { name: 'Save mappings' }).click();
  await expect(page.getByRole('alert')).toContainText("names 'sender', which project 'mail' does not have");
  await page.getByLabel(/^Input template/).fill('{body}');
  await page.getByRole('button', { name: 'Save mappings' }).click();
  await expect(page.getByText('"{body}" → tokenizer (≤ 128 tokens)')).toBeVisible();
  await page.screenshot({ path: 'test-results/screens/model-input-template.png' });
});
