import { metadataFilters } from './mine';
import type { Input } from '../../../shared/api/contract';
import { LabelSourceSchema, parseInstant } from '../../../shared/features/insights/contract';
import type { EvalSet } from '../../../shared/features/insights/eval-sets-contract';
import { call } from '../../core/dispatch';
import type { CliValues } from '../index';
import { openCliContext, print, UsageError, type GlobalOptions } from '../cli-context';
import { EXIT } from '../exit-codes';

function instant(raw: string | undefined, name: string): number | undefined {
  if (raw === undefined) return undefined;
  const t = parseInstant(raw);
  if (Number.isNaN(t)) throw new UsageError(`--${name} needs a date or ISO time, e.g. 2026-10-01`);
  return t;
}

function describeSet(s: EvalSet): string[] {
  const d = s.definition as {
    source: string;
    from: string | null;
    to: string | null;
    metadata: object;
    provenance: string;
  };
  const where = Object.entries(d.metadata ?? {}).map(([k, v]) => `${k}=${String(v)}`);
  const x = s.summary.excluded;
  const left = Object.entries({
    'outside the window': x.outsideWindow,
    'without a timestamp': x.noTimestamp,
    'by metadata': x.metadata,
    'by provenance': x.provenance,
    'mapping to no class': x.unmapped,
  })
    .filter(([, n]) => n > 0)
    .map(([why, n]) => `${n} ${why}`);
  return [
    `${s.name}: ${s.summary.n} examples (${s.summary.fromTruth} ground truth, ${s.summary.fromCurated} curated: ` +
      `${s.summary.control} control sample, ${s.summary.mined} mined), label schema v${s.schemaVersion}, ` +
      `created ${new Date(s.createdAt).toISOString()}`,
    `  source ${d.source}, window ${d.from ?? '…'} – ${d.to ?? '…'}` +
      (where.length ? `, where ${where.join(', ')}` : '') +
      (d.provenance !== 'any' ? `, ${d.provenance} labels only` : '') +
      (s.summary.firstTs ? `; examples from ${s.summary.firstTs} to ${s.summary.lastTs}` : ''),
    ...(left.length ? [`  left out: ${left.join(', ')}`] : []),
  ];
}

/** `flywheel eval-set create PROJECT NAME [filters]`, `eval-set list PROJECT`, `eval-set show PROJECT NAME` */
export async function evalSetCommand(opts: GlobalOptions, args: string[], values: CliValues): Promise<number> {
  const [sub, project, name, ...extra] = args;
  const usage =
    'eval-set create PROJECT NAME [--source S] [--from DATE] [--to DATE] [--where K=V] [--control-only] | list PROJECT | show PROJECT NAME';
  if (!sub || !project || extra.length > 0) throw new UsageError(usage);
  const ctx = openCliContext(opts);
  try {
    if (sub === 'list') {
      if (name) throw new UsageError(usage);
      const sets = await call('evalSets.list', { project }, ctx);
      print(opts, sets, () =>
        sets.length ? sets.flatMap(describeSet).join('\n') : `No evaluation sets in ${project}.`,
      );
      return EXIT.ok;
    }
    if (!name) throw new UsageError(usage);
    if (sub === 'show') {
      const s = await call('evalSets.show', { project: { project }, name }, ctx);
      print(opts, s, () =>
        [
          ...describeSet(s),
          `  labels: ${Object.entries(s.labels)
            .map(([l, n]) => `${l} ${n}`)
            .join(', ')}`,
        ].join('\n'),
      );
      return EXIT.ok;
    }
    if (sub !== 'create') throw new UsageError(usage);
    const source = values.source === undefined ? undefined : LabelSourceSchema.safeParse(values.source);
    if (source && !source.success) throw new UsageError(`--source is one of ${LabelSourceSchema.options.join(', ')}`);
    const from = instant(values.from, 'from');
    const to = instant(values.to, 'to');
    const metadata = metadataFilters(values.where);
    const input: Input<'evalSets.create'> = {
      project: { project },
      name,
      ...(source?.success ? { source: source.data } : {}),
      ...(from !== undefined ? { from } : {}),
      ...(to !== undefined ? { to } : {}),
      ...(metadata ? { metadata } : {}),
      ...(values['control-only'] ? { provenance: 'control' as const } : {}),
      ...(values['schema-version'] ? { schemaVersion: Number(values['schema-version']) } : {}),
    };
    const s = await call('evalSets.create', input, ctx);
    print(opts, s, () =>
      [
        `Evaluation set created. Its examples and their labels are frozen: later relabels do not change it.`,
        ...describeSet(s),
      ].join('\n'),
    );
    return EXIT.ok;
  } finally {
    await ctx.dispose();
  }
}

/** `--trained-on EXPORT_ID` and `--train-until DATE`, shared by model add and model-run lineage. */
export function lineageOptions(values: CliValues): { trainedOn?: number; trainUntil?: number } {
  const out: { trainedOn?: number; trainUntil?: number } = {};
  if (values['trained-on'] !== undefined) {
    const id = Number(values['trained-on']);
    if (!Number.isInteger(id) || id <= 0)
      throw new UsageError('--trained-on is an export id (flywheel exports PROJECT lists them)');
    out.trainedOn = id;
  }
  const until = instant(values['train-until'], 'train-until');
  if (until !== undefined) out.trainUntil = until;
  return out;
}

/** `flywheel model-run lineage PROJECT RUN --trained-on EXPORT_ID | --train-until DATE` */
export async function modelRunCommand(opts: GlobalOptions, args: string[], values: CliValues): Promise<number> {
  const [sub, project, run, ...extra] = args;
  if (sub !== 'lineage' || !project || !run || extra.length > 0)
    throw new UsageError('model-run lineage PROJECT RUN --trained-on EXPORT_ID | --train-until DATE');
  const lineage = lineageOptions(values);
  if (lineage.trainedOn === undefined && lineage.trainUntil === undefined)
    throw new UsageError('model-run lineage needs --trained-on EXPORT_ID or --train-until DATE');
  const ctx = openCliContext(opts);
  try {
    const r = await call(
      'models.setLineage',
      { project: { project }, modelRun: /^\d+$/.test(run) ? Number(run) : run, ...lineage },
      ctx,
    );
    print(
      opts,
      r,
      () =>
        `${r.model} was trained on ${[
          r.exportId !== null ? `export #${r.exportId}` : '',
          r.trainUntil ? `examples before ${r.trainUntil}` : '',
        ]
          .filter(Boolean)
          .join(
            ' and ',
          )}: ${r.trainingExamples} examples of ${project}, which eval leaves out when it judges this model.`,
    );
    return EXIT.ok;
  } finally {
    await ctx.dispose();
  }
}
