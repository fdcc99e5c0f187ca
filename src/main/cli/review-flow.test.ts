import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTempDir, removeDir } from '../../../test/helpers/import-fixtures';

const ROOT = path.resolve(__dirname, '../../..');
let dir: string | undefined;

afterAll(() => removeDir(dir));

describe('the review loop from the CLI alone (examples/review-flow.sh)', () => {
  it('imports, mines, labels 200 items as two annotators, measures agreement and adjudicates every conflict', () => {
    dir = makeTempDir('flow');
    const run = spawnSync('bash', [path.join(ROOT, 'examples/review-flow.sh'), dir], { cwd: ROOT, encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    const out = run.stdout;
    expect(out).toMatch(/Mining run #1 \(disagreement over sentiment-clf@v1 vs sentiment-clf@v2\).* 200 selected\./);
    expect(out).toMatch(/Saved 120 label events\./);
    const before = /(\d+) items decided by two or more, (\d+) agreed, (\d+) open conflicts, 0 adjudicated/.exec(out);
    expect(before).not.toBeNull();
    const [, multi, agreed, conflicts] = before!.map(Number);
    expect(multi).toBeGreaterThan(20);
    expect(agreed! + conflicts!).toBe(multi);
    expect(out).toMatch(/kappa ana × ben: -?\d\.\d{3} over \d+ items/);
    expect(out).toContain(`0 open conflicts, ${conflicts} adjudicated`);
    expect(out).toMatch(/sentiment: 0 pending, 0 leased, 200 done, 0 skipped/);
  }, 120_000);
});
