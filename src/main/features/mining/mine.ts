import { SNIPPET_CHARS } from '../../store/queue';
import { ApiError } from '../../../shared/api/errors';
import type { ParsedInput } from '../../../shared/api/contract';
import {
  binaryOnly,
  mulberry32,
  reasonFor,
  seededSample,
  suppressNearDuplicates,
  suppressNearDuplicateVectors,
  topK,
  type MiningStrategy,
  type ReasonInput,
} from '../../../shared/features/mining';
import type { MiningPreview, MiningResult } from '../../../shared/features/mining/contract';
import type { Project } from '../../../shared/features/projects/contract';
import type { Context } from '../../core/context';
import type { CandidateRow, ModelRunRow } from '../../store/mining';
import type { PredictionColumns } from '../../store/prediction-columns';
import { resolveProject } from '../projects/handlers';
import { chooseModelRuns, runLabel } from './model-runs';
import { rank } from './rank';

/** A request with its defaults settled: duplicate suppression follows the strategy unless asked. */
type Asked = ParsedInput<'mining.run'>;
type Request = Asked & { dedupe: boolean };

function settle(req: Asked): Request {
  return { ...req, dedupe: req.dedupe ?? req.strategy.strategy !== 'random' };
}

interface Loaded {
  runs: ModelRunRow[];
  base: PredictionColumns;
  /** Scores of every run aligned with base's rows. */
  scores: Float32Array[];
  eligible: Uint8Array;
}

function sameRows(a: Int32Array, b: Int32Array): boolean {
  if (a.length !== b.length) return false;
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

/** Loads the runs' score columns and aligns the others to the first run's rows. */
export function loadAligned(ctx: Context, project: Project, runs: ModelRunRow[]): Loaded {
  const columns = runs.map((r) => ctx.store.predictionColumns.load(r.id));
  const base = columns[0]!;
  const eligible = new Uint8Array(base.n).fill(1);
  const scores = [base.scores];
  if (columns.length > 1) {
    let pos: Int32Array | null = null;
    for (const other of columns.slice(1)) {
      if (sameRows(base.exampleIds, other.exampleIds)) {
        scores.push(other.scores); // the common case: both runs scored the same import, in order
        continue;
      }
      pos ??= new Int32Array(ctx.store.mining.maxExampleId() + 1);
      pos.fill(-1);
      for (let j = 0; j < other.n; j++) pos[other.exampleIds[j]!] = j;
      const w = other.width;
      const from = other.scores;
      const aligned = new Float32Array(base.n * w);
      for (let i = 0; i < base.n; i++) {
        const j = pos[base.exampleIds[i]!] ?? -1;
        if (j < 0) eligible[i] = 0;
        else for (let c = 0; c < w; c++) aligned[i * w + c] = from[j * w + c]!;
      }
      scores.push(aligned);
    }
  }
  return { runs, base, scores, eligible };
}

/** Marks rows ineligible by example id: filters, labeled examples, items no longer pending. */
function applyFilters(ctx: Context, project: Project, req: Asked, loaded: Loaded, schemaVersionId: number | null) {
  const { base, eligible } = loaded;
  const maxId = ctx.store.mining.maxExampleId();
  const blocked = new Uint8Array(maxId + 1);
  const allowOnly = (ids: number[]) => {
    const allowed = new Uint8Array(maxId + 1);
    for (const id of ids) allowed[id] = 1;
    for (let id = 0; id <= maxId; id++) if (!allowed[id]) blocked[id] = 1;
  };
  const f = req.filters;
  if (f.from !== undefined || f.to !== undefined)
    allowOnly(ctx.store.mining.inTimeWindow(project.id, f.from ?? null, f.to ?? null));
  for (const [key, value] of Object.entries(f.metadata ?? {}))
    allowOnly(ctx.store.mining.withMetadata(project.id, key, value));
  if (req.excludeLabeled && schemaVersionId !== null) {
    for (const id of ctx.store.mining.labeledUnder(project.id, schemaVersionId)) blocked[id] = 1;
  }
  for (const id of ctx.store.queue.notPending(project.id)) blocked[id] = 1;

  let classMask: Set<number> | null = null;
  if (f.predictedClasses) {
    const unknown = f.predictedClasses.filter((c) => !project.classes.includes(c));
    if (unknown.length > 0)
      throw new ApiError(
        'invalid-input',
        `filters.predictedClasses: not a class of '${project.name}': ${unknown.join(', ')}`,
      );
    classMask = new Set(f.predictedClasses.map((c) => project.classes.indexOf(c)));
  }
  const multilabel = project.taskType === 'multilabel';
  for (let i = 0; i < base.n; i++) {
    if (blocked[base.exampleIds[i]!]) eligible[i] = 0;
    else if (classMask) {
      const p = base.predicted[i]!;
      const hit = multilabel ? [...classMask].some((c) => Math.floor(p / 2 ** c) % 2 === 1) : classMask.has(p);
      if (!hit) eligible[i] = 0;
    }
  }
}

function truthColumn(ctx: Context, project: Project, base: PredictionColumns): Int32Array {
  const byExample = new Map<number, number>();
  for (const row of ctx.store.mining.groundTruth(project.id)) {
    const c = project.classes.indexOf(row.ground_truth);
    if (c >= 0) byExample.set(row.id, c);
  }
  const truth = new Int32Array(base.n).fill(-1);
  for (let i = 0; i < base.n; i++) truth[i] = byExample.get(base.exampleIds[i]!) ?? -1;
  return truth;
}

function count(flags: Uint8Array): number {
  let c = 0;
  for (let i = 0; i < flags.length; i++) c += flags[i]!;
  return c;
}

function classKey(project: Project, predicted: number): string {
  if (project.taskType !== 'multilabel') return project.classes[predicted] ?? String(predicted);
  return String(predicted);
}

interface Selection {
  rows: number[];
  candidates: Map<number, CandidateRow>;
  suppressedDuplicates: number;
  suppressedByQuota: number;
}

/**
 * Walks the ranking best first, dropping duplicates and rows over their class quota, until `limit`
 * are kept. Fetches example rows for a window of candidates and widens it while more are needed.
 */
function select(ctx: Context, project: Project, req: Request, loaded: Loaded, priority: Float64Array): Selection {
  const { base, eligible } = loaded;
  const total = count(eligible);
  const plain = !req.dedupe && req.perClassQuota === undefined;
  let want = plain ? req.limit : Math.min(total, req.limit * 3 + 50);
  for (;;) {
    const order = topK(priority, want, eligible);
    const ids = Array.from(order, (row) => base.exampleIds[row]!);
    const rows = ctx.store.mining.candidates(ids);
    const byId = new Map(rows.map((r) => [r.id, r]));
    const kept = req.dedupe ? dedupe(project, req, order, ids, byId) : { kept: Array.from(order), dropped: 0 };
    const perClass = new Map<string, number>();
    const chosen: number[] = [];
    let overQuota = 0;
    for (const row of kept.kept) {
      if (chosen.length >= req.limit) break;
      if (req.perClassQuota !== undefined) {
        const key = classKey(project, base.predicted[row]!);
        const used = perClass.get(key) ?? 0;
        if (used >= req.perClassQuota) {
          overQuota++;
          continue;
        }
        perClass.set(key, used + 1);
      }
      chosen.push(row);
    }
    if (chosen.length >= req.limit || order.length >= total || want >= total) {
      return { rows: chosen, candidates: byId, suppressedDuplicates: kept.dropped, suppressedByQuota: overQuota };
    }
    want = Math.min(total, want * 4);
  }
}

/** Without quotas the walk can stop at the limit; with them, later classes still need candidates. */
function keepAtMost(req: DedupeOptions): number {
  return req.perClassQuota === undefined ? req.limit : Infinity;
}

/** What duplicate suppression reads of a request. */
export type DedupeOptions = Pick<Request, 'minJaccard' | 'minCosine' | 'perClassQuota' | 'limit'>;

export function dedupe(
  project: Project,
  req: DedupeOptions,
  order: Int32Array,
  ids: number[],
  byId: Map<number, CandidateRow>,
): { kept: number[]; dropped: number } {
  const local = Int32Array.from(order.keys());
  // Exact duplicates of the whole input first (any input kind), by content hash.
  const seen = new Set<number>();
  const firstPass: number[] = [];
  const exactDrops: number[] = [];
  for (const j of local) {
    const hash = byId.get(ids[j]!)?.content_hash;
    if (hash !== undefined && seen.has(hash)) {
      exactDrops.push(j);
      continue;
    }
    if (hash !== undefined) seen.add(hash);
    firstPass.push(j);
  }
  let keptLocal: Int32Array;
  let nearDrops = 0;
  const pass = Int32Array.from(firstPass);
  if (project.inputKind === 'text') {
    const texts = ids.map((id) => byId.get(id)?.text ?? null);
    const near = suppressNearDuplicates(pass, texts, { minJaccard: req.minJaccard, limit: keepAtMost(req) });
    keptLocal = near.kept;
    nearDrops = near.duplicateOf.size;
  } else if (project.inputKind === 'tabular') {
    const dim = project.featureNames?.length ?? 0;
    const first = ids.map((id) => byId.get(id)?.features).find((f) => f);
    const d = dim || (first ? first.byteLength / 4 : 0);
    if (d > 0) {
      const features = new Float32Array(ids.length * d);
      ids.forEach((id, j) => {
        const f = byId.get(id)?.features;
        if (f && f.byteLength === d * 4)
          features.set(new Float32Array(f.buffer.slice(f.byteOffset, f.byteOffset + f.byteLength)), j * d);
      });
      const near = suppressNearDuplicateVectors(pass, features, d, req.minCosine, keepAtMost(req));
      keptLocal = near.kept;
      nearDrops = near.duplicateOf.size;
    } else keptLocal = pass;
  } else keptLocal = pass;
  // Exact copies count as dropped only where the walk got to (it stops at the limit).
  const reached = keptLocal.length >= keepAtMost(req) ? keptLocal[keptLocal.length - 1]! : Infinity;
  const exact = exactDrops.filter((j) => j < reached).length;
  return { kept: Array.from(keptLocal, (j) => order[j]!), dropped: exact + nearDrops };
}

function reasonInput(
  strategy: MiningStrategy,
  project: Project,
  loaded: Loaded,
  row: number,
  truth: Int32Array | undefined,
): ReasonInput {
  const w = loaded.base.width;
  const classes = project.classes;
  const rowOf = (i: number) => loaded.scores[i]!.subarray(row * w, (row + 1) * w);
  const names = loaded.runs.map((r) => r.model_version);
  const unique = new Set(names).size === names.length ? names : loaded.runs.map(runLabel);
  const multilabel = project.taskType === 'multilabel';
  switch (strategy.strategy) {
    case 'random':
      return { strategy: 'random', seed: strategy.seed };
    case 'threshold':
      return { strategy: 'threshold', scores: rowOf(0), threshold: strategy.threshold, classes };
    case 'disagreement':
      return {
        strategy: 'disagreement',
        measure: strategy.measure,
        runs: [
          { name: unique[0]!, scores: rowOf(0) },
          { name: unique[1]!, scores: rowOf(1) },
        ],
        classes,
      };
    case 'vote-entropy':
      return {
        strategy: 'vote-entropy',
        runs: loaded.runs.map((_, i) => ({ name: unique[i]!, scores: rowOf(i) })),
        classes,
      };
    case 'confident-error':
      return { strategy: 'confident-error', scores: rowOf(0), truth: truth?.[row] ?? -1, classes };
    case 'label-issues':
      throw new Error('label-issues gives its own reasons (learn/label-issues.ts)');
    case 'margin':
      return { strategy: 'margin', scores: rowOf(0), classes };
    case 'entropy':
    case 'least-confidence':
      return { strategy: strategy.strategy, scores: rowOf(0), classes, multilabel };
  }
}

/** The seed of a run's control sample: apart from the seed of its doubly labeled items. */
export const CONTROL_SEED_OFFSET = 1_000_003;

/**
 * A uniform random sample of the eligible pool, drawn before the ranking picks its items so it
 * stays uniform over everything the run could have queued (ranked items included). Its rows leave
 * the pool for the ranking. None for the random strategy: its whole run is such a sample. O(n).
 */
function drawControlSample(req: Request, loaded: Loaded): Int32Array {
  if (req.strategy.strategy === 'random' || req.controlShare <= 0) return new Int32Array(0);
  const want = Math.round(req.limit * req.controlShare);
  if (want === 0) return new Int32Array(0);
  const rows = seededSample(loaded.base.n, want, req.seed + CONTROL_SEED_OFFSET, loaded.eligible);
  for (const row of rows) loaded.eligible[row] = 0;
  return rows;
}

interface QueuedItem {
  exampleId: number;
  priority: number;
  reason: string;
  labelsWanted: number;
  control: boolean;
}

/**
 * The control items spread evenly through the ranked ones (each takes the priority of the ranked
 * item at its place), so reviewers working top-down label both as they go.
 */
function withControlSample(
  mined: QueuedItem[],
  control: Int32Array,
  loaded: Loaded,
  req: Request,
  rng: () => number,
): QueuedItem[] {
  if (control.length === 0) return mined;
  const share = `${Math.round(req.controlShare * 100)}%`;
  const out: QueuedItem[] = [];
  const step = (mined.length + control.length) / control.length;
  let next = 0;
  for (let i = 0; i < control.length; i++) {
    const at = Math.min(mined.length, Math.floor(i * step + step / 2) - i);
    while (next < at) out.push(mined[next++]!);
    const ranked = mined[Math.min(at, mined.length - 1)];
    out.push({
      exampleId: loaded.base.exampleIds[control[i]!]!,
      priority: ranked && Number.isFinite(ranked.priority) ? ranked.priority : 0,
      reason: `random control sample (${share} of this run, seed ${req.seed}): an unbiased label`,
      labelsWanted: req.secondLabelShare > 0 && rng() / 2 ** 32 < req.secondLabelShare ? 2 : 1,
      control: true,
    });
  }
  while (next < mined.length) out.push(mined[next++]!);
  return out;
}

/** Scores, filters and ranks; the part of a mining run that reads every prediction. */
export function rankRows(ctx: Context, project: Project, req: Asked, runs: ModelRunRow[]) {
  const t0 = performance.now();
  const loaded = loadAligned(ctx, project, runs);
  const latest = ctx.store.labelSchemas.latest(project.id);
  applyFilters(ctx, project, req, loaded, latest?.id ?? null);
  const t1 = performance.now();
  const truth = req.strategy.strategy === 'confident-error' ? truthColumn(ctx, project, loaded.base) : undefined;
  const priority = rank(
    {
      strategy: req.strategy,
      n: loaded.base.n,
      width: loaded.base.width,
      multilabel: project.taskType === 'multilabel',
      runs: loaded.scores,
      ...(truth ? { truth } : {}),
    },
    loaded.eligible,
    req.limit,
  );
  if (req.strategy.strategy === 'confident-error') {
    // Only real errors qualify: a correct or unknown prediction scores 0.
    for (let i = 0; i < priority.length; i++) if (!(priority[i]! > 0)) loaded.eligible[i] = 0;
  }
  if (req.strategy.strategy === 'random') {
    for (let i = 0; i < priority.length; i++) if (Number.isNaN(priority[i]!)) loaded.eligible[i] = 0;
  }
  return { loaded, priority, truth, loadMs: t1 - t0, rankMs: performance.now() - t1 };
}

/** Everything a mining run decides before it writes: the ranking and the items it would queue. */
function decide(ctx: Context, asked: Asked) {
  const req = settle(asked);
  const project = resolveProject(ctx, req.project);
  const strategy = req.strategy;
  if (binaryOnly(strategy.strategy) && project.taskType !== 'binary') {
    throw new ApiError(
      'invalid-input',
      `${strategy.strategy} needs a binary project; '${project.name}' is ${project.taskType}`,
    );
  }
  if (strategy.strategy === 'confident-error' && project.taskType === 'multilabel') {
    throw new ApiError('invalid-input', `confident-error compares one true class; '${project.name}' is multilabel`);
  }
  for (const id of ctx.store.mining.runsWithoutColumns(project.id)) ctx.store.predictionColumns.load(id);
  const runs = chooseModelRuns(project, strategy.strategy, ctx.store.mining.modelRuns(project.id), req.modelRuns);

  const { loaded, priority, truth, loadMs, rankMs } = rankRows(ctx, project, req, runs);
  const t2 = performance.now();
  const control = drawControlSample(req, loaded);
  const rankedLimit = req.limit - control.length;
  const picked: Selection =
    rankedLimit > 0
      ? select(ctx, project, { ...req, limit: rankedLimit }, loaded, priority)
      : { rows: [], candidates: new Map(), suppressedDuplicates: 0, suppressedByQuota: 0 };
  const rng = mulberry32(req.seed);
  const ranked = picked.rows.map((row) => ({
    exampleId: loaded.base.exampleIds[row]!,
    priority: priority[row]!,
    reason: reasonFor(reasonInput(strategy, project, loaded, row, truth)),
    labelsWanted: req.secondLabelShare > 0 && rng() / 2 ** 32 < req.secondLabelShare ? 2 : 1,
    control: false,
  }));
  const items = withControlSample(ranked, control, loaded, req, rng);
  if (control.length > 0) {
    const described = ctx.store.mining.candidates(items.filter((i) => i.control).map((i) => i.exampleId));
    for (const row of described) picked.candidates.set(row.id, row);
  }
  const described = (list: typeof items) =>
    list.map((i) => ({
      externalId: picked.candidates.get(i.exampleId)?.external_id ?? '',
      priority: i.priority,
      reason: i.reason,
      labelsWanted: i.labelsWanted,
      snippet: picked.candidates.get(i.exampleId)?.text?.slice(0, SNIPPET_CHARS) ?? null,
    }));
  const top = described(items.slice(0, 20));
  const listed = req.listItems ? { items: described(items) } : {};
  return {
    req,
    project,
    runs,
    loaded,
    priority,
    picked,
    items,
    top,
    listed,
    loadMs,
    rankMs,
    selectMs: performance.now() - t2,
  };
}

const mined = (items: readonly QueuedItem[]) => items.filter((i) => !i.control);

/** What a mining run would queue, and how the priorities of the eligible examples are spread. */
export function previewMining(ctx: Context, asked: Asked, bins: number): MiningPreview {
  const { req, runs, loaded, priority, picked, items, top, listed } = decide(ctx, asked);
  const eligible = loaded.eligible;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < priority.length; i++) {
    const p = priority[i]!;
    if (eligible[i] && Number.isFinite(p)) {
      if (p < min) min = p;
      if (p > max) max = p;
    }
  }
  const all = new Array<number>(bins).fill(0);
  const chosen = new Array<number>(bins).fill(0);
  const width = max > min ? (max - min) / bins : 1;
  const bin = (p: number) => Math.min(bins - 1, Math.max(0, Math.floor((p - min) / width)));
  if (min <= max) {
    for (let i = 0; i < priority.length; i++) {
      const p = priority[i]!;
      if (eligible[i] && Number.isFinite(p)) all[bin(p)]!++;
    }
    for (const item of mined(items)) if (Number.isFinite(item.priority)) chosen[bin(item.priority)]!++;
  }
  return {
    strategy: req.strategy.strategy,
    modelRuns: runs.map((r) => ({ id: r.id, name: runLabel(r) })),
    scanned: loaded.base.n,
    eligible: count(eligible),
    selected: items.length,
    doublyLabeled: items.filter((i) => i.labelsWanted > 1).length,
    controlSample: items.filter((i) => i.control).length,
    suppressedDuplicates: picked.suppressedDuplicates,
    suppressedByQuota: picked.suppressedByQuota,
    cutoff: mined(items).length > 0 ? mined(items).at(-1)!.priority : null,
    histogram: { min: min <= max ? min : 0, max: min <= max ? max : 0, all, selected: chosen },
    top,
    ...listed,
  };
}

export function mine(ctx: Context, asked: Asked): MiningResult {
  const { req, project, runs, loaded, picked, items, top, listed, loadMs, rankMs, selectMs } = decide(ctx, asked);
  const strategy = req.strategy;
  const t3 = performance.now();

  const now = Date.now();
  const { strategy: name, ...params } = strategy;
  const filters = { ...req.filters, excludeLabeled: req.excludeLabeled, perClassQuota: req.perClassQuota ?? null };
  const { miningRunId, merged } = ctx.store.db
    .transaction(() => {
      const id = ctx.store.mining.createRun(
        project.id,
        {
          strategy: name,
          params: {
            ...params,
            limit: req.limit,
            dedupe: req.dedupe,
            minJaccard: req.minJaccard,
            minCosine: req.minCosine,
            secondLabelShare: req.secondLabelShare,
            controlShare: req.strategy.strategy === 'random' ? 0 : req.controlShare,
            seed: req.seed,
          },
          modelRuns: runs.map((r) => r.id),
          filters,
        },
        now,
      );
      const m = ctx.store.queue.merge(project.id, id, items, now);
      ctx.store.mining.finishRun(id, m.added, {
        selected: items.length,
        controlSample: items.filter((i) => i.control).length,
        updated: m.updated,
        alreadyQueued: m.unchanged,
        suppressedDuplicates: picked.suppressedDuplicates,
        suppressedByQuota: picked.suppressedByQuota,
      });
      return { miningRunId: id, merged: m };
    })
    .immediate();
  ctx.emit({ type: 'data.changed', projectId: project.id });
  return {
    miningRunId,
    strategy: name,
    modelRuns: runs.map((r) => ({ id: r.id, name: runLabel(r) })),
    scanned: loaded.base.n,
    eligible: count(loaded.eligible),
    selected: items.length,
    added: merged.added,
    updated: merged.updated,
    alreadyQueued: merged.unchanged,
    suppressedDuplicates: picked.suppressedDuplicates,
    suppressedByQuota: picked.suppressedByQuota,
    doublyLabeled: items.filter((i) => i.labelsWanted > 1).length,
    controlSample: items.filter((i) => i.control).length,
    timings: { loadMs, rankMs, selectMs, writeMs: performance.now() - t3 },
    top,
    ...listed,
  };
}
