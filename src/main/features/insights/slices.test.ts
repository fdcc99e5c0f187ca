// Where is a run wrong, end to end on a database built by real imports: slices found by hand-worked
// scores, the paired comparison against a champion, a slice queued for review, a slice pinned to the
// gate, the examples behind a confusion cell, and the CLI.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failure } from '../../../../test/helpers/expect-failure';
import {
  importFile,
  makeTempDir,
  openContext,
  removeDir,
  writeJsonl,
  type TestContext,
} from '../../../../test/helpers/import-fixtures';
import type { ImportMappingInput } from '../../../shared/features/import/mapping';
import { call } from '../../core/dispatch';

const ROOT = path.resolve(__dirname, '../../../..');
let dir: string;
let ctx: TestContext;
const project = { project: 'support' };
const CLASSES = ['ok', 'bad'];
const START = Date.UTC(2026, 9, 5, 6); // Monday 2026-10-05 06:00 UTC
const HOUR = 3_600_000;
const N = 300;

/**
 * 300 examples, every hour: channel = email, web, chat by i % 3, lang = en, fr by i % 2 (so i % 6
 * fixes both: 0 email&en, 1 web&fr, 2 chat&en, 3 email&fr, 4 web&en, 5 chat&fr), truth ⌊i/6⌋ % 2.
 * v1 (champion) is wrong on email&fr, on web&fr and where i % 30 = 0 (email&en): 110 errors.
 * v2 (challenger) is wrong on chat&en and where i % 24 is 3 or 21 (half of email&fr, both classes): 75
 * errors.
 */
const wrong = {
  v1: (i: number) => i % 6 === 3 || i % 6 === 1 || i % 30 === 0,
  v2: (i: number) => i % 6 === 2 || i % 24 === 3 || i % 24 === 21,
};
const truthOf = (i: number) => Math.floor(i / 6) % 2;

function rows(version: 'v1' | 'v2') {
  return Array.from({ length: N }, (_, i) => {
    const predicted = wrong[version](i) ? 1 - truthOf(i) : truthOf(i);
    return {
      id: `t${i}`,
      ts: START + i * HOUR,
      text: `ticket ${i}`,
      p_bad: predicted === 1 ? 0.8 : 0.2,
      model: 'triage',
      model_version: version,
      truth: CLASSES[truthOf(i)],
      channel: ['email', 'web', 'chat'][i % 3],
      lang: i % 2 ? 'fr' : 'en',
    };
  });
}

const mapping: ImportMappingInput = {
  id: 'id',
  inputKind: 'text',
  text: 'text',
  timestamp: { field: 'ts', unit: 'ms' },
  taskType: 'binary',
  classes: CLASSES,
  scores: { kind: 'columns', columns: ['p_bad'] },
  scoreTransform: 'none',
  groundTruth: 'truth',
  model: { nameField: 'model', versionField: 'model_version' },
  metadata: ['channel', 'lang'],
  sumTolerance: 0.01,
};

function cli(...args: string[]) {
  return spawnSync(process.execPath, [path.join(ROOT, 'bin/flywheel.js'), '--db', path.join(dir, 'w.db'), ...args], {
    encoding: 'utf8',
  });
}

beforeAll(async () => {
  dir = makeTempDir('slices');
  ctx = openContext(dir);
  for (const v of ['v1', 'v2'] as const) {
    const { status } = await importFile(ctx, writeJsonl(path.join(dir, `${v}.jsonl`), rows(v)), mapping, {
      project: 'support',
    });
    expect(status.error).toBeUndefined();
  }
}, 60_000);

afterAll(async () => {
  await ctx?.dispose();
  removeDir(dir);
});

describe('where is a run wrong', () => {
  it('finds the slices of one run by SliceLine score, as worked by hand', async () => {
    // metadata predicates only (time windows as predicates: the test below)
    const r = await call('insights.slices', { project, run: 'v2', timeSlices: false }, ctx);
    expect(r).toMatchObject({ run: 'triage@v2', vs: null, mode: 'error', fields: ['channel', 'lang'] });
    expect(r.overall).toMatchObject({ n: 300, errors: 75, errorRate: 0.25 });
    // e = 0.25, α = 0.95: chat&en 0.95·(1/0.25 − 1) − 0.05·(300/50 − 1) = 2.6; chat 0.95·1 − 0.05·2 = 0.85;
    // email&fr 0.95·1 − 0.05·5 = 0.7; en 0.95·(1/3) − 0.05·1 = 0.2667; every other slice scores ≤ 0
    expect(r.slices.map((s) => s.label)).toEqual([
      'channel=chat & lang=en',
      'channel=chat',
      'channel=email & lang=fr',
      'lang=en',
    ]);
    [2.6, 0.85, 0.7, 0.95 / 3 - 0.05].forEach((x, i) => expect(r.slices[i]!.score).toBeCloseTo(x, 10));
    const top = r.slices[0]!;
    expect(top).toMatchObject({ n: 50, errors: 50, errorRate: 1, excessErrors: 37.5 });
    expect(top.filters).toEqual({ metadata: { channel: 'chat', lang: 'en' } });
    // Wilson 95% of 50/50: lower bound n/(n + z²)
    expect(top.lo).toBeCloseTo(50 / (50 + 1.959963984540054 ** 2), 10);
    const channel = r.breakdown.find((b) => b.field === 'channel')!;
    expect(channel.values.map((v) => [v.value, v.n, v.errors])).toEqual([
      ['email', 100, 25],
      ['web', 100, 0],
      ['chat', 100, 50],
    ]);
    // weeks from Monday 00:00 UTC, the time of day in the labels: hours 0–161 then 162–299
    expect(r.time.windows.map((w) => [w.label, w.n])).toEqual([
      ['2026-10-05T00:00Z – 2026-10-12T00:00Z', 162],
      ['2026-10-12T00:00Z – 2026-10-19T00:00Z', 138],
    ]);
    const days = await call(
      'insights.slices',
      { project, run: 'v2', window: 'day', maxDepth: 1, minSupport: 101, timeSlices: false },
      ctx,
    );
    expect(days.time.windows[0]!.label).toBe('2026-10-05T00:00Z – 2026-10-06T00:00Z');
    expect(days.time.windows[0]!.n).toBe(18); // 06:00 to midnight
    expect(days.slices.map((s) => s.label)).toEqual(['lang=en']); // only lang has values of ≥ 101 examples
  });

  it('against a champion, ranks by the challenger’s net extra errors with a paired interval', async () => {
    const r = await call('insights.slices', { project, run: 'v2', vs: 'v1', timeSlices: false }, ctx);
    expect(r.mode).toBe('difference');
    // d = v2 error − v1 error: chat&en +50, email&fr −25, web&fr −50, email&en −10 (i % 30 = 0)
    expect(r.slices.map((s) => [s.label, s.excessErrors])).toEqual([
      ['channel=chat', 50],
      ['channel=chat & lang=en', 50],
      ['lang=en', 40],
    ]);
    const chat = r.slices[0]!;
    expect(chat).toMatchObject({ n: 100, errorRate: 0.5, championErrorRate: 0, diff: 0.5 });
    // d ∈ {0, 1}, half ones: s² = (50 − 100·0.25)/99
    const half = 1.959963984540054 * Math.sqrt((50 - 25) / 99 / 100);
    expect(chat.diffLo!).toBeCloseTo(0.5 - half, 10);
    expect(r.overall).toMatchObject({ errorRate: 0.25, championErrorRate: 110 / 300 });
  });

  it('queues more like a slice through the mining filters', async () => {
    const r = await call('insights.slices', { project, run: 'v2' }, ctx);
    const mined = await call(
      'mining.run',
      {
        project,
        strategy: { strategy: 'random', seed: 1 },
        filters: r.slices[0]!.filters,
        limit: 1000,
        listItems: true,
      },
      ctx,
    );
    const ids = mined.items!.map((x) => Number(x.externalId.slice(1)));
    expect(ids).toHaveLength(50);
    expect(ids.every((i) => i % 6 === 2)).toBe(true);
  });

  it('pins a slice to the gate: the challenger passes overall and fails on the slice', async () => {
    const base = { project, champion: 'v1', challenger: 'v2', metric: 'accuracy' } as const;
    const plain = await call('insights.eval', base, ctx);
    expect(plain.comparison!.verdict).toBe('pass');
    const pinned = await call('insights.eval', { ...base, guards: [{ metadata: { channel: 'chat' } }] }, ctx);
    const guard = pinned.comparison!.checks.at(-1)!;
    expect(guard).toMatchObject({
      kind: 'slice',
      name: 'channel=chat',
      n: 100,
      champion: 1,
      challenger: 0.5,
      verdict: 'fail',
    });
    expect(pinned.comparison!.verdict).toBe('fail');
    expect(pinned.comparison!.reason).toContain('accuracy on slice channel=chat');
    // a slice where the challenger is as good passes; one with too few examples is insufficient evidence
    const web = await call('insights.eval', { ...base, guards: [{ metadata: { channel: 'web', lang: 'en' } }] }, ctx);
    expect(web.comparison!.checks.at(-1)).toMatchObject({ n: 50, verdict: 'pass' });
    const none = await call('insights.eval', { ...base, guards: [{ metadata: { channel: 'fax' } }] }, ctx);
    expect(none.comparison!.checks.at(-1)).toMatchObject({ n: 0, verdict: 'insufficient' });
    expect(none.comparison!.verdict).toBe('insufficient');
  });

  it('lists the examples behind a confusion cell, counted independently', async () => {
    const r = await call(
      'insights.confusionExamples',
      { project, run: 'v2', truth: 'bad', predicted: 'ok', limit: 5 },
      ctx,
    );
    const expected = Array.from({ length: N }, (_, i) => i).filter((i) => truthOf(i) === 1 && wrong.v2(i));
    expect(r.total).toBe(expected.length);
    expect(r.examples).toHaveLength(5);
    expect(r.examples.every((e) => expected.includes(Number(e.externalId.slice(1))))).toBe(true);
    expect(r.examples[0]!.text).toMatch(/^ticket \d+$/);
    expect(r.examples[0]!.confidence).toBeCloseTo(0.8, 6);
    const evaluation = await call('insights.eval', { project, modelRuns: ['v2'] }, ctx);
    expect(evaluation.runs[0]!.all.confusion[1]![0]).toBe(r.total);
  });

  it('refuses bad input with a clear error', async () => {
    const same = await failure(call('insights.slices', { project, run: 'v2', vs: 'v2' }, ctx));
    expect(same.code).toBe('invalid-input');
    expect(same.message).toMatch(/--vs names the run itself/);
    const cls = await failure(call('insights.confusionExamples', { project, truth: 'bad', predicted: 'maybe' }, ctx));
    expect(cls.message).toBe("predicted 'maybe' is not a class of 'support': one of ok, bad");
    const field = await failure(
      call(
        'insights.eval',
        { project, champion: 'v1', challenger: 'v2', guards: [{ metadata: { chanel: 'chat' } }] },
        ctx,
      ),
    );
    expect(field.code).toBe('invalid-input');
    expect(field.message).toMatch(
      /no example of the comparison has the metadata field 'chanel' \(fields: channel, lang\)/,
    );
    const depth = await failure(call('insights.slices', { project, maxDepth: 3 as 2 }, ctx));
    expect(depth.code).toBe('invalid-input');
    const empty = await failure(call('insights.slices', { project, from: '2027-01-01' }, ctx));
    expect(empty.code).toBe('conflict');
  });

  it('flywheel slices and eval --guard from the command line', () => {
    const slices = cli('slices', 'support', '--run', 'v2', '--vs', 'v1');
    expect(slices.status, slices.stderr).toBe(0);
    expect(slices.stdout).toContain(' 1. channel=chat ');
    expect(slices.stdout).toContain('flywheel mine support --where channel=chat');
    expect(slices.stdout).toContain('2026-10-05T00:00Z – 2026-10-12T00:00Z');
    const gate = cli(
      'eval',
      'support',
      '--champion',
      'v1',
      '--challenger',
      'v2',
      '--metric',
      'accuracy',
      '--guard',
      'channel=chat',
      '--gate',
    );
    expect(gate.status).toBe(6);
    expect(gate.stdout).toMatch(/FAILED\s+slice channel=chat/);
    expect(cli('slices', 'support', '--max-depth', '3').status).toBe(2);
    expect(cli('eval', 'support', '--guard', 'channel').status).toBe(2);
  });
});
