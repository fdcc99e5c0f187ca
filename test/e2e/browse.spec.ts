// The data browser, driven through the real UI of `flywheel serve` on the demo projects.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import Database from 'better-sqlite3';
import { serveDemo, type Served } from './serve-fixture';

let served: Served;
const shots = '/tmp/shots-browse';

test.beforeAll(async () => {
  served = await serveDemo(1500);
  fs.mkdirSync(shots, { recursive: true });
});

test.afterAll(async () => {
  await served.stop();
});

function count(sql: string, ...params: unknown[]): number {
  const db = new Database(served.db, { readonly: true });
  try {
    return db
      .prepare(sql)
      .pluck()
      .get(...params) as number;
  } finally {
    db.close();
  }
}

async function openBrowse(page: Page) {
  await page.goto(served.link);
  await page
    .getByRole('navigation', { name: 'Projects' })
    .getByRole('button', { name: /^sentiment\b/ })
    .click();
  await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: 'Browse' }).click();
}

test('search, filter and sort examples, open one, and send a filtered set to the queue', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 720 });
  await openBrowse(page);
  const total = page.getByTestId('browse-total');
  await expect(total).toHaveText('1,500');
  const table = page.getByRole('region', { name: 'Examples' });
  const rows = table.locator('tbody tr[aria-rowindex]');
  await expect(rows.nth(0)).toContainText('s-0000001');

  // Filters narrow the count to what the database says.
  await page.getByLabel('Metadata field').selectOption('channel');
  await page.getByLabel('Metadata value').fill('email');
  await page.getByRole('button', { name: 'Add' }).click();
  const email = count(
    `SELECT count(*) FROM examples e JOIN projects p ON p.id = e.project_id
     WHERE p.name = 'sentiment' AND json_extract(e.metadata, '$.channel') = 'email'`,
  );
  await expect(total).toHaveText(email.toLocaleString('en-US'));
  await page.getByLabel('Disagrees with').selectOption({ index: 1 });
  await expect(total).not.toHaveText(email.toLocaleString('en-US'));
  const disagree = Number((await total.innerText()).replace(/,/g, ''));
  expect(disagree).toBeGreaterThan(0);
  expect(disagree).toBeLessThan(email);

  // Sorting by score puts the highest first.
  await page.getByRole('button', { name: /^score/ }).click();
  await expect(table.locator('th[aria-sort="descending"]')).toContainText('score');
  const topScores = async () => {
    const cells = await rows.locator('td:nth-child(4)').allInnerTexts();
    return cells.slice(0, 5).map((t) => Number(t.split(' ').pop()));
  };
  await expect
    .poll(async () => {
      const s = await topScores();
      return s.length === 5 && s.every((x, i) => Number.isFinite(x) && (i === 0 || s[i - 1]! >= x));
    })
    .toBe(true);

  // A row opens in the detail panel with its scores and history.
  await rows.nth(0).click();
  const detail = page.getByRole('complementary');
  await expect(detail.getByRole('table', { name: 'Scores by model run' })).toBeVisible();
  await expect(detail).toContainText('No label events yet.');
  await page.screenshot({ path: `${shots}/browse-light.png` });

  // The filtered set goes to the queue, with its reason.
  await page.getByLabel('How many to queue').fill('5');
  await page.getByRole('button', { name: 'Send to review queue' }).click();
  await expect(page.getByRole('status')).toContainText(`Queued 5 of ${disagree}`);
  expect(
    count(`SELECT count(*) FROM queue_items WHERE reason LIKE 'picked in the data browser: channel = email%'`),
  ).toBe(5);
  await page.getByLabel('Queue status').selectOption('pending');
  await expect(total).toHaveText('5');

  const violations = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa']).analyze();
  expect(violations.violations.map((v) => v.id)).toEqual([]);
  await page.getByLabel('Theme').selectOption('dark');
  await page.screenshot({ path: `${shots}/browse-dark.png` });
});

test('filter by ground truth and by the current label, counted as the database counts them', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 720 });
  await openBrowse(page);
  const total = page.getByTestId('browse-total');
  await expect(total).toHaveText('1,500');
  await page.getByLabel('Ground truth').selectOption('neutral');
  const neutral = count(
    `SELECT count(*) FROM examples e JOIN projects p ON p.id = e.project_id
     WHERE p.name = 'sentiment' AND e.ground_truth = 'neutral'`,
  );
  expect(neutral).toBeGreaterThan(0);
  await expect(total).toHaveText(neutral.toLocaleString('en-US'));
  await page.getByLabel('Ground truth').selectOption('');
  await expect(page.getByLabel('Current label').locator('option')).toHaveText([
    'any',
    'negative',
    'neutral',
    'positive',
  ]);
  // Three labeled through the CLI: two positive, one negative.
  const file = `${served.home}/labels.jsonl`;
  const events = [
    ['s-0000002', 'positive'],
    ['s-0000005', 'positive'],
    ['s-0000009', 'negative'],
  ].map(([id, label]) => JSON.stringify({ id, labels: [label], action: 'label', annotator: 'kai' }));
  fs.writeFileSync(file, events.join('\n') + '\n');
  const cli = spawnSync(
    process.execPath,
    ['bin/flywheel.js', 'label', 'sentiment', '--file', file, '--db', served.db],
    {
      encoding: 'utf8',
      env: { ...process.env, FLYWHEEL_HOME: served.home },
    },
  );
  expect(cli.status, cli.stderr).toBe(0);
  await page.reload();
  await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: 'Browse' }).click();
  await page.getByLabel('Current label').selectOption({ label: 'positive' });
  const positive = count(
    `SELECT count(DISTINCT l.example_id) FROM label_events l JOIN projects p ON p.id = l.project_id
     WHERE p.name = 'sentiment' AND l.labels = '["positive"]'`,
  );
  expect(positive).toBe(2);
  await expect(total).toHaveText('2');
  const rows = page.getByRole('region', { name: 'Examples' }).locator('tbody tr[aria-rowindex]');
  await expect(rows).toHaveCount(2);
  await expect(rows.nth(0)).toContainText('s-0000002');
  await expect(rows.nth(1)).toContainText('s-0000005');
  await page.screenshot({ path: `${shots}/browse-label-filter-light.png` });
});

test('a search that matches nothing says so, and a text search finds the texts that hold it', async ({ page }) => {
  await openBrowse(page);
  await page.getByLabel('Search text or id').fill('zzzz-nothing');
  await expect(page.getByText('No example matches these filters')).toBeVisible();
  await page.getByLabel('Search text or id').fill('air fryer');
  const n = count(
    `SELECT count(*) FROM examples e JOIN projects p ON p.id = e.project_id
     WHERE p.name = 'sentiment' AND instr(lower(e.text), 'air fryer') > 0`,
  );
  expect(n).toBeGreaterThan(0);
  await expect(page.getByTestId('browse-total')).toHaveText(n.toLocaleString('en-US'));
});
