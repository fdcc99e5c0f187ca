import { ApiError } from '../../../shared/api/errors';
import { currentLabels, normalizeLabels, type LabelAction, type LabelEvent } from '../../../shared/features/labels';
import { yieldToCheckpoints, type ExportEventRow, type ExportReadQueries } from '../../store/export-reads';
import { derivationOptions } from '../labels/derivation';
import type { ExportPlan } from './plan';

const CHUNK = 2000;

/** The rows an export holds, in example id order, before they are read again to be written. */
export interface Selection {
  exampleIds: Int32Array;
  externalIds: string[];
  ts: Float64Array;
  groups: (string | null)[] | null;
  /** Index into labelSets per row. */
  labelIndex: Int32Array;
  labelSets: string[][];
  /** 0 human, 1 model. */
  source: Uint8Array;
}

function toEvents(rows: ExportEventRow[], labelsOf: (text: string) => string[]): LabelEvent[] {
  return rows.map((r) => ({
    id: r.id,
    annotatorId: r.annotator_id,
    schemaVersionId: r.schema_version_id,
    action: r.action as LabelAction,
    labels: r.labels === null ? null : labelsOf(r.labels),
    createdAt: r.created_at,
  }));
}

function groupKey(metadata: string | null, key: string): string | null {
  if (metadata === null) return null;
  const value = (JSON.parse(metadata) as Record<string, unknown>)[key];
  if (value === null || value === undefined || typeof value === 'object') return null;
  return String(value);
}

/** Reads label events and examples in chunks and keeps the rows the filters let through. */
export function selectRows(
  reads: ExportReadQueries,
  plan: ExportPlan,
  progress: (done: number, total: number) => void,
): Selection {
  const { project, schema, options } = plan;
  const human = options.labelSource === 'human';
  const candidates = human ? reads.labeledExamples(project.id, schema.id) : reads.visibleExamples(project.id);
  const derive = { ...derivationOptions(project, schema), schemaVersionId: schema.id };
  const allowed = plan.annotatorIds ? new Set(plan.annotatorIds) : null;
  const keys = new Map<string, number>();
  const labelSets: string[][] = [];
  // Columns sized for every candidate (the most that can be kept): no object per row.
  const keptIds = new Int32Array(candidates.length);
  const keptTs = new Float64Array(candidates.length);
  const keptLabels = new Int32Array(candidates.length);
  const keptSources = new Uint8Array(candidates.length);
  const externalIds: string[] = [];
  const groups: (string | null)[] | null = options.groupBy ? [] : null;
  let kept = 0;
  // Label texts repeat across examples: each is parsed and normalised once.
  const parsed = new Map<string, string[]>();
  const labelsOf = (text: string): string[] => {
    let labels = parsed.get(text);
    if (labels === undefined) {
      labels = normalizeLabels(JSON.parse(text) as string[]);
      parsed.set(text, labels);
    }
    return labels;
  };
  const resolvedLabels = (history: ExportEventRow[]): string[] | null => {
    const only = history.length === 1 ? history[0]! : null;
    // Most examples hold one label by one annotator: the derivation's answer, without running it.
    if (only && only.schema_version_id === schema.id && only.labels !== null) {
      if (only.action === 'label' || only.action === 'accept')
        return options.agreement === 'any' ? labelsOf(only.labels) : null;
    }
    const r = currentLabels(toEvents(history, labelsOf), derive).resolution;
    if (r.status === 'adjudicated') return r.labels;
    if (r.status !== 'agreed' || options.agreement === 'adjudicated') return null;
    return options.agreement === 'any' || r.annotatorIds.length >= 2 ? r.labels : null;
  };
  for (let start = 0; start < candidates.length; start += CHUNK) {
    const ids = candidates.slice(start, start + CHUNK);
    yieldToCheckpoints(plan.dbPath);
    const examples = reads.exampleKeys(ids, Boolean(options.groupBy));
    const events = new Map<number, ExportEventRow[]>();
    for (const e of reads.events(project.id, ids)) {
      if (allowed && e.action !== 'adjudicate' && !allowed.has(e.annotator_id)) continue;
      const list = events.get(e.example_id);
      if (list) list.push(e);
      else events.set(e.example_id, [e]);
    }
    const predicted =
      !human && plan.modelRun
        ? new Map(reads.predicted(plan.modelRun.id, ids).map((p) => [p.example_id, p.predicted]))
        : null;
    for (const ex of examples) {
      if (options.from !== undefined && !(ex.ts !== null && ex.ts >= options.from)) continue;
      if (options.to !== undefined && !(ex.ts !== null && ex.ts < options.to)) continue;
      let labels: string[] | null = null;
      let source = 0;
      const history = events.get(ex.id);
      if (history) labels = resolvedLabels(history);
      if (labels === null && predicted) {
        const p = predicted.get(ex.id);
        if (p !== undefined) {
          labels = modelLabels(plan, p);
          source = 1;
        }
      }
      if (labels === null || (labels.length === 0 && project.taskType !== 'multilabel')) continue;
      const key = JSON.stringify(labels);
      let index = keys.get(key);
      if (index === undefined) {
        index = labelSets.length;
        keys.set(key, index);
        labelSets.push(labels);
      }
      keptIds[kept] = ex.id;
      keptTs[kept] = ex.ts ?? Number.NaN;
      keptLabels[kept] = index;
      keptSources[kept] = source;
      kept++;
      externalIds.push(ex.external_id);
      groups?.push(groupKey(ex.metadata, options.groupBy!));
    }
    progress(Math.min(candidates.length, start + CHUNK), candidates.length);
  }
  if (kept === 0) {
    throw new ApiError(
      'conflict',
      `project '${project.name}' has no examples to export under label schema v${schema.version} with these filters` +
        (human ? ' (labeled by people; --label-source human+model adds the model’s labels)' : ''),
      { reason: 'nothing-to-export' },
    );
  }
  return {
    exampleIds: keptIds.slice(0, kept),
    externalIds,
    ts: keptTs.slice(0, kept),
    groups,
    labelIndex: keptLabels.slice(0, kept),
    labelSets,
    source: keptSources.slice(0, kept),
  };
}

function modelLabels(plan: ExportPlan, predicted: number): string[] | null {
  if (plan.project.taskType !== 'multilabel') {
    const id = plan.classLabels[predicted];
    return id ? [id] : null;
  }
  const out: string[] = [];
  for (let c = 0; c < plan.classLabels.length; c++) {
    if (Math.floor(predicted / 2 ** c) % 2 !== 1) continue;
    const id = plan.classLabels[c];
    if (!id) return null;
    out.push(id);
  }
  return out;
}
