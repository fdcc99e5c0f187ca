/**
 * Hand-run timing of the learner's math (not a test, not part of `npm run bench`):
 *   npx tsx bench/learn-math-timing.ts
 * Prints JSON lines: hashed texts per CPU-second (~200-character texts), fit time on 5,000 × 256
 * dense rows, and scoring time over 1,000,000 × 256 rows, all in CPU milliseconds of one thread.
 */
import { fitLogistic, predictProba } from '../src/main/features/learn/logistic';
import { hashTexts } from '../src/main/features/learn/hashing';

const VOCABULARY = (
  'the a to and of in is it you that for was on with this my order refund delivery late ' +
  'package arrived broken great service support account password reset please help thanks ' +
  'money free offer click now winner prize urgent card payment failed again never customer ' +
  'product quality price cheap expensive return label shipping tracking number week days'
).split(' ');

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function texts(n: number): string[] {
  const next = lcg(1);
  return Array.from({ length: n }, () => {
    const words: string[] = [];
    let length = 0;
    while (length < 200) {
      const u = next();
      let w = VOCABULARY[Math.floor(u * u * VOCABULARY.length)]!;
      if (next() < 0.05) w = `${w}${Math.floor(next() * 1000)}`;
      if (next() < 0.08) w += next() < 0.5 ? ',' : '.';
      if (words.length === 0 || words[words.length - 1]!.endsWith('.')) w = w[0]!.toUpperCase() + w.slice(1);
      words.push(w);
      length += w.length + 1;
    }
    return words.join(' ');
  });
}

/** CPU milliseconds of this process (user + system): on a shared, loaded machine wall time says little. */
function time<T>(f: () => T): [T, number] {
  const t0 = process.cpuUsage();
  const out = f();
  const t = process.cpuUsage(t0);
  return [out, (t.user + t.system) / 1000];
}

const corpus = texts(100_000);
hashTexts(corpus.slice(0, 5000)); // warm up the JIT
const [hashed, hashMs] = time(() => hashTexts(corpus));
console.log(
  JSON.stringify({
    hash_texts: corpus.length,
    mean_chars: Math.round(corpus.reduce((s, t) => s + t.length, 0) / corpus.length),
    nnz_per_row: Math.round(hashed.indptr[hashed.rows]! / hashed.rows),
    hash_texts_per_s: Math.round(corpus.length / (hashMs / 1000)),
  }),
);

const textLabels = Int32Array.from({ length: 5000 }, (_, r) => (/refund|money|free/.test(corpus[r]!) ? 1 : 0));
const textRows = hashTexts(corpus.slice(0, 5000));
const [textModel, textFitMs] = time(() => fitLogistic(textRows, textLabels, { task: 'binary', classes: 2 }));
console.log(
  JSON.stringify({
    text_fit_rows: 5000,
    dim: textRows.dim,
    text_fit_ms: Math.round(textFitMs),
    text_iterations: textModel.iterations,
    converged: textModel.converged,
  }),
);

const next = lcg(2);
const dim = 256;
const rows = 5000;
const values = new Float32Array(rows * dim);
for (let i = 0; i < values.length; i++) values[i] = next() + next() + next() - 1.5;
const truth = Float64Array.from({ length: dim * 3 }, () => next() - 0.5);
function labels(k: number): Int32Array {
  return Int32Array.from({ length: rows }, (_, r) => {
    let best = 0;
    let bestScore = -Infinity;
    for (let c = 0; c < k; c++) {
      let s = 2 * next();
      for (let j = 0; j < dim; j++) s += values[r * dim + j]! * truth[c * dim + j]!;
      if (s > bestScore) [best, bestScore] = [c, s];
    }
    return best;
  });
}
const x = { kind: 'dense' as const, rows, dim, values };
const yBinary = labels(2);
const [binary, fitMs] = time(() => fitLogistic(x, yBinary, { task: 'binary', classes: 2 }));
const yMulti = labels(3);
const [multi, fitMultiMs] = time(() => fitLogistic(x, yMulti, { task: 'multiclass', classes: 3 }));
const cold = fitLogistic(
  x,
  yBinary.map((v, i) => (i < 4800 ? v : 1 - v)),
  { task: 'binary', classes: 2 },
);
const [warm, warmMs] = time(() => fitLogistic(x, yBinary, { task: 'binary', classes: 2, warmStart: cold }));
console.log(
  JSON.stringify({
    fit_rows: rows,
    dim,
    binary_fit_ms: Math.round(fitMs),
    binary_iterations: binary.iterations,
    multiclass3_fit_ms: Math.round(fitMultiMs),
    multiclass3_iterations: multi.iterations,
    warm_binary_fit_ms: Math.round(warmMs),
    warm_binary_iterations: warm.iterations,
  }),
);

const scoreRows = 1_000_000;
const big = new Float32Array(scoreRows * dim);
for (let r = 0; r < scoreRows; r++) big.set(values.subarray((r % rows) * dim, ((r % rows) + 1) * dim), r * dim);
const design = { kind: 'dense' as const, rows: scoreRows, dim, values: big };
const [, scoreMs] = time(() => predictProba(binary, design));
const [, scoreMultiMs] = time(() => predictProba(multi, design));
console.log(
  JSON.stringify({
    score_rows: scoreRows,
    dim,
    binary_score_ms: Math.round(scoreMs),
    multiclass3_score_ms: Math.round(scoreMultiMs),
  }),
);
