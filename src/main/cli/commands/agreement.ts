import { call } from '../../core/dispatch';
import type { CliValues } from '../index';
import { openCliContext, print, UsageError, type GlobalOptions } from '../cli-context';
import { EXIT } from '../exit-codes';

const fmt = (x: number | null) => (x === null ? 'n/a' : x.toFixed(3));

/** `flywheel agreement PROJECT [--conflicts] [--schema-version N]` */
export async function agreementCommand(opts: GlobalOptions, args: string[], values: CliValues): Promise<number> {
  const [project] = args;
  if (!project) throw new UsageError('agreement needs PROJECT');
  const version = values['schema-version'] ? Number(values['schema-version']) : undefined;
  const input = { project: { project }, ...(version ? { schemaVersion: version } : {}) };
  const ctx = openCliContext(opts);
  try {
    if (values.conflicts) {
      const list = await call('labels.conflicts', { ...input, limit: values.limit ? Number(values.limit) : 100 }, ctx);
      print(opts, list, () =>
        list.length === 0
          ? 'No open conflicts.'
          : list
              .map(
                (c) =>
                  `${c.externalId}: ${c.candidates.map((k) => `${k.labels.join('+')} (${k.annotators.join(', ')})`).join(' vs ')}`,
              )
              .join('\n'),
      );
      return EXIT.ok;
    }
    const r = await call('labels.agreement', input, ctx);
    print(opts, r, () =>
      [
        `${project}, schema v${r.schemaVersion}: ${r.labeledByTwoOrMore} items decided by two or more, ${r.agreed} agreed, ` +
          `${r.conflicts} open conflicts, ${r.adjudicated} adjudicated.`,
        `Krippendorff's alpha ${fmt(r.alpha)}`,
        ...r.pairs.map((p) => `  kappa ${p.a} × ${p.b}: ${fmt(p.kappa)} over ${p.items} items`),
      ].join('\n'),
    );
    return EXIT.ok;
  } finally {
    await ctx.dispose();
  }
}
