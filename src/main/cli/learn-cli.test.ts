import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importFile, makeTempDir, openContext, removeDir, writeJsonl } from '../../../test/helpers/import-fixtures';
import { learnMapping, learnRows, truthOf } from '../../../test/helpers/learn-project';
import type { LearnRefreshResult, LearnStatus } from '../../shared/features/learn/contract';
import { call } from '../core/dispatch';
import { EXIT } from './exit-codes';

const ROOT = path.resolve(__dirname, '../../..');
let dir: string;

function flywheel(...args: string[]) {
  return spawnSync(process.execPath, [path.join(ROOT, 'bin/flywheel.js'), ...args, '--db', path.join(dir, 'w.db')], {
    cwd: ROOT,
    encoding: 'utf8',
  });
}

beforeAll(async () => {
  dir = makeTempDir('learn-cli');
  const ctx = openContext(dir);
  try {
    for (const [name, text, features] of [
      ['loop', true, true],
      ['words', true, false],
    ] as const) {
      const file = writeJsonl(path.join(dir, `${name}.jsonl`), learnRows(text, features));
      await importFile(ctx, file, learnMapping(text, features), { project: name });
    }
    for (let i = 0; i < 12; i++)
      await call(
        'labels.record',
        {
          project: { project: 'loop' },
          externalId: `m${i}`,
          annotator: 'ann',
          schemaVersion: 1,
          action: 'label',
          labels: [truthOf(i)],
        },
        ctx,
      );
  } finally {
    await ctx.dispose();
  }
}, 120_000);

afterAll(() => removeDir(dir));

describe('flywheel learn', () => {
  it('sets up the learner, refits it, and reports its status as JSON', () => {
    const run = flywheel(
      'learn',
      'loop',
      '--representation',
      'text',
      '--every',
      '5',
      '--control-share',
      '0.2',
      '--json',
    );
    expect(run.status, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as LearnRefreshResult;
    expect(result.applied).toBe(true);
    expect(result.refresh).toMatchObject({ labels: 12, representation: 'text', modelRun: { name: 'learner@12' } });

    const status = flywheel('learn', 'loop', 'status', '--json');
    expect(status.status, status.stderr).toBe(0);
    const s = JSON.parse(status.stdout) as LearnStatus;
    expect(s.config).toMatchObject({ representation: 'text', every: 5, controlShare: 0.2, labelSource: 'curated' });
    expect(s.lastRefresh?.id).toBe(result.refresh!.id);
    expect(s.labelsSinceRefresh).toBe(0);

    const human = flywheel('learn', 'loop', 'status');
    expect(human.stdout).toMatch(/^Learner of loop: text, refit every 5 labels, 20% control, labels: curated/);
    expect(human.stdout).toMatch(/last refresh #\d+ .*: 12 labels under schema v1 → learner@12/);

    const again = flywheel('learn', 'loop', 'refresh');
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/^Nothing to do: nothing changed since refresh #\d+/);
  }, 60_000);

  it('refuses a representation the project lacks, and a learner that was never set up', () => {
    const run = flywheel('learn', 'words', '--representation', 'features');
    expect(run.status).toBe(EXIT.usage);
    expect(run.stderr).toContain("flywheel: project 'words' has no logged feature vectors: use 'text'");
    const none = flywheel('learn', 'words', 'refresh');
    expect(none.stderr).toContain("project 'words' has no learner yet: run `flywheel learn words --representation");
    const status = flywheel('learn', 'words', 'status');
    expect(status.status).toBe(0);
    expect(status.stdout).toMatch(/words has no learner/);
  }, 60_000);
});
