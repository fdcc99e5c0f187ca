import { ApiError } from '../../../shared/api/errors';
import {
  agreementValues,
  alphaOverItems,
  currentLabels,
  pairwiseKappa,
  type CurrentLabels,
} from '../../../shared/features/labels';
import type { Project } from '../../../shared/features/projects/contract';
import type { Context } from '../../core/context';
import { derivationOptions } from './derivation';

interface Derived {
  externalId: string;
  current: CurrentLabels;
}

/** Every labeled example's current state under one schema version (default: the latest). */
function deriveAll(ctx: Context, project: Project, version: number | undefined) {
  const schema =
    version === undefined
      ? ctx.store.labelSchemas.latest(project.id)
      : ctx.store.labelSchemas.byVersion(project.id, version);
  if (!schema)
    throw new ApiError('not-found', `project '${project.name}' has no label schema version ${version ?? ''}`.trim());
  const options = { ...derivationOptions(project, schema), schemaVersionId: schema.id };
  const out: Derived[] = [];
  for (const { externalId, events } of ctx.store.labelEvents.byExample(project.id).values()) {
    out.push({ externalId, current: currentLabels(events, options) });
  }
  return { schema, derived: out, names: ctx.store.labelEvents.annotatorNames() };
}

export function agreementReport(ctx: Context, project: Project, version: number | undefined) {
  const { schema, derived, names } = deriveAll(ctx, project, version);
  const name = (id: number) => names.get(id) ?? `#${id}`;
  const units = derived.map((d) => agreementValues(d.current));
  const multiple = units.filter((u) => u.size >= 2);
  const decided = new Map<number, number>();
  for (const u of units) for (const id of u.keys()) decided.set(id, (decided.get(id) ?? 0) + 1);
  const status = (s: string) => derived.filter((d) => d.current.resolution.status === s).length;
  return {
    schemaVersion: schema.version,
    annotators: [...decided].map(([id, n]) => ({ name: name(id), decided: n })),
    pairs: pairwiseKappa(multiple).map((p) => ({
      a: name(p.annotatorA),
      b: name(p.annotatorB),
      items: p.items,
      kappa: p.kappa,
    })),
    alpha: alphaOverItems(multiple),
    labeledByTwoOrMore: multiple.length,
    agreed: multiple.filter((u) => new Set(u.values()).size === 1).length,
    conflicts: status('conflict'),
    adjudicated: status('adjudicated'),
  };
}

export function conflictList(ctx: Context, project: Project, version: number | undefined, limit: number) {
  const { derived, names } = deriveAll(ctx, project, version);
  const out = [];
  for (const d of derived) {
    const r = d.current.resolution;
    if (r.status !== 'conflict') continue;
    out.push({
      externalId: d.externalId,
      candidates: r.candidates.map((c) => ({
        labels: c.labels,
        annotators: c.annotatorIds.map((id) => names.get(id) ?? `#${id}`),
      })),
    });
    if (out.length >= limit) break;
  }
  return out;
}
