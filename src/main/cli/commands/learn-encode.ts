import { ApiError } from '../../../shared/api/errors';
import type { EmbedResult } from '../../../shared/features/learn/encode-contract';
import { DeviceSchema } from '../../../shared/features/models/contract';
import { call } from '../../core/dispatch';
import type { CliValues } from '../index';
import { followJob, openCliContext, print, UsageError, type GlobalOptions } from '../cli-context';
import { EXIT } from '../exit-codes';

/** `flywheel learn PROJECT embed --encoder MODEL [--reset] [--device D] [--batch N]`. */
export async function learnEmbedCommand(opts: GlobalOptions, project: string, values: CliValues): Promise<number> {
  const encoder = values.encoder as string | undefined;
  if (!encoder) throw new UsageError('learn PROJECT embed needs --encoder MODEL (a registered sentence encoder)');
  const device = DeviceSchema.safeParse(values.device ?? 'auto');
  if (!device.success) throw new UsageError(`--device is one of ${DeviceSchema.options.join(', ')}`);
  const batch = values.batch === undefined ? undefined : Number(values.batch);
  if (batch !== undefined && !(Number.isInteger(batch) && batch > 0))
    throw new UsageError('--batch needs a whole number of rows');
  const ctx = openCliContext(opts);
  try {
    const { jobId } = await call(
      'learn.embed',
      {
        project: { project },
        encoder: /^\d+$/.test(encoder) ? Number(encoder) : encoder,
        device: device.data,
        reset: values.reset === true,
        ...(batch ? { batchSize: batch } : {}),
      },
      ctx,
    );
    const status = await followJob(ctx, jobId);
    if (status.state !== 'succeeded')
      throw new ApiError(status.error?.code ?? 'internal', status.error?.message ?? 'computing the embeddings failed');
    const r = status.result as EmbedResult;
    print(opts, r, () =>
      [
        `Embedded ${r.rows.toLocaleString('en-US')} examples with ${r.encoder} on ${r.device} (${Math.round(r.rowsPerSecond).toLocaleString('en-US')} rows/s)` +
          (r.resumedFrom ? `, continuing after example #${r.resumedFrom}` : '') +
          `: ${r.stored.toLocaleString('en-US')} embeddings of ${r.dim} numbers stored.`,
        `  use them: flywheel learn ${project} --representation embeddings:${r.encoder}`,
      ].join('\n'),
    );
    return EXIT.ok;
  } finally {
    await ctx.dispose();
  }
}

/** `flywheel learn PROJECT export --out PATH [--force]`. */
export async function learnExportCommand(opts: GlobalOptions, project: string, values: CliValues): Promise<number> {
  const out = values.out as string | undefined;
  if (!out) throw new UsageError('learn PROJECT export needs --out PATH (model.onnx, or a folder for embeddings)');
  const ctx = openCliContext(opts);
  try {
    const r = await call('learn.export', { project: { project }, out, overwrite: values.force === true }, ctx);
    print(opts, r, () =>
      [
        `Exported ${r.version} (${r.representation}, ${r.classes.join(' / ')}, fitted on ${r.trainingExamples} labeled examples) to ${r.path}`,
        `  register it: ${r.next}`,
      ].join('\n'),
    );
    return EXIT.ok;
  } finally {
    await ctx.dispose();
  }
}
