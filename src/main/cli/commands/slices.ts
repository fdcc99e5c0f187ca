import type { Input, Output } from '../../../shared/api/contract';
import { LabelSourceSchema, parseInstant } from '../../../shared/features/insights/contract';
import { call } from '../../core/dispatch';
import type { CliValues } from '../index';
import { openCliContext, print, UsageError, type GlobalOptions } from '../cli-context';
import { EXIT } from '../exit-codes';
import { metadataFilters } from './mine';

type Slices = Output<'insights.slices'>;
const ref = (r: string) => (/^\d+$/.test(r) ? Number(r) : r);
const pct = (x: number | null) => (x === null ? 'n/a' : `${(100 * x).toFixed(1)}%`);
const signed = (x: number | null) =>
  x === null ? 'n/a' : `${x >= 0 ? '+' : '−'}${(100 * Math.abs(x)).toFixed(1)} pts`;

function whole(raw: string | undefined, name: string, min: number): number | undefined {
  if (raw === undefined) return undefined;
  const x = Number(raw);
  if (!Number.isInteger(x) || x < min) throw new UsageError(`--${name} is a whole number ≥ ${min}, got '${raw}'`);
  return x;
}

function instant(raw: string | undefined, name: string): number | undefined {
  if (raw === undefined) return undefined;
  const t = parseInstant(raw);
  if (Number.isNaN(t)) throw new UsageError(`--${name} needs a date or ISO time, e.g. 2026-10-01`);
  return t;
}

/** `--guard 'channel=email&lang=en'` as a slice guard of the gate. */
export function guardOf(raw: string): { metadata: Record<string, string | number | boolean> } {
  const pairs = raw.split('&').map((p) => p.trim());
  if (pairs.some((p) => p.indexOf('=') < 1))
    throw new UsageError(`--guard needs KEY=VALUE, or KEY=VALUE&KEY=VALUE for a conjunction; got '${raw}'`);
  return { metadata: metadataFilters(pairs)! };
}

type Row = Slices['overall'];

function rowText(r: Row, vs: boolean): string {
  const base = `n=${String(r.n).padEnd(6)} error ${pct(r.errorRate).padStart(6)} (95% CI ${pct(r.lo)}–${pct(r.hi)})`;
  return vs
    ? `${base}  champion ${pct(r.championErrorRate).padStart(6)}  Δ ${signed(r.diff)} (95% CI ${signed(r.diffLo)} to ${signed(r.diffHi)})`
    : base;
}

export function slicesText(r: Slices): string {
  const vs = r.vs !== null;
  const over = ` over ${[...r.fields, ...(r.timeField ? [r.timeField] : [])].join(', ') || 'nothing'}`;
  const lines = [
    `${r.run}${vs ? ` vs ${r.vs} (champion)` : ''} on ${r.overall.n} examples (${r.evaluationSet.source}` +
      `${r.evaluationSet.from || r.evaluationSet.to ? `, ${r.evaluationSet.from ?? '…'} – ${r.evaluationSet.to ?? '…'}` : ''})`,
    `  overall ${rowText(r.overall, vs)}`,
    ...r.notes.map((n) => `  note: ${n}`),
    '',
    vs
      ? `Slices where ${r.run} makes more errors than ${r.vs} (ranked by net extra errors; support ≥ ${r.minSupport}, depth ≤ ${r.maxDepth}, ${r.evaluated} candidates)`
      : `Slices where errors concentrate (SliceLine score, α ${r.alpha}; support ≥ ${r.minSupport}, depth ≤ ${r.maxDepth}, ${r.evaluated} candidates${over})`,
  ];
  if (r.slices.length === 0) lines.push('  none: no slice stands out at this support');
  r.slices.forEach((s, i) =>
    lines.push(
      `  ${String(i + 1).padStart(2)}. ${s.label.padEnd(32)} ${rowText(s, vs)}  ` +
        (vs
          ? `net extra errors ${s.excessErrors}`
          : `score ${s.score.toFixed(3)}, excess errors ${s.excessErrors.toFixed(1)}`),
    ),
  );
  for (const b of r.breakdown) {
    lines.push(
      '',
      `By ${b.field}${b.more > 0 ? ` (the ${b.values.length} most frequent values; ${b.more} more)` : ''}`,
    );
    for (const v of b.values) lines.push(`  ${String(v.value).padEnd(24)} ${rowText(v, vs)}`);
  }
  lines.push(
    '',
    `By ${r.time.window} (UTC)${r.time.noTimestamp > 0 ? `; ${r.time.noTimestamp} examples without a timestamp` : ''}`,
  );
  for (const w of r.time.windows) lines.push(`  ${w.label}  ${rowText(w, vs)}`);
  if (r.slices.length > 0) {
    const s = r.slices[0]!;
    const iso = (t: number) => new Date(t).toISOString();
    const where = [
      ...Object.entries(s.filters.metadata).map(([k, v]) => `--where ${k}=${String(v)}`),
      ...(s.filters.from !== undefined ? [`--from ${iso(s.filters.from)}`] : []),
      ...(s.filters.to !== undefined ? [`--to ${iso(s.filters.to)}`] : []),
    ];
    lines.push('', `Queue more like slice 1: flywheel mine PROJECT ${where.join(' ')}`);
    lines.push(
      s.pinnable
        ? `Pin it to the gate:      flywheel eval PROJECT --guard '${Object.entries(s.filters.metadata)
            .map(([k, v]) => `${k}=${String(v)}`)
            .join('&')}'`
        : `A time window cannot be pinned to the gate: evaluate on it instead (flywheel eval PROJECT --from … --to …)`,
    );
  }
  return lines.join('\n');
}

/** `flywheel slices PROJECT [--run R] [--vs R] [--min-support N] [--max-depth 1|2] [--source S] [--from --to]` */
export async function slicesCommand(opts: GlobalOptions, args: string[], values: CliValues): Promise<number> {
  const [project] = args;
  if (!project) throw new UsageError('slices needs PROJECT');
  const source = values.source === undefined ? undefined : LabelSourceSchema.safeParse(values.source);
  if (source && !source.success) throw new UsageError(`--source is one of ${LabelSourceSchema.options.join(', ')}`);
  const depth = values['max-depth'];
  if (depth !== undefined && depth !== '1' && depth !== '2')
    throw new UsageError(`--max-depth is 1 or 2, got '${depth}'`);
  const window = values.window;
  if (window !== undefined && window !== 'day' && window !== 'week')
    throw new UsageError(`--window is day or week, got '${window}'`);
  const minSupport = whole(values['min-support'], 'min-support', 1);
  const top = whole(values.top, 'top', 1);
  const schemaVersion = whole(values['schema-version'], 'schema-version', 1);
  const from = instant(values.from, 'from');
  const to = instant(values.to, 'to');
  const input: Input<'insights.slices'> = {
    project: { project },
    ...(values.run ? { run: ref(values.run) } : {}),
    ...(values.vs ? { vs: ref(values.vs) } : {}),
    ...(minSupport !== undefined ? { minSupport } : {}),
    ...(depth ? { maxDepth: depth === '1' ? 1 : 2 } : {}),
    ...(top !== undefined ? { top } : {}),
    ...(window ? { window } : {}),
    ...(values['metadata-only'] ? { timeSlices: false } : {}),
    ...(source?.success ? { source: source.data } : {}),
    ...(from !== undefined ? { from } : {}),
    ...(to !== undefined ? { to } : {}),
    ...(schemaVersion !== undefined ? { schemaVersion } : {}),
  };
  const ctx = openCliContext(opts);
  try {
    const r = await call('insights.slices', input, ctx);
    print(opts, r, () => slicesText(r).replaceAll('PROJECT', project));
    return EXIT.ok;
  } finally {
    await ctx.dispose();
  }
}
