// The export screen's options, warnings and past exports, and the app's chrome (skip link, project
// sidebar, no-project state), driven through the real UI of `flywheel serve`.
import fs from 'node:fs';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { serveDemo, serveEmpty, type Served } from './serve-fixture';

let served: Served;
const shots = '/tmp/shots-screens';

test.beforeAll(async () => {
  served = await serveDemo(400);
  fs.mkdirSync(shots, { recursive: true });
});

test.afterAll(async () => {
  await served.stop();
});

async function tab(page: Page, name: string) {
  await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name }).click();
}

async function axe(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa']).analyze();
  return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

async function theme(page: Page, t: 'light' | 'dark') {
  await page.getByLabel('Theme').selectOption(t);
  await expect(page.locator('html')).toHaveAttribute('data-theme', t);
}

test('Export: every option, warnings, a success line, the manifest, downloads and a rebuild', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.goto(served.link);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('sentiment');
  await tab(page, 'Export');
  // A select's name ends in its chosen option ("Format JSONL"): the label text starts it.
  for (const label of [
    'Name',
    'Format',
    'Label schema',
    'Labels from',
    'Agreement',
    'From',
    'To \\(before\\)',
    'Split',
  ])
    await expect(page.getByLabel(new RegExp(`^${label}`))).toBeVisible();
  // Nothing labeled by people yet: the preview says so, in words.
  const preview = page.getByRole('region', { name: 'Export preview' });
  await expect(preview).toContainText('No example matches these options');
  await expect(preview).not.toContainText('--');

  await page.getByLabel('Labels from').selectOption('human+model');
  await expect(page.getByLabel('Model run')).toBeVisible();
  await expect(page.getByTestId('export-preview')).toContainText('400 rows (0 labeled by people, 400 by the model)');
  const warnings = page.getByRole('list', { name: 'Warnings' });
  await expect(warnings).toContainText('test is the newest labeled examples');
  await expect(warnings).toContainText('cut-off dates');

  // Tiny splits are named, with what to do.
  await page.getByLabel('validation %').fill('1');
  await page.getByLabel('train %').fill('98');
  await page.getByLabel('test %').fill('1');
  await expect(warnings).toContainText('validation holds only 4 rows');
  await expect(warnings).toContainText('fewer than 5 examples');
  // A share that does not add up is said before anything is asked of the workbench.
  await page.getByLabel('test %').fill('5');
  await expect(preview).toContainText('Split shares add up to 104%: make them add up to 100%.');
  await expect(page.getByRole('button', { name: 'Build export' })).toBeDisabled();

  // Random, seeded, kept together by a metadata key; then cut-off dates.
  await page.getByLabel(/^Split/).selectOption('random');
  await page.getByLabel('test %').fill('10');
  await page.getByLabel('train %').fill('80');
  await page.getByLabel('validation %').fill('10');
  await expect(page.getByLabel('Seed', { exact: true })).toHaveValue('1');
  await page.getByLabel('Seed', { exact: true }).fill('7');
  await expect(page.getByTestId('export-preview')).toContainText('400 rows');
  await expect(page.getByText('test is the newest labeled examples')).toHaveCount(0);
  await page.getByLabel(/^Split/).selectOption('time-cutoffs');
  await expect(preview).toContainText('enter both dates');
  await page.getByLabel(/^Split/).selectOption('time-fractions');
  await page.screenshot({ path: `${shots}/export-options-light.png` });

  await page.getByLabel('Name', { exact: true }).fill('screens');
  // A model run's predicted label and scores go in every row; the success line says which rows it scored.
  await page.getByRole('checkbox', { name: 'sentiment-clf@v1' }).check();
  await page.getByRole('button', { name: 'Build export' }).click();
  const done = page.getByTestId('export-done');
  await expect(done).toContainText(`Exported to ${path.join(served.home, 'exports', 'screens')}: 400 rows (train 320`);
  await expect(done).toContainText(/Scores of sentiment-clf@v1 \(run\d+_…\): every row\./);
  await expect(done).toHaveAttribute('role', 'status');
  const past = page.getByRole('listitem', { name: 'Export screens' });
  await expect(past).toContainText('400 rows');

  // The manifest, readable in place.
  await past.getByText('Manifest', { exact: true }).click();
  const manifest = past.getByLabel('Manifest of screens');
  await expect(manifest).toContainText('"labelSource": "human+model"');
  await expect(manifest).toContainText('"validation"');

  // Browser mode: each file is a download, with the access token.
  const download = page.waitForEvent('download');
  await past.getByRole('button', { name: 'train.jsonl' }).click();
  const file = await (await download).path();
  expect(fs.readFileSync(file, 'utf8').split('\n').filter(Boolean)).toHaveLength(320);

  // Rebuild: confirmed first, then the same content again.
  // An alert dialog: the safe choice has the focus, Escape keeps the export, the rest of the page waits.
  await past.getByRole('button', { name: 'Rebuild screens' }).click();
  const confirm = page.getByRole('alertdialog', { name: 'Rebuild screens?' });
  await expect(confirm).toContainText('replaces the folder');
  await expect(confirm.getByRole('button', { name: 'Keep it' })).toBeFocused();
  await page.screenshot({ path: `${shots}/export-rebuild-confirm-light.png` });
  expect(await axe(page)).toEqual([]);
  await page.keyboard.press('Escape');
  await expect(confirm).toHaveCount(0);
  await expect(past.getByRole('button', { name: 'Rebuild screens' })).toBeFocused();
  await expect(done).not.toContainText('Rebuilt');
  await past.getByRole('button', { name: 'Rebuild screens' }).click();
  await confirm.getByRole('button', { name: 'Rebuild now' }).click();
  await expect(done).toContainText('Rebuilt screens in');
  await expect(done).toContainText('Same content as before.');
  await page.screenshot({ path: `${shots}/export-light.png`, fullPage: true });
  expect(await axe(page)).toEqual([]);
  await theme(page, 'dark');
  await page.screenshot({ path: `${shots}/export-dark.png`, fullPage: true });
  expect(await axe(page)).toEqual([]);
  // The rebuild is listed as an export of its own: either entry's button asks first.
  await past.first().getByRole('button', { name: 'Rebuild screens' }).click();
  await expect(confirm).toBeVisible();
  await page.screenshot({ path: `${shots}/export-rebuild-confirm-dark.png` });
  expect(await axe(page)).toEqual([]);
  await confirm.getByRole('button', { name: 'Keep it' }).click();
  await expect(confirm).toHaveCount(0);
  await theme(page, 'light');
});

test('chrome: a skip link first, a project sidebar that folds away and stays so, a top bar on one line', async ({
  page,
}) => {
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.goto(served.link);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('sentiment');
  await page.keyboard.press('Tab');
  const skip = page.getByRole('link', { name: 'Skip to main content' });
  await expect(skip).toBeFocused();
  await expect(skip).toBeInViewport();
  // The sidebar toggle's hint shows on keyboard focus too, as its description.
  await page.keyboard.press('Tab');
  await expect(page.getByRole('button', { name: 'Projects' })).toBeFocused();
  await expect(page.getByRole('tooltip')).toHaveText('Hide the project list');
  await expect(page.getByRole('button', { name: 'Projects' })).toHaveAccessibleDescription('Hide the project list');
  await page.screenshot({ path: `${shots}/chrome-tooltip-light.png` });
  await page.keyboard.press('Shift+Tab');
  await expect(skip).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.locator('main#main')).toBeFocused();

  const toggle = page.getByRole('button', { name: 'Projects' });
  const sidebar = page.getByRole('navigation', { name: 'Projects' });
  await expect(toggle).toHaveAttribute('aria-expanded', 'true');
  await page.screenshot({ path: `${shots}/chrome-expanded-light.png` });
  await toggle.click();
  await expect(sidebar).toBeHidden();
  await expect(toggle).toHaveAttribute('aria-expanded', 'false');
  await page.screenshot({ path: `${shots}/chrome-collapsed-light.png` });
  await theme(page, 'dark');
  await page.screenshot({ path: `${shots}/chrome-collapsed-dark.png` });
  expect(await axe(page)).toEqual([]);
  await page.reload();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('sentiment');
  await expect(page.getByRole('navigation', { name: 'Projects' })).toBeHidden();
  await page.getByRole('button', { name: 'Projects' }).click();
  await expect(page.getByRole('navigation', { name: 'Projects' })).toBeVisible();
  await page.screenshot({ path: `${shots}/chrome-expanded-dark.png` });
  await theme(page, 'light');

  for (const width of [1280, 1024]) {
    await page.setViewportSize({ width, height: 720 });
    const bar = page.locator('header.topbar');
    const box = await bar.boundingBox();
    expect(box!.height).toBeLessThanOrEqual(49);
    // Every tab on the bar's one line, and within the window.
    for (const t of await page.getByRole('navigation', { name: 'Screens' }).getByRole('button').all()) {
      const b = await t.boundingBox();
      expect(b!.y).toBeGreaterThanOrEqual(box!.y);
      expect(b!.y + b!.height).toBeLessThanOrEqual(box!.y + box!.height);
      expect(b!.x + b!.width).toBeLessThanOrEqual(width);
    }
    await expect(page.getByLabel('Theme')).toBeInViewport();
  }
});

test('no project yet: a neutral note that opens Import', async ({ page }) => {
  const empty = await serveEmpty();
  try {
    await page.setViewportSize({ width: 1280, height: 720 });
    await page.goto(empty.link);
    const note = page.getByRole('region', { name: 'No projects yet' });
    await expect(note).toBeVisible();
    await expect(page.getByRole('alert')).toHaveCount(0);
    await page.screenshot({ path: `${shots}/no-project-light.png` });
    expect(await axe(page)).toEqual([]);
    await theme(page, 'dark');
    await page.screenshot({ path: `${shots}/no-project-dark.png` });
    expect(await axe(page)).toEqual([]);
    await tab(page, 'Export');
    await expect(note).toBeVisible();
    await note.getByRole('button', { name: 'Import a prediction log' }).click();
    await expect(
      page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: 'Import' }),
    ).toHaveAttribute('aria-current', 'page');
    await expect(page.getByLabel('Upload a file…')).toBeAttached();
    await theme(page, 'light');
  } finally {
    await empty.stop();
  }
});
