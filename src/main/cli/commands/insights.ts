import type { Input, Output } from '../../../shared/api/contract';
import { ComparedMetricSchema, LabelSourceSchema, parseInstant } from '../../../shared/features/insights/contract';
import { call } from '../../core/dispatch';
import type { CliValues } from '../index';
import { openCliContext, print, UsageError, type GlobalOptions } from '../cli-context';
import { EXIT } from '../exit-codes';
import { guardOf } from './slices';

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

type Evaluation = Output<'insights.eval'>;

function margin(raw: string | undefined, name: string): number | undefined {
  if (raw === undefined) return undefined;
  const x = Number(raw);
  if (!(x >= 0 && x <= 1)) throw new UsageError(`--${name} is a number between 0 and 1, e.g. 0.01`);
  return x;
}

function instant(raw: string | undefined, name: string): number | undefined {
  if (raw === undefined) return undefined;
  const t = parseInstant(raw);
  if (Number.isNaN(t)) throw new UsageError(`--${name} needs a date or ISO time, e.g. 2026-10-01`);
  return t;
}

const SOURCE_NAMES = {
  truth: 'imported ground truth',
  curated: 'curated labels',
  both: 'ground truth and curated labels',
};

function evaluationSetText(r: Evaluation): string[] {
  const s = r.evaluationSet;
  const window = s.from || s.to ? `, window ${s.from ?? '…'} – ${s.to ?? '…'} (to excluded)` : ', no time window';
  const excluded = Object.entries({
    'outside the window': s.excluded.outsideWindow,
    'without a timestamp': s.excluded.noTimestamp,
    'ground truth naming no class of the schema': s.excluded.truthUnmapped,
    'curated labels mapping to no model class': s.excluded.curatedUnmapped,
  })
    .filter(([, n]) => n > 0)
    .map(([what, n]) => `${n} ${what}`);
  return [
    `Evaluation set: ${s.name ? `'${s.name}' (frozen), ` : ''}${SOURCE_NAMES[s.source]} (${s.sourceReason}), label schema v${r.schemaVersion}${window}`,
    `  n=${s.n}: ${s.fromTruth} from ground truth, ${s.fromCurated} curated` +
      (s.both > 0 ? `; ${s.both} have both, ${s.disagreeing} of them disagree` : '') +
      (excluded.length > 0 ? `; excluded: ${excluded.join(', ')}` : ''),
    ...r.notes.map((n) => `  note: ${n}`),
  ];
}

/** The report at the run's own threshold (or logged labels), beside the argmax line above it. */
function atThresholdText(m: Evaluation['runs'][number]['all']): string[] {
  const t = m.atThreshold;
  if (!t) return [];
  const classes = t.perClass.map((c) => `${c.label} P ${f(c.precision)} R ${f(c.recall)} F1 ${f(c.f1)}`).join('; ');
  return [
    `  at threshold   n=${String(m.n).padEnd(6)} accuracy ${f(t.accuracy)}  macro-F1 ${f(t.macroF1)}` +
      (t.predictedPositiveRate === null ? '' : `  predicted positive ${f(t.predictedPositiveRate)}`) +
      `  (${classes})`,
  ];
}

const DIFFERENCE_NAMES = {
  accuracy: 'accuracy',
  macroF1: 'macro-F1',
  rocAuc: 'ROC-AUC',
  prAuc: 'PR-AUC',
  logLoss: 'log loss',
  brier: 'Brier',
  precision: 'precision',
  recall: 'recall',
  f1: 'F1',
} as const;

const VERDICT_TEXT = { pass: 'passed', fail: 'FAILED', insufficient: 'INSUFFICIENT EVIDENCE' } as const;

function comparisonText(c: NonNullable<Evaluation['comparison']>): string[] {
  const m = c.mcnemar;
  return [
    `${c.challenger} (challenger) vs ${c.champion} (champion) on ${c.n} common examples ` +
      `(${c.champion}: ${c.coverage.champion}, ${c.challenger}: ${c.coverage.challenger} of ${c.coverage.of} scored); ` +
      `paired bootstrap stratified by label, ${c.samples} resamples, seed ${c.seed}`,
    ...c.checks.map(
      (x) =>
        `  ${VERDICT_TEXT[x.verdict].padEnd(21)} ${(x.kind === 'primary' ? x.name : x.kind === 'slice' ? `slice ${x.name}` : `recall ${x.name}`).padEnd(22)} ` +
        `n=${String(x.n).padEnd(6)} ${f(x.challenger)} vs ${f(x.champion)}, difference ${f(x.diff)} ` +
        `(95% CI ${f(x.lo)} to ${f(x.hi)}), margin ${x.higherIsBetter ? '−' : '+'}${x.margin}`,
    ),
    `  every difference, challenger − champion (95% CI; log loss and Brier: lower is better):`,
    ...c.differences.map(
      (d) =>
        `    ${(d.class === null ? DIFFERENCE_NAMES[d.metric] : `${DIFFERENCE_NAMES[d.metric]} ${d.class}`).padEnd(24)} ` +
        `${f(d.challenger)} vs ${f(d.champion)}, difference ${f(d.diff)} (${f(d.lo)} to ${f(d.hi)})`,
    ),
    `  McNemar exact test (accuracy): ${m.championOnly} right only by the champion, ${m.challengerOnly} only by the challenger, p = ${m.pValue.toPrecision(3)}`,
    `  judged on: ${c.basis.includeMined ? 'every label, mined ones included (asked)' : 'ground truth, control-sample and unmined labels'}` +
      (c.basis.minedLeftOut > 0 ? `; ${c.basis.minedLeftOut} mined labels left out` : '') +
      (c.basis.trainingLeftOut > 0 ? `; ${c.basis.trainingLeftOut} training examples left out` : ''),
    ...c.basis.lineage.map((l) => `  lineage: ${l}`),
    `gate (margin ${c.margin}): ${VERDICT_TEXT[c.verdict]} — ${c.reason}`,
    ...(c.labelsNeeded
      ? [
          `  too little evidence for a conclusion: about ${c.labelsNeeded.more} more unbiased labels needed (target: ${c.labelsNeeded.target})`,
        ]
      : []),
  ];
}

/**
 * `flywheel eval PROJECT [--champion A --challenger B] [--metric M] [--margin X] [--recall-margin X]
 * [--source truth|curated|both] [--from DATE] [--to DATE] [--gate]`
 */
export async function evalCommand(opts: GlobalOptions, args: string[], values: CliValues): Promise<number> {
  const [project] = args;
  if (!project) throw new UsageError('eval needs PROJECT');
  const metric = ComparedMetricSchema.safeParse(values.metric ?? 'macroF1');
  if (!metric.success) throw new UsageError(`--metric is one of ${ComparedMetricSchema.options.join(', ')}`);
  const source = values.source === undefined ? undefined : LabelSourceSchema.safeParse(values.source);
  if (source && !source.success) throw new UsageError(`--source is one of ${LabelSourceSchema.options.join(', ')}`);
  const from = instant(values.from, 'from');
  const to = instant(values.to, 'to');
  const gateMargin = margin(values.margin, 'margin');
  const recallMargin = margin(values['recall-margin'], 'recall-margin');
  const input: Input<'insights.eval'> = {
    project: { project },
    metric: metric.data,
    ...(values.runs ? { modelRuns: values.runs.split(',').map(ref) } : {}),
    ...(values.champion ? { champion: ref(values.champion) } : {}),
    ...(values.challenger ? { challenger: ref(values.challenger) } : {}),
    ...(gateMargin !== undefined ? { margin: gateMargin } : {}),
    ...(recallMargin !== undefined ? { recallMargin } : {}),
    ...(values.guard?.length ? { guards: values.guard.map(guardOf) } : {}),
    ...(source?.success ? { source: source.data } : {}),
    ...(from !== undefined ? { from } : {}),
    ...(to !== undefined ? { to } : {}),
    ...(values.seed ? { seed: Number(values.seed) } : {}),
    ...(values['schema-version'] ? { schemaVersion: Number(values['schema-version']) } : {}),
    ...(values['eval-set'] ? { evalSet: values['eval-set'] } : {}),
    ...(values['gate-on-mined'] ? { includeMined: true } : {}),
  };
  const ctx = openCliContext(opts);
  try {
    const r = await call('insights.eval', input, ctx);
    print(opts, r, () => {
      const lines = evaluationSetText(r);
      for (const run of r.runs) {
        const line = (name: string, m: typeof run.all) =>
          `  ${name.padEnd(14)} n=${String(m.n).padEnd(6)} accuracy ${f(m.accuracy)}  macro-F1 ${f(m.macroF1)}  ROC-AUC ${f(m.rocAuc)}  PR-AUC ${f(m.prAuc)}  log loss ${f(m.logLoss)}  Brier ${f(m.brier)}  ECE ${f(m.ece)}`;
        const p = run.all.positiveRate;
        lines.push(
          `${run.name} (scored ${run.coverage.scored} of ${run.coverage.of}` +
            (run.training.excluded > 0 ? `; ${run.training.excluded} left out as its training data` : '') +
            (run.training.lineage ? `; trained on ${run.training.lineage})` : '; no training lineage recorded)'),
          line('all', run.all),
          line('unbiased', run.unbiased),
          line('control sample', run.randomSample),
          line('mined', run.mined),
          `  decisions      ${run.decision.description}`,
          ...atThresholdText(run.all),
          p
            ? `  calibration    ECE of P(positive) ${f(run.all.ece)}; predicted positive ${f(p.predicted)} vs labeled positive ${f(p.labeled)} (mean P(positive) ${f(p.meanProbability)})`
            : `  calibration    top-label ECE ${f(run.all.topLabelEce)}, class-wise ECE ${f(run.all.classwiseEce)}`,
        );
      }
      if (r.priorShift?.length) {
        lines.push('Positive rate per window (labeled vs predicted):');
        for (const w of r.priorShift)
          lines.push(
            `  ${w.from.slice(0, 10)} – ${w.to.slice(0, 10)}  n=${String(w.n).padEnd(6)} labeled ${f(w.labeled)}  ` +
              w.predicted.map((p) => `${p.run} ${f(p.rate)}`).join('  '),
          );
      }
      if (r.comparison) lines.push(...comparisonText(r.comparison));
      return lines.join('\n');
    });
    if (!values.gate || !r.comparison) return EXIT.ok;
    return r.comparison.verdict === 'pass'
      ? EXIT.ok
      : r.comparison.verdict === 'fail'
        ? EXIT.gateFailed
        : EXIT.insufficient;
  } finally {
    await ctx.dispose();
  }
}

const rowText = (x: Output<'insights.drift'>['rows'][number]) =>
  `  ${x.level.padEnd(5)} ${x.quantity.padEnd(24)} PSI ${f(x.psi)}  KS ${f(x.ks)} (p ${f(x.ksPValue, 4)})  n ${x.reference} → ${x.current}`;
const pctOf = (x: number | null) => (x === null ? 'n/a' : `${(100 * x).toFixed(1)}%`);

/** The summary and what it rests on: top movers, each run's score shift, the class balance; `all`: every row too. */
export function driftText(r: Output<'insights.drift'>, all: boolean): string {
  const lines = [`Drift from ${r.reference} to ${r.current}: ${r.worst}`, r.summary];
  if (r.traffic) {
    lines.push(
      '',
      `Traffic: the ${r.traffic.movers.length} largest movers of ${r.traffic.compared} features and metadata fields (PSI; metadata: over its values)`,
      ...r.traffic.movers.map(rowText),
    );
  }
  if (r.modelShift.runs.length > 0) {
    lines.push('', 'Model shift: each run’s scores between the windows (largest PSI over its classes)');
    for (const x of r.modelShift.runs)
      lines.push(`  ${x.level.padEnd(5)} ${x.run.padEnd(24)} PSI ${f(x.psi)}  n ${x.reference} → ${x.current}`);
  }
  if (r.modelShift.pairs.length > 0) {
    lines.push('', r.mode === 'windows' ? 'Run against run in the current window' : 'Run against run');
    for (const p of r.modelShift.pairs)
      lines.push(
        `  ${p.b} vs ${p.a}: ${p.examples} examples, mean |Δp| ${f(p.meanAbsDelta)}, labels flip on ${pctOf(p.flipRate)}`,
      );
  }
  if (r.priorShift) {
    lines.push(
      '',
      `Class balance: share of ${r.priorShift.className}, labeled (ground truth and curated) against predicted`,
    );
    for (const w of r.priorShift.windows) {
      const predicted = w.predicted.map((p) => `${p.run} ${pctOf(p.rate)}`).join(', ');
      lines.push(
        `  ${w.window.padEnd(9)} ${w.label}  labeled ${pctOf(w.labeledRate)} of ${w.labeled}; predicted ${predicted}`,
      );
    }
  }
  if (all) lines.push('', 'Every row', ...r.rows.map(rowText));
  else if (r.mode === 'runs') lines.push('', ...r.rows.map(rowText));
  else lines.push('', `(${r.rows.length} rows in all: --all prints them)`);
  return lines.join('\n');
}

/** `flywheel drift PROJECT --reference FROM..TO --current FROM..TO [--model-run R] [--all]` or `--runs A,B` */
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
    print(opts, r, () => driftText(r, values.all === true));
    return values.gate && r.worst === 'alert' ? EXIT.gateFailed : EXIT.ok;
  } finally {
    await ctx.dispose();
  }
}
