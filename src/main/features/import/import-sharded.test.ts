// Two parsers sharing a file by segments must store exactly what one parser stores.
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  fileSha256,
  importFile,
  makeTempDir,
  openContext,
  readRejects,
  removeDir,
  sentimentMapping,
  sentimentRow,
  writeJsonl,
} from '../../../../test/helpers/import-fixtures';

let dir: string;
let file: string;
const N = 2_000;

beforeAll(() => {
  dir = makeTempDir('import-sharded');
  const rows: (object | string)[] = [];
  for (let i = 0; i < N; i++) {
    if (i % 333 === 0) rows.push(''); // blank lines shift line numbers
    if (i % 250 === 7)
      rows.push({ ...sentimentRow(i), scores: [0.9, 0.9, 0.9] }); // bad sum
    else if (i === 1_500)
      rows.push(sentimentRow(10)); // the same id again, in another segment
    else rows.push(sentimentRow(i));
  }
  rows.push('{ not json');
  file = writeJsonl(path.join(dir, 'log.jsonl'), rows);
});

afterAll(() => removeDir(dir));
afterEach(() => {
  delete process.env['FLYWHEEL_PARSER_THREADS'];
});

async function importWith(threads: number, batchBytes?: number, log = file) {
  process.env['FLYWHEEL_PARSER_THREADS'] = String(threads);
  const ctx = openContext(dir, `t${threads}-${batchBytes ?? 0}-${path.basename(log)}.db`);
  try {
    const { status, run } = await importFile(ctx, log, sentimentMapping(), {
      batchRows: 64,
      ...(batchBytes ? { batchBytes } : {}),
    });
    const stored = ctx.store.db
      .prepare(
        'SELECT e.external_id AS id, p.predicted, hex(p.scores) AS s FROM examples e JOIN predictions p ON p.example_id = e.id ORDER BY e.id',
      )
      .all();
    const rejects = readRejects(run.rejectsPath).map(({ row, line, field, reason }) => ({ row, line, field, reason }));
    return { state: status.state, run, stored, rejects };
  } finally {
    await ctx.dispose();
  }
}

describe('import with two parsers', () => {
  it('keeps each model apart when the parsers meet the models in different orders', async () => {
    // Segment 0 holds only v1 rows and segment 1 only v2 rows for the same examples: each parser
    // numbers its first model 0, and the writer must still tell v1 from v2.
    const rows = [
      ...Array.from({ length: 64 }, (_, i) => sentimentRow(i)),
      ...Array.from({ length: 64 }, (_, i) => sentimentRow(i, { model_version: 'v2' })),
    ];
    const twoModels = writeJsonl(path.join(dir, 'two-models.jsonl'), rows);
    for (const threads of [1, 2]) {
      process.env['FLYWHEEL_PARSER_THREADS'] = String(threads);
      const ctx = openContext(dir, `two-models-${threads}.db`);
      try {
        const { status, run } = await importFile(ctx, twoModels, sentimentMapping(), { batchRows: 64 });
        expect(status.error).toBeUndefined();
        expect(run, `${threads} parser(s)`).toMatchObject({ rowsImported: 128, rowsRejected: 0, examplesAdded: 64 });
        const perRun = ctx.store.db
          .prepare(
            `SELECT m.model_version AS version, count(*) AS n FROM predictions p
             JOIN model_runs m ON m.id = p.model_run_id GROUP BY m.model_version ORDER BY 1`,
          )
          .all();
        expect(perRun, `${threads} parser(s)`).toEqual([
          { version: 'v1', n: 64 },
          { version: 'v2', n: 64 },
        ]);
      } finally {
        await ctx.dispose();
      }
    }
  });

  it('stores the same rows in the same order and reports the same rejects as one parser', async () => {
    const one = await importWith(1);
    const two = await importWith(2);
    expect(one.state).toBe('succeeded');
    expect(two.state).toBe('succeeded');
    expect(two.stored).toEqual(one.stored);
    expect(two.rejects).toEqual(one.rejects);
    const fields = one.rejects.map((r) => r.field);
    expect(fields.filter((f) => f === 'scores')).toHaveLength(8); // rows 7, 257, … 1757
    expect(fields.filter((f) => f === 'id')).toHaveLength(1); // ex-10 again at 1500
    expect(fields.at(-1)).toBe('(line)'); // the last, broken line
    expect(two.run.recordsRead).toBe(one.run.recordsRead);
    expect(two.run.rowsImported).toBe(one.run.rowsImported);
    expect(one.run.sha256).toBe(fileSha256(file));
    expect(two.run.sha256).toBe(fileSha256(file));
  });

  it('sends a segment of long rows in several batches, and stores the same rows in the same order', async () => {
    // ~4 KB of text a row: a 64-row segment takes ~0.5 MB, past a 64 KB batch: about eight batches each.
    const rows = Array.from({ length: 400 }, (_, i) =>
      i % 97 === 5
        ? { ...sentimentRow(i), scores: [0.9, 0.9, 0.9] }
        : sentimentRow(i, { text: `${'long '.repeat(800)}${i}` }),
    );
    const long = writeJsonl(path.join(dir, 'long-rows.jsonl'), rows);
    const whole = await importWith(1, undefined, long);
    const bytes = 1 << 16;
    for (const threads of [1, 2]) {
      const split = await importWith(threads, bytes, long);
      expect(split.state, `${threads} parser(s)`).toBe('succeeded');
      expect(split.stored, `${threads} parser(s)`).toEqual(whole.stored);
      expect(split.rejects, `${threads} parser(s)`).toEqual(whole.rejects);
      expect(split.run).toMatchObject({ recordsRead: 400, rowsImported: 395, rowsRejected: 5 });
    }
  });
});
