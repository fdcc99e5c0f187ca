import { fork, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failure } from '../../../../test/helpers/expect-failure';
import { makeTempDir, openContext, removeDir, type TestContext } from '../../../../test/helpers/import-fixtures';
import { importGuessed, loadDemo } from '../../cli/commands/demo';
import { writeDemoLog } from '../demo/demo-data';
import { call } from '../../core/dispatch';
import type { Input } from '../../../shared/api/contract';
import { ExportOptionsSchema } from '../../../shared/features/export/contract';
import { startCheckpointer } from '../../store/checkpointer';
import { builtEntry } from '../../core/entry-points';
import { acquireExportLock } from './export-lock';
import { planExport } from './handlers';

const ROOT = path.resolve(__dirname, '../../../..');
let dir: string;
let out: string;
let ctx: TestContext;
const project = { project: 'sentiment' };
const CLASSES = ['negative', 'neutral', 'positive'];

beforeAll(async () => {
  dir = makeTempDir('export');
  out = path.join(dir, 'exports');
  ctx = openContext(dir);
  await loadDemo(ctx, path.join(dir, 'demo'), 3000);
  // 300 examples labeled: ana all, ben a third of them (agreeing on most).
  const mined = await call(
    'mining.run',
    { project, strategy: { strategy: 'random', seed: 3 }, limit: 300, dedupe: false },
    ctx,
  );
  const items = await call('queue.list', { project, limit: 300 }, ctx);
  expect(mined.selected).toBe(300);
  for (const [i, item] of items.entries()) {
    const say = (annotator: string, label: string) =>
      call(
        'labels.record',
        { project, externalId: item.externalId, annotator, schemaVersion: 1, action: 'label', labels: [label] },
        ctx,
      );
    await say('ana', CLASSES[i % 3]!);
    if (i % 3 === 0) await say('ben', CLASSES[(i + (i % 9 === 0 ? 1 : 0)) % 3]!);
  }
}, 120_000);

afterAll(async () => {
  await ctx?.dispose();
  removeDir(dir);
});

async function exportNow(options: Partial<Input<'export.start'>> & { name: string }) {
  const { jobId } = await call('export.start', { project, dir: out, ...options }, ctx);
  const status = await ctx.jobs.wait(jobId);
  if (status.state !== 'succeeded') throw Object.assign(new Error(status.error?.message), status.error);
  return status.result as {
    exportId: number;
    path: string;
    rows: number;
    files: { path: string; rows: number; sha256: string }[];
  };
}

/** A log of two-class rows (id, text) written to `file` and imported into project `p`. */
async function importTexts(file: string, p: string, rows: [id: string, text: string][]): Promise<void> {
  const line = ([id, text]: [string, string]) =>
    JSON.stringify({ id, text, scores: { bad: 0.4, good: 0.6 }, model: 'm', model_version: 'v1' });
  fs.writeFileSync(file, `${rows.map(line).join('\n')}\n`);
  await importGuessed(ctx, file, p);
}

/** Labels these examples of project `p` 'good', as ana. */
async function labelGood(p: string, externalIds: readonly string[]): Promise<void> {
  for (const externalId of externalIds)
    await call(
      'labels.record',
      { project: { project: p }, externalId, annotator: 'ana', schemaVersion: 1, action: 'label', labels: ['good'] },
      ctx,
    );
}

/** Exports project `p` unsplit; the path of its one file. */
async function exportUnsplit(p: string, name: string, format: 'jsonl' | 'parquet'): Promise<string> {
  const { jobId } = await call(
    'export.start',
    { project: { project: p }, dir: out, name, format, split: { kind: 'none' } },
    ctx,
  );
  expect((await ctx.jobs.wait(jobId)).error).toBeUndefined();
  return path.join(out, name, `all.${format}`);
}

function filesOf(folder: string): Map<string, Buffer> {
  const outMap = new Map<string, Buffer>();
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) walk(full);
      else outMap.set(path.relative(folder, full), fs.readFileSync(full));
    }
  };
  walk(folder);
  return outMap;
}

describe('dataset export', () => {
  it('writes JSONL by time split with a manifest, and every line reads back', async () => {
    const r = await exportNow({ name: 'jsonl' });
    const conflicts = Array.from({ length: 300 }, (_, i) => i).filter((i) => i % 9 === 0).length;
    expect(r.rows).toBe(300 - conflicts); // conflicting examples have no label yet
    const manifest = JSON.parse(fs.readFileSync(path.join(r.path, 'manifest.json'), 'utf8'));
    expect(manifest.split).toEqual({ kind: 'time-fractions', fractions: [0.8, 0.1, 0.1] });
    expect(manifest.schema.version).toBe(1);
    expect(manifest.importFiles.map((f: { sha256: string }) => f.sha256)).toHaveLength(2);
    const lines = ['train', 'validation', 'test'].map((s) =>
      fs
        .readFileSync(path.join(r.path, `${s}.jsonl`), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
    );
    expect(lines.map((l) => l.length)).toEqual([
      manifest.counts.train.rows,
      manifest.counts.validation.rows,
      manifest.counts.test.rows,
    ]);
    // Time split: everything in train is older than everything in test.
    const newestTrain = lines[0]!
      .map((l) => l.ts)
      .sort()
      .at(-1);
    const oldestTest = lines[2]!.map((l) => l.ts).sort()[0];
    expect(newestTrain < oldestTest).toBe(true);
    expect(Object.keys(lines[0]![0]!)).toEqual(['id', 'ts', 'text', 'features', 'metadata', 'label', 'label_source']);
    expect(CLASSES).toContain(lines[0]![0]!.label);
  });

  it('previews the counts per split and label an export would hold, and writes nothing', async () => {
    const before = fs.existsSync(out) ? fs.readdirSync(out).length : 0;
    const preview = await call('export.preview', { project }, ctx);
    const r = await exportNow({ name: 'previewed' });
    const manifest = JSON.parse(fs.readFileSync(path.join(r.path, 'manifest.json'), 'utf8'));
    expect(preview.rows).toBe(r.rows);
    expect(preview.counts).toEqual(manifest.counts);
    expect(preview.split).toEqual(manifest.split);
    expect(preview.labelSources).toEqual({ human: r.rows, model: 0 });
    expect(fs.readdirSync(out).length).toBe(before + 1);
    const both = await call('export.preview', { project, labelSource: 'human+model', split: { kind: 'none' } }, ctx);
    expect(both.rows).toBe(3000);
    expect(Object.keys(both.counts)).toEqual(['all']);
    expect(both.labelSources).toEqual({ human: r.rows, model: 3000 - r.rows });
  });

  it("answers a small project's preview in well under a second, with the counts its export writes", async () => {
    const variants: Partial<Input<'export.start'>>[] = [
      { agreement: 'consensus', split: { kind: 'random', fractions: [0.6, 0.2, 0.2], seed: 7 } },
      { annotators: ['ben'], split: { kind: 'time-fractions', fractions: [0.5, 0.25, 0.25] } },
      { labelSource: 'human+model', split: { kind: 'none' } },
    ];
    for (const [i, options] of variants.entries()) {
      await call('export.preview', { project, ...options }, ctx); // statements prepared once
      const started = performance.now();
      const preview = await call('export.preview', { project, ...options }, ctx);
      const took = performance.now() - started;
      // Starting the export process and its threads took seconds; the reads themselves take milliseconds.
      expect(took).toBeLessThan(300);
      const r = await exportNow({ name: `quick-${i}`, ...options });
      const manifest = JSON.parse(fs.readFileSync(path.join(r.path, 'manifest.json'), 'utf8'));
      expect(preview.rows).toBe(r.rows);
      expect(preview.counts).toEqual(manifest.counts);
      expect(preview.split).toEqual(manifest.split);
      expect(preview.labelSources).toEqual(manifest.labelSources);
    }
  });

  it('writes CSV a CSV parser reads, Parquet an independent reader reads, and a Hugging Face folder', async () => {
    const csv = await exportNow({ name: 'csv', format: 'csv' });
    const records = parse(fs.readFileSync(path.join(csv.path, 'train.csv')), { columns: true }) as Record<
      string,
      string
    >[];
    expect(records).toHaveLength(csv.files[0]!.rows);
    expect(CLASSES).toContain(records[0]!['label']);
    expect(records[0]!['label_source']).toBe('human');
    expect(Number(records[0]!['features[0]'])).toBeTypeOf('number');

    const pq = await exportNow({ name: 'parquet', format: 'parquet' });
    const buf = fs.readFileSync(path.join(pq.path, 'train.parquet'));
    const rows = (await parquetReadObjects({
      file: buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength),
      compressors,
    })) as Record<string, unknown>[];
    expect(rows).toHaveLength(pq.files[0]!.rows);
    const jsonl =
      fs.readFileSync(path.join(ROOT, 'package.json')) &&
      fs.readFileSync(path.join(out, 'jsonl', 'train.jsonl'), 'utf8');
    const first = JSON.parse(jsonl.split('\n')[0]!);
    expect(rows[0]!['id']).toBe(first.id);
    expect(rows[0]!['label']).toBe(first.label);
    expect(rows[0]!['text']).toBe(first.text);
    expect((rows[0]!['ts'] as Date).toISOString()).toBe(first.ts);

    const hf = await exportNow({ name: 'hf', format: 'hf' });
    const card = fs.readFileSync(path.join(hf.path, 'README.md'), 'utf8');
    expect(card).toMatch(
      /^---\nconfigs:\n- config_name: default\n {2}data_files:\n {2}- split: train\n {4}path: data\/train.jsonl/,
    );
    expect(fs.existsSync(path.join(hf.path, 'data', 'test.jsonl'))).toBe(true);
  });

  it('writes a Parquet file holding a text past 1 MB of UTF-8, whole', async () => {
    // 960,000 characters (under the import's 1M-character cap), over 1 MB as UTF-8.
    const longText = 'Prüfung läuft — '.repeat(60_000);
    expect(Buffer.byteLength(longText)).toBeGreaterThan(1 << 20);
    // The short row first: the preview guesses the mapping from the file's first megabyte.
    await importTexts(path.join(dir, 'long.jsonl'), 'long-texts', [
      ['short', 'fine'],
      ['long', longText],
    ]);
    await labelGood('long-texts', ['long', 'short']);
    const buf = fs.readFileSync(await exportUnsplit('long-texts', 'long-parquet', 'parquet'));
    const rows = (await parquetReadObjects({
      file: buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength),
      compressors,
    })) as { id: string; text: string }[];
    expect(rows.map((r) => [r.id, r.text.length])).toEqual([
      ['short', 4],
      ['long', longText.length],
    ]);
  });

  it('writes JSONL lines far longer than their estimate (control characters escaped six times over), whole', async () => {
    // Four rows of 2.8 MB of JSON each, estimated at 0.8 MB: one job, whose lines outgrow the
    // room set aside for it in the memory the workers share with the writer.
    const text = 'a\u0001'.repeat(400_000);
    const ids = ['e1', 'e2', 'e3', 'e4'];
    await importTexts(
      path.join(dir, 'escaped.jsonl'),
      'escaped',
      ids.map((id) => [id, text]),
    );
    await labelGood('escaped', ids);
    const lines = fs.readFileSync(await exportUnsplit('escaped', 'escaped', 'jsonl'), 'utf8').split('\n');
    expect(lines.at(-1)).toBe('');
    const rows = lines.slice(0, -1).map((l) => JSON.parse(l) as { id: string; text: string });
    expect(rows.map((r) => r.id)).toEqual(ids);
    for (const r of rows) expect(r.text === text, r.id).toBe(true);
    expect(lines[0]!.length).toBeGreaterThan(2_800_000);
  });

  it("exports a project's own labeled examples when another project's lie between them in id order", async () => {
    const texts = (ids: string[]): [string, string][] => ids.map((id) => [id, `text of ${id}`]);
    await importTexts(path.join(dir, 'inter-a1.jsonl'), 'inter-a', texts(['a1', 'a2', 'a3']));
    await importTexts(path.join(dir, 'inter-b.jsonl'), 'inter-b', texts(['b1', 'b2', 'b3']));
    await importTexts(path.join(dir, 'inter-a2.jsonl'), 'inter-a', texts(['a4', 'a5', 'a6']));
    await labelGood('inter-a', ['a1', 'a5']);
    await labelGood('inter-b', ['b1', 'b2', 'b3']);
    for (const [p, ids] of [
      ['inter-a', ['a1', 'a5']],
      ['inter-b', ['b1', 'b2', 'b3']],
    ] as const) {
      const lines = fs
        .readFileSync(await exportUnsplit(p, p, 'jsonl'), 'utf8')
        .trim()
        .split('\n');
      expect(lines.map((l) => (JSON.parse(l) as { id: string }).id)).toEqual(ids);
    }
  });

  it('rebuilds byte-identical files from the same database and options, in every format', async () => {
    for (const format of ['jsonl', 'csv', 'parquet', 'hf'] as const) {
      const first = await exportNow({ name: `same-${format}`, format, agreement: 'consensus', groupBy: 'user_id' });
      const before = filesOf(first.path);
      const again = await exportNow({
        name: `same-${format}`,
        format,
        agreement: 'consensus',
        groupBy: 'user_id',
        force: true,
      });
      const after = filesOf(again.path);
      expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
      for (const [name, bytes] of before) expect(after.get(name)!.equals(bytes), `${format}/${name}`).toBe(true);
    }
    const list = await call('export.list', project, ctx);
    expect(list.length).toBeGreaterThanOrEqual(8);
    const { jobId } = await call('export.again', { exportId: list.at(-1)!.id, force: true }, ctx);
    expect((await ctx.jobs.wait(jobId)).state).toBe('succeeded');
  });

  it('keeps a user group in one split', async () => {
    const r = await exportNow({
      name: 'groups',
      groupBy: 'user_id',
      split: { kind: 'random', fractions: [0.6, 0.2, 0.2], seed: 9 },
    });
    const seen = new Map<string, string>();
    for (const split of ['train', 'validation', 'test']) {
      for (const line of fs
        .readFileSync(path.join(r.path, `${split}.jsonl`), 'utf8')
        .trim()
        .split('\n')) {
        const user = JSON.parse(line).metadata.user_id as string;
        expect(seen.get(user) ?? split).toBe(split);
        seen.set(user, split);
      }
    }
  });

  it('refuses bad requests with clear errors', async () => {
    const none = await failure(exportNow({ name: 'x', project: { project: 'spam' } } as never));
    expect(none.message).toMatch(/'spam' has no examples to export under label schema v1/);
    const cutoff = await failure(
      exportNow({ name: 'x', split: { kind: 'time-cutoffs', cutoffs: [Date.UTC(2026, 8, 10), Date.UTC(2030, 0, 1)] } }),
    );
    expect(cutoff.message).toMatch(/cut-off 2030-01-01T00:00:00.000Z is after the newest example/);
    const group = await failure(exportNow({ name: 'x', groupBy: 'no_such_key' }));
    expect(group.message).toMatch(/examples lack the group key/);
    const exists = await failure(exportNow({ name: 'jsonl' }));
    expect(exists.code).toBe('conflict');
    expect(exists.message).toMatch(
      /an export named "jsonl" already exists .*: choose another name, or replace the existing export$/,
    );
    expect(exists.details).toMatchObject({ reason: 'exists', name: 'jsonl' });
    const outside = await failure(call('export.start', { project, dir: out, name: '../escape' }, ctx));
    expect(outside.code).toBe('invalid-input');
    fs.writeFileSync(path.join(dir, 'a-file'), 'x');
    const notDir = await failure(call('export.start', { project, dir: path.join(dir, 'a-file'), name: 'x' }, ctx));
    expect(notDir.message).toMatch(/cannot create the export folder/);
    fs.symlinkSync(os_tmp(), path.join(out, 'link'));
    const link = await failure(call('export.start', { project, dir: out, name: 'link', force: true }, ctx));
    expect(link.message).toMatch(/is a link/);
  });

  it('leaves the old export or nothing when killed mid-export, and a full disk replaces nothing', async () => {
    const db = path.join(dir, 'w.db');
    const cli = path.join(ROOT, 'bin', 'flywheel.js');
    const oldManifest = fs.readFileSync(path.join(out, 'jsonl', 'manifest.json'));
    for (let round = 0; round < 3; round++) {
      const child = spawn(
        process.execPath,
        [cli, '--db', db, 'export', 'sentiment', 'jsonl', '--dir', out, '--label-source', 'human+model', '--force'],
        { stdio: 'ignore' },
      );
      const deadline = Date.now() + 20_000;
      while (Date.now() < deadline && !fs.readdirSync(out).some((e) => e.startsWith('.jsonl.tmp-'))) {
        await new Promise((r) => setTimeout(r, 5));
      }
      await new Promise((r) => setTimeout(r, 20 + round * 40));
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      await new Promise((r) => setTimeout(r, 300)); // the export process notices its parent is gone
      const now = fs.existsSync(path.join(out, 'jsonl', 'manifest.json'))
        ? fs.readFileSync(path.join(out, 'jsonl', 'manifest.json'))
        : null;
      // Either the old export, whole, or (had the swap completed) a whole new one.
      if (now && !now.equals(oldManifest)) expect(JSON.parse(now.toString()).labelSources.model).toBeGreaterThan(0);
      else expect(now?.equals(oldManifest) ?? true).toBe(true);
    }
    // A full disk: the export runs under a 64 KB file size limit, so its writes fail with EFBIG.
    const plan = planExport(
      ctx,
      ctx.store.projects.byName('sentiment')!,
      ExportOptionsSchema.parse({ project, dir: out, name: 'big', labelSource: 'human+model' }),
    );
    const planFile = path.join(dir, 'plan.json');
    fs.writeFileSync(planFile, JSON.stringify(plan));
    const full = spawnSync(
      'bash',
      ['-c', `ulimit -f 64; exec "${process.execPath}" --import tsx test/helpers/export-in-child.ts "${planFile}"`],
      { cwd: ROOT, encoding: 'utf8' },
    );
    expect(full.status).toBe(1);
    expect(full.stderr).toMatch(/the disk is full \(EFBIG\) while writing the export: nothing was replaced/);
    expect(fs.existsSync(path.join(out, 'big'))).toBe(false);
    expect(fs.readdirSync(out).filter((e) => e.startsWith('.big.'))).toEqual([]);
    // The next export cleans what the interrupted ones left.
    await exportNow({ name: 'jsonl', force: true });
    expect(fs.readdirSync(out).filter((e) => e.startsWith('.'))).toEqual([]);
  }, 120_000);
});

describe('export process', () => {
  it('reports a failure before anything is read and exits: no worker thread keeps it alive', async () => {
    const gone = path.join(dir, 'gone');
    fs.mkdirSync(gone);
    const plan = planExport(
      ctx,
      ctx.store.projects.byName('sentiment')!,
      ExportOptionsSchema.parse({ project, dir: gone, name: 'x', labelSource: 'human+model' }),
    );
    fs.rmSync(gone, { recursive: true });
    const child = fork(builtEntry('export-process'), [], {
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    const message = new Promise<{ type: string; message?: string }>((r) => child.once('message', r));
    const exited = new Promise<string>((r) => child.once('exit', () => r('exited')));
    child.send(plan);
    expect(await message).toMatchObject({ type: 'error', message: expect.stringMatching(/ENOENT/) });
    const outcome = await Promise.race([exited, new Promise<string>((r) => setTimeout(() => r('running'), 10_000))]);
    if (outcome !== 'exited') child.kill('SIGKILL');
    expect(outcome).toBe('exited');
  }, 30_000);
});

describe('export while annotators label', () => {
  it('keeps the WAL bounded: the export reads in short statements, so checkpoints keep up', async () => {
    const log = await writeDemoLog({
      project: 'sentiment',
      rows: 20_000,
      modelVersion: 'v1',
      format: 'jsonl',
      outPath: path.join(dir, 'bulk.jsonl'),
    });
    await importGuessed(ctx, log.path, 'bulk');
    const wal = path.join(dir, 'w.db-wal');
    // Annotators label in the app, whose context checkpoints the WAL from a worker thread.
    const checkpointer = startCheckpointer(ctx.store.db, path.join(dir, 'w.db'));
    // Three exports back to back, while the loop below keeps committing.
    const exportBoth = async () => {
      for (const format of ['csv', 'parquet', 'jsonl'] as const) {
        const { jobId } = await call(
          'export.start',
          { project: { project: 'bulk' }, dir: out, name: `bulk-${format}`, labelSource: 'human+model', format },
          ctx,
        );
        const s = await ctx.jobs.wait(jobId);
        if (s.state !== 'succeeded') return s;
      }
      return { state: 'succeeded' as const };
    };
    let finished = false;
    const status = exportBoth().then((s) => ((finished = true), s));
    let labels = 0;
    let maxWal = 0;
    const note = 'n'.repeat(5000);
    while (!finished) {
      await call(
        'labels.record',
        {
          project: { project: 'bulk' },
          externalId: `s-${String(1 + (labels % 20_000)).padStart(7, '0')}`,
          annotator: 'ana',
          schemaVersion: 1,
          action: 'comment',
          comment: note,
        },
        ctx,
      );
      labels++;
      maxWal = Math.max(maxWal, fs.statSync(wal).size);
      await new Promise((r) => setImmediate(r));
    }
    await checkpointer.stop();
    expect((await status).state).toBe('succeeded');
    const appended = labels * 5000;
    console.log(
      `[export] ${labels} comments (${(appended / 2 ** 20).toFixed(1)} MB) during the export; WAL peak ${(maxWal / 2 ** 20).toFixed(1)} MB`,
    );
    // Each 5 KB comment puts ~17 KB in the WAL: well over 100 MB pass through it.
    expect(appended).toBeGreaterThan(24 * 2 ** 20);
    // The main connection's fallback checkpoint (8,000 pages, ~32 MB) caps it even at this rate.
    expect(maxWal).toBeLessThan(40 * 2 ** 20);
  }, 120_000);
});

describe('export filtered by annotator', () => {
  it("applies an adjudicator's undo even though the filter leaves the adjudicator's own events out", async () => {
    // Examples where ana and ben disagree: conflicts until someone adjudicates.
    const conflicts = ctx.store.db
      .prepare(
        `SELECT e.external_id FROM examples e
         WHERE (SELECT l.labels FROM label_events l JOIN annotators a ON a.id = l.annotator_id
                WHERE l.example_id = e.id AND a.name = 'ana')
            != (SELECT l.labels FROM label_events l JOIN annotators a ON a.id = l.annotator_id
                WHERE l.example_id = e.id AND a.name = 'ben')
         ORDER BY e.id LIMIT 2`,
      )
      .pluck()
      .all() as string[];
    expect(conflicts).toHaveLength(2);
    const [undone, kept] = conflicts as [string, string];
    const say = (externalId: string, action: 'label' | 'adjudicate' | 'undo', labels: string[] | null = null) =>
      call('labels.record', { project, externalId, annotator: 'carol', schemaVersion: 1, action, labels }, ctx);
    // carol adjudicates, then takes it back: the example is a conflict again.
    await say(undone, 'adjudicate', ['positive']);
    await say(undone, 'undo');
    // carol adjudicates, labels as an annotator, then takes back only that label: the adjudication stands.
    await say(kept, 'adjudicate', ['positive']);
    await say(kept, 'label', ['neutral']);
    await say(kept, 'undo');
    const r = await exportNow({ name: 'ana-only', annotators: ['ana'], split: { kind: 'none' } });
    const lines = fs
      .readFileSync(path.join(r.path, 'all.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: string; label: string });
    const label = (id: string) => lines.find((l) => l.id === id)?.label;
    const anaSaid = (id: string) =>
      JSON.parse(
        ctx.store.db
          .prepare(
            `SELECT l.labels FROM label_events l JOIN annotators a ON a.id = l.annotator_id
             JOIN examples e ON e.id = l.example_id WHERE a.name = 'ana' AND e.external_id = ?`,
          )
          .pluck()
          .get(id) as string,
      )[0];
    expect(label(undone)).toBe(anaSaid(undone));
    expect(label(kept)).toBe('positive');
  });
});

describe('exports of one name at once', () => {
  const dotEntries = (name: string) => fs.readdirSync(out).filter((e) => e.startsWith(`.${name}.`));

  it('a second export of a name while the first runs is refused; the first finishes whole', async () => {
    const first = await call('export.start', { project, dir: out, name: 'twice' }, ctx);
    const second = await failure(call('export.start', { project, dir: out, name: 'twice' }, ctx));
    expect(second.code).toBe('conflict');
    expect(second.message).toMatch(
      new RegExp(
        `an export named 'twice' is already being written to ${out} \\(process ${process.pid}, since .+\\): ` +
          'wait for it to finish, or choose another name',
      ),
    );
    const status = await ctx.jobs.wait(first.jobId);
    expect(status.state, status.error?.message).toBe('succeeded');
    const manifest = JSON.parse(fs.readFileSync(path.join(out, 'twice', 'manifest.json'), 'utf8'));
    expect(manifest.files.length).toBeGreaterThan(0);
    expect(dotEntries('twice')).toEqual([]);
    // Once it is done, the name is free again (taken: force to replace it).
    expect((await failure(exportNow({ name: 'twice' }))).message).toMatch(/already exists/);
    await exportNow({ name: 'twice', force: true });
  }, 60_000);

  it('an export in another live process keeps its temp folder; once that process is dead, its leftovers go', async () => {
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' });
    try {
      const finalPath = path.join(out, 'other');
      const temp = path.join(out, `.other.tmp-${other.pid}-abcd1234`);
      fs.mkdirSync(temp);
      fs.writeFileSync(path.join(temp, 'all.jsonl'), '{"half": "written"}\n');
      const lock = {
        token: 'theirs',
        pid: other.pid,
        host: os.hostname(),
        dbPath: path.join(dir, 'w.db'),
        startedAt: Date.now(),
        lockPath: path.join(out, '.other.lock'),
        pending: { project_id: 1, schema_version_id: 1, options: '{}', format: 'jsonl', path: finalPath },
      };
      fs.writeFileSync(lock.lockPath, JSON.stringify(lock));
      const refused = await failure(call('export.start', { project, dir: out, name: 'other' }, ctx));
      expect(refused.code).toBe('conflict');
      expect(refused.message).toMatch(new RegExp(`already being written .*\\(process ${other.pid}, since`));
      expect(fs.existsSync(path.join(temp, 'all.jsonl'))).toBe(true);
      other.kill('SIGKILL');
      await new Promise((r) => other.once('exit', r));
      const done = await exportNow({ name: 'other' });
      expect(done.path).toBe(finalPath);
      expect(dotEntries('other')).toEqual([]);
    } finally {
      other.kill('SIGKILL');
    }
  }, 60_000);

  it('an export that died between publishing its folder and recording it is recorded by the next export call', async () => {
    const source = await exportNow({ name: 'adopt-source', split: { kind: 'none' } });
    const p = ctx.store.projects.byName('sentiment')!;
    const finalPath = path.join(fs.realpathSync(out), 'adopted');
    const lock = acquireExportLock(ctx, {
      project_id: p.id,
      schema_version_id: ctx.store.labelSchemas.all(p.id).at(-1)!.id,
      options: JSON.stringify({ name: 'adopted', dir: fs.realpathSync(out) }),
      format: 'jsonl',
      path: finalPath,
    });
    // Published (the swap done), then the process dies: its lock and journal entry stay behind.
    fs.cpSync(source.path, finalPath, { recursive: true });
    lock.leaveForRecovery();
    expect(dotEntries('adopted')).toEqual(['.adopted.lock']);
    const listed = await call('export.list', project, ctx);
    const adopted = listed.find((e) => e.name === 'adopted');
    const sourceRecord = listed.find((e) => e.id === source.exportId)!;
    expect(adopted).toMatchObject({ path: finalPath, contentHash: sourceRecord.contentHash, rows: source.rows });
    expect(dotEntries('adopted')).toEqual([]);
    expect(fs.readdirSync(path.join(dir, 'export-journal'))).toEqual([]);
    // Recorded once: the next call finds nothing left to adopt.
    expect((await call('export.list', project, ctx)).filter((e) => e.name === 'adopted')).toHaveLength(1);
  }, 60_000);
});

describe('export --again', () => {
  it('rebuilds the same bytes after a newer label version arrives: defaults (schema version, model run) are recorded resolved', async () => {
    const first = await exportNow({ name: 'again-later', labelSource: 'human+model', split: { kind: 'none' } });
    const before = filesOf(first.path);
    const manifest = JSON.parse(before.get('manifest.json')!.toString('utf8')) as { options: Record<string, unknown> };
    const runs = ctx.store.mining.modelRuns(ctx.store.projects.byName('sentiment')!.id);
    expect(manifest.options).toMatchObject({ schemaVersion: 1, modelRun: runs.at(-1)!.id });
    // A newer label version: 'negative' renamed. Without the recorded version a rebuild would use it.
    const [v1] = await call('labels.versions', project, ctx);
    await call(
      'labels.create',
      {
        project,
        draft: {
          labels: v1!.labels.map((l) => (l.id === 'negative' ? { ...l, id: 'neg' } : l)),
          changeNote: 'shorter id',
          mappingFromPrevious: [{ kind: 'rename', from: 'negative', to: 'neg' }],
        },
      },
      ctx,
    );
    const list = await call('export.list', project, ctx);
    const id = list.find((e) => e.name === 'again-later')!.id;
    const { jobId } = await call('export.again', { exportId: id, force: true }, ctx);
    expect((await ctx.jobs.wait(jobId)).state).toBe('succeeded');
    const after = filesOf(first.path);
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
    for (const [name, bytes] of before) expect(after.get(name)!.equals(bytes), name).toBe(true);
  });
});

function os_tmp(): string {
  return fs.realpathSync(path.dirname(dir));
}
