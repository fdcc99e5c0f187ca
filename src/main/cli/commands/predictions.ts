import { ApiError } from '../../../shared/api/errors';
import { PredictionsFormatSchema, type PredictionsExportResult } from '../../../shared/features/predictions/contract';
import { call } from '../../core/dispatch';
import type { CliValues } from '../index';
import { followJob, openCliContext, print, UsageError, type GlobalOptions } from '../cli-context';
import { EXIT } from '../exit-codes';
import path from 'node:path';

/** `flywheel predictions PROJECT RUN [--format jsonl|csv|parquet] [--out PATH] [--force]` */
export async function predictionsCommand(opts: GlobalOptions, args: string[], values: CliValues): Promise<number> {
  const [project, run, ...rest] = args;
  if (!project || !run || rest.length > 0) throw new UsageError('predictions needs PROJECT and RUN (name@version)');
  const format = PredictionsFormatSchema.safeParse(values.format ?? 'jsonl');
  if (!format.success) throw new UsageError(`--format is one of ${PredictionsFormatSchema.options.join(', ')}`);
  const ctx = openCliContext(opts);
  try {
    const { jobId } = await call(
      'predictions.export',
      {
        project: { project },
        run: /^\d+$/.test(run) ? Number(run) : run,
        format: format.data,
        ...(values.out ? { out: path.resolve(values.out) } : {}),
        force: values.force,
      },
      ctx,
    );
    const status = await followJob(ctx, jobId);
    if (status.state !== 'succeeded') {
      throw new ApiError(
        status.error?.code ?? 'internal',
        status.error?.message ?? 'predictions export failed',
        status.error?.details,
      );
    }
    const r = status.result as PredictionsExportResult;
    print(opts, r, () =>
      [
        `${r.rows.toLocaleString('en-US')} predictions of ${r.run.name}@${r.run.version} in ${r.path}`,
        `  score columns: ${r.columns.join(', ')}`,
        `  sha256 ${r.sha256}`,
      ].join('\n'),
    );
    return EXIT.ok;
  } finally {
    await ctx.dispose();
  }
}
