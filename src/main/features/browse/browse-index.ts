import { currentLabels, type LabelEvent } from '../../../shared/features/labels/events';
import type { LabelState } from '../../../shared/features/browse/contract';
import type { Project } from '../../../shared/features/projects/contract';
import type { BrowseEventRow } from '../../store/browse';
import type { PredictionColumns } from '../../store/prediction-columns';
import type { Store } from '../../store/store';
import { derivationOptions } from '../labels/derivation';
import { keyOrder } from './key-order';

/** The project's visible examples as columns, row i being the i-th in log (id) order. */
export interface ExamplesIndex {
  version: string;
  ids: Int32Array;
  ts: Float64Array;
  /** Row of an example id, or -1. */
  rowOf: Int32Array;
}

/** One model run's predictions aligned with the examples' rows (NaN where it scored none). */
export interface RunColumns {
  /** Changes when the run's columns are read anew: part of the names of orders by its scores. */
  serial: number;
  columns: PredictionColumns;
  predicted: Float64Array;
  scores: Float32Array;
  width: number;
}

export const LABEL_STATES: readonly LabelState[] = ['unlabeled', 'labeled', 'conflict', 'flagged'];

/** Every example's current label under the newest schema version, by row. */
export interface LabelsIndex {
  version: string;
  /** Index into LABEL_STATES (flagged is kept apart: an example can be labeled and flagged). */
  state: Uint8Array;
  flagged: Uint8Array;
  /** Index into labelSets, or -1. */
  labelSet: Int32Array;
  labelSets: string[][];
}

/** One metadata field by row: an index into `values`, or -1 where the example lacks it. */
export interface MetadataColumn {
  codes: Int32Array;
  values: (string | number)[];
}

/** Every example's ground truth by row, as class indexes (several for multilabel; none: no truth). */
export interface GroundTruthColumn {
  /** Index into `sets`, or -1 where the example has no ground truth. */
  set: Int32Array;
  sets: number[][];
}

interface ProjectCache {
  examples?: ExamplesIndex;
  groundTruth?: GroundTruthColumn;
  hasGroundTruth?: boolean;
  metadata: Map<string, MetadataColumn>;
  runs: Map<number, RunColumns>;
  labels?: LabelsIndex;
  /** Rows in order of a key, by key name (cleared with the examples they index). */
  orders: Map<string, { order: Int32Array; keyed: number }>;
}

/**
 * In-memory columns behind the data browser, kept per project while the data they come from is
 * unchanged: filters and sorts then run over typed arrays, not over a million SQL rows.
 */
export class BrowseIndex {
  private readonly projects = new Map<number, ProjectCache>();
  private serial = 0;

  constructor(private readonly store: Store) {}

  private cache(projectId: number): ProjectCache {
    let c = this.projects.get(projectId);
    if (!c) {
      c = { runs: new Map(), metadata: new Map(), orders: new Map() };
      this.projects.set(projectId, c);
    }
    return c;
  }

  examples(projectId: number): ExamplesIndex {
    const cache = this.cache(projectId);
    const version = this.store.browse.examplesVersion(projectId);
    if (cache.examples?.version === version) return cache.examples;
    const rows = this.store.browse.visibleExamples(projectId);
    const ids = new Int32Array(rows.length);
    const ts = new Float64Array(rows.length);
    let maxId = 0;
    rows.forEach(([id, t], i) => {
      ids[i] = id;
      ts[i] = t ?? Number.NaN;
      if (id > maxId) maxId = id;
    });
    const rowOf = new Int32Array(maxId + 1).fill(-1);
    for (let i = 0; i < ids.length; i++) rowOf[ids[i]!] = i;
    cache.examples = { version, ids, ts, rowOf };
    delete cache.groundTruth;
    delete cache.hasGroundTruth;
    cache.runs.clear();
    cache.metadata.clear();
    cache.orders.clear();
    return cache.examples;
  }

  run(projectId: number, modelRunId: number): RunColumns {
    const examples = this.examples(projectId);
    const cache = this.cache(projectId);
    const columns = this.store.predictionColumns.load(modelRunId);
    const hit = cache.runs.get(modelRunId);
    if (hit && hit.columns === columns) return hit;
    const n = examples.ids.length;
    const width = columns.width;
    const predicted = new Float64Array(n).fill(Number.NaN);
    const scores = new Float32Array(n * width).fill(Number.NaN);
    for (let j = 0; j < columns.n; j++) {
      const id = columns.exampleIds[j]!;
      const row = id < examples.rowOf.length ? examples.rowOf[id]! : -1;
      if (row < 0) continue;
      predicted[row] = columns.predicted[j]!;
      for (let c = 0; c < width; c++) scores[row * width + c] = columns.scores[j * width + c]!;
    }
    const aligned = { serial: ++this.serial, columns, predicted, scores, width };
    cache.runs.set(modelRunId, aligned);
    return aligned;
  }

  /** A metadata field as a column: the first filter on a key reads it, later ones reuse it. */
  metadata(projectId: number, key: string): MetadataColumn {
    this.examples(projectId);
    const hit = this.cache(projectId).metadata.get(key);
    if (hit) return hit;
    // The rows and the values from one snapshot, so the i-th value is the i-th row's.
    const { examples, read } = this.store.db.transaction(() => ({
      examples: this.examples(projectId),
      read: this.store.browse.metadataValues(projectId, key),
    }))();
    if (read.length !== examples.ids.length)
      throw new Error(`metadata '${key}' read for ${read.length} examples, the browser holds ${examples.ids.length}`);
    const codes = new Int32Array(read.length).fill(-1);
    const values: (string | number)[] = [];
    const codeOf = new Map<string | number, number>();
    for (let row = 0; row < read.length; row++) {
      const value = read[row]!;
      if (value === null) continue;
      let code = codeOf.get(value);
      if (code === undefined) {
        code = values.length;
        values.push(value);
        codeOf.set(value, code);
      }
      codes[row] = code;
    }
    const column = { codes, values };
    const cache = this.cache(projectId);
    if (cache.metadata.size >= 16) cache.metadata.delete(cache.metadata.keys().next().value!);
    cache.metadata.set(key, column);
    return column;
  }

  /** Whether any example has a ground truth (asked once per data version: every page tells it). */
  hasGroundTruth(projectId: number): boolean {
    this.examples(projectId);
    const cache = this.cache(projectId);
    cache.hasGroundTruth ??= this.store.browse.hasGroundTruth(projectId);
    return cache.hasGroundTruth;
  }

  /** The ground truth column: read once per data version, on the first filter that needs it. */
  groundTruth(project: Project): GroundTruthColumn {
    const examples = this.examples(project.id);
    const cache = this.cache(project.id);
    if (cache.groundTruth) return cache.groundTruth;
    const set = new Int32Array(examples.ids.length).fill(-1);
    const sets: number[][] = [];
    const setOf = new Map<string, number>();
    for (const [id, truth] of this.store.browse.groundTruths(project.id)) {
      const row = id < examples.rowOf.length ? examples.rowOf[id]! : -1;
      if (row < 0) continue;
      let k = setOf.get(truth);
      if (k === undefined) {
        const names = project.taskType === 'multilabel' ? (JSON.parse(truth) as string[]) : [truth];
        k = sets.length;
        sets.push(names.map((c) => project.classes.indexOf(c)));
        setOf.set(truth, k);
      }
      set[row] = k;
    }
    cache.groundTruth = { set, sets };
    return cache.groundTruth;
  }

  labels(project: Project): LabelsIndex {
    const examples = this.examples(project.id);
    const cache = this.cache(project.id);
    const latest = this.store.labelSchemas.latest(project.id);
    const version = `${examples.version}/${this.store.browse.labelsVersion(project.id)}/${latest?.id ?? 0}`;
    if (cache.labels?.version === version) return cache.labels;
    const n = examples.ids.length;
    const state = new Uint8Array(n);
    const flagged = new Uint8Array(n);
    const labelSet = new Int32Array(n).fill(-1);
    const labelSets: string[][] = [];
    const setIndex = new Map<string, number>();
    const options = { ...derivationOptions(project, latest), ...(latest ? { schemaVersionId: latest.id } : {}) };
    const events = this.store.browse.labelEvents(project.id);
    for (let start = 0; start < events.length;) {
      let end = start;
      while (end < events.length && events[end]!.example_id === events[start]!.example_id) end++;
      const id = events[start]!.example_id;
      const row = id < examples.rowOf.length ? examples.rowOf[id]! : -1;
      if (row >= 0) {
        const current = currentLabels(events.slice(start, end).map(toLabelEvent), options);
        flagged[row] = current.flagged ? 1 : 0;
        const r = current.resolution;
        if (r.status === 'agreed' || r.status === 'adjudicated') {
          state[row] = LABEL_STATES.indexOf('labeled');
          const key = JSON.stringify(r.labels);
          let k = setIndex.get(key);
          if (k === undefined) {
            k = labelSets.length;
            labelSets.push(r.labels);
            setIndex.set(key, k);
          }
          labelSet[row] = k;
        } else if (r.status === 'conflict') state[row] = LABEL_STATES.indexOf('conflict');
      }
      start = end;
    }
    cache.labels = { version, state, flagged, labelSet, labelSets };
    return cache.labels;
  }

  /**
   * Every row in order of a key, kept per key: `name` must change whenever the key's values can
   * (run keys carry the run's columns' identity).
   */
  orderBy(projectId: number, name: string, key: (row: number) => number) {
    const examples = this.examples(projectId);
    const cache = this.cache(projectId);
    let sorted = cache.orders.get(name);
    if (!sorted) {
      sorted = keyOrder(examples.ids.length, key);
      if (cache.orders.size >= 8) cache.orders.delete(cache.orders.keys().next().value!);
      cache.orders.set(name, sorted);
    }
    return sorted;
  }
}

export function toLabelEvent(e: BrowseEventRow): LabelEvent {
  return {
    id: e.id,
    annotatorId: e.annotator_id,
    schemaVersionId: e.schema_version_id,
    action: e.action as LabelEvent['action'],
    labels: e.labels === null ? null : (JSON.parse(e.labels) as string[]),
    createdAt: e.created_at,
  };
}

const indexes = new WeakMap<Store, BrowseIndex>();

/** One index per open store (each runtime has one context and one store). */
export function browseIndex(store: Store): BrowseIndex {
  let index = indexes.get(store);
  if (!index) {
    index = new BrowseIndex(store);
    indexes.set(store, index);
  }
  return index;
}
