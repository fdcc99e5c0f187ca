import fs from 'node:fs';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { serveDemo, type Served } from './serve-fixture';

let served: Served;
/** 1280×720 pictures of each screen in both themes, to look at. */
const SHOTS = process.env['FLYWHEEL_SHOTS'] ?? 'test-results/screens/annotator';

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  served = await serveDemo(1500);
  fs.mkdirSync(SHOTS, { recursive: true });
});

test.afterAll(async () => {
  await served.stop();
});

async function tab(page: Page, name: string) {
  await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name }).click();
}

/** Screenshots in light and dark, and no axe violations in either. */
async function shootBoth(page: Page, name: string) {
  const problems: string[] = [];
  for (const theme of ['light', 'dark'] as const) {
    await page.getByLabel('Theme').selectOption(theme);
    await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
    await page.screenshot({ path: path.join(SHOTS, `${name}-${theme}.png`) });
    const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa']).analyze();
    for (const v of result.violations)
      problems.push(`${name} (${theme}): ${v.id} ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3)}`);
  }
  await page.getByLabel('Theme').selectOption('light');
  expect(problems).toEqual([]);
}

test.beforeEach(async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.goto(served.link);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('sentiment');
});

test('Mine: every option in the form; a class filter changes the preview; text and plain reasons', async ({ page }) => {
  await tab(page, 'Mine');
  await expect(page.getByTestId('strategy-help')).toContainText('spread most evenly');
  await page.getByLabel('Strategy').selectOption('disagreement');
  await expect(page.getByTestId('strategy-help')).toContainText('two model runs');
  await expect(page.getByLabel('Disagreement measure')).toBeVisible();
  for (const option of [
    /Model runs/,
    /Predicted class/,
    'From',
    'To',
    /Metadata equals/,
    'Items',
    /At most per class/,
    /Labeled twice/,
    'Leave out near-duplicates',
  ])
    await expect(page.getByLabel(option)).toBeVisible();

  await page.getByLabel('Items').fill('1000');
  await page.getByRole('button', { name: 'Preview' }).click();
  const preview = page.getByTestId('mining-preview');
  await expect(preview).toContainText('items would be queued');
  const all = Number((await preview.textContent())!.match(/out of ([\d,]+) eligible/)![1]!.replace(/,/g, ''));
  await page.getByLabel(/Predicted class/).selectOption(['neutral']);
  await expect(preview).toHaveCount(0);
  await page.getByRole('button', { name: 'Preview' }).click();
  await expect(preview).toContainText('items would be queued');
  const neutral = Number((await preview.textContent())!.match(/out of ([\d,]+) eligible/)![1]!.replace(/,/g, ''));
  expect(neutral).toBeGreaterThan(0);
  expect(neutral).toBeLessThan(all);
  const top = page.getByRole('list', { name: 'Top items' }).locator('li').first();
  await expect(top).toContainText(/the two models (disagree: .+ says .+, .+ says|both say)/);
  await expect(top.locator('.snippet')).not.toBeEmpty();
  await shootBoth(page, 'mine-preview');

  // A metadata line without "=" is pointed out beside the field, and the message goes once fixed.
  await page.getByLabel(/Metadata equals/).fill('region');
  await expect(page.getByText('“region” needs the form key = value')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Preview' })).toBeDisabled();
  await page.getByLabel(/Metadata equals/).fill('');
  await expect(page.getByText('needs the form key = value')).toHaveCount(0);

  await page.getByLabel(/Predicted class/).selectOption([]);
  await page.getByLabel('Items').fill('30');
  await page.getByRole('button', { name: 'Build queue' }).click();
  await expect(page.getByTestId('mining-summary')).toContainText('30 added');
  const row = page.getByRole('region', { name: 'Queue items' }).getByRole('row').nth(1);
  await expect(row).toContainText(/the two models/);
  await expect(row.locator('.snippet').first()).not.toHaveText('—');
  await shootBoth(page, 'mine');
});

test('Review: every key on a keycap, the reason in words, scores hidden by a setting that stays', async ({ page }) => {
  await tab(page, 'Review');
  await page.getByLabel('Annotator').fill('lee');
  await page.getByRole('button', { name: 'Start reviewing' }).click();
  await expect(page.getByTestId('example-text')).toBeVisible();
  for (const key of ['a', 'x', 'c', '?', 'f', 'z', 'Space'])
    await expect(page.locator('.review-actions kbd').getByText(key, { exact: true })).toBeVisible();
  const reason = page.getByTestId('queue-reason');
  await expect(reason).toContainText(/Queued because the two models (disagree: .+ says .+, .+ says|both say)/);
  // The numbers behind the reason show on keyboard focus, not only on hover.
  const detail = page.getByTestId('queue-reason-detail');
  await expect(detail).toBeHidden();
  await expect(page.getByTestId('review-card')).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(reason).toBeFocused();
  await expect(detail).toBeVisible();
  await expect(detail).toHaveText(/models .+\/.+ (disagree|agree).+ · priority \d\.\d{4}/);
  await expect(reason).toHaveAccessibleDescription(/priority \d\.\d{4}/);
  await page.screenshot({ path: path.join(SHOTS, 'review-reason-light.png') });
  await expect(page.getByRole('region', { name: 'Progress' })).toContainText('the queue');
  await expect(page.getByRole('region', { name: 'Model scores' }).locator('.score-run')).toHaveCount(2);

  // Label one, then change it: the earlier answer is outlined on its button.
  const first = await page.locator('.example-meta .mono').textContent();
  await page.locator('body').click({ position: { x: 5, y: 700 } });
  await page.keyboard.press('1');
  await expect(page.locator('.example-meta .mono')).not.toHaveText(first!);
  await page.getByRole('button', { name: `Change the decision on ${first}` }).click();
  await expect(page.locator('.example-meta .mono')).toHaveText(first!);
  await expect(page.getByRole('status')).toHaveText(
    `Changing your decision on ${first}: choose again (your earlier answer, outlined: label negative)`,
  );
  await expect(page.locator('.label-button.was')).toHaveCount(1);
  await expect(page.locator('.label-button.was')).toContainText('negative');
  await shootBoth(page, 'review');
  await page.locator('body').click({ position: { x: 5, y: 700 } });
  await page.keyboard.press('2');
  await expect(page.locator('.example-meta .mono')).not.toHaveText(first!);
  await expect(page.locator('.label-button.was')).toHaveCount(0);
  await expect(page.getByRole('region', { name: 'Progress' })).toContainText('lee (you)', { timeout: 10_000 });
  // A flag stays on the item and is marked in the history.
  await page.keyboard.press('f');
  await expect(page.getByRole('region', { name: 'Last decisions' }).locator('li').first()).toContainText('⚑ flagged');

  await page.getByLabel('Show model scores').selectOption('newest');
  await expect(page.getByRole('region', { name: 'Model scores' }).locator('.score-run')).toHaveCount(1);
  await page.getByLabel('Show model scores').selectOption('hidden');
  await expect(page.getByRole('region', { name: 'Model scores' })).toContainText('Model scores are hidden');
  await page.reload();
  await tab(page, 'Review');
  await expect(page.getByTestId('example-text')).toBeVisible();
  await expect(page.getByLabel('Show model scores')).toHaveValue('hidden');
  await expect(page.getByRole('region', { name: 'Model scores' })).toContainText('Model scores are hidden');
  await page.getByLabel('Show model scores').selectOption('all');

  // A queue row opens in Review: that item first.
  await tab(page, 'Mine');
  const row = page.getByRole('region', { name: 'Queue items' }).getByRole('row').nth(8);
  await expect(row.getByRole('button', { name: /^Review s-/ })).toBeVisible();
  const id = await row.locator('td.mono').textContent();
  await row.getByRole('button', { name: `Review ${id}` }).click();
  await expect(
    page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: 'Review' }),
  ).toHaveAttribute('aria-current', 'page');
  await expect(page.locator('.example-meta .mono')).toHaveText(id!);
  await expect(page.getByRole('status')).toContainText(`Opened ${id} from the queue`);
});

test('Review: the shortcuts dialog keeps the focus, takes no labels, and gives the card the focus back', async ({
  page,
}) => {
  await tab(page, 'Review');
  await page.getByLabel('Annotator').fill('dee');
  await page.getByRole('button', { name: 'Start reviewing' }).click();
  await expect(page.getByTestId('review-card')).toBeFocused();
  const first = await page.locator('.example-meta .mono').textContent();
  const problems: string[] = [];
  for (const theme of ['light', 'dark'] as const) {
    await page.getByLabel('Theme').selectOption(theme);
    await page.getByTestId('review-card').focus();
    await page.keyboard.press('?');
    const dialog = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await expect(dialog).toBeVisible();
    await expect(dialog).toHaveAccessibleDescription(/Escape or \? closes this/);
    // The focus stays inside: Tab past its last control comes back to it.
    await expect(dialog.getByRole('button', { name: 'Close' })).toBeFocused();
    await page.keyboard.press('Tab');
    await expect(dialog.getByRole('button', { name: 'Close' })).toBeFocused();
    // A label key while it is open labels nothing.
    await page.keyboard.press('1');
    await expect(page.locator('.example-meta .mono')).toHaveText(first!);
    await page.screenshot({ path: path.join(SHOTS, `review-shortcuts-${theme}.png`) });
    const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa']).analyze();
    for (const v of result.violations)
      problems.push(`shortcuts (${theme}): ${v.id} ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3)}`);
    await page.keyboard.press(theme === 'light' ? 'Escape' : '?');
    await expect(dialog).toHaveCount(0);
    await expect(page.getByTestId('review-card')).toBeFocused();
  }
  await page.getByLabel('Theme').selectOption('light');
  expect(problems).toEqual([]);
  // Back on the card, the keys act again (a skip: the Labels test counts the labels).
  await page.getByTestId('review-card').focus();
  await page.keyboard.press(' ');
  await expect(page.locator('.example-meta .mono')).not.toHaveText(first!);
});

test('Models: add an upload with a version, its name without the upload prefix; one line per device', async ({
  page,
}) => {
  await tab(page, 'Models');
  await expect(page.getByText('No model yet')).toBeVisible();
  await page.getByLabel('Upload a file…').setInputFiles(path.join(served.home, 'demo', 'sentiment-retrained.onnx'));
  await expect(page.getByLabel(/ONNX model file/)).toHaveValue(/uploads.*sentiment-retrained\.onnx$/);
  await page.getByLabel('Version', { exact: true }).fill('r2');
  // A model card gives what the form does not: the form's version wins over the card's.
  const card = path.join(served.home, 'retrained.card.json');
  fs.writeFileSync(card, JSON.stringify({ version: 'from-card', trainUntil: '2026-01-01' }));
  await page.getByLabel('Upload a card…').setInputFiles(card);
  await expect(page.getByLabel(/Model card/)).toHaveValue(/uploads.*retrained\.card\.json$/);
  await page.getByRole('button', { name: 'Add model' }).click();
  await expect(page.getByTestId('model-added')).toContainText(
    'Added sentiment-retrained@r2: name from the file name, version from the command line',
  );
  await expect(page.getByTestId('model-added')).toContainText('lineage from the model card');
  const row = page.getByRole('row', { name: /sentiment-retrained/ });
  await expect(row.locator('strong')).toHaveText('sentiment-retrained');
  await expect(row.locator('.tag')).toHaveText('r2');
  await expect(row).toContainText('not yet');
  await row.getByRole('button', { name: 'Rescore sentiment-retrained' }).click();
  const result = page.getByTestId('rescore-result');
  await expect(result).toContainText('examples scored on', { timeout: 60_000 });
  await expect(row).toContainText(/run #\d+ · 1,500 rows/);
  const device = await result.locator('strong').textContent();
  if (device === 'cpu') {
    // Automatic tries the GPUs first: each says in one line why it was not used, the runtime's text behind it.
    const lines = page.getByRole('list', { name: 'Devices tried first' }).locator('li');
    await expect(lines.first()).toHaveText(/^(CUDA|WebGPU|DirectML|Core ML): [^/]+$/);
    await expect(lines.first().locator('details')).toHaveCount(1);
    await expect(lines.first().locator('details code')).not.toBeVisible();
  }
  const width = await page.evaluate(() => document.querySelector('main')!.scrollWidth);
  const client = await page.evaluate(() => document.querySelector('main')!.clientWidth);
  expect(width).toBeLessThanOrEqual(client);
  await shootBoth(page, 'models');
});

test('Labels: the current schema with counts; a rename is one change; field errors clear when fixed', async ({
  page,
}) => {
  await tab(page, 'Labels');
  const current = page.getByRole('region', { name: 'Current schema' });
  await expect(current).toContainText('Current schema · v1');
  // The Review test labeled one example negative, then changed it to neutral.
  // Counted by the export's selection, in its own process: give it time on a busy machine.
  await expect(page.getByTestId('count-neutral')).toHaveText('1', { timeout: 30_000 });
  await expect(page.getByTestId('count-negative')).toHaveText('0');

  await page.getByLabel('name of positive').fill('favourable');
  await expect(page.getByRole('list', { name: 'Declared changes' })).toHaveText(
    'rename positive → favourable (same id positive)',
  );
  await page.getByLabel('id of positive').fill('favourable');
  await expect(page.getByRole('list', { name: 'Declared changes' })).toHaveText(
    'rename positive → favourable (id positive → favourable)',
  );

  await page.getByLabel('id of neutral').fill('');
  await expect(page.getByText('Give the label an id')).toBeVisible();
  await expect(page.getByLabel('id of neutral')).toHaveAttribute('aria-invalid', 'true');
  await page.getByLabel('hotkey of neutral').fill('a');
  await expect(page.getByText(/reserved for accept/i)).toBeVisible();
  await shootBoth(page, 'labels');
  await page.getByLabel('id of neutral').fill('neutral');
  await page.getByLabel('hotkey of neutral').fill('2');
  await expect(page.getByText('Give the label an id')).toHaveCount(0);
  await expect(page.getByText(/reserved for accept/i)).toHaveCount(0);
  await page.getByLabel('Change note').fill('friendlier name');
  await page.getByRole('button', { name: 'Save new version' }).click();
  await expect(page.getByRole('status')).toContainText('Version 2 saved');
  await expect(current).toContainText('Current schema · v2');
  await expect(current).toContainText('favourable');
});
