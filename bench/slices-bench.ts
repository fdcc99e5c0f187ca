import fs from 'node:fs';
import path from 'node:path';
import { createContext } from '../src/main/core/create-context';
import { call } from '../src/main/core/dispatch';
import { discoverSlices, encodeField } from '../src/shared/features/insights/slices';
import type { ImportMappingInput } from '../src/shared/features/import/mapping';
import { median, removeDb, round } from './bench-data';

const FIELDS = 10;
const REPEAT = 5;

/** A binary log: every example labeled, FIELDS metadata fields of 3 to 48 values, errors concentrated in m0=v1 & m3=v2. */
function writeLog(file: string, rows: number, version: string): void {
  let seed = version === 'v1' ? 11 : 12;
  const rnd = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
  const lines: string[] = [];
  let meta = 7; // the metadata is the same in both logs: its own generator
  const rndMeta = () => (meta = (meta * 16807) % 2147483647) / 2147483647;
  for (let i = 0; i < rows; i++) {
    const m: Record<string, string> = {};
    for (let f = 0; f < FIELDS; f++) m[`m${f}`] = `v${Math.floor(rndMeta() * (3 + f * 5))}`;
    const truth = rndMeta() < 0.3 ? 1 : 0;
    const hard = m['m0'] === 'v1' && m['m3'] === 'v2';
    const wrong = rnd() < (hard ? 0.45 : 0.1);
    const p = (wrong ? 1 - truth : truth) ? 0.8 : 0.2;
    lines.push(
      JSON.stringify({
        id: `x${i}`,
        ts: Date.UTC(2026, 8, 1) + i * 60_000,
        text: 't',
        p,
        v: version,
        truth: truth ? 'b' : 'a',
        ...m,
      }),
    );
  }
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
}

const mapping: ImportMappingInput = {
  id: 'id',
  inputKind: 'text',
  text: 'text',
  timestamp: { field: 'ts', unit: 'ms' },
  taskType: 'binary',
  classes: ['a', 'b'],
  scores: { kind: 'columns', columns: ['p'] },
  scoreTransform: 'none',
  groundTruth: 'truth',
  model: { name: 'bench', versionField: 'v' },
  metadata: Array.from({ length: FIELDS }, (_, f) => `m${f}`),
  sumTolerance: 0.01,
};

/**
 * Slice discovery (depth 2, FIELDS metadata fields) on `rows` labeled examples: the algorithm alone
 * on typed arrays, and `insights.slices` end to end (labels, predictions, metadata from SQLite),
 * one run and one run against another. Target: ≤ 5 s end to end at 100k labels.
 */
export async function slicesBench(opts: { rows: number; workDir: string }) {
  fs.mkdirSync(opts.workDir, { recursive: true });
  const db = path.join(opts.workDir, `slices-${process.pid}.db`);
  const ctx = createContext({ dbPath: db, runtime: 'cli', dataDir: opts.workDir });
  try {
    for (const v of ['v1', 'v2']) {
      const file = path.join(opts.workDir, `slices-${opts.rows}-${v}.jsonl`);
      if (!fs.existsSync(file)) writeLog(file, opts.rows, v);
      const { jobId } = await call('import.start', { path: file, project: 'slices', mapping }, ctx);
      const status = await ctx.jobs.wait(jobId);
      if (status.state !== 'succeeded') throw new Error(status.error?.message ?? 'import failed');
    }
    // the algorithm alone
    let seed = 3;
    const rnd = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    const fields = Array.from({ length: FIELDS }, (_, f) =>
      encodeField(
        `m${f}`,
        Array.from({ length: opts.rows }, () => `v${Math.floor(rnd() * (3 + f * 5))}`),
      ),
    );
    const loss = Float64Array.from({ length: opts.rows }, () => (rnd() < 0.2 ? 1 : 0));
    const algorithm: number[] = [];
    for (let i = 0; i < REPEAT; i++) {
      const t0 = performance.now();
      discoverSlices(fields, loss, { mode: 'error', minSupport: 30, maxDepth: 2, alpha: 0.95, top: 20 });
      algorithm.push(performance.now() - t0);
    }
    const timeCall = async (input: Parameters<typeof call<'insights.slices'>>[1]) => {
      const out: number[] = [];
      let top = '';
      for (let i = 0; i < REPEAT; i++) {
        const t0 = performance.now();
        const r = await call('insights.slices', input, ctx);
        out.push(performance.now() - t0);
        top = r.slices[0]?.label ?? '';
      }
      return { ms: round(median(out)), max: round(Math.max(...out)), top };
    };
    return {
      rows: opts.rows,
      fields: FIELDS,
      algorithmMs: round(median(algorithm)),
      oneRun: await timeCall({ project: { project: 'slices' }, run: 'v2' }),
      againstChampion: await timeCall({ project: { project: 'slices' }, run: 'v2', vs: 'v1' }),
      targetMs: 5000,
    };
  } finally {
    await ctx.dispose();
    removeDb(db);
  }
}
