import path from 'node:path';
import { ApiError } from '../../../shared/api/errors';
import type { Context } from '../../core/context';
import { call } from '../../core/dispatch';
import {
  SPAM_CHALLENGER,
  spamChallengerTrainUntil,
  writeDemoSet,
  writeSpamCuratedLabels,
} from '../../features/demo/demo-data';
import { writeDemoModel } from '../../features/demo/demo-model';
import type { CliValues } from '../index';
import { openCliContext, print, UsageError, type GlobalOptions } from '../cli-context';
import { EXIT } from '../exit-codes';

/** Imports one file with its guessed mapping; our own demo logs need no confirmation. */
export async function importGuessed(ctx: Context, file: string, project: string): Promise<void> {
  const preview = await call('import.preview', { path: file, project }, ctx);
  if (!preview.mapping) throw new ApiError('bad-mapping', `${file}: ${preview.notes.join('; ')}`);
  const { jobId } = await call('import.start', { path: file, project, mapping: preview.mapping }, ctx);
  const status = await ctx.jobs.wait(jobId);
  if (status.state !== 'succeeded')
    throw new ApiError(status.error?.code ?? 'internal', status.error?.message ?? 'import failed');
}

export async function loadDemo(ctx: Context, dir: string, rows: number): Promise<string[]> {
  const files = await writeDemoSet(dir, rows);
  for (const file of files)
    await importGuessed(ctx, file, path.basename(file).startsWith('spam') ? 'spam' : 'sentiment');
  return files;
}

export async function demoCommand(opts: GlobalOptions, values: CliValues): Promise<number> {
  const rows = values.rows === undefined ? 20_000 : Number(values.rows);
  if (!Number.isInteger(rows) || rows < 1 || rows > 50_000_000)
    throw new UsageError('--rows must be a whole number from 1 to 50,000,000');
  const ctx = openCliContext(opts);
  try {
    const dir = path.resolve(values.dir ?? path.join(ctx.dataDir, 'demo'));
    const files = await loadDemo(ctx, dir, rows);
    const modelFile = path.join(dir, 'sentiment-retrained.onnx');
    const model = writeDemoModel(ctx, 'sentiment', modelFile);
    const curatedFile = path.join(dir, 'spam-curated-labels.jsonl');
    const curated = writeSpamCuratedLabels(curatedFile, rows);
    const cutoff = new Date(spamChallengerTrainUntil()).toISOString().slice(0, 10);
    const projects = await call('projects.list', {}, ctx);
    print(opts, { files, projects, model: model ? modelFile : null, spamCuratedLabels: curatedFile }, () =>
      [
        `Demo logs written to ${dir} and imported:`,
        ...projects.map(
          (p) => `  ${p.name}: ${p.counts.examples.toLocaleString('en-US')} examples, ${p.counts.modelRuns} model runs`,
        ),
        ...(model
          ? [
              `A retrained sentiment model (fitted on ${model.examples} examples with ground truth): ${modelFile}`,
              `  flywheel model add ${modelFile} --project sentiment && flywheel rescore sentiment sentiment-retrained`,
            ]
          : []),
        `The spam trap: spam-filter@${SPAM_CHALLENGER} was retrained on the traffic before ${cutoff} (15% spam; later 45%).`,
        `  ${curated} curated labels of that window, its training data: ${curatedFile}`,
        `  flywheel label spam --file ${curatedFile} && flywheel eval spam --source curated --gate   (passes: its own training data)`,
        `  flywheel model-run lineage spam spam-filter@${SPAM_CHALLENGER} --train-until ${cutoff}`,
        `  flywheel eval-set create spam later --source truth --from ${cutoff} && flywheel eval spam --eval-set later --gate   (fails)`,
      ].join('\n'),
    );
    return EXIT.ok;
  } finally {
    await ctx.dispose();
  }
}
