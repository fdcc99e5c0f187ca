import { ApiError } from '../../../shared/api/errors';
import type { Input } from '../../../shared/api/contract';
import { ImportMappingSchema } from '../../../shared/features/import/mapping';
import type { MineFileResult } from '../../../shared/features/mine-file/contract';
import { call } from '../../core/dispatch';
import { pathKind, readRegularText } from '../../io/safe-open';
import type { CliValues } from '../index';
import { followJob, openCliContext, print, UsageError, type GlobalOptions } from '../cli-context';
import { EXIT } from '../exit-codes';
import { number, selectionOf } from './mine';

const count = (x: number) => x.toLocaleString('en-US');

/** --mapping: a mapping file (NAME.json that exists) or a saved mapping's name. */
function mappingOf(raw: string | undefined): Pick<Input<'mineFile.start'>, 'mapping' | 'mappingName'> {
  if (raw === undefined) return {};
  if (raw.endsWith('.json') && pathKind(raw) !== 'missing') {
    const parsed = ImportMappingSchema.safeParse(JSON.parse(readRegularText(raw, 'mapping file')));
    if (!parsed.success)
      throw new ApiError(
        'bad-mapping',
        `${raw}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      );
    return { mapping: parsed.data };
  }
  return { mappingName: raw };
}

function histogramLines(r: MineFileResult): string[] {
  const { min, max, all, selected } = r.histogram;
  const width = (max - min) / all.length;
  const most = Math.max(1, ...all);
  const bins = all
    .map((n, i) => ({ n, i }))
    .filter(({ n }) => n > 0)
    .reverse()
    .map(({ n, i }) => {
      const from = min + i * width;
      const bar = '#'.repeat(Math.ceil((n / most) * 30));
      return `  ${from.toFixed(3)}–${(from + width).toFixed(3)}  ${String(selected[i]).padStart(6)} of ${String(n).padEnd(9)} ${bar}`;
    });
  return bins.length > 0 ? ['Priorities of the eligible rows (selected of all, per bin, highest first):', ...bins] : [];
}

function describe(r: MineFileResult): string {
  const files = r.files.length === 1 ? r.files[0]! : `${r.files.length} files`;
  const lines = [
    `${r.dryRun ? 'Dry run, nothing imported or queued: ' : ''}${r.strategy} over ${files} (mapping ${r.mapping}): ` +
      `${count(r.scanned)} rows scanned, ${count(r.rejected)} refused, ${count(r.eligible)} eligible, ${count(r.selected)} selected` +
      ` (${r.controlSample} of them a random control sample).`,
  ];
  if (r.rejected > 0) lines.push(`Refused rows are listed in ${r.rejectsPath}.`);
  if (r.repeatedIds > 0)
    lines.push(`${count(r.repeatedIds)} rows repeat an id seen earlier in the files: the first counts.`);
  lines.push(
    `${r.alreadyPresent} of the selected rows are already in the project (not imported again); ` +
      `${r.suppressedDuplicates} duplicates and ${r.suppressedByQuota} over quota left out; ${r.doublyLabeled} for two annotators.`,
  );
  if (r.dryRun) {
    if (r.cutoff !== null) lines.push(`Cut-off priority ${r.cutoff.toFixed(4)} (the last ranked row selected).`);
    lines.push(...histogramLines(r));
  } else if (r.miningRunId !== null) {
    lines.push(
      `Imported ${count(r.imported)} rows (import #${r.importRunId}); mining run #${r.miningRunId}: ` +
        `${r.added} added to the queue, ${r.updated} re-prioritised, ${r.alreadyQueued} already there.`,
    );
  }
  lines.push(
    `Scan ${(r.timings.scanMs / 1000).toFixed(1)} s, selection ${(r.timings.selectMs / 1000).toFixed(1)} s, ` +
      `import ${(r.timings.importMs / 1000).toFixed(1)} s.`,
  );
  lines.push(...r.top.slice(0, 10).map((i) => `  ${i.priority.toFixed(3)}  ${i.externalId}  ${i.reason}`));
  return lines.join('\n');
}

/** `flywheel mine-file PROJECT 'GLOB' --strategy S [options]` */
export async function mineFileCommand(opts: GlobalOptions, args: string[], values: CliValues): Promise<number> {
  const [project, paths, ...rest] = args;
  if (!project || !paths) throw new UsageError("mine-file needs PROJECT and a file or a quoted 'GLOB'");
  if (rest.length > 0)
    throw new UsageError(
      `mine-file takes one file or glob; quote a glob so the shell leaves it alone ('logs/*.parquet')`,
    );
  const selection = selectionOf(values);
  const threads = number(values, 'threads', 'a whole number');
  const memory = number(values, 'memory-limit', 'megabytes');
  const input: Input<'mineFile.start'> = {
    project: { project },
    paths,
    ...mappingOf(values.mapping),
    ...selection,
    ...(threads !== undefined ? { threads } : {}),
    ...(memory !== undefined ? { memoryLimitMb: memory } : {}),
    dryRun: values['dry-run'],
    listItems: opts.json,
  };
  const ctx = openCliContext(opts);
  try {
    const { jobId } = await call('mineFile.start', input, ctx);
    const status = await followJob(ctx, jobId);
    if (status.state !== 'succeeded') {
      const error = status.error ?? { code: 'internal' as const, message: 'mine-file stopped' };
      throw new ApiError(error.code, error.message);
    }
    const r = status.result as MineFileResult;
    print(opts, r, () => describe(r));
    return EXIT.ok;
  } finally {
    await ctx.dispose();
  }
}
