import { ApiError } from '../../../shared/api/errors';
import {
  currentLabels,
  normalizeLabels,
  undoneEventIds,
  type LabelAction,
  type LabelEvent,
} from '../../../shared/features/labels';
import {
  yieldToCheckpoints,
  type EventColumns,
  type ExportEventRow,
  type ExportReadQueries,
} from '../../store/export-reads';
import { derivationOptions } from '../labels/derivation';
import type { ExportPlan } from './plan';

/** The rows an export holds, in example id order, before they are read again to be written. */
export interface Selection {
  exampleIds: Int32Array;
  externalIds: string[];
  ts: Float64Array;
  /** Bytes of each row's text and metadata, for sizing the jobs that write them. */
  bytes: Int32Array;
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

function groupKey(metadata: unknown, key: string): string | null {
  if (metadata === null || typeof metadata !== 'object') return null;
  const value = (metadata as Record<string, unknown>)[key];
  if (value === null || value === undefined || typeof value === 'object') return null;
  return String(value);
}

/** The rows one chunk of candidates keeps, as columns; label sets by index into `labelKeys`. */
export interface SelectedChunk {
  ids: Int32Array;
  ts: Float64Array;
  /** Bytes of each row's text and metadata: the jobs of the second pass are cut by them. */
  bytes: Int32Array;
  labelIndex: Int32Array;
  source: Uint8Array;
  externalIds: string[];
  groups: (string | null)[] | null;
  /** JSON of each label set the chunk uses. */
  labelKeys: string[];
}

/** Chooses the rows of an export, a chunk of candidate examples at a time (in a worker thread). */
export class RowSelector {
  private readonly human: boolean;
  private readonly derive: ReturnType<typeof derivationOptions> & { schemaVersionId: number };
  private readonly allowed: Set<number> | null;
  // Label texts and predicted classes repeat across examples: each is resolved once.
  private readonly parsed = new Map<string, string[]>();
  private readonly modelLabels = new Map<number, string[] | null>();

  /** `pauseForCheckpoints`: false where the reads run on the writer's own thread (a small preview), which a pause would only stall. */
  constructor(
    private readonly reads: ExportReadQueries,
    private readonly plan: ExportPlan,
    private readonly pauseForCheckpoints = true,
  ) {
    this.human = plan.options.labelSource === 'human';
    this.derive = { ...derivationOptions(plan.project, plan.schema), schemaVersionId: plan.schema.id };
    this.allowed = plan.annotatorIds ? new Set(plan.annotatorIds) : null;
  }

  private labelsOf = (text: string): string[] => {
    let labels = this.parsed.get(text);
    if (labels === undefined) {
      labels = normalizeLabels(JSON.parse(text) as string[]);
      this.parsed.set(text, labels);
    }
    return labels;
  };

  private labelsOfModel(predicted: number): string[] | null {
    let labels = this.modelLabels.get(predicted);
    if (labels === undefined) {
      labels = modelLabels(this.plan, predicted);
      this.modelLabels.set(predicted, labels);
    }
    return labels;
  }

  /** The derivation's answer for an example with one event, without running it; undefined: run it. */
  private oneEventLabels(version: number, action: string, labels: string | null): string[] | null | undefined {
    // Most examples hold one label by one annotator.
    if (version !== this.plan.schema.id || labels === null || (action !== 'label' && action !== 'accept'))
      return undefined;
    return this.plan.options.agreement === 'any' ? this.labelsOf(labels) : null;
  }

  private resolvedLabels(history: ExportEventRow[]): string[] | null {
    const { options } = this.plan;
    const only = history.length === 1 ? history[0]! : null;
    const quick = only ? this.oneEventLabels(only.schema_version_id, only.action, only.labels) : undefined;
    if (quick !== undefined) return quick;
    const r = currentLabels(toEvents(history, this.labelsOf), this.derive).resolution;
    if (r.status === 'adjudicated') return r.labels;
    if (r.status !== 'agreed' || options.agreement === 'adjudicated') return null;
    return options.agreement === 'any' || r.annotatorIds.length >= 2 ? r.labels : null;
  }

  /** The labels of events [from, to) of the chunk: one example's history, filtered by annotator when asked. */
  private historyLabels(ev: EventColumns, from: number, to: number): string[] | null {
    if (to - from === 1 && !this.allowed) {
      const quick = this.oneEventLabels(ev.schemaVersionId[from]!, ev.action[from]!, ev.labels[from]!);
      if (quick !== undefined) return quick;
    }
    let history: ExportEventRow[] = [];
    for (let e = from; e < to; e++)
      history.push({
        id: ev.id[e]!,
        example_id: ev.exampleId[e]!,
        annotator_id: ev.annotatorId[e]!,
        schema_version_id: ev.schemaVersionId[e]!,
        action: ev.action[e]!,
        labels: ev.labels[e]!,
        created_at: ev.createdAt[e]!,
      });
    if (this.allowed) history = byAnnotators(history, this.allowed);
    return history.length === 0 ? null : this.resolvedLabels(history);
  }

  /** The rows that the examples with label events among ids `first` to `last` keep under the export's filters. */
  between(first: number, last: number): SelectedChunk {
    if (this.pauseForCheckpoints) yieldToCheckpoints(this.plan.dbPath);
    const events = this.reads.eventsBetween(this.plan.project.id, first, last);
    const ids: number[] = [];
    for (let e = 0; e < events.n; e++)
      if (e === 0 || events.exampleId[e] !== events.exampleId[e - 1]) ids.push(events.exampleId[e]!);
    return this.chunk(Int32Array.from(ids), events);
  }

  /** The rows that `ids` (ascending candidate example ids) keep under the export's filters. */
  chunk(ids: Int32Array, idsEvents?: EventColumns): SelectedChunk {
    const { project, options, dbPath, modelRun } = this.plan;
    if (!idsEvents && this.pauseForCheckpoints) yieldToCheckpoints(dbPath);
    const examples = this.reads.exampleKeys(ids, Boolean(options.groupBy));
    const events = idsEvents ?? this.reads.events(project.id, ids);
    const predicted =
      !this.human && modelRun
        ? new Map(this.reads.predicted(modelRun.id, Array.from(ids)).map((p) => [p.example_id, p.predicted]))
        : null;
    const n = examples.ids.length;
    const out: SelectedChunk = {
      ids: new Int32Array(n),
      ts: new Float64Array(n),
      bytes: new Int32Array(n),
      labelIndex: new Int32Array(n),
      source: new Uint8Array(n),
      externalIds: [],
      groups: options.groupBy ? [] : null,
      labelKeys: [],
    };
    // Cached label arrays repeat by identity; the derivation's fresh ones are matched by text.
    const byArray = new Map<string[], number>();
    const byText = new Map<string, number>();
    let kept = 0;
    // Events come by example, ascending like the examples: one cursor walks them in step.
    let e = 0;
    for (let r = 0; r < n; r++) {
      const id = examples.ids[r]!;
      const ts = examples.ts[r]!;
      while (e < events.n && events.exampleId[e]! < id) e++;
      let end = e;
      while (end < events.n && events.exampleId[end] === id) end++;
      if (options.from !== undefined && !(ts >= options.from)) continue;
      if (options.to !== undefined && !(ts < options.to)) continue;
      let labels = end > e ? this.historyLabels(events, e, end) : null;
      let source = 0;
      if (labels === null && predicted) {
        const p = predicted.get(id);
        if (p !== undefined) {
          labels = this.labelsOfModel(p);
          source = 1;
        }
      }
      if (labels === null || (labels.length === 0 && project.taskType !== 'multilabel')) continue;
      let index = byArray.get(labels);
      if (index === undefined) {
        const key = JSON.stringify(labels);
        index = byText.get(key);
        if (index === undefined) {
          index = out.labelKeys.length;
          byText.set(key, index);
          out.labelKeys.push(key);
        }
        byArray.set(labels, index);
      }
      out.ids[kept] = id;
      out.ts[kept] = ts;
      out.bytes[kept] = Math.min(examples.bytes[r]!, 2 ** 31 - 1);
      out.labelIndex[kept] = index;
      out.source[kept] = source;
      kept++;
      out.externalIds.push(examples.externalIds[r]!);
      out.groups?.push(groupKey(examples.metadata![r], options.groupBy!));
    }
    return {
      ...out,
      ids: out.ids.slice(0, kept),
      ts: out.ts.slice(0, kept),
      bytes: out.bytes.slice(0, kept),
      labelIndex: out.labelIndex.slice(0, kept),
      source: out.source.slice(0, kept),
    };
  }
}

/** Appends chunks, in candidate order, into one Selection; label sets get one index each. */
export class SelectionBuilder {
  private readonly keys = new Map<string, number>();
  private readonly labelSets: string[][] = [];
  private kept = 0;
  private readonly sel: Selection;

  /** `capacity`: the most rows the export can keep, where known (else columns grow as chunks come). */
  constructor(
    private readonly plan: ExportPlan,
    capacity = 1024,
  ) {
    // Columns, no object per row.
    this.sel = {
      exampleIds: new Int32Array(capacity),
      externalIds: [],
      ts: new Float64Array(capacity),
      bytes: new Int32Array(capacity),
      groups: plan.options.groupBy ? [] : null,
      labelIndex: new Int32Array(capacity),
      labelSets: this.labelSets,
      source: new Uint8Array(capacity),
    };
  }

  private room(n: number): void {
    const need = this.kept + n;
    if (need <= this.sel.exampleIds.length) return;
    const size = Math.max(need, this.sel.exampleIds.length * 2);
    const grow = <T extends Int32Array | Float64Array | Uint8Array>(column: T): T => {
      const out = new (column.constructor as new (n: number) => T)(size);
      out.set(column.subarray(0, this.kept));
      return out;
    };
    this.sel.exampleIds = grow(this.sel.exampleIds);
    this.sel.ts = grow(this.sel.ts);
    this.sel.bytes = grow(this.sel.bytes);
    this.sel.labelIndex = grow(this.sel.labelIndex);
    this.sel.source = grow(this.sel.source);
  }

  add(chunk: SelectedChunk): void {
    const global = chunk.labelKeys.map((key) => {
      let index = this.keys.get(key);
      if (index === undefined) {
        index = this.labelSets.length;
        this.keys.set(key, index);
        this.labelSets.push(JSON.parse(key) as string[]);
      }
      return index;
    });
    this.room(chunk.ids.length);
    const at = this.kept;
    this.sel.exampleIds.set(chunk.ids, at);
    this.sel.ts.set(chunk.ts, at);
    this.sel.bytes.set(chunk.bytes, at);
    this.sel.source.set(chunk.source, at);
    for (let i = 0; i < chunk.labelIndex.length; i++) this.sel.labelIndex[at + i] = global[chunk.labelIndex[i]!]!;
    for (const id of chunk.externalIds) this.sel.externalIds.push(id);
    if (chunk.groups) for (const g of chunk.groups) this.sel.groups!.push(g);
    this.kept += chunk.ids.length;
  }

  finish(): Selection {
    const { project, schema, options } = this.plan;
    if (this.kept === 0) {
      throw new ApiError(
        'conflict',
        `project '${project.name}' has no examples to export under label schema v${schema.version} with these filters` +
          (options.labelSource === 'human'
            ? ' (labeled by people; --label-source human+model adds the model’s labels)'
            : ''),
        { reason: 'nothing-to-export' },
      );
    }
    const n = this.kept;
    return {
      ...this.sel,
      exampleIds: this.sel.exampleIds.slice(0, n),
      ts: this.sel.ts.slice(0, n),
      bytes: this.sel.bytes.slice(0, n),
      labelIndex: this.sel.labelIndex.slice(0, n),
      source: this.sel.source.slice(0, n),
    };
  }
}

/**
 * The events an annotator filter keeps: the chosen annotators' and every adjudication. Undos are
 * applied first, over the whole history, since an undo by someone filtered out (an adjudicator
 * taking back an adjudication) still cancels what it was aimed at.
 */
function byAnnotators(history: ExportEventRow[], allowed: ReadonlySet<number>): ExportEventRow[] {
  const cancelled = undoneEventIds(
    history.map((e) => ({ id: e.id, annotatorId: e.annotator_id, action: e.action as LabelAction })),
  );
  return history.filter(
    (e) => e.action !== 'undo' && !cancelled.has(e.id) && (e.action === 'adjudicate' || allowed.has(e.annotator_id)),
  );
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
  // After a merge two classes can map to one label: each once, in the order human labels have.
  return normalizeLabels(out);
}
