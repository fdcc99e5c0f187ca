import type { Input } from '../../../shared/api/contract';
import {
  DisagreementMeasureSchema,
  MINING_STRATEGY_NAMES,
  type MiningStrategyName,
} from '../../../shared/features/mining';
import type { MiningPreview } from '../../../shared/features/mining/contract';
import { call } from '../../core/dispatch';
import type { CliValues } from '../index';
import { openCliContext, print, UsageError, type GlobalOptions } from '../cli-context';
import { EXIT } from '../exit-codes';

export function number(values: CliValues, name: keyof CliValues, what: string): number | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (typeof raw !== 'string' || raw.trim() === '' || !Number.isFinite(n))
    throw new UsageError(`--${name} needs ${what}`);
  return n;
}

export function time(raw: string | undefined, name: string): number | undefined {
  if (raw === undefined) return undefined;
  const t = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(raw) ? `${raw}T00:00:00Z` : raw);
  if (Number.isNaN(t)) throw new UsageError(`--${name} needs a date or ISO time, e.g. 2026-09-01`);
  return t;
}

/** KEY=VALUE pairs as metadata filters: true/false and plain numbers typed as such, the rest as text. */
export function metadataFilters(pairs: string[] | undefined): Record<string, string | number | boolean> | undefined {
  if (!pairs || pairs.length === 0) return undefined;
  const out: Record<string, string | number | boolean> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at < 1) throw new UsageError(`--where needs KEY=VALUE, got '${pair}'`);
    const raw = pair.slice(at + 1);
    out[pair.slice(0, at)] =
      raw === 'true' ? true : raw === 'false' ? false : /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw;
  }
  return out;
}

export function strategyOf(values: CliValues): Input<'mining.run'>['strategy'] {
  const name = (values.strategy ?? 'entropy') as MiningStrategyName;
  if (!MINING_STRATEGY_NAMES.includes(name))
    throw new UsageError(`--strategy is one of ${MINING_STRATEGY_NAMES.join(', ')}`);
  switch (name) {
    case 'threshold':
      return { strategy: name, threshold: number(values, 'threshold', 'a number between 0 and 1') ?? 0.5 };
    case 'disagreement': {
      const measure = DisagreementMeasureSchema.safeParse(values.measure ?? 'label-flip');
      if (!measure.success) throw new UsageError(`--measure is one of ${DisagreementMeasureSchema.options.join(', ')}`);
      return { strategy: name, measure: measure.data };
    }
    case 'random':
      return { strategy: name, seed: number(values, 'seed', 'a whole number') ?? 1 };
    default:
      return { strategy: name };
  }
}

/** The options `mine` and `mine-file` share: strategy, filters, size, quota, shares, seed, dedupe. */
export function selectionOf(values: CliValues) {
  const from = time(values.from, 'from');
  const to = time(values.to, 'to');
  const metadata = metadataFilters(values.where);
  const limit = number(values, 'limit', 'a whole number');
  const quota = number(values, 'per-class', 'a whole number');
  const share = number(values, 'second-share', 'a share between 0 and 1');
  const controlShare = number(values, 'control-share', 'a share between 0 and 1');
  const seed = number(values, 'seed', 'a whole number');
  return {
    strategy: strategyOf(values),
    filters: {
      ...(from !== undefined ? { from } : {}),
      ...(to !== undefined ? { to } : {}),
      ...(metadata ? { metadata } : {}),
      ...(values.class?.length ? { predictedClasses: values.class } : {}),
    },
    ...(limit !== undefined ? { limit } : {}),
    ...(quota !== undefined ? { perClassQuota: quota } : {}),
    ...(share !== undefined ? { secondLabelShare: share } : {}),
    ...(controlShare !== undefined ? { controlShare } : {}),
    ...(seed !== undefined ? { seed } : {}),
    excludeLabeled: !values['include-labeled'],
    ...dedupeOf(values),
  };
}

/** Unset: the strategy's default (on, except for random). */
export function dedupeOf(values: CliValues): { dedupe?: boolean } {
  if (values.dedupe && values['keep-duplicates'])
    throw new UsageError('--dedupe and --keep-duplicates contradict each other: give one');
  if (values.dedupe) return { dedupe: true };
  if (values['keep-duplicates']) return { dedupe: false };
  return {};
}

const count = (x: number) => x.toLocaleString('en-US');

function describePreview(p: MiningPreview): string {
  const { min, max, all, selected } = p.histogram;
  const width = (max - min) / all.length;
  const most = Math.max(1, ...all);
  const bins = all
    .map((n, i) => ({ n, i }))
    .filter(({ n }) => n > 0)
    .reverse()
    .map(({ n, i }) => {
      const from = min + i * width;
      const bar = '#'.repeat(Math.ceil((n / most) * 30));
      return `  ${from.toFixed(3)}–${(from + width).toFixed(3)}  ${String(selected[i]).padStart(6)} of ${String(n).padEnd(7)} ${bar}`;
    });
  return [
    `Dry run, nothing queued: ${p.strategy} over ${p.modelRuns.map((m) => m.name).join(' vs ')}: ` +
      `${count(p.scanned)} scanned, ${count(p.eligible)} eligible, ${count(p.selected)} would be queued.`,
    p.cutoff === null
      ? 'Nothing would be queued.'
      : `Cut-off priority ${p.cutoff.toFixed(4)} (the last item that would be queued); ` +
        `${p.suppressedDuplicates} duplicates and ${p.suppressedByQuota} over quota left out; ${p.doublyLabeled} for two annotators.`,
    ...(bins.length > 0
      ? ['Priorities of the eligible examples (would be queued of all, per bin, highest first):']
      : []),
    ...bins,
    ...(p.top.length > 0 ? ['Top items:'] : []),
    ...p.top.slice(0, 10).map((i) => `  ${i.priority.toFixed(3)}  ${i.externalId}  ${i.reason}`),
  ].join('\n');
}

/** `flywheel mine PROJECT --strategy S [options]` */
export async function mineCommand(opts: GlobalOptions, args: string[], values: CliValues): Promise<number> {
  const [project] = args;
  if (!project) throw new UsageError('mine needs PROJECT');
  const input: Input<'mining.run'> = {
    project: { project },
    ...selectionOf(values),
    ...(values.runs ? { modelRuns: values.runs.split(',').map((r) => (/^\d+$/.test(r) ? Number(r) : r)) } : {}),
    // JSON readers get every selected item; people get the top ones.
    listItems: opts.json,
  };
  const ctx = openCliContext(opts);
  try {
    if (values['dry-run']) {
      const p = await call('mining.preview', input, ctx);
      print(opts, p, () => describePreview(p));
      return EXIT.ok;
    }
    const r = await call('mining.run', input, ctx);
    print(opts, r, () =>
      [
        `Mining run #${r.miningRunId} (${r.strategy} over ${r.modelRuns.map((m) => m.name).join(' vs ')}): ` +
          `${r.scanned.toLocaleString('en-US')} scanned, ${r.eligible.toLocaleString('en-US')} eligible, ${r.selected} selected.`,
        `Queue: ${r.added} added, ${r.updated} re-prioritised, ${r.alreadyQueued} already there; ` +
          `${r.suppressedDuplicates} duplicates and ${r.suppressedByQuota} over quota left out; ${r.doublyLabeled} for two annotators; ` +
          `${r.controlSample} of the ${r.selected} are a random control sample (unbiased labels for eval).`,
        ...r.top.slice(0, 10).map((i) => `  ${i.priority.toFixed(3)}  ${i.externalId}  ${i.reason}`),
      ].join('\n'),
    );
    return EXIT.ok;
  } finally {
    await ctx.dispose();
  }
}
