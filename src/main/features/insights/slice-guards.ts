import type { ParsedInput } from '../../../shared/api/contract';
import { ApiError } from '../../../shared/api/errors';
import type { GateCheck } from '../../../shared/features/insights';
import { sliceGuardCheck } from '../../../shared/features/insights/slice-guard';
import { predicateText } from '../../../shared/features/insights/slices';
import type { Project } from '../../../shared/features/projects/contract';
import type { Context } from '../../core/context';
import { metadataFields } from './slices';

type Guard = NonNullable<ParsedInput<'insights.eval'>['guards']>[number];

/** The paired examples of the comparison: ids, reference classes and both runs' probabilities (k per example). */
export interface PairedExamples {
  ids: number[];
  truth: Int32Array;
  champion: Float64Array;
  challenger: Float64Array;
}

/**
 * One gate check per pinned slice: the primary metric on the paired examples whose metadata has
 * every key = value. A field no example carries is refused (a typo must not pass as an empty slice).
 */
export function sliceGuardChecks(
  ctx: Context,
  project: Project,
  guards: readonly Guard[],
  paired: PairedExamples,
  k: number,
  opts: { metric: ParsedInput<'insights.eval'>['metric']; margin: number; samples: number; seed: number },
): GateCheck[] {
  if (guards.length === 0) return [];
  const fields = new Map(metadataFields(ctx, project, paired.ids).map((f) => [f.name, f]));
  return guards.map((g) => {
    const predicates = Object.entries(g.metadata).map(([field, value]) => ({ field, value }));
    const tests = predicates.map((p) => {
      const f = fields.get(p.field);
      if (!f)
        throw new ApiError(
          'invalid-input',
          `slice guard ${predicateText(predicates)}: no example of the comparison has the metadata field '${p.field}'` +
            (fields.size > 0 ? ` (fields: ${[...fields.keys()].join(', ')})` : ' (the examples carry no metadata)'),
        );
      return { codes: f.codes, code: f.values.indexOf(p.value) };
    });
    const rows: number[] = [];
    for (let i = 0; i < paired.ids.length; i++)
      if (tests.every((t) => t.code >= 0 && t.codes[i] === t.code)) rows.push(i);
    const pick = (probs: Float64Array) => {
      const out = new Float64Array(rows.length * k);
      rows.forEach((i, j) => out.set(probs.subarray(i * k, i * k + k), j * k));
      return out;
    };
    return sliceGuardCheck(
      Int32Array.from(rows, (i) => paired.truth[i]!),
      pick(paired.champion),
      pick(paired.challenger),
      k,
      { ...opts, margin: g.margin ?? opts.margin, name: predicateText(predicates) },
    );
  });
}
