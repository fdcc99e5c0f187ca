import { describe, expect, it } from 'vitest';
import { suppressNearDuplicates } from './near-duplicates';
import { mulberry32, seededSample, topK } from './top-k';
import { absDelta, entropy, jensenShannon, labelFlip, margin } from './uncertainty';

// A rough speed check, printed, never asserted (machines differ; `npm run bench` is the real one).

function randomScores(n: number, k: number, seed: number): Float32Array {
  const next = mulberry32(seed);
  const s = new Float32Array(n * k);
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let j = 0; j < k; j++) sum += s[i * k + j] = next() / 2 ** 32;
    for (let j = 0; j < k; j++) s[i * k + j]! /= sum;
  }
  return s;
}

/** Best and first of `runs` timings in ms. */
function time<T>(runs: number, fn: () => T): { first: number; best: number; result: T } {
  let result = fn();
  let first = Infinity;
  let best = Infinity;
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    result = fn();
    const ms = performance.now() - t0;
    if (r === 0) first = ms;
    best = Math.min(best, ms);
  }
  return { first, best, result };
}

describe('speed (printed, not asserted)', () => {
  it('scores 1M × 3 and picks the top 10,000', () => {
    const n = 1_000_000;
    const k = 3;
    const a = randomScores(n, k, 1);
    const b = randomScores(n, k, 2);
    const rows: Record<string, { first: number; best: number }> = {};
    const e = time(5, () => entropy(a, n, k));
    rows['entropy 1M×3'] = e;
    rows['margin 1M×3'] = time(5, () => margin(a, n, k));
    rows['labelFlip 1M×3'] = time(5, () => labelFlip(a, b, n, k));
    rows['absDelta 1M×3'] = time(5, () => absDelta(a, b, n, k));
    rows['jensenShannon 1M×3'] = time(5, () => jensenShannon(a, b, n, k));
    const top = time(5, () => topK(e.result, 10_000));
    rows['topK(1M, 10k)'] = top;
    rows['seededSample(1M, 10k)'] = time(5, () => seededSample(n, 10_000, 42));
    const pipeline = time(5, () => topK(entropy(a, n, k), 10_000));
    rows['entropy + topK'] = pipeline;
    const summary = Object.entries(rows).map(
      ([name, t]) => `${name}: best ${t.best.toFixed(1)} ms (first ${t.first.toFixed(1)})`,
    );
    console.log(`[mining speed]\n  ${summary.join('\n  ')}`);
    expect(top.result).toHaveLength(10_000);
  });

  it('suppresses near-duplicates among 10,000 texts', () => {
    const next = mulberry32(9);
    const vocab = Array.from({ length: 2000 }, (_, i) => `w${i.toString(36)}`);
    const texts: string[] = [];
    for (let i = 0; i < 10_000; i++) {
      if (i % 10 === 9) {
        texts.push(texts[i - 1]! + ' extra'); // every tenth is a near copy of the one before
        continue;
      }
      const words: string[] = [];
      while (words.join(' ').length < 200) words.push(vocab[next() % vocab.length]!);
      texts.push(words.join(' '));
    }
    const order = Int32Array.from(texts.keys());
    const t = time(3, () => suppressNearDuplicates(order, texts));
    console.log(
      `[mining speed]\n  suppressNearDuplicates(10k texts): best ${t.best.toFixed(1)} ms (first ${t.first.toFixed(1)}), kept ${t.result.kept.length}`,
    );
    expect(t.result.kept.length).toBe(9000);
  });
});
