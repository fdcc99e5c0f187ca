// Wide logs: more fields than a mapping can name (1,000 metadata fields, 4,096 feature columns)
// import with a mapping given, which skips the guess, and with the guessed one, which keeps the
// first 1,000 other fields as metadata and says how many it drops.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { call } from '../../core/dispatch';
import {
  importFile,
  importGuessed,
  makeTempDir,
  openContext,
  removeDir,
  sentimentMapping,
  sentimentRow,
  writeJsonl,
  type TestContext,
} from '../../../../test/helpers/import-fixtures';

const ROOT = path.resolve(__dirname, '../../../..');
const ROWS = 20;
let dir: string;
let ctx: TestContext | null = null;
let dbCount = 0;

beforeAll(() => {
  dir = makeTempDir('import-wide');
});
afterEach(async () => {
  await ctx?.dispose();
  ctx = null;
});
afterAll(() => removeDir(dir));

const fresh = () => (ctx = openContext(dir, `wide-${++dbCount}.db`));

/** `flywheel import` in a process of its own, as a person runs it. */
function cli(db: string, ...args: string[]) {
  return spawnSync(process.execPath, ['bin/flywheel.js', '--db', db, 'import', ...args], {
    cwd: ROOT,
    env: { ...process.env, FLYWHEEL_HOME: dir },
    encoding: 'utf8',
  });
}

function storedMetadataKeys(c: TestContext): number[] {
  const rows = c.store.db.prepare('SELECT metadata FROM examples').pluck().all() as string[];
  return rows.map((m) => Object.keys(JSON.parse(m) as object).length);
}

function wideJsonl(extra: number): string {
  const rows = Array.from({ length: ROWS }, (_, i) => {
    const r = sentimentRow(i);
    for (let k = 0; k < extra; k++) r[`extra_${k}`] = `v${i}.${k}`;
    return r;
  });
  return writeJsonl(path.join(dir, `wide-${extra}.jsonl`), rows);
}

const CSV_COLUMNS = [
  'id',
  'text',
  'p_negative',
  'p_neutral',
  'p_positive',
  'predicted_label',
  'model',
  'model_version',
];
const csvMapping = () =>
  sentimentMapping({
    timestamp: undefined,
    scores: { kind: 'columns', columns: ['p_negative', 'p_neutral', 'p_positive'] },
  });

function wideCsv(extra: number): string {
  const names = Array.from({ length: extra }, (_, k) => `c${k}`);
  const lines = [[...CSV_COLUMNS, ...names].join(',')];
  for (let i = 0; i < ROWS; i++) {
    const r = sentimentRow(i);
    const s = r['scores'] as number[];
    const cells = [r['id'], r['text'], s[0], s[1], s[2], r['predicted_label'], r['model'], r['model_version']];
    lines.push([...cells, ...names.map((_, k) => k + i)].join(','));
  }
  const file = path.join(dir, `wide-${extra}.csv`);
  fs.writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

describe('import: logs wider than a mapping can name', () => {
  it('JSONL with 1,500 extra keys: a given mapping imports (CLI --mapping); the guess keeps 1,000 and says 500 are dropped', async () => {
    const file = wideJsonl(1500);
    const mappingFile = path.join(dir, 'wide-jsonl-mapping.json');
    fs.writeFileSync(mappingFile, JSON.stringify(sentimentMapping({ metadata: ['extra_0', 'extra_1499'] })));
    const db = path.join(dir, 'wide-cli-jsonl.db');
    const given = cli(db, file, '--project', 'p', '--mapping', mappingFile);
    expect(given.stderr + given.stdout).toMatch(new RegExp(`${ROWS} rows imported`));
    expect(given.status).toBe(0);

    const c = fresh();
    const preview = await call('import.preview', { path: file, project: 'p' }, c);
    expect(preview.mapping?.metadata).toHaveLength(1000);
    expect(preview.fieldsDropped).toBe(500);
    expect(preview.notes.join('\n')).toMatch(
      /1,500 other fields: the first 1,000 are kept as metadata, 500 fields are dropped/,
    );
    const { status, run } = await importGuessed(c, file);
    expect(status.error).toBeUndefined();
    expect(run).toMatchObject({ status: 'done', rowsImported: ROWS, rowsRejected: 0 });
    expect(storedMetadataKeys(c)).toEqual(Array(ROWS).fill(1000));
  });

  it('CSV with 5,000 extra columns: a given mapping imports; the guess (CLI --yes) warns that 4,000 are dropped', async () => {
    const file = wideCsv(5000);
    const c = fresh();
    const given = await importFile(c, file, { ...csvMapping(), metadata: ['c0', 'c4999'] });
    expect(given.status.error).toBeUndefined();
    expect(given.run).toMatchObject({ status: 'done', rowsImported: ROWS });
    expect(storedMetadataKeys(c)).toEqual(Array(ROWS).fill(2));

    const db = path.join(dir, 'wide-cli-csv.db');
    const guessed = cli(db, file, '--project', 'p', '--yes');
    expect(guessed.status, guessed.stderr).toBe(0);
    expect(guessed.stderr).toMatch(
      /warning: 5,000 other fields: the first 1,000 are kept as metadata, 4,000 fields are dropped/,
    );
    expect(guessed.stdout).toMatch(new RegExp(`${ROWS} rows imported`));
  });

  it('more numeric feature columns than a mapping can name are left out of the guess with a note', async () => {
    const rows = Array.from({ length: 5 }, (_, i) => {
      const r = sentimentRow(i);
      for (let k = 0; k < 5000; k++) r[`f_${k}`] = k / 10;
      return r;
    });
    const file = writeJsonl(path.join(dir, 'wide-features.jsonl'), rows);
    const c = fresh();
    const preview = await call('import.preview', { path: file }, c);
    expect(preview.mapping?.features).toBeUndefined();
    expect(preview.notes.join('\n')).toMatch(/5,000 numeric feature columns: a mapping names at most 4,096/);
    expect(preview.fieldsDropped).toBe(4000);
  });
});
