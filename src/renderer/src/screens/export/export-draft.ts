import type { Input } from '../../../../shared/api/contract';
import type { ExportFormat, SplitPolicy } from '../../../../shared/features/export/contract';

/** The export form as typed: strings where people type dates, shares in percent. */
export interface ExportDraft {
  name: string;
  format: ExportFormat;
  labelSource: 'human' | 'human+model';
  /** '' the newest. */
  modelRun: number | '';
  /** '' the current version. */
  schemaVersion: number | '';
  agreement: 'any' | 'consensus' | 'adjudicated';
  /** None chosen: everyone's decisions count. */
  annotators: string[];
  from: string;
  to: string;
  split: 'time-fractions' | 'time-cutoffs' | 'random' | 'none';
  /** Percent for train, validation, test. */
  shares: [number, number, number];
  seed: number;
  cutoffs: [string, string];
  groupBy: string;
  /** Model runs whose predicted label and scores go in the rows (none: rows without scores). */
  scoreRuns: number[];
  replace: boolean;
}

export const NEW_DRAFT: ExportDraft = {
  name: 'dataset',
  format: 'jsonl',
  labelSource: 'human',
  modelRun: '',
  schemaVersion: '',
  agreement: 'any',
  annotators: [],
  from: '',
  to: '',
  split: 'time-fractions',
  shares: [80, 10, 10],
  seed: 1,
  cutoffs: ['', ''],
  groupBy: '',
  scoreRuns: [],
  replace: false,
};

/** A date-and-time field's value as epoch ms, or a sentence saying what is wrong with it. */
function instant(value: string, field: string): number {
  const ms = new Date(value).getTime();
  if (!Number.isFinite(ms)) throw new Error(`${field}: enter a date and time.`);
  return ms;
}

function policyOf(d: ExportDraft): SplitPolicy {
  if (d.split === 'none') return { kind: 'none' };
  if (d.split === 'time-cutoffs') {
    if (!d.cutoffs[0] || !d.cutoffs[1])
      throw new Error('Split at cut-offs: enter both dates (validation starts, test starts).');
    const cutoffs: [number, number] = [
      instant(d.cutoffs[0], 'Validation starts'),
      instant(d.cutoffs[1], 'Test starts'),
    ];
    if (cutoffs[0] >= cutoffs[1]) throw new Error('Split at cut-offs: validation must start before test.');
    return { kind: 'time-cutoffs', cutoffs };
  }
  if (d.shares.some((s) => !Number.isFinite(s) || s < 0))
    throw new Error('Split shares: enter a percentage of 0 or more for each split.');
  const total = d.shares[0] + d.shares[1] + d.shares[2];
  if (Math.abs(total - 100) > 0.01) throw new Error(`Split shares add up to ${total}%: make them add up to 100%.`);
  const fractions = d.shares.map((s) => s / 100) as [number, number, number];
  if (d.split === 'random') {
    if (!Number.isInteger(d.seed)) throw new Error('Seed: enter a whole number.');
    return { kind: 'random', fractions, seed: d.seed };
  }
  return { kind: 'time-fractions', fractions };
}

/** The options the preview and the export take (the project aside), or an Error in the form's words. */
export function optionsOf(d: ExportDraft): Omit<Input<'export.preview'>, 'project'> {
  const from = d.from ? instant(d.from, 'From') : undefined;
  const to = d.to ? instant(d.to, 'To') : undefined;
  if (from !== undefined && to !== undefined && from >= to)
    throw new Error('Time window: "From" must come before "To".');
  return {
    agreement: d.agreement,
    labelSource: d.labelSource,
    split: policyOf(d),
    ...(d.schemaVersion !== '' ? { schemaVersion: d.schemaVersion } : {}),
    ...(d.labelSource === 'human+model' && d.modelRun !== '' ? { modelRun: d.modelRun } : {}),
    ...(d.annotators.length > 0 ? { annotators: d.annotators } : {}),
    ...(from !== undefined ? { from } : {}),
    ...(to !== undefined ? { to } : {}),
    ...(d.groupBy.trim() ? { groupBy: d.groupBy.trim() } : {}),
  };
}
