import { describe, expect, it } from 'vitest';
import {
  discoverSlices,
  encodeField,
  pairedMeanInterval,
  predicateText,
  timeWindowOf,
  wilson,
  windowLabel,
  type SliceOptions,
} from './slices';

// Ten examples worked by hand (see the comments for the scores; α = 0.95, overall error 4/10).
const channel = ['email', 'email', 'email', 'email', 'web', 'web', 'web', 'web', 'web', 'web'];
const lang = ['en', 'en', 'fr', 'fr', 'en', 'en', 'en', 'fr', 'fr', 'fr'];
const errors = Float64Array.from([1, 1, 1, 0, 0, 0, 1, 0, 0, 0]);
const fields = [encodeField('channel', channel), encodeField('lang', lang)];
const opts: SliceOptions = { mode: 'error', minSupport: 2, maxDepth: 2, alpha: 0.95, top: 10 };

describe('slice discovery', () => {
  it('scores single predicates and conjunctions by SliceLine, as worked by hand', () => {
    const r = discoverSlices(fields, errors, opts);
    expect(r).toMatchObject({ n: 10, lossSum: 4, evaluated: 8 });
    const got = r.slices.map((s) => [predicateText(s.predicates), s.n, s.lossSum, s.score]);
    // email&en: 0.95·(1/0.4 − 1) − 0.05·(10/2 − 1) = 1.225; email: 0.95·(0.75/0.4 − 1) − 0.05·1.5 = 0.75625;
    // en: 0.95·0.5 − 0.05·1 = 0.425; email&fr: 0.95·0.25 − 0.05·4 = 0.0375; the rest are negative.
    expect(got.map((g) => g[0])).toEqual([
      'channel=email & lang=en',
      'channel=email',
      'lang=en',
      'channel=email & lang=fr',
    ]);
    expect(got.map((g) => g[1])).toEqual([2, 4, 5, 2]);
    expect(got.map((g) => g[2])).toEqual([2, 3, 3, 1]);
    const scores = got.map((g) => g[3] as number);
    [1.225, 0.75625, 0.425, 0.0375].forEach((x, i) => expect(scores[i]).toBeCloseTo(x, 12));
  });

  it('prunes conjunctions under the support and stops at depth 1 when asked', () => {
    const r = discoverSlices(fields, errors, { ...opts, minSupport: 3 });
    expect(r.slices.map((s) => predicateText(s.predicates))).toEqual(['channel=email', 'lang=en']);
    expect(r.evaluated).toBe(6); // 4 values, then web&en and web&fr (3 each); email&* have 2
    const flat = discoverSlices(fields, errors, { ...opts, maxDepth: 1 });
    expect(flat.evaluated).toBe(4);
    expect(flat.slices.every((s) => s.predicates.length === 1)).toBe(true);
  });

  it('ranks by the challenger’s net extra errors in difference mode', () => {
    // challenger − champion error: +1 on 0, 1, 4; −1 on 7
    const d = Float64Array.from([1, 1, 0, 0, 1, 0, 0, -1, 0, 0]);
    const r = discoverSlices(fields, d, { ...opts, mode: 'difference' });
    expect(r.slices.map((s) => [predicateText(s.predicates), s.score])).toEqual([
      ['lang=en', 3],
      ['channel=email', 2], // a tie goes to the larger slice
      ['channel=email & lang=en', 2],
      ['channel=web & lang=en', 1],
    ]);
  });

  it('agrees with a brute-force enumeration on random data', () => {
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const n = 3000;
    const raw = [0, 1, 2].map((f) =>
      Array.from({ length: n }, () => (rnd() < 0.05 ? null : Math.floor(rnd() * (3 + f * 4)))),
    );
    const loss = Float64Array.from({ length: n }, (_, i) =>
      rnd() < (raw[0]![i] === 1 && raw[2]![i] === 3 ? 0.7 : 0.2) ? 1 : 0,
    );
    const enc = raw.map((r, f) => encodeField(`f${f}`, r));
    const o: SliceOptions = { mode: 'error', minSupport: 25, maxDepth: 2, alpha: 0.98, top: 15 };
    const got = discoverSlices(enc, loss, o);
    // brute force: filter the examples of every candidate
    const total = loss.reduce((a, b) => a + b, 0);
    const cands: { text: string; score: number; n: number }[] = [];
    const score = (ids: number[]) => {
      const s = ids.reduce((a, i) => a + loss[i]!, 0);
      return o.alpha * (s / ids.length / (total / n) - 1) - (1 - o.alpha) * (n / ids.length - 1);
    };
    const idx = [...Array(n).keys()];
    const valuesOf = (f: number) => [...new Set(raw[f]!.filter((v) => v !== null))];
    for (let f = 0; f < 3; f++) {
      for (const v of valuesOf(f)) {
        const ids = idx.filter((i) => raw[f]![i] === v);
        if (ids.length >= o.minSupport) cands.push({ text: `f${f}=${v}`, score: score(ids), n: ids.length });
        for (let g = f + 1; g < 3; g++) {
          for (const w of valuesOf(g)) {
            const both = ids.filter((i) => raw[g]![i] === w);
            const other = raw[g]!.filter((x) => x === w).length;
            if (both.length >= o.minSupport && both.length < ids.length && both.length < other)
              cands.push({ text: `f${f}=${v} & f${g}=${w}`, score: score(both), n: both.length });
          }
        }
      }
    }
    const expected = cands
      .filter((c) => c.score > 0)
      .sort((a, b) => b.score - a.score || b.n - a.n)
      .slice(0, o.top);
    expect(expected.length).toBeGreaterThanOrEqual(3);
    expect(got.evaluated).toBe(cands.length);
    expect(got.slices.map((s) => predicateText(s.predicates))).toEqual(expected.map((c) => c.text));
    got.slices.forEach((s, i) => expect(s.score).toBeCloseTo(expected[i]!.score, 10));
    expect(got.slices[0]!.predicates.map((p) => p.field)).toEqual(['f0', 'f2']);
  });

  it('keeps 3 and "3" apart and treats null, objects and arrays as missing', () => {
    const f = encodeField('x', [3, '3', 3, null, { a: 1 }, [1], true]);
    expect(f.values).toEqual([3, '3', true]);
    expect(Array.from(f.codes)).toEqual([0, 1, 0, -1, -1, -1, 2]);
  });

  it('leaves out a conjunction that holds exactly the examples of one of its parts', () => {
    // every email example is English: channel=email & lang=en is channel=email again
    const r = discoverSlices(
      [encodeField('channel', ['email', 'email', 'web', 'web']), encodeField('lang', ['en', 'en', 'en', 'fr'])],
      Float64Array.from([1, 1, 0, 0]),
      { ...opts, minSupport: 1 },
    );
    expect(r.slices.map((s) => predicateText(s.predicates))).toEqual(['channel=email', 'lang=en']);
    expect(r.evaluated).toBe(5); // four values and web&en (web&fr is lang=fr, email&en is email)
  });

  it('refuses options it cannot honour', () => {
    expect(() => discoverSlices(fields, errors, { ...opts, minSupport: 0 })).toThrow(/minSupport/);
    expect(() => discoverSlices(fields, errors, { ...opts, maxDepth: 3 as 2 })).toThrow(/maxDepth/);
    expect(() => discoverSlices(fields, errors.subarray(1), opts)).toThrow(/codes for 9/);
  });
});

describe('intervals and windows', () => {
  it('Wilson interval matches the textbook values', () => {
    const a = wilson(5, 10)!;
    expect(a.lo).toBeCloseTo(0.2366, 4);
    expect(a.hi).toBeCloseTo(0.7634, 4);
    const b = wilson(0, 10)!;
    expect(b.lo).toBe(0);
    expect(b.hi).toBeCloseTo(0.2775, 4);
    expect(wilson(0, 0)).toBeNull();
  });

  it('paired difference interval: mean ± 1.96·s/√n', () => {
    // d = 1, 1, 0, 0, −1 (sum 1, Σd² 3): mean 0.2, s² = (3 − 5·0.04)/4 = 0.7
    const r = pairedMeanInterval(1, 3, 5)!;
    expect(r.mean).toBeCloseTo(0.2, 12);
    expect(r.hi - r.mean).toBeCloseTo(1.959963984540054 * Math.sqrt(0.7 / 5), 12);
    expect(pairedMeanInterval(1, 1, 1)).toBeNull();
  });

  it('days and Monday weeks with the time of day in the label', () => {
    const t = Date.UTC(2026, 9, 8, 15, 30); // a Thursday afternoon
    expect(windowLabel(...(Object.values(timeWindowOf(t, 'day')) as [number, number]))).toBe(
      '2026-10-08T00:00Z – 2026-10-09T00:00Z',
    );
    const w = timeWindowOf(t, 'week');
    expect(new Date(w.from).getUTCDay()).toBe(1);
    expect(windowLabel(w.from, w.to)).toBe('2026-10-05T00:00Z – 2026-10-12T00:00Z');
  });
});
