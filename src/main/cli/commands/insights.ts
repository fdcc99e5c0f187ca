import type { Input } from '../../../shared/api/contract';
import { ComparedMetricSchema } from '../../../shared/features/insights/contract';
import { call } from '../../core/dispatch';
import type { CliValues } from '../index';
import { openCliContext, print, UsageError, type GlobalOptions } from '../cli-context';
import { EXIT } from '../exit-codes';

const f = (x: number | null, digits = 3) => (x === null ? 'n/a' : x.toFixed(digits));
const ref = (r: string) => (/^\d+$/.test(r) ? Number(r) : r);

function day(raw: string, what: string): number {
  const t = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(raw) ? `${raw}T00:00:00Z` : raw);
  if (Number.isNaN(t)) throw new UsageError(`${what} needs dates, e.g. 2026-09-01..2026-09-15`);
  return t;
}

function window(raw: string | undefined, what: string): { from: number; to: number } | undefined {
  if (raw === undefined) return undefined;
  const [from, to] = raw.split('..');
  if (!from || !to) throw new UsageError(`${what} is FROM..TO, e.g. 2026-09-01..2026-09-15`);
  return { from: day(from, what), to: day(to, what) };
}

/** `flywheel eval PROJECT [--champion A --challenger B] [--metric M] [--margin X] [--gate]` */
export async function evalCommand(opts: GlobalOptions, args: string[], values: CliValues): Promise<number> {
  const [project] = args;
  if (!project) throw new UsageError('eval needs PROJECT');
  const metric = ComparedMetricSchema.safeParse(values.metric ?? 'macroF1');
  if (!metric.success) throw new UsageError(`--metric is one of ${ComparedMetricSchema.options.join(', ')}`);
  const input: Input<'insights.eval'> = {
    project: { project },
    metric: metric.data,
    ...(values.runs ? { modelRuns: values.runs.split(',').map(ref) } : {}),
    ...(values.champion ? { champion: ref(values.champion) } : {}),
    ...(values.challenger ? { challenger: ref(values.challenger) } : {}),
    ...(values.margin ? { margin: Number(values.margin) } : {}),
    ...(values.seed ? { seed: Number(values.seed) } : {}),
    ...(values['schema-version'] ? { schemaVersion: Number(values['schema-version']) } : {}),
  };
  const ctx = openCliContext(opts);
  try {
    const r = await call('insights.eval', input, ctx);
    print(opts, r, () => {
      const lines = [
        `Curated labels under schema v${r.schemaVersion}${r.unmapped ? ` (${r.unmapped} map to no model class)` : ''}:`,
      ];
      for (const run of r.runs) {
        const line = (name: string, m: typeof run.all) =>
          `  ${name.padEnd(14)} n=${String(m.n).padEnd(6)} accuracy ${f(m.accuracy)}  macro-F1 ${f(m.macroF1)}  ROC-AUC ${f(m.rocAuc)}  log loss ${f(m.logLoss)}  ECE ${f(m.ece)}`;
        lines.push(run.name, line('all', run.all), line('random sample', run.randomSample), line('mined', run.mined));
      }
      const c = r.comparison;
      if (c) {
        lines.push(
          `${c.challenger} vs ${c.champion} on ${c.n} examples: ${c.metric} ${f(c.challengerValue)} vs ${f(c.championValue)}, ` +
            `difference ${f(c.diff)} (95% CI ${f(c.lo)} to ${f(c.hi)}); gate (margin ${c.margin}): ${c.gatePassed ? 'passed' : 'FAILED'}`,
        );
      }
      return lines.join('\n');
    });
    return values.gate && r.comparison && !r.comparison.gatePassed ? EXIT.gateFailed : EXIT.ok;
  } finally {
    await ctx.dispose();
  }
}

/** `flywheel drift PROJECT --reference FROM..TO --current FROM..TO [--model-run R]` or `--runs A,B` */
export async function driftCommand(opts: GlobalOptions, args: string[], values: CliValues): Promise<number> {
  const [project] = args;
  if (!project) throw new UsageError('drift needs PROJECT');
  const runs = values.runs?.split(',').map(ref);
  if (runs && runs.length !== 2) throw new UsageError('--runs names two model runs, A,B');
  const reference = window(values.reference, '--reference');
  const current = window(values.current, '--current');
  const input: Input<'insights.drift'> = {
    project: { project },
    ...(runs ? { runs: runs as [string | number, string | number] } : {}),
    ...(reference ? { reference } : {}),
    ...(current ? { current } : {}),
    ...(values['model-run'] ? { modelRun: ref(values['model-run']) } : {}),
  };
  const ctx = openCliContext(opts);
  try {
    const r = await call('insights.drift', input, ctx);
    print(opts, r, () =>
      [
        `Drift from ${r.reference} to ${r.current}: ${r.worst}`,
        ...r.rows.map(
          (x) =>
            `  ${x.level.padEnd(5)} ${x.quantity.padEnd(24)} PSI ${f(x.psi)}  KS ${f(x.ks)} (p ${f(x.ksPValue, 4)})`,
        ),
      ].join('\n'),
    );
    return values.gate && r.worst === 'alert' ? EXIT.gateFailed : EXIT.ok;
  } finally {
    await ctx.dispose();
  }
}
