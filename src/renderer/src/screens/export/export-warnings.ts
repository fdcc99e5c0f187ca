import type { SplitPolicy } from '../../../../shared/features/export/contract';

/** Rows per split and label, as a preview and a manifest both hold them. */
export type SplitCounts = Record<string, { rows: number; labels: Record<string, number> }>;

/** Below these a split's metrics swing by whole points from one example either way. */
export const FEW_ROWS = 30;
export const FEW_PER_LABEL = 5;

const n = (v: number) => v.toLocaleString('en-US');

/**
 * What someone about to train or evaluate on this export should know first: splits too small to
 * measure anything, labels nearly absent from a split, and what a time split's test really is.
 */
export function exportWarnings(counts: SplitCounts, policy: SplitPolicy, labelNames: Record<string, string>): string[] {
  const out: string[] = [];
  const splits = Object.entries(counts);
  for (const [split, c] of splits) {
    if (c.rows < FEW_ROWS)
      out.push(
        `${split} holds only ${n(c.rows)} ${c.rows === 1 ? 'row' : 'rows'}: a metric on fewer than ${FEW_ROWS} examples moves by several points with each one. Label more, or give ${split} a larger share.`,
      );
  }
  const labels = [...new Set(splits.flatMap(([, c]) => Object.keys(c.labels)))];
  for (const [split, c] of splits) {
    if (c.rows === 0) continue;
    const thin = labels.filter((l) => (c.labels[l] ?? 0) < FEW_PER_LABEL);
    if (thin.length === 0) continue;
    const named = thin.map((l) => `${labelNames[l] ?? l} (${n(c.labels[l] ?? 0)})`).join(', ');
    out.push(
      `In ${split}, ${thin.length === 1 ? 'one label has' : `${thin.length} labels have`} fewer than ${FEW_PER_LABEL} examples: ${named}. Its per-label scores there mean little.`,
    );
  }
  if (policy.kind === 'time-fractions' && counts['test'])
    out.push(
      'With a split by time shares, test is the newest labeled examples, whatever was labeled last, not a held-out window of time: it moves each time more examples are labeled. To test on a fixed period, split at cut-off dates instead (for example the start of last month and of this one).',
    );
  return out;
}
