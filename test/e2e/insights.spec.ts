// "Where is it wrong?" through the UI on the demo: find the slices, see them ranked, pin one to the
// gate, queue more like it, open the examples behind a confusion cell; axe stays clean in both themes.
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { serveDemo, type Served } from './serve-fixture';

let served: Served;
const shots = process.env['INSIGHTS_SHOTS'] ?? 'test-results/screens';

test.beforeAll(async () => {
  served = await serveDemo(1500);
});

test.afterAll(async () => {
  await served.stop();
});

async function axe(page: Page, where: string): Promise<string[]> {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa']).analyze();
  return result.violations.map(
    (v) =>
      `${where}: ${v.id} (${v.impact}) ${v.nodes
        .map((n) => n.target.join(' '))
        .slice(0, 3)
        .join(', ')}`,
  );
}

test('where is it wrong: ranked slices, a pinned guard, queue more, the examples behind a confusion cell', async ({
  page,
}) => {
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.goto(served.link);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('sentiment');
  await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: 'Insights' }).click();
  await expect(page.getByTestId('gate-verdict')).toBeVisible();

  // slices of the newest run by its own error rate, ranked (the demo's ground truth is ~140 examples)
  const panel = page.getByRole('region', { name: 'Where is it wrong' });
  await panel.getByLabel('Min. support').fill('10');
  await panel.getByRole('button', { name: 'Find slices' }).click();
  const table = page.getByRole('table', { name: 'Slices ranked by impact' });
  await expect(table).toBeVisible();
  const ranks = await table.locator('tbody tr td:first-child').allInnerTexts();
  expect(ranks.length).toBeGreaterThan(0);
  expect(ranks).toEqual(ranks.map((_, i) => String(i + 1)));
  // ranked by SliceLine score: every slice's error rate is above the overall one
  const rates = (await table.locator('tbody tr td:nth-child(4)').allInnerTexts()).map((x) => parseFloat(x));
  const overall = parseFloat((await panel.getByTestId('slices-overall').innerText()).replace(/.*error rate /, ''));
  expect(rates.every((r) => r > overall)).toBe(true);
  // the top slice of metadata values (a time-window slice queues more but is not a gate guard)
  const pinnableRow = table
    .locator('tbody tr')
    .filter({ has: page.getByRole('button', { name: 'Pin as guard' }) })
    .first();
  const first = (await pinnableRow.getByRole('rowheader').innerText()).trim();
  const timeRows = table.locator('tbody tr').filter({ hasText: /^time \(week\)=/ });
  for (const row of await timeRows.all())
    await expect(row.getByRole('button', { name: 'Pin as guard' })).toHaveCount(0);

  // pin it: the gate gains a slice check
  await pinnableRow.getByRole('button', { name: 'Pin as guard' }).click();
  await expect(page.getByLabel('Pinned slice guards')).toContainText(first);
  await expect(page.getByRole('table', { name: 'Gate checks' }).getByRole('rowheader').last()).toHaveText(
    `slice ${first}`,
  );
  // queue more like it
  // (the row by its slice: once pinned, it no longer has a "Pin as guard" button)
  const pinnedRow = table
    .locator('tbody tr')
    .filter({ has: page.getByRole('rowheader', { name: first, exact: true }) });
  await pinnedRow.getByRole('button', { name: 'Queue more like this' }).click();
  await expect(page.getByTestId('slice-queued')).toContainText(`like ${first}`);

  // a confusion cell opens its examples
  const confusion = page.getByRole('region', { name: 'Confusion matrix' });
  const cell = confusion
    .getByRole('button', { name: /examples labeled \w+ and predicted \w+/ })
    .filter({ hasNotText: /^0$/ });
  const offDiagonal = cell.and(page.locator('td:not(.diag) button'));
  await offDiagonal.first().click();
  const examples = page.getByTestId('cell-examples');
  await expect(examples).toContainText(/\d+ examples labeled \w+ and predicted \w+ by /);
  expect(await examples.getByRole('listitem').count()).toBeGreaterThan(0);

  // the drift summary is one sentence, with its top movers
  await expect(page.getByTestId('drift-summary')).toContainText(/Traffic (moved|is stable)/);

  const problems: string[] = [];
  for (const theme of ['light', 'dark'] as const) {
    await page.getByLabel('Theme').selectOption(theme);
    await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
    problems.push(...(await axe(page, `Insights with slices and a cell open (${theme})`)));
    await page.getByRole('heading', { name: /Is the challenger better/ }).scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${shots}/insights-${theme}.png` });
    await panel.scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${shots}/insights-slices-${theme}.png` });
    await confusion.scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${shots}/insights-confusion-${theme}.png` });
    await page.getByRole('region', { name: 'Reliability diagrams' }).scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${shots}/insights-charts-${theme}.png` });
    await page.getByRole('region', { name: 'Drift' }).scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${shots}/insights-drift-${theme}.png` });
  }
  expect(problems).toEqual([]);
});
