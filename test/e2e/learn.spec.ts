// The learner in the loop through the UI on the demo: configure it on Learn, label in Review (which
// then says when the learner last re-ranked the queue), refresh, and see the status and the meter
// move; axe stays clean in both themes, at 1280×720 and 1440×900.
import fs from 'node:fs';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import Database from 'better-sqlite3';
import {
  bertConfig,
  bertEncoderModel,
  bertTokenizerConfig,
  bertTokenizerJson,
  bertVocabSize,
} from '../../src/main/features/models/fixture-bert';
import { serveDemo, type Served } from './serve-fixture';

let served: Served;
const SHOTS = process.env['LEARN_SHOTS'] ?? 'test-results/screens/learn';

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  served = await serveDemo(1500);
  fs.mkdirSync(SHOTS, { recursive: true });
});

test.afterAll(async () => {
  await served.stop();
});

async function tab(page: Page, name: string) {
  await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name, exact: true }).click();
}

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

/** One call of the workbench's API over HTTP, as the page makes it. */
async function api<T>(method: string, input: unknown): Promise<T> {
  const token = new URL(served.link).hash.replace('#token=', '');
  const res = await fetch(new URL(`api/call/${method}`, served.url), {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(input),
  });
  const body = (await res.json()) as { ok: boolean; result: T; error?: { message: string } };
  if (!body.ok) throw new Error(`${method}: ${body.error?.message}`);
  return body.result;
}

/** The meter's verdict as the API gives it now. */
async function verdictNow(): Promise<string> {
  return (await api<{ meter: { verdict: string } }>('learn.status', { project: 'sentiment' })).meter.verdict;
}

/** The demo's ground truth of an example, where it has one. */
function truthOf(externalId: string): string | null {
  const db = new Database(served.db, { readonly: true });
  try {
    const row = db.prepare('SELECT ground_truth AS truth FROM examples WHERE external_id = ?').get(externalId) as
      { truth: string | null } | undefined;
    return row?.truth ?? null;
  } finally {
    db.close();
  }
}

/** Labels `count` items in Review: the ground truth's label where the demo has one, else the model's. */
async function label(page: Page, count: number) {
  const id = page.locator('.example-meta .mono');
  const labels = page.getByRole('group', { name: 'Labels' });
  for (let i = 0; i < count; i++) {
    const shown = (await id.textContent()) ?? '';
    const truth = truthOf(shown);
    if (truth) await labels.getByRole('button', { name: new RegExp(`\\b${truth}$`) }).click();
    else await page.getByRole('button', { name: 'accept model' }).click();
    await expect(id).not.toHaveText(shown);
  }
}

test('configure the learner, label in Review, refresh: status, meter and Review line follow', async ({ page }) => {
  test.setTimeout(180_000);
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.goto(served.link);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('sentiment');

  await tab(page, 'Learn');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Learn while you label');
  const settings = page.getByRole('form', { name: 'Learner settings' });
  // The demo logs text and feature vectors but has no sentence encoder: embeddings are shown, disabled, with the reason.
  const representation = settings.getByLabel('Representation');
  await expect(representation.locator('option[value="features"]')).toBeEnabled();
  await expect(representation.locator('option[value="embeddings"]')).toBeDisabled();
  await expect(representation.locator('option[value="embeddings"]')).toContainText('no sentence encoder is registered');
  await representation.selectOption('text');
  await expect(page.getByTestId('learn-status')).toContainText('The learner is off');
  await settings.getByLabel('Refresh every (labels)').fill('5');
  // A large control share, so that a few dozen labels give the meter enough random ones to judge.
  await settings.getByLabel('Random control share (%)').fill('50');
  await settings.getByRole('button', { name: 'Start learning' }).click();
  // Nothing is labeled yet: the refresh says so, and what to do.
  await expect(page.getByTestId('learn-problem')).toContainText('label some examples first', { timeout: 30_000 });
  await expect(page.getByTestId('learn-status')).toContainText('Not refreshed yet');
  await shoot(page, 'learn-configured');

  // A first queue to label from, then label in Review: the learner refreshes behind the annotator and
  // Review says when, on how many labels.
  await tab(page, 'Mine');
  await page.getByLabel('Strategy').selectOption('random');
  await page.getByLabel('Items').fill('60');
  await page.getByRole('button', { name: 'Build queue' }).click();
  await expect(page.getByTestId('mining-summary')).toContainText('60 added');
  await tab(page, 'Review');
  await page.getByLabel('Annotator').fill('kim');
  await page.getByRole('button', { name: 'Start reviewing' }).click();
  await expect(page.getByTestId('review-card')).toBeVisible();
  const cardTop = async () => (await page.getByTestId('review-card').boundingBox())!.y;
  const topBefore = await cardTop();
  await label(page, 8);
  await expect(page.getByTestId('learner-line')).toContainText(/Re-ranked by the learner .*, on \d+ labels?/, {
    timeout: 30_000,
  });
  // The line sits in the side panel: the card and its buttons do not move when it fills.
  expect(await cardTop()).toBe(topBefore);
  // With a learner in place, each new label is scored before it is learned from: the meter's record.
  await label(page, 16);
  await page.screenshot({ path: path.join(SHOTS, 'review-learner-line-1280.png') });

  // Back on Learn: refresh now, and the status and the meter count the labels.
  await tab(page, 'Learn');
  await page.getByRole('button', { name: 'Refresh now' }).click();
  await expect(page.getByTestId('learn-status')).toContainText(/Last refreshed .* on 2\d labels/, { timeout: 30_000 });
  const scored = async () => {
    const text = `${await page.getByTestId('meter-mined').innerText()} ${await page.getByTestId('meter-control').innerText()}`;
    return [...text.matchAll(/(\d+) labels?/g)].reduce((a, m) => a + Number(m[1]), 0);
  };
  await expect.poll(scored).toBeGreaterThan(0);
  await expect(page.getByTestId('meter-verdict')).not.toBeEmpty();
  await expect(page.getByTestId('stop-gain')).toContainText('expected gain from the next 100 labels');
  // The fit in words, with every figure one click away.
  await expect(page.getByRole('region', { name: 'Learner status' })).toContainText(
    /The solver converged after \d+ iteration/,
  );

  // A text learner cannot travel as ONNX: the export says so before anyone tries.
  await expect(page.getByTestId('export-blocked')).toContainText('cannot be exported as ONNX');
  await expect(page.getByRole('button', { name: 'Export as ONNX' })).toBeDisabled();
  expect(await axe(page, 'Learn after a refresh')).toEqual([]);
});

test('likely-wrong labels: found out of sample, each with a reason in words, queued for a second look', async ({
  page,
}) => {
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.goto(served.link);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('sentiment');
  await tab(page, 'Learn');
  const issues = page.getByRole('region', { name: 'Label issues' });
  await issues.getByRole('button', { name: 'Find likely-wrong labels' }).click();
  await expect(issues.getByTestId('label-issues-found')).toContainText(/labels (look wrong|agree)/, {
    timeout: 30_000,
  });
  const reasons = issues.getByRole('list', { name: 'Top likely-wrong labels' }).getByRole('listitem');
  if ((await reasons.count()) > 0) {
    await expect(reasons.first()).toContainText(
      /(labeled|ground truth says) \w+; a model trained without this label gives/,
    );
    await issues.getByRole('button', { name: 'Queue them for a second look' }).click();
    await expect(issues.getByTestId('label-issues-queued')).toContainText(
      /Queued [1-9]\d* likely-wrong labels? for a second look/,
    );
    await expect(issues.getByTestId('label-issues-summary')).toContainText(/labels checked, \d+ looked wrong/);
  } else {
    await expect(issues.getByRole('button', { name: 'Queue them for a second look' })).toBeDisabled();
  }

  await issues.scrollIntoViewIfNeeded();
  await shoot(page, 'learn-label-issues');
});

test('with enough control labels the meter gives its verdict, and offers random sampling when mined ones do not beat it', async ({
  page,
}) => {
  test.setTimeout(240_000);
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.goto(served.link);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('sentiment');
  await tab(page, 'Review');
  await page.getByLabel('Annotator').fill('kim');
  await page.getByRole('button', { name: 'Start reviewing' }).click();
  await expect(page.getByTestId('review-card')).toBeVisible();
  // Label until the meter has enough control labels to judge (how many depends on where the
  // background refreshes put the control items), within a bound.
  for (let round = 0; round < 8 && (await verdictNow()) === 'too-early'; round++) await label(page, 20);
  expect(await verdictNow()).not.toBe('too-early');
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.getByLabel('Theme').selectOption('dark');
  await expect(page.getByTestId('learner-line')).toContainText(/Re-ranked by the learner/);
  await shoot(page, 'review-learner-line-1440-dark');
  await page.getByLabel('Theme').selectOption('light');
  await page.setViewportSize({ width: 1280, height: 720 });
  await tab(page, 'Learn');
  await page.getByRole('button', { name: 'Refresh now' }).click();
  const verdict = page.getByTestId('meter-verdict');
  await expect(verdict).toContainText(
    /Mined labels pay off|not clearly beating random ones|Random labels would have done better/,
    {
      timeout: 30_000,
    },
  );
  await expect(page.getByTestId('meter-random-labels')).toContainText(
    /≈ \d+ random labels? \(95% interval \d+–|Random labels would not reach this quality/,
  );
  const meter = page.getByRole('region', { name: 'Efficiency meter' });
  await meter.scrollIntoViewIfNeeded();
  await shoot(page, 'learn-meter-verdict');
  const sw = meter.getByRole('button', { name: /Switch to random sampling/ });
  if (/Mined labels pay off/.test(await verdict.innerText())) await expect(sw).toHaveCount(0);
  else {
    await sw.click();
    await expect(page.getByTestId('learn-note')).toContainText('The queue is now 90% random');
    await expect(page.getByLabel('Random control share (%)')).toHaveValue('90');
    await expect(meter.getByTestId('already-random')).toContainText('already 90% random');
  }

  // Every picture of the screen with the meter's verdict, at two sizes and in both themes.
  const problems: string[] = [];
  for (const size of [
    { width: 1280, height: 720 },
    { width: 1440, height: 900 },
  ]) {
    await page.setViewportSize(size);
    for (const theme of ['light', 'dark'] as const) {
      await page.getByLabel('Theme').selectOption(theme);
      await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
      problems.push(...(await axe(page, `Learn ${size.width} ${theme}`)));
      await page.screenshot({ path: path.join(SHOTS, `learn-${size.width}-${theme}.png`) });
      await page.getByRole('region', { name: 'Efficiency meter' }).scrollIntoViewIfNeeded();
      await page.screenshot({ path: path.join(SHOTS, `learn-meter-${size.width}-${theme}.png`) });
      await page.getByRole('region', { name: 'Label issues' }).scrollIntoViewIfNeeded();
      await page.screenshot({ path: path.join(SHOTS, `learn-issues-${size.width}-${theme}.png`) });
      await page.locator('#main').evaluate((main) => main.scrollTo(0, 0));
    }
  }
  await page.getByLabel('Theme').selectOption('light');
  expect(problems).toEqual([]);
});

test('a learner over logged features is exported as ONNX and registered in Models', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.goto(served.link);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('sentiment');
  await tab(page, 'Learn');
  const settings = page.getByRole('form', { name: 'Learner settings' });
  await settings.getByLabel('Representation').selectOption('features');
  await settings.getByRole('button', { name: 'Save and refresh now' }).click();
  await expect(page.getByRole('region', { name: 'Learner status' })).toContainText(/schema v\d+ \(features\)/, {
    timeout: 30_000,
  });
  const panel = page.getByRole('region', { name: 'Export the learner' });
  await expect(panel.getByLabel(/^File/)).toHaveValue(/^learners\/sentiment-learner-\d+\.onnx$/);
  const out = path.join(served.home, 'learners', 'sentiment-features.onnx');
  await panel.getByLabel(/^File/).fill(out);
  await panel.getByRole('button', { name: 'Export as ONNX' }).click();
  await expect(panel.getByTestId('learner-exported')).toContainText(
    /Wrote learner@\d+\S* \(\d+ training examples, features\) to /,
    { timeout: 30_000 },
  );
  await expect(panel.locator('[data-testid="learner-exported"] .mono')).toHaveText(out);
  expect(fs.statSync(out).size).toBeGreaterThan(0);
  // Registered in Models, it can be rescored and gated like any other model.
  await panel.getByRole('button', { name: 'Register it in Models' }).click();
  await expect(panel.getByTestId('learner-registered')).toContainText(/Registered in Models as learner@/);
  await panel.scrollIntoViewIfNeeded();
  await shoot(page, 'learn-exported');
});

test('an encoder registered for the project offers embeddings, computed from the screen before the learner uses them', async ({
  page,
}) => {
  test.setTimeout(120_000);
  const folder = path.join(served.home, 'minilm');
  fs.mkdirSync(folder);
  const model = bertEncoderModel({
    classes: 2,
    layers: 1,
    hidden: 16,
    vocabSize: bertVocabSize(),
    output: 'last_hidden_state',
  });
  fs.writeFileSync(path.join(folder, 'model.onnx'), model);
  fs.writeFileSync(path.join(folder, 'tokenizer.json'), JSON.stringify(bertTokenizerJson()));
  fs.writeFileSync(path.join(folder, 'tokenizer_config.json'), JSON.stringify(bertTokenizerConfig()));
  fs.writeFileSync(path.join(folder, 'config.json'), JSON.stringify(bertConfig(null)));
  await api('models.add', { project: { project: 'spam' }, path: folder, name: 'minilm', version: '1' });

  await page.setViewportSize({ width: 1280, height: 720 });
  await page.goto(served.link);
  await page
    .getByRole('navigation', { name: 'Projects' })
    .getByRole('button', { name: /^spam\b/ })
    .click();
  await expect(page.getByTestId('current-project')).toContainText('spam');
  await tab(page, 'Learn');
  const settings = page.getByRole('form', { name: 'Learner settings' });
  const representation = settings.getByLabel('Representation');
  await expect(representation.locator('option[value="embeddings:minilm@1"]')).toBeEnabled();
  await expect(representation.locator('option[value="embeddings:minilm@1"]')).toHaveText(
    'embeddings of minilm@1 (16 numbers)',
  );
  await representation.selectOption('embeddings:minilm@1');
  // Not computed yet: the learner cannot start on them, and the screen offers to compute them.
  const progress = settings.getByTestId('embeddings-progress');
  await expect(progress).toContainText('No embeddings of minilm@1 are stored yet');
  await expect(settings.getByRole('button', { name: 'Start learning' })).toBeDisabled();
  await shoot(page, 'learn-embeddings-missing');
  await progress.getByRole('button', { name: 'Compute embeddings' }).click();
  await expect(progress).toHaveCount(0, { timeout: 90_000 });
  await settings.getByRole('button', { name: 'Start learning' }).click();
  await expect(page.getByTestId('learn-status')).not.toContainText('The learner is off');
  await expect(representation).toHaveValue('embeddings:minilm@1');
});

// learn.export resolves a relative --out against the server's working folder: over HTTP it must stay
// inside the data folder, as every other written path does (src/main/io/confine.ts).
test('browser mode writes the exported learner inside the data folder, and nowhere else', async ({ page }) => {
  await page.goto(served.link);
  await tab(page, 'Learn');
  const panel = page.getByRole('region', { name: 'Export the learner' });
  const outside = path.join(path.dirname(served.home), `outside-${path.basename(served.home)}.onnx`);
  await panel.getByLabel(/^File/).fill(outside);
  await panel.getByRole('button', { name: 'Export as ONNX' }).click();
  await expect(page.getByRole('alert')).toContainText('outside the data folder');
  expect(fs.existsSync(outside)).toBe(false);
  await panel.getByLabel(/^File/).fill('learners/relative.onnx');
  await panel.getByRole('button', { name: 'Export as ONNX' }).click();
  const written = (await panel.locator('[data-testid="learner-exported"] .mono').innerText()).trim();
  expect(path.relative(served.home, written).startsWith('..')).toBe(false);
  expect(fs.existsSync(path.join(served.home, 'learners', 'relative.onnx'))).toBe(true);
});

async function shoot(page: Page, name: string) {
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
}
