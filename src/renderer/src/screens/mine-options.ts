import type { Input } from '../../../shared/api/contract';
import type { DisagreementMeasure, MiningStrategyName } from '../../../shared/features/mining/strategy';

/** One line per strategy: what it puts first. */
export const STRATEGY_HELP: Record<MiningStrategyName, string> = {
  'least-confidence': 'Examples whose top class has the lowest probability: the model’s weakest best guesses.',
  margin: 'Examples where the two likeliest classes are closest: the model hesitates between two answers.',
  entropy: 'Examples whose scores are spread most evenly over the classes: the model has no clear answer.',
  threshold: 'Binary tasks: examples whose score is closest to the decision threshold you set.',
  disagreement: 'Examples where two model runs (by default the two newest) differ most, by the measure you choose.',
  'vote-entropy': 'Examples where three or more model runs split their votes the most.',
  'confident-error': 'Examples the model is confident about but that the imported ground truth contradicts.',
  'label-issues':
    'Labeled examples whose label the learner, trained without them, finds likely wrong: queued for a second look.',
  random: 'A random sample, as a control: it shows how the model does on ordinary traffic.',
};

export const STRATEGY_ORDER: MiningStrategyName[] = [
  'entropy',
  'margin',
  'least-confidence',
  'threshold',
  'disagreement',
  'vote-entropy',
  'confident-error',
  'label-issues',
  'random',
];

export const MEASURES: { value: DisagreementMeasure; text: string }[] = [
  { value: 'label-flip', text: 'the runs predict different classes' },
  { value: 'abs-delta', text: 'mean score difference' },
  { value: 'jensen-shannon', text: 'Jensen–Shannon divergence' },
];

export interface MineOptions {
  strategy: MiningStrategyName;
  threshold: number;
  measure: DisagreementMeasure;
  seed: number;
  /** Model run ids; empty: the strategy's default runs. */
  modelRuns: number[];
  /** datetime-local values ('' for open). */
  from: string;
  to: string;
  /** "key = value" lines. */
  metadata: string;
  predictedClasses: string[];
  limit: number;
  quota: number;
  sharePercent: number;
  dedupe: boolean;
  excludeLabeled: boolean;
}

export function strategyInput(o: MineOptions): Input<'mining.run'>['strategy'] {
  switch (o.strategy) {
    case 'threshold':
      return { strategy: 'threshold', threshold: o.threshold };
    case 'disagreement':
      return { strategy: 'disagreement', measure: o.measure };
    case 'random':
      return { strategy: 'random', seed: o.seed };
    default:
      return { strategy: o.strategy };
  }
}

/** "key = value" lines as metadata filters; a number or true/false matches that type, anything else text. */
export function parseMetadata(text: string): {
  filters: Record<string, string | number | boolean>;
  problem: string | null;
} {
  const filters: Record<string, string | number | boolean> = {};
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  for (const line of lines) {
    const at = line.indexOf('=');
    if (at <= 0) return { filters, problem: `“${line}” needs the form key = value` };
    const key = line.slice(0, at).trim();
    const raw = line.slice(at + 1).trim();
    filters[key] =
      raw === 'true' ? true : raw === 'false' ? false : raw !== '' && Number.isFinite(Number(raw)) ? Number(raw) : raw;
  }
  return { filters, problem: null };
}

function epoch(local: string): number | undefined {
  if (!local) return undefined;
  const t = new Date(local).getTime();
  return Number.isFinite(t) ? t : undefined;
}

/** The mining request the form describes; the server checks the rest and says what to change. */
export function miningRequest(projectId: number, o: MineOptions): Input<'mining.run'> {
  const from = epoch(o.from);
  const to = epoch(o.to);
  const metadata = parseMetadata(o.metadata).filters;
  const filters = {
    ...(from !== undefined ? { from } : {}),
    ...(to !== undefined ? { to } : {}),
    ...(Object.keys(metadata).length > 0 ? { metadata } : {}),
    ...(o.predictedClasses.length > 0 ? { predictedClasses: o.predictedClasses } : {}),
  };
  return {
    project: { projectId },
    strategy: strategyInput(o),
    ...(o.modelRuns.length > 0 ? { modelRuns: o.modelRuns } : {}),
    filters,
    limit: o.limit,
    secondLabelShare: o.sharePercent / 100,
    dedupe: o.dedupe,
    excludeLabeled: o.excludeLabeled,
    ...(o.quota > 0 ? { perClassQuota: o.quota } : {}),
  };
}
