// The trap of the issue, reproducible from the demo alone: a spam challenger retrained on an early
// window whose class mix differs from later traffic. Judged naively (curated labels that are its own
// training data, no lineage) it passes; judged on later traffic with its lineage recorded it fails,
// and the report names the prior shift.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failure } from '../../../../test/helpers/expect-failure';
import { makeTempDir, openContext, removeDir, type TestContext } from '../../../../test/helpers/import-fixtures';
import { importGuessed } from '../../cli/commands/demo';
import { call } from '../../core/dispatch';
import { SPAM_CHALLENGER, spamChallengerTrainUntil, writeDemoLog, writeSpamCuratedLabels } from './demo-data';

const ROWS = 12_000;
let dir: string;
let ctx: TestContext;
const project = { project: 'spam' };
const runs = { project, champion: 'v3', challenger: SPAM_CHALLENGER, metric: 'accuracy' } as const;
const cutoff = new Date(spamChallengerTrainUntil()).toISOString();

beforeAll(async () => {
  dir = makeTempDir('spam-trap');
  ctx = openContext(dir);
  for (const version of ['v3', SPAM_CHALLENGER]) {
    const file = path.join(dir, `spam-${version}.jsonl.gz`);
    await writeDemoLog({
      project: 'spam',
      rows: ROWS,
      modelVersion: version,
      format: 'jsonl',
      gzip: true,
      outPath: file,
    });
    await importGuessed(ctx, file, 'spam');
  }
  const labels = path.join(dir, 'spam-curated-labels.jsonl');
  expect(writeSpamCuratedLabels(labels, ROWS)).toBeGreaterThan(300);
  for (const line of (await import('node:fs')).readFileSync(labels, 'utf8').trim().split('\n')) {
    const l = JSON.parse(line) as { id: string; labels: string[]; annotator: string };
    await call(
      'labels.record',
      { project, externalId: l.id, annotator: l.annotator, schemaVersion: 1, action: 'label', labels: l.labels },
      ctx,
    );
  }
}, 120_000);

afterAll(async () => {
  await ctx?.dispose();
  removeDir(dir);
});

describe('the spam demo trap', () => {
  it('passes the challenger on its own training labels, and fails it on later traffic with its lineage', async () => {
    const naive = await call('insights.eval', { ...runs, source: 'curated' }, ctx);
    expect(naive.evaluationSet.to).toBeNull();
    expect(naive.evaluationSet.n).toBeGreaterThan(300);
    expect(naive.comparison!.verdict).toBe('pass');
    expect(naive.runs[1]!.all.accuracy).toBe(1);

    await call('models.setLineage', { project, modelRun: SPAM_CHALLENGER, trainUntil: cutoff }, ctx);
    // its curated labels are all training data: nothing is left to judge it on
    const own = await failure(call('insights.eval', { ...runs, source: 'curated' }, ctx));
    expect(own.code).toBe('conflict');

    await call('evalSets.create', { project, name: 'later', source: 'truth', from: cutoff }, ctx);
    const r = await call('insights.eval', { ...runs, evalSet: 'later' }, ctx);
    const [champion, challenger] = r.runs;
    expect(r.comparison!.verdict).toBe('fail');
    // better ranking, worse accuracy at its threshold
    expect(challenger!.all.rocAuc!).toBeGreaterThan(champion!.all.rocAuc!);
    expect(challenger!.all.accuracy!).toBeLessThan(champion!.all.accuracy! - 0.02);
    // the report names the prior shift: far fewer predicted positives than labeled ones lately
    const last = r.priorShift!.at(-1)!;
    expect(last.labeled!).toBeGreaterThan(0.35);
    expect(last.predicted.find((p) => p.run.endsWith(`@${SPAM_CHALLENGER}`))!.rate!).toBeLessThan(last.labeled! - 0.05);

    // all the ground truth, lineage recorded: the early window is left out for the challenger, and it fails
    const all = await call('insights.eval', { ...runs, source: 'truth' }, ctx);
    expect(all.runs[1]!.training.excluded).toBeGreaterThan(0);
    expect(all.comparison!.basis.lineage[0]).toMatch(
      /^spam-filter@v4 was trained on [\d,]+ of these examples; they were left out$/,
    );
    expect(all.comparison!.verdict).toBe('fail');
    expect(all.notes.some((n) => n.startsWith('prior shift: the labeled positive rate moved from'))).toBe(true);
    expect(
      r.notes.some((n) =>
        /predicts positive for .*: its threshold does not fit this class mix \(prior shift\)$/.test(n),
      ),
    ).toBe(true);
  });

  it('regresses most on German messages (lang=de)', async () => {
    await call(
      'evalSets.create',
      { project, name: 'later-de', source: 'truth', from: cutoff, metadata: { lang: 'de' } },
      ctx,
    );
    const de = await call('insights.eval', { ...runs, evalSet: 'later-de' }, ctx);
    const later = await call('insights.eval', { ...runs, evalSet: 'later' }, ctx);
    const drop = (e: typeof de) => e.runs[0]!.all.accuracy! - e.runs[1]!.all.accuracy!;
    expect(drop(de)).toBeGreaterThan(drop(later));
  });
});
