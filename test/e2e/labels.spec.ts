import { expect, test } from '@playwright/test';
import { serveDemo, type Served } from './serve-fixture';

let served: Served;

test.beforeAll(async () => {
  served = await serveDemo(300);
});

test.afterAll(async () => {
  await served.stop();
});

test('label schema editor: a split and a new label, then a merge, each a new version with its diff', async ({
  page,
}) => {
  await page.goto(served.link);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('sentiment');
  await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: 'Labels' }).click();

  // v2: "neutral" splits into "mixed" and "unclear"; "sarcasm" is new.
  await page.getByLabel('id of neutral').fill('mixed');
  await page.getByLabel('name of neutral').fill('Mixed');
  await page.getByRole('button', { name: 'Add a label' }).click();
  await page.getByLabel('new label 1 comes from').selectOption('neutral');
  await page.getByLabel('id of new label 1').fill('unclear');
  await page.getByLabel('name of new label 1').fill('Unclear');
  await page.getByRole('button', { name: 'Add a label' }).click();
  await page.getByLabel('id of new label 2').fill('sarcasm');
  await page.getByLabel('name of new label 2').fill('Sarcasm');
  await page.getByLabel('hotkey of new label 2').fill('s');
  await expect(page.getByRole('list', { name: 'Declared changes' })).toHaveText(
    'split "neutral" → "mixed", "unclear"add "sarcasm"',
  );
  await page.getByLabel('Change note').fill('neutral was two things; sarcasm gets its own label');
  await page.getByRole('button', { name: 'Save new version' }).click();
  await expect(page.getByRole('status')).toContainText('Version 2 saved');

  // v3: "mixed" and "unclear" merge back into "neutral".
  await page.getByRole('button', { name: 'merge another into mixed' }).click();
  await page.getByLabel('mixed comes from (2)').selectOption('unclear');
  await page.getByLabel('id of mixed').fill('neutral');
  await page.getByLabel('name of mixed').fill('Neutral');
  await page.getByRole('button', { name: 'Remove unclear' }).click();
  await expect(page.getByRole('list', { name: 'Declared changes' })).toHaveText(
    'merge "mixed" + "unclear" → "neutral"',
  );
  await page.getByLabel('Change note').fill('one neutral after all');
  await page.getByRole('button', { name: 'Save new version' }).click();
  await expect(page.getByRole('status')).toContainText('Version 3 saved');
  const history = page.locator('ol.versions');
  await expect(history).toContainText('v3 · negative, Neutral, positive, Sarcasm');
  await expect(history).toContainText('one neutral after all');
  await expect(history).toContainText('v2 · negative, Mixed, positive, Unclear, Sarcasm');
  await page.screenshot({ path: 'test-results/screens/labels-history.png', fullPage: true });
});
