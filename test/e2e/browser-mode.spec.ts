import { expect, test } from '@playwright/test';
import Database from 'better-sqlite3';
import { serveDemo, type Served } from './serve-fixture';

let served: Served;

test.beforeAll(async () => {
  served = await serveDemo(3000);
});

test.afterAll(async () => {
  await served.stop();
});

function dbCounts(project: string): { examples: number; predictions: number } {
  const db = new Database(served.db, { readonly: true });
  try {
    const examples = db
      .prepare('SELECT count(*) FROM examples e JOIN projects p ON p.id = e.project_id WHERE p.name = ?')
      .pluck()
      .get(project) as number;
    const predictions = db
      .prepare(
        'SELECT count(*) FROM predictions x JOIN examples e ON e.id = x.example_id JOIN projects p ON p.id = e.project_id WHERE p.name = ?',
      )
      .pluck()
      .get(project) as number;
    return { examples, predictions };
  } finally {
    db.close();
  }
}

test('browser mode shows the demo project counts, with no request leaving the machine', async ({ page }) => {
  const outside: string[] = [];
  page.on('request', (r) => {
    const host = new URL(r.url()).hostname;
    if (host !== '127.0.0.1' && !r.url().startsWith('data:')) outside.push(r.url());
  });
  await page.goto(served.link);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('sentiment');
  const expected = dbCounts('sentiment');
  const n = (v: number) => v.toLocaleString('en-US');
  await expect(page.getByTestId('count-examples')).toHaveText(n(expected.examples));
  await expect(page.getByTestId('count-predictions')).toHaveText(n(expected.predictions));
  await expect(page.getByTestId('count-model-runs')).toHaveText('2');
  expect(expected.examples).toBe(3000);
  await expect(page.getByRole('region', { name: /sentiment-clf v1/ })).toBeVisible();
  await expect(page.getByRole('region', { name: /sentiment-clf v2/ })).toBeVisible();
  // the token left the address bar once read
  expect(page.url()).not.toContain('token=');
  await page.screenshot({ path: 'test-results/screens/home-sentiment.png' });

  await page.getByRole('button', { name: /spam/ }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('spam');
  await expect(page.getByTestId('count-examples')).toHaveText(n(dbCounts('spam').examples));
  await page.keyboard.press('Tab');
  await page.screenshot({ path: 'test-results/screens/home-spam.png' });
  expect(outside).toEqual([]);
});

test('without the token the page explains what to open, and the API refuses', async ({ page, request }) => {
  await page.goto(served.url);
  await expect(page.getByRole('alert')).toContainText('#token=');
  const res = await request.post(`${served.url}api/call/projects.list`, { data: {} });
  expect(res.status()).toBe(401);
});

test('the API refuses a foreign Host header (DNS rebinding) and a foreign Origin', async ({ request }) => {
  const token = served.link.split('#token=')[1]!;
  const headers = { Authorization: `Bearer ${token}` };
  const ok = await request.post(`${served.url}api/call/projects.list`, { data: {}, headers });
  expect(ok.status()).toBe(200);
  const rebinding = await request.post(`${served.url}api/call/projects.list`, {
    data: {},
    headers: { ...headers, Host: 'attacker.example' },
  });
  expect(rebinding.status()).toBe(403);
  const crossSite = await request.post(`${served.url}api/call/projects.list`, {
    data: {},
    headers: { ...headers, Origin: 'http://evil.example' },
  });
  expect(crossSite.status()).toBe(403);
});
