// Time windows as slice predicates: a regression planted in one week of traffic is found as the
// slice "time (week)=…", with mining filters that select exactly that week, from the API and the CLI.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  importFile,
  makeTempDir,
  openContext,
  removeDir,
  writeJsonl,
  type TestContext,
} from '../../../../test/helpers/import-fixtures';
import { call } from '../../core/dispatch';

const ROOT = path.resolve(__dirname, '../../../..');
const CLASSES = ['ok', 'bad'];
const START = Date.UTC(2026, 9, 5); // Monday 2026-10-05
const HOUR = 3_600_000;
const WEEK = 7 * 24 * HOUR;
const N = 4 * 56; // four weeks, one example every 3 hours
const project = { project: 'weekly' };
let dir: string;
let ctx: TestContext;

/**
 * Both runs wrong on every 10th example; v2 also on half the examples of the third week only, as
 * many of each channel (channel: email on even i, web on odd; the extra errors where i % 4 < 2).
 */
const wrong = (version: string, i: number) =>
  i % 10 === 0 || (version === 'v2' && Math.floor(i / 56) === 2 && i % 4 < 2 && i % 10 !== 0);

beforeAll(async () => {
  dir = makeTempDir('slices-time');
  ctx = openContext(dir);
  for (const version of ['v1', 'v2']) {
    const rows = Array.from({ length: N }, (_, i) => {
      const truth = Math.floor(i / 3) % 2;
      const predicted = wrong(version, i) ? 1 - truth : truth;
      return {
        id: `w${i}`,
        ts: START + i * 3 * HOUR,
        text: `ticket ${i}`,
        p_bad: predicted === 1 ? 0.8 : 0.2,
        model: 'triage',
        model_version: version,
        truth: CLASSES[truth],
        channel: i % 2 === 0 ? 'email' : 'web',
      };
    });
    const { status } = await importFile(
      ctx,
      writeJsonl(path.join(dir, `${version}.jsonl`), rows),
      {
        id: 'id',
        inputKind: 'text',
        text: 'text',
        timestamp: { field: 'ts', unit: 'ms' },
        taskType: 'binary',
        classes: CLASSES,
        scores: { kind: 'columns', columns: ['p_bad'] },
        groundTruth: 'truth',
        model: { nameField: 'model', versionField: 'model_version' },
        metadata: ['channel'],
      },
      { project: 'weekly' },
    );
    expect(status.error).toBeUndefined();
  }
}, 60_000);

afterAll(async () => {
  await ctx?.dispose();
  removeDir(dir);
});

const third = { from: START + 2 * WEEK, to: START + 3 * WEEK };
const thirdLabel = '2026-10-19T00:00Z – 2026-10-26T00:00Z';

describe('time windows as slice predicates', () => {
  it('finds a regression confined to one week, against the champion and on the run alone', async () => {
    const vs = await call('insights.slices', { project, run: 'v2', vs: 'v1' }, ctx);
    const top = vs.slices[0]!;
    expect(top.label).toBe(`time (week)=${thirdLabel}`);
    // 25 extra errors in that week (i % 4 < 2, but not where both runs err), none elsewhere
    expect(top).toMatchObject({ n: 56, excessErrors: 25, pinnable: false });
    expect(top.filters).toEqual({ metadata: {}, ...third });
    const alone = await call('insights.slices', { project, run: 'v2' }, ctx);
    expect(alone.slices[0]!.label).toBe(`time (week)=${thirdLabel}`);
    // by day: the days found as slices are days of that week
    const days = await call('insights.slices', { project, run: 'v2', vs: 'v1', window: 'day', minSupport: 8 }, ctx);
    const dayLabels = days.slices
      .filter((s) => s.predicates.length === 1 && s.predicates[0]!.field === 'time (day)')
      .map((s) => s.label);
    expect(dayLabels.length).toBeGreaterThan(0);
    for (const label of dayLabels) expect(label).toMatch(/^time \(day\)=2026-10-(19|2[0-5])T00:00Z – /);
    // without time predicates nothing stands out: the regression hits both channels alike
    const flat = await call('insights.slices', { project, run: 'v2', vs: 'v1', timeSlices: false }, ctx);
    expect(flat.slices.every((s) => s.label.startsWith('channel='))).toBe(true);
  });

  it('queues more like the week through the mining filters; the CLI says how and that it cannot be pinned', async () => {
    const r = await call('insights.slices', { project, run: 'v2', vs: 'v1' }, ctx);
    const mined = await call(
      'mining.run',
      {
        project,
        strategy: { strategy: 'random', seed: 1 },
        modelRuns: ['v2'],
        filters: r.slices[0]!.filters,
        limit: 20,
      },
      ctx,
    );
    expect(mined.added).toBeGreaterThan(0);
    const out = spawnSync(
      process.execPath,
      [
        path.join(ROOT, 'bin/flywheel.js'),
        '--db',
        path.join(dir, 'w.db'),
        'slices',
        'weekly',
        '--run',
        'v2',
        '--vs',
        'v1',
      ],
      { encoding: 'utf8' },
    );
    expect(out.status).toBe(0);
    expect(out.stdout).toContain(`time (week)=${thirdLabel}`);
    expect(out.stdout).toContain(
      'Queue more like slice 1: flywheel mine weekly --from 2026-10-19T00:00:00.000Z --to 2026-10-26T00:00:00.000Z',
    );
    expect(out.stdout).toContain('A time window cannot be pinned to the gate');
    const flat = spawnSync(
      process.execPath,
      [
        path.join(ROOT, 'bin/flywheel.js'),
        '--db',
        path.join(dir, 'w.db'),
        'slices',
        'weekly',
        '--vs',
        'v1',
        '--metadata-only',
      ],
      { encoding: 'utf8' },
    );
    expect(flat.status).toBe(0);
    expect(flat.stdout).not.toMatch(/^ +\d+\. time/m);
  });
});
