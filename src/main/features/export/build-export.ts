import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { openDatabase } from '../../store/database';
import { ExportReadQueries } from '../../store/export-reads';
import { FileSink, relative } from './file-sink';
import { datasetCard } from './dataset-card';
import type { ExportFileInfo, ExportOutcome, ExportPlan, ExportPreview } from './plan';
import { counts, labelSources, previewOf, resolveSplits, splitNames } from './selection-counts';
import { publish, recoverInterrupted, tempFolder } from './publish';
import { formatInWorkers } from './format-pool';
import { exportSchema } from './parquet/export-columns';
import { ParquetSink } from './parquet/parquet-sink';
import { RowFormat } from './row-format';
import { runColumns, scoreColumnNames, type ScoreLayout } from './score-columns';
import { selectInWorkers } from './select-in-workers';
import { ExportWorkers } from './worker-pool';
import type { Selection } from './select-rows';

export type Progress = (phase: string, done: number, total: number) => void;

const SCORES_NOTE =
  'Each run adds run<id>_predicted and run<id>_p_<class> to every row; where a run did not score an example, its cells are empty (null), never zero.';

function scoreLayout(plan: ExportPlan): ScoreLayout | undefined {
  if (plan.scoreRuns.length === 0) return undefined;
  return { taskType: plan.project.taskType, classes: plan.project.classes, runs: plan.scoreRuns };
}

/** What the manifest says of each score run: its columns, and how many exported examples it scored and did not. */
function scoreSummary(plan: ExportPlan, rows: number, unscored: number[]): ExportOutcome['scores'] {
  const layout = scoreLayout(plan);
  if (!layout) return undefined;
  return layout.runs.map((run, i) => {
    const c = runColumns(layout, run);
    return { run, columns: [c.predicted, ...c.scores], scored: rows - unscored[i]!, unscored: unscored[i]! };
  });
}

const nativeBinding = (plan: ExportPlan) => (plan.nativeBinding ? { nativeBinding: plan.nativeBinding } : {});

/**
 * Pass two: reads the chosen examples again, in worker threads, and writes each to its split's
 * file: lines for JSONL and CSV, row groups for Parquet (a writer of our own, from the typed
 * columns: no text round trip, and Snappy where it pays, as pandas and Spark write by default).
 */
async function writeRows(
  workers: ExportWorkers,
  plan: ExportPlan,
  sel: Selection,
  split: Uint8Array,
  names: string[],
  dataDir: string,
  progress: Progress,
): Promise<{ files: ExportFileInfo[]; unscored: number[] }> {
  const format = plan.options.format === 'csv' ? 'csv' : plan.options.format === 'parquet' ? 'parquet' : 'jsonl';
  const scores = scoreLayout(plan);
  const unscored = plan.scoreRuns.map(() => 0);
  const schema = exportSchema(plan.project, scores);
  const createdBy = `flywheel-workbench version ${plan.toolVersion}`;
  const files = names.map((name) => path.join(dataDir, `${name}.${format}`));
  const sinks: FileSink[] = [];
  try {
    const parquet = format === 'parquet' ? files.map((f) => new ParquetSink(f, schema, createdBy)) : null;
    sinks.push(...(parquet ? parquet.map((p) => p.file) : files.map((f) => new FileSink(f))));
    if (format === 'csv') {
      const header = new RowFormat(plan.project).csvHeader(scores ? scoreColumnNames(scores) : []);
      for (const s of sinks) s.write(header);
    }
    const init = {
      task: 'format',
      project: plan.project,
      format,
      labelSets: sel.labelSets,
      splits: names.length,
      ...(scores ? { scores } : {}),
    } as const;
    await formatInWorkers(
      workers,
      init,
      sel,
      split,
      (r) => {
        r.unscored?.forEach((n, i) => (unscored[i]! += n));
        r.parts.forEach((bytes, s) => {
          if (r.rows[s] === 0) return;
          if (parquet) parquet[s]!.append(bytes, r.rowGroups ?? [], r.rows[s]!);
          else {
            sinks[s]!.writeBytes(bytes);
            sinks[s]!.rows += r.rows[s]!;
          }
        });
      },
      (done, total) => progress('writing', done, total),
    );
    for (const p of parquet ?? []) p.finish();
    for (const s of sinks) await s.settle();
    const written = sinks.map((s, i) => {
      const sha256 = s.close();
      return { path: s.file, split: names[i]!, rows: s.rows, bytes: s.bytes, sha256 };
    });
    return { files: written, unscored };
  } catch (e) {
    await Promise.all(sinks.map((s) => s.abandon()));
    throw e;
  }
}

/** The rows an export would hold, per split and label, from the same selection; writes nothing. */
export async function previewExport(plan: ExportPlan, progress: Progress): Promise<ExportPreview> {
  const db = openDatabase(plan.dbPath, { readonly: true, ...nativeBinding(plan) });
  const workers = new ExportWorkers({ dbPath: plan.dbPath, ...nativeBinding(plan) });
  try {
    const reads = new ExportReadQueries(db);
    const sel = await selectInWorkers(workers, reads, plan, (d, t) => progress('selecting', d, t));
    return previewOf(plan, sel);
  } finally {
    await workers.close();
    db.close();
  }
}

/** Builds the whole export in a temp folder beside the destination, then swaps it in. */
export async function buildExport(plan: ExportPlan, progress: Progress): Promise<ExportOutcome> {
  const name = path.basename(plan.finalPath);
  recoverInterrupted(plan.baseDir, name);
  const temp = tempFolder(plan.baseDir, name, 'tmp');
  const db = openDatabase(plan.dbPath, { readonly: true, ...nativeBinding(plan) });
  // Started before the first read: the threads come up while this one reads the candidates.
  const workers = new ExportWorkers({ dbPath: plan.dbPath, ...nativeBinding(plan) });
  try {
    const reads = new ExportReadQueries(db);
    const sel = await selectInWorkers(workers, reads, plan, (d, t) => progress('selecting', d, t));
    const { policy, split } = resolveSplits(plan, sel);
    // Ids and groups served the split alone. Dropped, they leave a small heap for the writing
    // phase, where the workers' buffers make V8 collect the whole heap again and again.
    sel.externalIds = [];
    sel.groups = null;
    const names = splitNames(policy);
    fs.mkdirSync(temp);
    const hf = plan.options.format === 'hf';
    const dataDir = hf ? path.join(temp, 'data') : temp;
    if (hf) fs.mkdirSync(dataDir);
    const written = await writeRows(workers, plan, sel, split, names, dataDir, progress);
    const files = written.files.map((f) => ({ ...f, path: relative(temp, f.path) }));
    const scores = scoreSummary(plan, sel.exampleIds.length, written.unscored);
    const contentHash = createHash('sha256')
      .update(JSON.stringify(files.map((f) => [f.path, f.sha256])))
      .digest('hex');
    const { force: _force, dir: _dir, ...options } = plan.options;
    const manifest = {
      tool: { name: 'flywheel-workbench', version: plan.toolVersion },
      project: {
        name: plan.project.name,
        taskType: plan.project.taskType,
        inputKind: plan.project.inputKind,
        classes: plan.project.classes,
      },
      schema: {
        version: plan.schema.version,
        labels: plan.schema.labels.map((l) => ({ id: l.id, name: l.name, description: l.description })),
        changeNote: plan.schema.changeNote,
      },
      options,
      split: policy,
      counts: counts(sel, split, names),
      labelSources: labelSources(sel),
      modelRuns: plan.modelRuns,
      labelsFromModelRun: plan.modelRun,
      ...(scores ? { scores: { runs: scores, note: SCORES_NOTE } } : {}),
      importFiles: reads.importFiles(plan.project.id),
      files,
      contentHash,
    };
    const manifestSink = new FileSink(path.join(temp, 'manifest.json'));
    manifestSink.write(`${JSON.stringify(manifest, null, 2)}\n`);
    manifestSink.close();
    if (hf) {
      const card = new FileSink(path.join(temp, 'README.md'));
      card.write(datasetCard(plan, manifest.counts, files));
      card.close();
    }
    publish(temp, plan.finalPath, plan.options.force);
    const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
    return {
      rows: sel.exampleIds.length,
      peakRssMb,
      files,
      manifest,
      contentHash,
      ...(scores ? { scores } : {}),
      members: { splitNames: names, exampleIds: sel.exampleIds, splits: split },
    };
  } catch (e) {
    fs.rmSync(temp, { recursive: true, force: true });
    throw e;
  } finally {
    await workers.close();
    db.close();
  }
}
