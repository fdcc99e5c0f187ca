// A long import through the real UI of `flywheel serve`: the top bar keeps one line, the job's
// figures and its Cancel are in a popover.
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';
import { writeDemoLog } from '../../src/main/features/demo/demo-data';
import { serveDemo, type Served } from './serve-fixture';

let served: Served;
let bigLog: string;

test.beforeAll(async () => {
  test.setTimeout(180_000);
  served = await serveDemo(200);
  bigLog = path.join(served.home, 'spam-big.jsonl');
  // Long enough (seconds on a fast idle machine) that the import still runs while the test looks at it.
  await writeDemoLog({ project: 'spam', rows: 1_200_000, modelVersion: 'v9', format: 'jsonl', outPath: bigLog });
});

test.afterAll(async () => {
  await served.stop();
});

test('a field hint on focus; a running import: one line in the top bar, its figures and Cancel in a popover', async ({
  page,
}) => {
  test.setTimeout(120_000);
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.goto(served.link);
  await page
    .getByRole('navigation', { name: 'Projects' })
    .getByRole('button', { name: /^spam\b/ })
    .click();
  await expect(page.getByTestId('current-project')).toContainText('spam');
  await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: 'Import' }).click();
  await page.getByLabel(/File on this machine/).fill(bigLog);
  await page.getByRole('button', { name: 'Preview' }).click();
  await expect(page.getByTestId('import-mapping')).toContainText('binary over ham, spam');
  // A field's hint: its (i) button shows it on keyboard focus, and the label still names the field.
  await expect(page.getByLabel('or text template')).toHaveAttribute('data-testid', 'text-template');
  const about = page.getByRole('button', { name: 'About the text template' });
  await about.focus();
  await expect(page.getByRole('tooltip')).toContainText('each field is shown apart in Review');
  await expect(about).toHaveAccessibleDescription(/each field is shown apart in Review/);
  await page.screenshot({ path: 'test-results/screens/import-hint-light.png' });
  await page.keyboard.press('Escape');
  await page.getByRole('button', { name: 'Start import' }).click();

  const bar = page.locator('header.topbar');
  const trigger = bar.getByRole('button', { name: /^import · / });
  await expect(trigger).toBeVisible({ timeout: 20_000 });
  expect((await bar.boundingBox())!.height).toBeLessThanOrEqual(49);
  await trigger.click();
  const jobs = page.getByRole('dialog', { name: 'Running jobs' });
  await expect(jobs).toBeVisible();
  await expect(jobs).toContainText(/[\d,]+ rows · [\d,]+ rows\/s/);
  // Escape closes it and gives the focus back to its button, which opens it again.
  await page.keyboard.press('Escape');
  await expect(jobs).toHaveCount(0);
  await expect(trigger).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(jobs).toBeVisible();
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa']).analyze();
  expect(result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
  await page.screenshot({ path: 'test-results/screens/jobs-popover-light.png' });
  // Cancel in it stops the import.
  await jobs.getByRole('button', { name: 'Cancel import' }).click();
  await expect(page.getByRole('alert')).toContainText('import cancelled: resume it by starting again', {
    timeout: 20_000,
  });
  await expect(bar.getByRole('button', { name: /^import · / })).toHaveCount(0);
});
