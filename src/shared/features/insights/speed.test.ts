import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../mining/top-k';
import { compareRuns, type ComparedMetric } from './bootstrap';
import { ks, psi } from './drift';
import { classificationReport } from './metrics';

// A rough speed check, printed, never asserted (machines differ).

/** Milliseconds of one call, and its result. */
function time<T>(fn: () => T): { ms: number; result: T } {
  const t0 = performance.now();
  const result = fn();
  return { ms: performance.now() - t0, result };
}

/** n examples × k classes of random softmax-ish rows, and a truth that agrees with the argmax ~80% of the time. */
function randomRun(n: number, k: number, seed: number, truth?: Int32Array) {
  const next = mulberry32(seed);
  const t = truth ?? new Int32Array(n);
  const probs = new Float32Array(n * k);
  for (let i = 0; i < n; i++) {
    if (!truth) t[i] = next() % k;
    let sum = 0;
    for (let j = 0; j < k; j++) sum += probs[i * k + j] = next() / 2 ** 32 + (j === t[i] && next() % 5 !== 0 ? 1 : 0);
    for (let j = 0; j < k; j++) probs[i * k + j]! /= sum;
  }
  return { truth: t, probs };
}

describe('speed (printed, not asserted)', () => {
  it('PSI and KS on 1M values', () => {
    const next = mulberry32(1);
    const ref = new Float64Array(1_000_000).map(() => next() / 2 ** 32);
    const cur = new Float64Array(1_000_000).map(() => (next() / 2 ** 32) ** 1.1);
    const p = time(() => psi(ref, cur));
    const d = time(() => ks(ref, cur));
    console.log(
      `[insights speed] psi 1M vs 1M: ${p.ms.toFixed(0)} ms (${p.result!.toFixed(4)}); ` +
        `ks 1M vs 1M: ${d.ms.toFixed(0)} ms (D ${d.result!.statistic.toFixed(4)})`,
    );
    expect(p.result).not.toBeNull();
  });

  it('report and bootstrap on 100k examples × 1000 resamples', () => {
    const n = 100_000;
    const a = randomRun(n, 3, 2);
    const b = randomRun(n, 3, 3, a.truth);
    const rows = [`report 100k×3: ${time(() => classificationReport(a.truth, a.probs, 3)).ms.toFixed(0)} ms`];
    // rocAuc with k = 3 is left out to keep the suite short: it costs ~2.5× the binary case (k passes per run)
    for (const metric of ['accuracy', 'macroF1', 'logLoss'] as ComparedMetric[]) {
      const c = time(() => compareRuns(a.truth, a.probs, b.probs, 3, metric));
      rows.push(`compareRuns ${metric} 100k×3, 1000 samples: ${c.ms.toFixed(0)} ms`);
    }
    const a2 = randomRun(n, 2, 4);
    const b2 = randomRun(n, 2, 5, a2.truth);
    const c2 = time(() => compareRuns(a2.truth, a2.probs, b2.probs, 2, 'rocAuc'));
    rows.push(`compareRuns rocAuc 100k×2 (binary), 1000 samples: ${c2.ms.toFixed(0)} ms`);
    console.log(`[insights speed]\n  ${rows.join('\n  ')}`);
    expect(c2.result.samples).toBe(1000);
  });
});
