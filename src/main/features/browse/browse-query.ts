import { ApiError } from '../../../shared/api/errors';
import type { BrowseFilters, BrowsePage, BrowseRow, QueueState } from '../../../shared/features/browse/contract';
import type { Project } from '../../../shared/features/projects/contract';
import type { Context } from '../../core/context';
import type { ModelRunRow } from '../../store/mining';
import { resolveModelRun, runLabel } from '../mining/model-runs';
import { browseIndex, LABEL_STATES, type RunColumns } from './browse-index';
import { pageByKey } from './key-order';

type Sort = { by: 'log-order' | 'time' | 'score' | 'confidence'; direction: 'asc' | 'desc' };

const QUEUE_STATES: readonly QueueState[] = ['not-queued', 'pending', 'leased', 'done', 'skipped'];

/** The run a query reads and the score each row gets from it. */
interface ScoredRun {
  row: ModelRunRow;
  columns: RunColumns;
  /** P(scoreClass), else the top score (binary: P(positive)). */
  score(row: number): number;
  /** The top score: how sure the run is of its predicted class (binary: of either class). */
  confidence(row: number): number;
  predictedNames(row: number): string[];
}

function scoredRun(ctx: Context, project: Project, row: ModelRunRow, scoreClass: string | undefined): ScoredRun {
  const columns = browseIndex(ctx.store).run(project.id, row.id);
  const { scores, width, predicted } = columns;
  const binary = project.taskType === 'binary' && width === 1;
  let classIndex = -1;
  if (scoreClass !== undefined) {
    classIndex = project.classes.indexOf(scoreClass);
    if (classIndex < 0)
      throw new ApiError(
        'invalid-input',
        `'${scoreClass}' is not a class of '${project.name}' (its classes: ${project.classes.join(', ')})`,
      );
  }
  const top = (r: number) => {
    if (binary) return Math.max(scores[r]!, 1 - scores[r]!);
    let best = -Infinity;
    for (let c = 0; c < width; c++) best = Math.max(best, scores[r * width + c]!);
    return best;
  };
  return {
    row,
    columns,
    score: (r) => {
      if (binary) return classIndex === 0 ? 1 - scores[r]! : scores[r]!;
      return classIndex >= 0 ? scores[r * width + classIndex]! : top(r);
    },
    confidence: top,
    predictedNames: (r) => {
      const p = predicted[r]!;
      if (Number.isNaN(p)) return [];
      if (project.taskType !== 'multilabel') return [project.classes[p] ?? String(p)];
      return project.classes.filter((_, c) => Math.floor(p / 2 ** c) % 2 === 1);
    },
  };
}

function classIndexes(project: Project, names: readonly string[], what: string): number[] {
  const unknown = names.filter((c) => !project.classes.includes(c));
  if (unknown.length > 0)
    throw new ApiError(
      'invalid-input',
      `${what}: ${unknown.map((c) => `'${c}'`).join(', ')} ${unknown.length === 1 ? 'is not a class' : 'are not classes'} of '${project.name}' (its classes: ${project.classes.join(', ')})`,
    );
  return names.map((c) => project.classes.indexOf(c));
}

/** Rows (log order) that pass every filter. */
export function matchRows(ctx: Context, project: Project, filters: BrowseFilters) {
  const index = browseIndex(ctx.store);
  const examples = index.examples(project.id);
  const n = examples.ids.length;
  const keep = new Uint8Array(n).fill(1);
  const allowOnly = (ids: number[]) => {
    const allowed = new Uint8Array(n);
    for (const id of ids) {
      const r = id < examples.rowOf.length ? examples.rowOf[id]! : -1;
      if (r >= 0) allowed[r] = 1;
    }
    for (let i = 0; i < n; i++) if (!allowed[i]) keep[i] = 0;
  };
  if (filters.search !== undefined) allowOnly(ctx.store.browse.search(project.id, filters.search));
  for (const [key, value] of Object.entries(filters.metadata ?? {})) {
    const column = index.metadata(project.id, key);
    // JSON true/false come out of SQLite as 1/0.
    const wanted = column.values.indexOf(typeof value === 'boolean' ? (value ? 1 : 0) : value);
    for (let i = 0; i < n; i++) if (column.codes[i] !== wanted || wanted < 0) keep[i] = 0;
  }
  if (filters.from !== undefined || filters.to !== undefined) {
    const from = filters.from ?? -Infinity;
    const to = filters.to ?? Infinity;
    for (let i = 0; i < n; i++) {
      const t = examples.ts[i]!;
      if (!(t >= from && t < to)) keep[i] = 0;
    }
  }

  const available = ctx.store.mining.modelRuns(project.id);
  const runRow =
    filters.run !== undefined ? resolveModelRun(project, available, filters.run) : (available.at(-1) ?? null);
  const run = runRow ? scoredRun(ctx, project, runRow, filters.scoreClass) : null;
  const needsRun =
    filters.predictedClasses ||
    filters.scoreMin !== undefined ||
    filters.scoreMax !== undefined ||
    filters.disagreesWith;
  if (needsRun && !run)
    throw new ApiError(
      'conflict',
      `project '${project.name}' has no predictions to filter on: import or rescore first`,
    );
  if (run) {
    const { predicted } = run.columns;
    if (filters.predictedClasses) {
      const wanted = classIndexes(project, filters.predictedClasses, 'predicted class');
      const multilabel = project.taskType === 'multilabel';
      for (let i = 0; i < n; i++) {
        if (!keep[i]) continue;
        const p = predicted[i]!;
        const hit = Number.isNaN(p)
          ? false
          : multilabel
            ? wanted.some((c) => Math.floor(p / 2 ** c) % 2 === 1)
            : wanted.includes(p);
        if (!hit) keep[i] = 0;
      }
    }
    if (filters.scoreMin !== undefined || filters.scoreMax !== undefined) {
      const lo = filters.scoreMin ?? 0;
      const hi = filters.scoreMax ?? 1;
      for (let i = 0; i < n; i++) {
        if (!keep[i]) continue;
        const s = run.score(i);
        if (!(s >= lo && s <= hi)) keep[i] = 0;
      }
    }
    if (filters.disagreesWith !== undefined) {
      const other = resolveModelRun(project, available, filters.disagreesWith);
      if (other.id === run.row.id)
        throw new ApiError('invalid-input', 'disagreement needs two different model runs: pick another run to compare');
      const theirs = index.run(project.id, other.id).predicted;
      for (let i = 0; i < n; i++) {
        if (!keep[i]) continue;
        const a = predicted[i]!;
        const b = theirs[i]!;
        if (Number.isNaN(a) || Number.isNaN(b) || a === b) keep[i] = 0;
      }
    }
  }
  if (filters.labelStates || filters.labels) {
    const labels = index.labels(project);
    const states = new Set((filters.labelStates ?? []).map((s) => LABEL_STATES.indexOf(s)));
    const wantFlagged = filters.labelStates?.includes('flagged') ?? false;
    const wantedLabels = filters.labels ? new Set(filters.labels) : null;
    for (let i = 0; i < n; i++) {
      if (!keep[i]) continue;
      if (filters.labelStates) {
        const hit = states.has(labels.state[i]!) || (wantFlagged && labels.flagged[i] === 1);
        if (!hit) {
          keep[i] = 0;
          continue;
        }
      }
      if (wantedLabels) {
        const k = labels.labelSet[i]!;
        if (k < 0 || !labels.labelSets[k]!.some((l) => wantedLabels.has(l))) keep[i] = 0;
      }
    }
  }
  if (filters.groundTruth) {
    const wanted = new Set(classIndexes(project, filters.groundTruth, 'ground truth'));
    const truth = index.groundTruth(project);
    const hits = truth.sets.map((classes) => classes.some((c) => wanted.has(c)));
    for (let i = 0; i < n; i++) {
      const k = truth.set[i]!;
      if (keep[i] && (k < 0 || !hits[k])) keep[i] = 0;
    }
  }
  if (filters.queueStates) {
    const queue = queueColumn(ctx, project.id, examples.rowOf, n);
    const wanted = new Set(filters.queueStates.map((s) => QUEUE_STATES.indexOf(s)));
    for (let i = 0; i < n; i++) if (keep[i] && !wanted.has(queue[i]!)) keep[i] = 0;
  }
  let count = 0;
  for (let i = 0; i < n; i++) count += keep[i]!;
  const matched = new Int32Array(count);
  for (let i = 0, m = 0; i < n; i++) if (keep[i]) matched[m++] = i;
  return { matched, keep, run, runs: available };
}

function queueColumn(ctx: Context, projectId: number, rowOf: Int32Array, n: number): Uint8Array {
  const out = new Uint8Array(n); // 0: not queued
  for (const [id, status] of ctx.store.browse.queueStatuses(projectId)) {
    const r = id < rowOf.length ? rowOf[id]! : -1;
    if (r >= 0) out[r] = QUEUE_STATES.indexOf(status as QueueState);
  }
  return out;
}

function sortKey(sort: Sort, ts: Float64Array, run: ScoredRun | null): ((row: number) => number) | null {
  switch (sort.by) {
    case 'log-order':
      return null;
    case 'time':
      return (r) => ts[r]!;
    case 'score':
    case 'confidence':
      if (!run) throw new ApiError('conflict', 'there are no predictions to sort by: import or rescore first');
      return sort.by === 'score' ? run.score : run.confidence;
  }
}

function parseMetadata(text: string | null): Record<string, unknown> | null {
  if (text === null) return null;
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return null;
  }
}

/** One page of the data browser. */
export function browsePage(
  ctx: Context,
  project: Project,
  filters: BrowseFilters,
  sort: Sort,
  offset: number,
  limit: number,
): BrowsePage {
  const index = browseIndex(ctx.store);
  const examples = index.examples(project.id);
  const { matched, keep, run, runs } = matchRows(ctx, project, filters);
  const key = sortKey(sort, examples.ts, run);
  let rows: Int32Array;
  if (key === null) {
    const end = Math.min(matched.length, offset + limit);
    rows =
      sort.direction === 'asc'
        ? matched.slice(offset, end)
        : Int32Array.from({ length: Math.max(0, end - offset) }, (_, i) => matched[matched.length - 1 - offset - i]!);
  } else {
    const name =
      sort.by === 'time'
        ? 'time'
        : `${sort.by}:${run!.row.id}:${run!.columns.serial}:${sort.by === 'score' ? (filters.scoreClass ?? '') : ''}`;
    const sorted = index.orderBy(project.id, name, key);
    rows = pageByKey(sorted, key, keep, sort.direction === 'desc', offset, limit);
  }

  const ids = Array.from(rows, (r) => examples.ids[r]!);
  const pageRows = ctx.store.browse.page(ids);
  const labels = index.labels(project);
  const statuses = new Map(ctx.store.browse.queueStatusesOf(ids));
  const runColumns = runs.map((r) => scoredRun(ctx, project, r, filters.scoreClass));
  const out: BrowseRow[] = pageRows.map((p, i) => {
    const row = rows[i]!;
    const k = labels.labelSet[row]!;
    const flagged = labels.flagged[row] === 1;
    const state = LABEL_STATES[labels.state[row]!]!;
    return {
      externalId: p.external_id,
      ts: p.ts,
      text: p.text,
      textLength: p.text_length,
      imagePath: p.image_path,
      metadata: parseMetadata(p.metadata),
      groundTruth: p.ground_truth,
      predictions: runColumns
        .filter((r) => !Number.isNaN(r.columns.predicted[row]!))
        .map((r) => ({ run: runLabel(r.row), predicted: r.predictedNames(row), score: r.score(row) })),
      label: k >= 0 ? labels.labelSets[k]! : null,
      labelState: state === 'unlabeled' && flagged ? 'flagged' : state,
      queueState: (statuses.get(p.id) as QueueState | undefined) ?? 'not-queued',
    };
  });
  return {
    total: matched.length,
    offset,
    rows: out,
    runs: runs.map((r) => ({ id: r.id, label: runLabel(r) })),
    run: run ? runLabel(run.row) : null,
    metadataKeys: ctx.store.browse.metadataKeys(project.id),
    labels: ctx.store.labelSchemas.latest(project.id)?.labels.map((l) => ({ id: l.id, name: l.name })) ?? [],
    hasGroundTruth: index.hasGroundTruth(project.id),
  };
}
