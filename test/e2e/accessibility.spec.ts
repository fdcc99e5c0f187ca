import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';
import { serveDemo, type Served } from './serve-fixture';

let served: Served;

test.beforeAll(async () => {
  served = await serveDemo(800);
});

test.afterAll(async () => {
  await served.stop();
});

const SCREENS = ['Overview', 'Import', 'Browse', 'Models', 'Mine', 'Review', 'Learn', 'Labels', 'Insights', 'Export'];

test('every screen passes an axe check in both themes and is reachable by keyboard', async ({ page }) => {
  await page.goto(served.link);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('sentiment');
  const problems: string[] = [];
  for (const theme of ['light', 'dark'] as const) {
    await page.getByLabel('Theme').selectOption(theme);
    await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
    for (const name of SCREENS) {
      const button = page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name });
      // Keyboard only: focus the tab and press Enter.
      await button.focus();
      await page.keyboard.press('Enter');
      await expect(button).toHaveAttribute('aria-current', 'page');
      const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa']).analyze();
      for (const v of result.violations) {
        problems.push(
          `${name} (${theme}): ${v.id} (${v.impact}) ${v.nodes
            .map((n) => n.target.join(' '))
            .slice(0, 3)
            .join(', ')}`,
        );
      }
    }
    if (theme === 'dark') await page.screenshot({ path: 'test-results/screens/export-dark.png' });
  }
  expect(problems).toEqual([]);
});
