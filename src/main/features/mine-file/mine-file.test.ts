import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failure } from '../../../../test/helpers/expect-failure';
import {
  importFile,
  makeTempDir,
  openContext,
  readRejects,
  removeDir,
  SENTIMENT,
  writeJsonl,
  writeParquet,
  type TestContext,
} from '../../../../test/helpers/import-fixtures';
import { ApiError } from '../../../shared/api/errors';
import type { Input } from '../../../shared/api/contract';
import type { ImportMappingInput } from '../../../shared/features/import/mapping';
import type { MineFileResult } from '../../../shared/features/mine-file/contract';
import { call } from '../../core/dispatch';

// mine-file against an independent reference: the same log imported whole, then `mine` with the
// same request. Real files, real DuckDB (in its child process, from the build), real SQLite.

const WORDS = ['delivery', 'battery', 'screen', 'price', 'support', 'refund', 'size', 'colour', 'box', 'app', 'fit'];

/** A 3-class log row: scores with many exact ties, exact and near duplicate texts, a region, a time. */
function logRow(i: number): Record<string, unknown> {
  const win = i % 3;
  const hi = 0.34 + ((i * 7919) % 600) / 1000;
  const lo = Math.round(((1 - hi) / 2) * 1e6) / 1e6;
  const scores = [lo, lo, lo];
  scores[win] = hi;
  scores[(win + 1) % 3] = Math.round((1 - hi - lo) * 1e6) / 1e6;
  const text =
    i % 10 === 0
      ? 'the parcel came late and the box was damaged'
      : i % 10 === 5
        ? `the parcel came late and the box was damaged again ${i % 3}`
        : `review ${i} about the ${WORDS[i % 11]} and the ${WORDS[(i * 3) % 7]}`;
  return {
    id: `ex-${i}`,
    ts: 1_700_000_000_000 + i * 60_000,
    text,
    scores,
    predicted_label: SENTIMENT[win],
    model: 'sent',
    model_version: 'v1',
    region: i % 4 === 0 ? 'eu' : 'us',
  };
}

const rows = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => logRow(from + k));

const MAPPING: ImportMappingInput = {
  id: 'id',
  inputKind: 'text',
  text: 'text',
  timestamp: { field: 'ts', unit: 'auto' },
  taskType: 'multiclass',
  classes: [...SENTIMENT],
  scores: { kind: 'vector', field: 'scores' },
  scoreTransform: 'none',
  predictedLabel: 'predicted_label',
  model: { nameField: 'model', versionField: 'model_version' },
  metadata: ['region'],
  sumTolerance: 0.01,
};

type Request = Omit<Input<'mining.run'>, 'project'>;

let dir: string;
let ctx: TestContext;
let projects = 0;

beforeAll(() => {
  dir = makeTempDir('mine-file');
  ctx = openContext(dir);
});

afterAll(async () => {
  await ctx?.dispose();
  removeDir(dir);
});

async function newProject(): Promise<string> {
  const name = `p${++projects}`;
  await call('projects.create', { name, taskType: 'multiclass', inputKind: 'text', classes: [...SENTIMENT] }, ctx);
  return name;
}

/** `mine` over the files imported whole (in name order) into a database of its own. */
async function reference(files: string[], request: Request, mapping: ImportMappingInput = MAPPING) {
  const refDir = makeTempDir('mine-file-ref');
  const ref = openContext(refDir);
  try {
    const imports = [];
    const rejects = [];
    for (const file of files) {
      const { status, run } = await importFile(ref, file, mapping, { project: 'ref' });
      expect(status.state).toBe('succeeded');
      imports.push(run);
      rejects.push(...readRejects(run.rejectsPath));
    }
    const mined = await call('mining.run', { project: { project: 'ref' }, ...request, listItems: true }, ref);
    expect(mined.items!.length).toBeGreaterThan(Math.min(20, request.limit ?? 500));
    return { imports, rejects, items: mined.items!.map((i) => [i.externalId, i.reason, i.labelsWanted]), mined };
  } finally {
    await ref.dispose();
    removeDir(refDir);
  }
}

async function mineFile(
  project: string,
  paths: string,
  request: Request,
  extra: Partial<Input<'mineFile.start'>> = {},
): Promise<MineFileResult> {
  const { jobId } = await call(
    'mineFile.start',
    { project: { project }, paths, mapping: MAPPING, ...request, listItems: true, threads: 2, ...extra },
    ctx,
  );
  const status = await ctx.jobs.wait(jobId);
  if (status.state !== 'succeeded') throw new ApiError(status.error!.code, status.error!.message);
  return status.result as MineFileResult;
}

const picked = (r: MineFileResult) => r.items!.map((i) => [i.externalId, i.reason, i.labelsWanted]);

function count(sql: string, ...params: unknown[]): number {
  return ctx.store.db
    .prepare(sql)
    .pluck()
    .get(...params) as number;
}

function projectId(name: string): number {
  return ctx.store.projects.byName(name)!.id;
}

describe('mine-file', () => {
  it('selects over a JSONL log what mine selects after importing it, then imports and queues only those rows', async () => {
    const log = writeJsonl(path.join(dir, 'log.jsonl'), rows(0, 3000));
    const request: Request = { strategy: { strategy: 'entropy' }, limit: 80, seed: 3, secondLabelShare: 0.25 };
    const ref = await reference([log], request);
    expect(ref.mined.suppressedDuplicates).toBeGreaterThan(0); // the log's duplicates are in play
    expect(ref.mined.controlSample).toBe(8);

    const project = await newProject();
    const dry = await mineFile(project, log, request, { dryRun: true });
    expect(picked(dry)).toEqual(ref.items);
    expect(dry).toMatchObject({ scanned: 3000, selected: 80, controlSample: 8, rejected: 0, miningRunId: null });
    expect(dry.suppressedDuplicates).toBe(ref.mined.suppressedDuplicates);
    expect(dry.histogram.all.reduce((a, b) => a + b, 0)).toBe(dry.eligible);
    expect(count('SELECT count(*) FROM examples WHERE project_id = ?', projectId(project))).toBe(0);

    const run = await mineFile(project, log, request);
    expect(picked(run)).toEqual(ref.items);
    expect(run).toMatchObject({ imported: 80, added: 80, alreadyPresent: 0 });
    const id = projectId(project);
    expect(count('SELECT count(*) FROM examples WHERE project_id = ?', id)).toBe(80);
    expect(
      count('SELECT count(*) FROM predictions p JOIN examples e ON e.id = p.example_id WHERE e.project_id = ?', id),
    ).toBe(80);
    const queued = ctx.store.db
      .prepare(
        `SELECT e.external_id AS id, q.reason AS reason FROM queue_items q JOIN examples e ON e.id = q.example_id
          WHERE q.project_id = ? ORDER BY q.priority DESC, q.id`,
      )
      .all(id) as { id: string; reason: string }[];
    expect(new Set(queued.map((q) => q.id))).toEqual(new Set(ref.items.map((i) => i[0])));
  }, 120_000);

  it('reads a CSV log with one score column per class, with metadata and class filters', async () => {
    const header = [
      'id',
      'ts',
      'text',
      'p_negative',
      'p_neutral',
      'p_positive',
      'predicted_label',
      'model',
      'model_version',
      'region',
    ];
    const quote = (v: unknown) => (/[",\n]/.test(String(v)) ? `"${String(v).replaceAll('"', '""')}"` : String(v));
    const lines = rows(0, 2000).map((r) => {
      const s = r['scores'] as number[];
      return [
        r['id'],
        r['ts'],
        r['text'],
        s[0],
        s[1],
        s[2],
        r['predicted_label'],
        r['model'],
        r['model_version'],
        r['region'],
      ]
        .map(quote)
        .join(',');
    });
    const log = path.join(dir, 'log.csv');
    fs.writeFileSync(log, [header.join(','), ...lines].join('\n') + '\n');
    const mapping: ImportMappingInput = {
      ...MAPPING,
      scores: { kind: 'columns', columns: ['p_negative', 'p_neutral', 'p_positive'] },
    };
    const request: Request = {
      strategy: { strategy: 'margin' },
      limit: 40,
      filters: { metadata: { region: 'us' }, predictedClasses: ['negative', 'positive'] },
      perClassQuota: 15,
    };
    const ref = await reference([log], request, mapping);
    const run = await mineFile(await newProject(), log, request, { mapping, dryRun: true });
    expect(picked(run)).toEqual(ref.items);
    expect(run.suppressedByQuota).toBe(ref.mined.suppressedByQuota);
  }, 120_000);

  it('reads a glob of Parquet files (written by DuckDB) in name order, with a time window', async () => {
    const all = rows(0, 3000);
    const a = await writeParquet(path.join(dir, 'part-1.parquet'), all.slice(0, 1700), { extra: 'region' });
    const b = await writeParquet(path.join(dir, 'part-2.parquet'), all.slice(1700), { extra: 'region' });
    const request: Request = {
      strategy: { strategy: 'least-confidence' },
      limit: 60,
      filters: { from: 1_700_000_000_000 + 500 * 60_000, to: 1_700_000_000_000 + 2600 * 60_000 },
    };
    const ref = await reference([a, b], request);
    const run = await mineFile(await newProject(), path.join(dir, 'part-*.parquet'), request);
    expect(run.files).toEqual([a, b]);
    expect(run.scanned).toBe(3000);
    expect(picked(run)).toEqual(ref.items);
  }, 120_000);

  it('reads gzipped JSONL files, and the random strategy draws the same sample', async () => {
    const gz = (name: string, from: number, to: number) => {
      const file = path.join(dir, name);
      fs.writeFileSync(
        file,
        zlib.gzipSync(
          rows(from, to)
            .map((r) => JSON.stringify(r))
            .join('\n') + '\n',
        ),
      );
      return file;
    };
    const a = gz('day-1.jsonl.gz', 0, 1200);
    const b = gz('day-2.jsonl.gz', 1200, 2500);
    for (const request of [
      { strategy: { strategy: 'random', seed: 7 }, limit: 50 },
      { strategy: { strategy: 'entropy' }, limit: 50, controlShare: 0.3 },
    ] satisfies Request[]) {
      const ref = await reference([a, b], request);
      const run = await mineFile(await newProject(), path.join(dir, 'day-*.jsonl.gz'), request, { dryRun: true });
      expect(picked(run)).toEqual(ref.items);
    }
  }, 120_000);

  it('refuses rows as the import refuses them, counts them, lists them with its reasons, and selects around them', async () => {
    const list = rows(0, 1500);
    // Out of range: the scan's SQL checks refuse it.
    list[5] = { ...list[5], scores: [0.7, 0.4, 0.2] };
    // Uniform scores (ranked first), two predicted labels: only the import's validator refuses it.
    list[9] = { ...list[9], scores: [1 / 3, 1 / 3, 1 / 3], predicted_label: ['positive', 'negative'] };
    const log = writeJsonl(path.join(dir, 'bad.jsonl'), list);
    const request: Request = { strategy: { strategy: 'entropy' }, limit: 30 };
    const ref = await reference([log], request);
    expect(ref.imports[0]!.rowsRejected).toBe(2);

    const run = await mineFile(await newProject(), log, request);
    expect(picked(run)).toEqual(ref.items);
    expect(run.rejected).toBe(2);
    const listed = readRejects(run.rejectsPath).map((r) => [r.row, r.field, r.reason]);
    const imported = ref.rejects.map((r) => [r.row, r.field, r.reason]);
    expect(listed).toEqual(imported);
  }, 120_000);

  it('refuses a mapping field the files do not have, naming it', async () => {
    const log = writeJsonl(path.join(dir, 'small.jsonl'), rows(0, 50));
    const e = await failure(
      mineFile(
        await newProject(),
        log,
        { strategy: { strategy: 'entropy' } },
        { mapping: { ...MAPPING, text: 'body' } },
      ),
    );
    expect(e.code).toBe('bad-mapping');
    expect(e.message).toMatch(/reads 'body', which .*small\.jsonl does not have/);
  }, 60_000);

  it('does not import again rows the project already holds, and says how many', async () => {
    const log = writeJsonl(path.join(dir, 'again.jsonl'), rows(0, 2000));
    const head = writeJsonl(path.join(dir, 'again-head.jsonl'), rows(0, 600));
    const project = await newProject();
    const { status } = await importFile(ctx, head, MAPPING, { project });
    expect(status.state).toBe('succeeded');
    const id = projectId(project);
    const run = await mineFile(project, log, { strategy: { strategy: 'entropy' }, limit: 100 });
    const already = run.items!.filter((i) => Number(i.externalId.slice(3)) < 600).length;
    expect(already).toBeGreaterThan(0);
    expect(run.alreadyPresent).toBe(already);
    expect(run.imported + run.alreadyPresent).toBe(100);
    expect(count('SELECT count(*) FROM examples WHERE project_id = ?', id)).toBe(600 + 100 - already);
    expect(count('SELECT count(DISTINCT external_id) FROM examples WHERE project_id = ?', id)).toBe(
      600 + 100 - already,
    );
    expect(count('SELECT count(*) FROM queue_items WHERE project_id = ?', id)).toBe(100);
  }, 120_000);

  it('refuses a strategy that needs stored labels or two model runs, naming those that work', async () => {
    const project = await newProject();
    for (const strategy of [
      { strategy: 'confident-error' },
      { strategy: 'disagreement', measure: 'label-flip' },
    ] as const) {
      const e = await failure(call('mineFile.start', { project: { project }, paths: 'x.jsonl', strategy }, ctx));
      expect(e.code).toBe('invalid-input');
      expect(e.message).toMatch(/mine-file runs entropy, least-confidence, margin, threshold, random/);
    }
  });
});

describe('mine-file, binary and cancelled', () => {
  it('runs the threshold strategy over a binary log with logits (sigmoid), as mine does after the import', async () => {
    const list = Array.from({ length: 2500 }, (_, i) => ({
      id: `b-${i}`,
      text: `message ${i} ${WORDS[i % 11]}`,
      logit: Math.round(Math.sin(i * 12.9898) * 4000) / 1000,
      model: 'spam',
      model_version: 'v2',
    }));
    const log = writeJsonl(path.join(dir, 'binary.jsonl'), list);
    const mapping: ImportMappingInput = {
      id: 'id',
      inputKind: 'text',
      text: 'text',
      taskType: 'binary',
      classes: ['ham', 'spam'],
      scores: { kind: 'columns', columns: ['logit'] },
      scoreTransform: 'sigmoid',
      model: { nameField: 'model', versionField: 'model_version' },
      metadata: [],
      sumTolerance: 0.01,
    };
    const request: Request = { strategy: { strategy: 'threshold', threshold: 0.3 }, limit: 45, controlShare: 0.2 };
    const ref = await reference([log], request, mapping);
    await call(
      'projects.create',
      { name: 'spam', taskType: 'binary', inputKind: 'text', classes: ['ham', 'spam'] },
      ctx,
    );
    const run = await mineFile('spam', log, request, { mapping, dryRun: true });
    expect(picked(run)).toEqual(ref.items);
  }, 120_000);

  it('mines multilabel scores and multiclass logits (softmax) as mine does after the import', async () => {
    const tags = ['urgent', 'billing', 'bug', 'praise'];
    const multi = Array.from({ length: 1800 }, (_, i) => ({
      id: `m-${i}`,
      text: `ticket ${i} ${WORDS[i % 11]} ${WORDS[(i * 5) % 11]}`,
      scores: tags.map((_, c) => Math.round(Math.abs(Math.sin(i * (c + 1) * 1.7)) * 1000) / 1000),
      model: 'tagger',
      model_version: 'v1',
    }));
    const multiLog = writeJsonl(path.join(dir, 'multi.jsonl'), multi);
    const multiMapping: ImportMappingInput = {
      ...MAPPING,
      taskType: 'multilabel',
      classes: tags,
      timestamp: undefined,
      predictedLabel: undefined,
      metadata: [],
    };
    await call('projects.create', { name: 'tags', taskType: 'multilabel', inputKind: 'text', classes: tags }, ctx);
    for (const request of [
      { strategy: { strategy: 'entropy' }, limit: 40, filters: { predictedClasses: ['bug'] } },
      { strategy: { strategy: 'least-confidence' }, limit: 40, perClassQuota: 5 },
    ] satisfies Request[]) {
      const ref = await reference([multiLog], request, multiMapping);
      const run = await mineFile('tags', multiLog, request, { mapping: multiMapping, dryRun: true });
      expect(picked(run)).toEqual(ref.items);
    }

    const logits = rows(0, 1500).map((r, i) => ({
      ...r,
      scores: [Math.sin(i) * 3, Math.cos(i * 1.3) * 2, Math.sin(i * 0.7) * 2.5],
      predicted_label: undefined,
    }));
    const logitLog = writeJsonl(path.join(dir, 'logits.jsonl'), logits);
    const logitMapping: ImportMappingInput = { ...MAPPING, scoreTransform: 'softmax', predictedLabel: undefined };
    const request: Request = {
      strategy: { strategy: 'margin' },
      limit: 50,
      filters: { predictedClasses: ['neutral'] },
    };
    const ref = await reference([logitLog], request, logitMapping);
    const run = await mineFile(await newProject(), logitLog, request, { mapping: logitMapping, dryRun: true });
    expect(picked(run)).toEqual(ref.items);
  }, 120_000);

  it('stops when cancelled: nothing imported, nothing queued', async () => {
    const log = writeJsonl(path.join(dir, 'cancel.jsonl'), rows(0, 3000));
    const project = await newProject();
    const { jobId } = await call(
      'mineFile.start',
      { project: { project }, paths: log, mapping: MAPPING, strategy: { strategy: 'entropy' } },
      ctx,
    );
    ctx.jobs.cancel(jobId);
    const status = await ctx.jobs.wait(jobId);
    expect(status.state).toBe('cancelled');
    expect(count('SELECT count(*) FROM examples WHERE project_id = ?', projectId(project))).toBe(0);
    expect(fs.readdirSync(path.join(dir, 'mine-file'))).toEqual([]);
  }, 60_000);
});

describe('flywheel mine-file', () => {
  it('previews from the command line with --dry-run --json, and refuses a strategy it cannot run', async () => {
    const cliDir = makeTempDir('mine-file-cli');
    try {
      const log = writeJsonl(path.join(cliDir, 'log.jsonl'), rows(0, 1500));
      const head = writeJsonl(path.join(cliDir, 'head.jsonl'), rows(0, 10));
      const mapping = path.join(cliDir, 'mapping.json');
      fs.writeFileSync(mapping, JSON.stringify(MAPPING));
      const db = path.join(cliDir, 'w.db');
      const cli = (...args: string[]) =>
        spawnSync(process.execPath, ['bin/flywheel.js', '--db', db, ...args], { encoding: 'utf8', timeout: 60_000 });
      expect(cli('import', head, '--project', 'p', '--mapping', mapping, '--yes').status).toBe(0);
      const dry = cli(
        'mine-file',
        'p',
        path.join(cliDir, '*.jsonl'),
        '--mapping',
        mapping,
        '--limit',
        '25',
        '--dry-run',
        '--json',
      );
      expect(dry.status, dry.stderr).toBe(0);
      const r = JSON.parse(dry.stdout) as MineFileResult;
      expect(r).toMatchObject({ dryRun: true, scanned: 1510, selected: 25, repeatedIds: 10, miningRunId: null });
      expect(r.items).toHaveLength(25);
      const refused = cli('mine-file', 'p', log, '--strategy', 'confident-error');
      expect(refused.status).toBe(2);
      expect(refused.stderr).toMatch(/mine-file runs entropy, least-confidence, margin, threshold, random/);
    } finally {
      removeDir(cliDir);
    }
  }, 120_000);
});
