import type { Input } from '../../../shared/api/contract';
import { ApiError } from '../../../shared/api/errors';
import { ExportFormatSchema } from '../../../shared/features/export/contract';
import { call } from '../../core/dispatch';
import type { CliValues } from '../index';
import { followJob, openCliContext, print, UsageError, type GlobalOptions } from '../cli-context';
import { EXIT } from '../exit-codes';

function date(raw: string, what: string): number {
  const t = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(raw) ? `${raw}T00:00:00Z` : raw);
  if (Number.isNaN(t)) throw new UsageError(`${what} needs a date or ISO time, e.g. 2026-10-01`);
  return t;
}

function numbers(raw: string, count: number, what: string): number[] {
  const values = raw.split(',').map(Number);
  if (values.length !== count || values.some((v) => !Number.isFinite(v)))
    throw new UsageError(`${what} needs ${count} comma-separated numbers`);
  return values;
}

function splitOf(values: CliValues): Input<'export.start'>['split'] {
  const kind = values.split;
  if (values.cutoffs) {
    const [a, b] = values.cutoffs.split(',');
    if (!a || !b) throw new UsageError('--cutoffs needs two dates, e.g. 2026-09-20,2026-10-01');
    return { kind: 'time-cutoffs', cutoffs: [date(a, '--cutoffs'), date(b, '--cutoffs')] };
  }
  const fractions = values.fractions
    ? (numbers(values.fractions, 3, '--fractions') as [number, number, number])
    : undefined;
  switch (kind) {
    case undefined:
      return fractions ? { kind: 'time-fractions', fractions } : undefined;
    case 'time':
      return { kind: 'time-fractions', fractions: fractions ?? [0.8, 0.1, 0.1] };
    case 'random':
      return { kind: 'random', fractions: fractions ?? [0.8, 0.1, 0.1], seed: values.seed ? Number(values.seed) : 1 };
    case 'none':
      return { kind: 'none' };
    default:
      throw new UsageError('--split is time (default), random or none');
  }
}

/** `--with-scores A,B`: each a run id (digits) or name@version / version. */
function runRefs(raw: string): (number | string)[] {
  const refs = raw.split(',').map((r) => r.trim());
  if (refs.some((r) => r === '')) throw new UsageError('--with-scores needs runs separated by commas, e.g. v1,v2');
  return refs.map((r) => (/^\d+$/.test(r) ? Number(r) : r));
}

/** `flywheel export PROJECT NAME [options]`, `flywheel export --again ID`, `flywheel exports PROJECT` */
export async function exportCommand(opts: GlobalOptions, args: string[], values: CliValues): Promise<number> {
  const ctx = openCliContext(opts);
  try {
    let jobId: string;
    if (values.again) {
      const exportId = Number(values.again);
      if (!Number.isInteger(exportId) || exportId < 1) throw new UsageError('--again needs an export id');
      ({ jobId } = await call('export.again', { exportId, force: values.force }, ctx));
    } else {
      const [project, name] = args;
      if (!project || !name) throw new UsageError('export needs PROJECT and NAME (or --again ID)');
      const format = ExportFormatSchema.safeParse(values.format ?? 'jsonl');
      if (!format.success) throw new UsageError(`--format is one of ${ExportFormatSchema.options.join(', ')}`);
      const split = splitOf(values);
      ({ jobId } = await call(
        'export.start',
        {
          project: { project },
          name,
          format: format.data,
          ...(values.dir ? { dir: values.dir } : {}),
          ...(values['schema-version'] ? { schemaVersion: Number(values['schema-version']) } : {}),
          ...(values.annotator ? { annotators: values.annotator.split(',') } : {}),
          ...(values.agreement ? { agreement: values.agreement as 'any' } : {}),
          ...(values.from ? { from: date(values.from, '--from') } : {}),
          ...(values.to ? { to: date(values.to, '--to') } : {}),
          ...(values['label-source'] ? { labelSource: values['label-source'] as 'human' } : {}),
          ...(values['model-run'] ? { modelRun: values['model-run'] } : {}),
          ...(values['with-scores'] ? { withScores: runRefs(values['with-scores']) } : {}),
          ...(split ? { split } : {}),
          ...(values['group-by'] ? { groupBy: values['group-by'] } : {}),
          force: values.force,
        },
        ctx,
      ));
    }
    const status = await followJob(ctx, jobId);
    if (status.state !== 'succeeded') {
      throw new ApiError(
        status.error?.code ?? 'internal',
        status.error?.message ?? 'export failed',
        status.error?.details,
      );
    }
    const r = status.result as {
      exportId: number;
      path: string;
      rows: number;
      files: { path: string; rows: number }[];
      contentHash: string;
      scores?: { run: { id: number; name: string; version: string }; unscored: number }[];
    };
    print(opts, r, () =>
      [
        `Export #${r.exportId}: ${r.rows.toLocaleString('en-US')} rows in ${r.path}`,
        ...r.files.map((f) => `  ${f.path}: ${f.rows.toLocaleString('en-US')} rows`),
        ...(r.scores ?? []).map(
          (s) =>
            `  scores of ${s.run.name}@${s.run.version} (run${s.run.id}_*): ` +
            (s.unscored === 0
              ? 'every row'
              : `${s.unscored.toLocaleString('en-US')} of ${r.rows.toLocaleString('en-US')} rows not scored by this run (their cells are empty)`),
        ),
        `  content hash ${r.contentHash}`,
      ].join('\n'),
    );
    return EXIT.ok;
  } catch (e) {
    // On the command line, replacing an export is the --force option.
    if (e instanceof ApiError && (e.details as { reason?: string } | undefined)?.reason === 'exists') {
      throw new ApiError(e.code, `${e.message} with --force`, e.details);
    }
    throw e;
  } finally {
    await ctx.dispose();
  }
}

export async function exportsCommand(opts: GlobalOptions, args: string[]): Promise<number> {
  const [project] = args;
  if (!project) throw new UsageError('exports needs PROJECT');
  const ctx = openCliContext(opts);
  try {
    const list = await call('export.list', { project }, ctx);
    print(opts, list, () =>
      list.length === 0
        ? `No exports of ${project} yet.`
        : list
            .map((e) => `#${e.id}  ${new Date(e.createdAt).toISOString()}  ${e.format}  ${e.rows} rows  ${e.path}`)
            .join('\n'),
    );
    return EXIT.ok;
  } finally {
    await ctx.dispose();
  }
}
