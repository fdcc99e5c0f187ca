// Traps a review of the workbench fell into, each driven through the real UI of `flywheel serve`.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import Database from 'better-sqlite3';
import { writeDemoLog } from '../../src/main/features/demo/demo-data';
import { serveDemo, type Served } from './serve-fixture';

let served: Served;
let spamLog: string;
const shots = '/tmp/shots';

test.beforeAll(async () => {
  served = await serveDemo(600);
  spamLog = path.join(served.home, 'spam-v9.jsonl');
  // As many rows as the demo's: the demo's examples (their text, their class) depend on the log's length.
  await writeDemoLog({ project: 'spam', rows: 600, modelVersion: 'v9', format: 'jsonl', outPath: spamLog });
  fs.mkdirSync(shots, { recursive: true });
});

test.afterAll(async () => {
  await served.stop();
});

function query<T>(sql: string, ...params: unknown[]): T[] {
  const db = new Database(served.db, { readonly: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}

async function tab(page: Page, name: string) {
  await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name }).click();
}

async function project(page: Page, name: string) {
  await page
    .getByRole('navigation', { name: 'Projects' })
    .getByRole('button', { name: new RegExp(`^${name}\\b`) })
    .click();
  await expect(page.getByTestId('current-project')).toContainText(name);
}

/** The axe violations (WCAG 2 A and AA) of what the page shows now, one line each. */
async function axe(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa']).analyze();
  return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

async function previewSpamLog(page: Page) {
  await page.getByLabel('Upload a file…').setInputFiles(spamLog);
  await expect(page.getByLabel(/File on this machine/)).toHaveValue(/spam-v9\.jsonl$/);
  await page.getByRole('button', { name: 'Preview' }).click();
  await expect(page.getByTestId('import-mapping')).toContainText('binary over ham, spam');
}

test('Import goes into the project selected now, however often the selection changed', async ({ page }) => {
  await page.goto(served.link);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('sentiment');
  await tab(page, 'Import');
  for (const name of ['spam', 'sentiment', 'spam', 'sentiment', 'spam']) {
    await project(page, name);
    await expect(page.getByTestId('import-target')).toHaveText(name);
  }
  await previewSpamLog(page);
  await expect(page.getByTestId('mapping-problem')).toHaveCount(0);
  await page.getByRole('button', { name: 'Start import' }).click();
  await expect(page.getByTestId('import-result')).toContainText('Imported 600 rows (0 rejected) into spam');
  const runs = query<{ name: string }>(
    `SELECT p.name FROM import_runs r JOIN projects p ON p.id = r.project_id WHERE r.source_path LIKE ?`,
    '%spam-v9.jsonl',
  );
  expect(runs).toEqual([{ name: 'spam' }]);
});

test('Check mapping runs the import’s checks and warns when the predicted labels contradict the class order', async ({
  page,
}) => {
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.goto(served.link);
  await project(page, 'sentiment');
  await tab(page, 'Import');
  // A binary log into the 3-class project: the check refuses it in the words the import uses.
  await previewSpamLog(page);
  await expect(page.getByTestId('mapping-problem')).toHaveText(
    "This mapping cannot be imported into sentiment: project 'sentiment' is multiclass, the mapping says binary",
  );
  await expect(page.getByText(/rows pass the mapping/)).toHaveCount(0);
  await page.getByRole('button', { name: 'Start import' }).click();
  await expect(page.locator('p.error').filter({ hasText: /^project 'sentiment' is multiclass/i })).toBeVisible();
  await expect(page.getByTestId('import-result')).toHaveCount(0);

  // Into spam, with the classes swapped: the rows pass, but the logged predictions say otherwise.
  await project(page, 'spam');
  await previewSpamLog(page);
  await expect(page.getByTestId('class-order-warning')).toHaveCount(0);
  await page.screenshot({ path: `${shots}/import-top.png` });
  await page.getByLabel('Classes, in score order (comma separated)').fill('spam, ham');
  await page.getByRole('button', { name: 'Check mapping' }).click();
  await expect(page.getByTestId('class-order-warning')).toHaveText(
    /^In \d+ of \d+ rows the score points to the other class than the logged predicted label; the class order may be reversed: try ham, spam$/,
  );
  await page.screenshot({ path: `${shots}/import.png` });
  expect(await axe(page)).toEqual([]);
});

test('Review: Enter starts the session and the keys label, comments are typed inline, `a` reads predictions through a rename', async ({
  page,
}) => {
  test.setTimeout(120_000);
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.goto(served.link);
  await project(page, 'sentiment');
  await tab(page, 'Mine');
  await page.getByLabel('Items').fill('80');
  await page.getByRole('button', { name: 'Build queue' }).click();
  await expect(page.getByTestId('mining-summary')).toContainText('80 added');

  // The name, then Enter, then 1: the first key labels, the name stays as typed.
  await tab(page, 'Review');
  const annotator = page.getByLabel('Annotator');
  await annotator.fill('lee');
  await annotator.press('Enter');
  const card = page.getByTestId('review-card');
  await expect(card).toBeFocused();
  await page.keyboard.press('1');
  await expect(page.getByTestId('session-labeled')).toHaveText('1');
  await expect(annotator).toHaveValue('lee');

  // c opens a comment box; digits typed in it do not label; Enter saves, Escape cancels.
  const externalId = (await page.locator('.example-meta .mono').textContent())!;
  await page.keyboard.press('c');
  const box = page.getByLabel(`Comment on ${externalId}`);
  await expect(box).toBeFocused();
  await page.keyboard.type('3 stars but sounds 1 star');
  await expect(page.getByRole('button', { name: 'Save comment' })).toBeVisible();
  await page.screenshot({ path: `${shots}/review.png` });
  expect(await axe(page)).toEqual([]);
  await page.keyboard.press('Enter');
  await expect(box).toHaveCount(0);
  await expect(card).toBeFocused();
  await expect(page.getByTestId('session-labeled')).toHaveText('1');
  await expect(page.locator('.example-meta .mono')).toHaveText(externalId);
  await expect
    .poll(() =>
      query<{ comment: string }>(
        `SELECT l.comment FROM label_events l JOIN examples e ON e.id = l.example_id
         WHERE e.external_id = ? AND l.action = 'comment'`,
        externalId,
      ),
    )
    .toEqual([{ comment: '3 stars but sounds 1 star' }]);
  await page.keyboard.press('c');
  await page.keyboard.type('never mind');
  await page.keyboard.press('Escape');
  await expect(box).toHaveCount(0);
  await page.keyboard.press('c');
  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect(box).toHaveCount(0);
  const comments = query<{ n: number }>(`SELECT count(*) AS n FROM label_events WHERE action = 'comment'`);
  expect(comments).toEqual([{ n: 1 }]);

  // A new schema version renames "negative" to "bad": accepting a "negative" prediction records "bad".
  await tab(page, 'Labels');
  await page.getByLabel('id of negative').fill('bad');
  await page.getByLabel('name of negative').fill('Bad');
  await page.getByLabel('Change note').fill('negative is now bad');
  await page.getByRole('button', { name: 'Save new version' }).click();
  await expect(page.getByRole('status')).toContainText('Version 2 saved');
  await tab(page, 'Review');
  await expect(card).toBeFocused();
  const newest = page.getByRole('region', { name: 'Model scores' }).locator('.tag').last();
  const shownId = page.locator('.example-meta .mono');
  // The score panel names classes by the current labels: "Bad", no longer the model's "negative".
  await expect(page.getByRole('region', { name: 'Model scores' }).locator('.bar-label').first()).toHaveText('Bad');
  await expect(page.getByRole('region', { name: 'Model scores' })).not.toContainText('negative');
  let accepted: string | null = null;
  for (let i = 0; i < 40 && accepted === null; i++) {
    const id = (await shownId.textContent())!;
    const predicted = await newest.textContent();
    await page.keyboard.press('a');
    await expect(shownId).not.toHaveText(id);
    if (predicted === 'Bad') accepted = id;
  }
  expect(accepted, 'an item whose newest prediction is "negative"').not.toBeNull();
  await expect
    .poll(() =>
      query<{ labels: string }>(
        `SELECT l.labels FROM label_events l JOIN examples e ON e.id = l.example_id
         WHERE e.external_id = ? AND l.action = 'accept'`,
        accepted,
      ),
    )
    .toEqual([{ labels: '["bad"]' }]);

  // A version that removes "neutral": `a` on a "neutral" prediction says why it cannot accept it.
  const v3 = path.join(served.home, 'v3.json');
  fs.writeFileSync(
    v3,
    JSON.stringify({
      labels: [
        { id: 'bad', name: 'Bad', description: '', hotkey: '1', color: '#e8590c' },
        { id: 'positive', name: 'positive', description: '', hotkey: '2', color: '#1971c2' },
      ],
      guidelines: '',
      changeNote: 'no neutral any more',
      mappingFromPrevious: [{ kind: 'remove', id: 'neutral' }],
    }),
  );
  const set = spawnSync(
    process.execPath,
    ['bin/flywheel.js', 'label-schema', 'sentiment', 'set', v3, '--db', served.db],
    { encoding: 'utf8', env: { ...process.env, FLYWHEEL_HOME: served.home } },
  );
  expect(set.status, set.stderr).toBe(0);
  await page.getByRole('button', { name: 'Start reviewing' }).click();
  let refused = false;
  for (let i = 0; i < 40 && !refused; i++) {
    await expect(page.getByRole('button', { name: /Guidelines · schema v3/ })).toBeVisible();
    const id = (await shownId.textContent())!;
    const predicted = await newest.textContent();
    await page.keyboard.press('a');
    if (predicted === 'neutral (no single label now)') {
      await expect(page.getByRole('status').filter({ hasText: 'The newest model predicted neutral' })).toHaveText(
        'The newest model predicted neutral, which has no single label in schema v3 (it was split or removed): choose a label with the number keys.',
      );
      await expect(shownId).toHaveText(id);
      refused = true;
    } else await expect(shownId).not.toHaveText(id);
  }
  expect(refused, 'an item whose newest prediction is "neutral"').toBe(true);
});

test('a new window reopens on the last project and annotator, and every screen names the project', async ({
  page,
  context,
}) => {
  await page.goto(served.link);
  await project(page, 'spam');
  await tab(page, 'Review');
  await page.getByLabel('Annotator').fill('max');
  await page.getByRole('button', { name: 'Start reviewing' }).click();

  const second = await context.newPage();
  await second.goto(served.link);
  await expect(second.getByRole('heading', { level: 1 })).toHaveText('spam');
  for (const name of ['Overview', 'Import', 'Models', 'Mine', 'Review', 'Learn', 'Labels', 'Insights', 'Export']) {
    await tab(second, name);
    await expect(second.getByTestId('current-project')).toHaveText(`Project spam · ${name}`);
    if (name === 'Review') await expect(second.getByLabel('Annotator')).toHaveValue('max');
  }
});

test('Export: an existing name points to the Replace box, which replaces it', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.goto(served.link);
  await project(page, 'sentiment');
  await tab(page, 'Export');
  await page.getByLabel('Name', { exact: true }).fill('twice');
  await page.getByLabel('Labels from').selectOption('human+model');
  await page.getByRole('button', { name: 'Build export' }).click();
  await expect(page.getByRole('list', { name: 'Past exports' })).toContainText('twice');
  await page.getByRole('button', { name: 'Build export' }).click();
  const refusal = page.getByRole('alert');
  await expect(refusal).toHaveText(
    'An export named "twice" already exists. Choose another name, or tick "Replace an existing export of this name".',
  );
  await page.screenshot({ path: `${shots}/export.png` });
  expect(await axe(page)).toEqual([]);
  await page.getByLabel('Replace an existing export of this name').check();
  await page.getByRole('button', { name: 'Build export' }).click();
  await expect
    .poll(() => query<{ n: number }>(`SELECT count(*) AS n FROM exports WHERE path LIKE ?`, '%twice'))
    .toEqual([{ n: 2 }]);
  await expect(page.getByRole('button', { name: 'Build export' })).toBeEnabled();
  await expect(refusal).toHaveCount(0);
});
