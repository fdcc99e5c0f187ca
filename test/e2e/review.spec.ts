import { expect, test } from '@playwright/test';
import Database from 'better-sqlite3';
import { serveDemo, type Served } from './serve-fixture';

let served: Served;

test.beforeAll(async () => {
  served = await serveDemo(2000);
});

test.afterAll(async () => {
  await served.stop();
});

function events(annotator: string): { action: string; n: number }[] {
  const db = new Database(served.db, { readonly: true });
  try {
    return db
      .prepare(
        `SELECT l.action, count(*) AS n FROM label_events l JOIN annotators a ON a.id = l.annotator_id
         WHERE a.name = ? GROUP BY l.action ORDER BY l.action`,
      )
      .all(annotator) as { action: string; n: number }[];
  } finally {
    db.close();
  }
}

test('mine a queue, then label by keyboard only: hotkeys, skip, undo, help', async ({ page }) => {
  const outside: string[] = [];
  page.on('request', (r) => {
    if (new URL(r.url()).hostname !== '127.0.0.1' && !r.url().startsWith('data:')) outside.push(r.url());
  });
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(served.link);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('sentiment');

  await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: 'Mine' }).click();
  await page.getByLabel('Strategy').selectOption('disagreement');
  await page.getByLabel('Items').fill('20');
  await page.getByRole('button', { name: 'Build queue' }).click();
  await expect(page.getByTestId('mining-summary')).toContainText('20 added');
  await page.screenshot({ path: 'test-results/screens/mine-disagreement.png' });

  await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: 'Review' }).click();
  await page.getByLabel('Annotator').fill('kim');
  await page.getByRole('button', { name: 'Start reviewing' }).click();
  const text = page.getByTestId('example-text');
  await expect(text).toBeVisible();
  await page.getByRole('heading', { level: 1 }).first().isVisible(); // nothing focused: keys go to the page
  await page.locator('body').click({ position: { x: 5, y: 790 } });

  const seen: string[] = [];
  for (let i = 0; i < 10; i++) {
    const before = await text.textContent();
    seen.push(before ?? '');
    await page.keyboard.press(String((i % 3) + 1));
    await expect(text).not.toHaveText(before ?? '');
  }
  await expect(page.getByTestId('session-labeled')).toHaveText('10');
  await expect.poll(() => events('kim')).toEqual([{ action: 'label', n: 10 }]);

  // Undo brings the last item back; label it again, then skip one.
  await page.keyboard.press('z');
  await expect(text).toHaveText(seen[9]!);
  await expect(page.getByTestId('session-labeled')).toHaveText('9');
  await page.keyboard.press('2');
  await expect(page.getByTestId('session-labeled')).toHaveText('10');
  await page.keyboard.press(' ');
  await expect
    .poll(() => events('kim'))
    .toEqual([
      { action: 'label', n: 11 },
      { action: 'skip', n: 1 },
      { action: 'undo', n: 1 },
    ]);
  // Change an earlier decision from the history: it comes back, and the new label is the latest.
  const firstId = await page.getByRole('region', { name: 'Last decisions' }).locator('li .mono').last().textContent();
  await page.getByRole('button', { name: `Change the decision on ${firstId}` }).click();
  await expect(page.locator('.example-meta .mono')).toHaveText(firstId!);
  await page.locator('body').click({ position: { x: 5, y: 790 } });
  await page.keyboard.press('3');
  await expect(page.getByRole('region', { name: 'Last decisions' }).locator('li').first()).toContainText(firstId!);
  await expect.poll(() => events('kim')).toContainEqual({ action: 'label', n: 12 });
  await page.screenshot({ path: 'test-results/screens/review.png' });

  await page.keyboard.press('?');
  await expect(page.getByRole('dialog', { name: 'Keyboard shortcuts' })).toBeVisible();
  await page.screenshot({ path: 'test-results/screens/review-help.png' });
  await page.keyboard.press('Escape');
  await expect(page.getByRole('dialog')).toHaveCount(0);
  expect(outside).toEqual([]);
});
