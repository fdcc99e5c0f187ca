import { z } from 'zod';
import { hashFloats, hashString } from '../../domain/hash';
import { parseTimestamp } from '../../domain/time';
import { scoreWidth } from '../../domain/task';
import { parseTemplate, renderTemplate } from '../../domain/text-template';
import type { ImportMapping } from './mapping';
import { createMetadataWriter } from './metadata-json';
import { holdsLoneSurrogate, isWellFormed, LONE_SURROGATE_REASON } from '../../domain/well-formed';

export type RawRow = Record<string, unknown>;

/**
 * One log row after validation, with scores in the project's class order. `scores` and
 * `features` are views the validator reuses: copy them before validating the next row.
 */
export interface ValidRow {
  id: string;
  ts: number | null;
  text: string | null;
  /** With a text template: the parts the text was built from, as JSON [[field, text], …]. */
  textParts: string | null;
  imagePath: string | null;
  features: Float32Array | null;
  scores: Float32Array;
  /** Class index (binary, multiclass) or a bitmask of class indexes (multilabel). */
  predicted: number;
  groundTruth: string | null;
  modelName: string;
  modelVersion: string;
  metadata: string | null;
  contentHash: number;
}

export interface RowProblem {
  field: string;
  reason: string;
}

export type RowResult = { ok: true; row: ValidRow } | { ok: false; problem: RowProblem };

export interface ValidatorLimits {
  maxTextChars: number;
  maxIdChars: number;
}

export const DEFAULT_VALIDATOR_LIMITS: ValidatorLimits = { maxTextChars: 1_000_000, maxIdChars: 512 };

const MAX_MULTILABEL_CLASSES = 52; // bitmask must stay a safe integer

const idSchema = (maxChars: number) =>
  z.union(
    [
      z.string().min(1, 'id is empty').max(maxChars, `id longer than ${maxChars} characters`),
      z
        .number()
        .refine(Number.isInteger, 'id must be an integer or a string')
        .refine(Number.isSafeInteger, 'integer id beyond 2^53 loses precision: write it as a string'),
    ],
    { error: (issue) => (issue.input === undefined ? 'missing' : 'id must be a string or an integer') },
  );

const finiteNumber = z.number({ error: (i) => (i.input === undefined ? 'missing' : 'not a finite number') });

export function buildShapeSchema(m: ImportMapping, limits: ValidatorLimits): z.ZodType<RawRow> {
  const shape: Record<string, z.ZodType> = { [m.id]: idSchema(limits.maxIdChars) };
  const text = z.string().max(limits.maxTextChars, `longer than ${limits.maxTextChars} characters`);
  if (m.text) shape[m.text] = text;
  if (m.textTemplate) for (const f of parseTemplate(m.textTemplate).fields) shape[f] = text;
  if (m.imagePath) shape[m.imagePath] = z.string().min(1, 'empty image path').max(4096);
  if (m.features?.kind === 'fields') for (const f of m.features.fields) shape[f] = finiteNumber;
  if (m.features?.kind === 'vector') shape[m.features.field] = z.array(finiteNumber).length(m.features.dim);
  if (m.scores.kind === 'vector') {
    const classes = `${m.classes.length} classes (${m.classes.join(', ')})`;
    shape[m.scores.field] = z
      .array(finiteNumber)
      .min(1)
      .max(m.classes.length, `more scores than the mapping's ${classes}`);
  }
  if (m.scores.kind === 'object') shape[m.scores.field] = z.record(z.string(), finiteNumber);
  if (m.scores.kind === 'columns') for (const c of m.scores.columns) shape[c] = finiteNumber;
  if (m.timestamp) shape[m.timestamp.field] = z.union([z.string(), finiteNumber]);
  const label = z.union([z.string(), z.number().int(), z.array(z.string())]);
  if (m.predictedLabel) shape[m.predictedLabel] = label.optional().nullable();
  if (m.groundTruth) shape[m.groundTruth] = label.optional().nullable();
  if (m.model.nameField) shape[m.model.nameField] = z.union([z.string().min(1).max(200), z.number()]);
  if (m.model.versionField) shape[m.model.versionField] = z.union([z.string().min(1).max(200), z.number()]);
  // Unknown fields are ignored here (not copied): metadata is picked by name afterwards.
  return z.object(shape) as unknown as z.ZodType<RawRow>;
}

const finite = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v);

const isTypedFloats = (v: unknown): v is Float32Array | Float64Array =>
  v instanceof Float32Array || v instanceof Float64Array;

/** Numbers in a list: a plain array, or a typed one (a Parquet reader's view of its floats). */
function finiteArray(v: unknown, min: number, max: number): boolean {
  if (isTypedFloats(v)) {
    if (v.length < min || v.length > max) return false;
    for (let i = 0; i < v.length; i++) if (!Number.isFinite(v[i]!)) return false;
    return true;
  }
  if (!Array.isArray(v) || v.length < min || v.length > max) return false;
  for (let i = 0; i < v.length; i++) if (!finite(v[i])) return false;
  return true;
}

/** The row as zod sees it: typed arrays as plain ones, so its verdict and words are the same for both. */
function plainArrays(raw: RawRow): RawRow {
  if (!Object.values(raw).some(isTypedFloats)) return raw;
  // Same prototype, keys defined (not assigned): a key named __proto__ stays data.
  const out = Object.create(Object.getPrototypeOf(raw) as object | null) as RawRow;
  for (const key of Object.keys(raw)) {
    const v = raw[key];
    Object.defineProperty(out, key, {
      value: isTypedFloats(v) ? Array.from(v) : v,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

/** Every slot a string: an index loop, since every() skips the holes of a sparse array (zod does not). */
function allStrings(v: unknown[]): boolean {
  for (let i = 0; i < v.length; i++) if (typeof v[i] !== 'string') return false;
  return true;
}

const stringWithin = (v: unknown, min: number, max: number): boolean =>
  typeof v === 'string' && v.length >= min && v.length <= max;

/**
 * A hand-written check that accepts only rows the zod shape accepts, at a fraction of its cost
 * per row (an import's hottest path). A row it does not accept goes to zod, which then accepts it
 * or names the field and reason: the errors stay zod's. A test holds the two together.
 */
export function buildQuickShapeCheck(m: ImportMapping, limits: ValidatorLimits): (raw: RawRow) => boolean {
  const checks: ((raw: RawRow) => boolean)[] = [];
  checks.push((r) => {
    const v = r[m.id];
    return stringWithin(v, 1, limits.maxIdChars) || (typeof v === 'number' && Number.isSafeInteger(v));
  });
  if (m.text) checks.push((r) => stringWithin(r[m.text!], 0, limits.maxTextChars));
  if (m.textTemplate) {
    for (const f of parseTemplate(m.textTemplate).fields)
      checks.push((r) => stringWithin(r[f], 0, limits.maxTextChars));
  }
  if (m.imagePath) checks.push((r) => stringWithin(r[m.imagePath!], 1, 4096));
  const f = m.features;
  if (f?.kind === 'fields') for (const name of f.fields) checks.push((r) => finite(r[name]));
  if (f?.kind === 'vector') checks.push((r) => finiteArray(r[f.field], f.dim, f.dim));
  const sc = m.scores;
  if (sc.kind === 'vector') checks.push((r) => finiteArray(r[sc.field], 1, m.classes.length));
  if (sc.kind === 'columns') for (const c of sc.columns) checks.push((r) => finite(r[c]));
  if (sc.kind === 'object') {
    checks.push((r) => {
      const o = r[sc.field];
      if (o === null || typeof o !== 'object' || Array.isArray(o)) return false;
      const proto = Object.getPrototypeOf(o) as unknown;
      if (proto !== Object.prototype && proto !== null) return false;
      if (Object.getOwnPropertySymbols(o).length > 0) return false; // zod refuses symbol keys
      for (const key of Object.keys(o)) if (!finite((o as Record<string, unknown>)[key])) return false;
      return true;
    });
  }
  if (m.timestamp) {
    const field = m.timestamp.field;
    checks.push((r) => typeof r[field] === 'string' || finite(r[field]));
  }
  const label = (v: unknown) =>
    v === undefined ||
    v === null ||
    typeof v === 'string' ||
    (typeof v === 'number' && Number.isSafeInteger(v)) ||
    (Array.isArray(v) && allStrings(v));
  if (m.predictedLabel) checks.push((r) => label(r[m.predictedLabel!]));
  if (m.groundTruth) checks.push((r) => label(r[m.groundTruth!]));
  const name = (v: unknown) => stringWithin(v, 1, 200) || finite(v);
  if (m.model.nameField) checks.push((r) => name(r[m.model.nameField!]));
  if (m.model.versionField) checks.push((r) => name(r[m.model.versionField!]));
  return (raw) => {
    for (let i = 0; i < checks.length; i++) if (!checks[i]!(raw)) return false;
    return true;
  };
}

function firstIssue(error: z.ZodError): RowProblem {
  const issue = error.issues[0]!;
  const field = issue.path.map(String).join('.') || '(row)';
  return { field, reason: issue.message };
}

/**
 * Builds the per-row validator for one mapping. zod checks shapes and types; the
 * probability rules (range, sum, known labels) follow with field-level reasons.
 */
export function createRowValidator(
  mapping: ImportMapping,
  projectClasses: readonly string[],
  limits: ValidatorLimits = DEFAULT_VALIDATOR_LIMITS,
): (raw: RawRow) => RowResult {
  const m = mapping;
  const schema = buildShapeSchema(m, limits);
  const quickShape = buildQuickShapeCheck(m, limits);
  const k = projectClasses.length;
  const width = scoreWidth(m.taskType, k);
  const classIndex = new Map(projectClasses.map((c, i) => [c, i]));
  // Position of each log class in the project's order.
  const toProject = m.classes.map((c) => {
    const i = classIndex.get(c);
    if (i === undefined) throw new Error(`class '${c}' of the mapping is not a class of the project`);
    return i;
  });
  if (m.classes.length !== k) {
    throw new Error(`the mapping lists ${m.classes.length} classes, the project has ${k}`);
  }
  if (m.scores.kind === 'columns') {
    const n = m.scores.columns.length;
    if (n !== k && !(m.taskType === 'binary' && n === 1)) {
      throw new Error(
        `the mapping reads ${n} score column${n === 1 ? '' : 's'} for ${k} classes (${m.classes.join(', ')}): ` +
          (m.taskType === 'binary'
            ? `give one column per class, or one column with the probability of '${m.classes[1]}'`
            : 'give one column per class, in the order of the classes'),
      );
    }
  }
  if (m.taskType === 'multilabel' && k > MAX_MULTILABEL_CLASSES) {
    throw new Error(`multilabel projects support at most ${MAX_MULTILABEL_CLASSES} classes`);
  }
  const scoreField = m.scores.kind === 'columns' ? m.scores.columns.join(',') : m.scores.field;
  const logScores = new Float64Array(k);
  // Reused for every row: the caller copies a row's vectors before validating the next one.
  const scoreScratch = new Float32Array(width);
  const featureDim = m.features ? (m.features.kind === 'vector' ? m.features.dim : m.features.fields.length) : 0;
  const featureScratch = featureDim > 0 ? new Float32Array(featureDim) : null;
  const binaryPositive = toProject[1] === 1; // mapping order may list the positive class first
  const writeMetadata = createMetadataWriter(m.metadata);
  const template = m.textTemplate ? parseTemplate(m.textTemplate) : null;

  const fail = (field: string, reason: string): RowResult => ({ ok: false, problem: { field, reason } });

  function readScores(raw: RawRow): string | null {
    logScores.fill(NaN);
    if (m.scores.kind === 'vector') {
      const v = raw[m.scores.field] as number[];
      if (m.taskType === 'binary' && v.length === 1) {
        logScores[0] = NaN;
        logScores[1] = v[0]!;
        return 'binary-one';
      }
      if (v.length !== k) return `expected ${k} scores, got ${v.length}`;
      for (let i = 0; i < k; i++) logScores[i] = v[i]!;
    } else if (m.scores.kind === 'object') {
      const o = raw[m.scores.field] as Record<string, number>;
      const keys = Object.keys(o);
      if (keys.length !== k) return `expected scores for ${k} classes (${m.classes.join(', ')}), got ${keys.length}`;
      for (let i = 0; i < k; i++) {
        const s = o[m.classes[i]!];
        if (s === undefined) return `no score for class '${m.classes[i]}'`;
        logScores[i] = s;
      }
    } else {
      const cols = m.scores.columns;
      if (m.taskType === 'binary' && cols.length === 1) {
        logScores[1] = raw[cols[0]!] as number;
        return 'binary-one';
      }
      for (let i = 0; i < k; i++) logScores[i] = raw[cols[i]!] as number;
    }
    return null;
  }

  function labelIndexes(value: unknown, field: string): number[] | RowProblem {
    if (typeof value === 'string' && m.taskType !== 'multilabel') {
      const idx = classIndex.get(value); // the usual case, without the arrays below
      if (idx !== undefined) return [idx];
    }
    const names: unknown[] = Array.isArray(value)
      ? value
      : typeof value === 'string' && m.taskType === 'multilabel'
        ? (jsonList(value) ??
          value
            .split(/[|,;]/)
            .map((s) => s.trim())
            .filter((s) => s.length > 0))
        : [value];
    if (m.taskType !== 'multilabel' && names.length !== 1) return { field, reason: 'expected one label' };
    const out: number[] = [];
    for (const name of names) {
      let idx: number | undefined;
      if (typeof name === 'number') idx = Number.isInteger(name) && name >= 0 && name < k ? toProject[name] : undefined;
      else if (typeof name === 'string') {
        // A class name first; else an index written as text (a CSV cell "2"), as a number would be.
        idx = classIndex.get(name);
        if (idx === undefined && /^(0|[1-9]\d{0,8})$/.test(name) && Number(name) < k) idx = toProject[Number(name)];
      }
      if (idx === undefined) {
        return { field, reason: `unknown label '${String(name).slice(0, 80)}' (known: ${projectClasses.join(', ')})` };
      }
      out.push(idx);
    }
    return out;
  }

  return function validate(raw: RawRow): RowResult {
    if (!quickShape(raw)) {
      const parsed = schema.safeParse(plainArrays(raw));
      if (!parsed.success) return { ok: false, problem: firstIssue(parsed.error) };
    }

    const idValue = raw[m.id] as string | number;
    const id = typeof idValue === 'number' ? String(idValue) : idValue;
    if (!isWellFormed(id)) return fail(m.id, LONE_SURROGATE_REASON);

    let ts: number | null = null;
    if (m.timestamp) {
      const value = raw[m.timestamp.field];
      ts = parseTimestamp(value, m.timestamp.unit);
      if (ts === null) return fail(m.timestamp.field, `cannot read '${String(value).slice(0, 40)}' as a time`);
    }

    let text = m.text ? (raw[m.text] as string) : null;
    if (text !== null && !isWellFormed(text)) return fail(m.text!, LONE_SURROGATE_REASON);
    let textParts: string | null = null;
    if (template) {
      for (const f of template.fields) if (!isWellFormed(raw[f] as string)) return fail(f, LONE_SURROGATE_REASON);
      text = renderTemplate(template, (f) => raw[f] as string);
      if (text.length > limits.maxTextChars)
        return fail(
          template.fields.join(','),
          `the text built from them is longer than ${limits.maxTextChars} characters`,
        );
      textParts = JSON.stringify(template.fields.map((f) => [f, raw[f] as string]));
    }
    const imagePath = m.imagePath ? (raw[m.imagePath] as string) : null;
    if (imagePath !== null && !isWellFormed(imagePath)) return fail(m.imagePath!, LONE_SURROGATE_REASON);
    let features: Float32Array | null = null;
    if (m.features) {
      const f = m.features;
      features = featureScratch!;
      if (f.kind === 'vector') {
        const v = raw[f.field] as number[];
        for (let i = 0; i < v.length; i++) features[i] = v[i]!;
      } else for (let i = 0; i < f.fields.length; i++) features[i] = raw[f.fields[i]!] as number;
      for (let i = 0; i < featureDim; i++) {
        const x = features[i]!;
        // Stored as float32: a finite number past its range would become Infinity.
        if (x === Infinity || x === -Infinity) {
          const field = f.kind === 'vector' ? f.field : f.fields[i]!;
          return fail(field, `feature ${i} is beyond float32's range (±3.4e38)`);
        }
        if (x === 0) features[i] = 0; // -0 and 0 are one value: store one
      }
    }
    const contentHash =
      m.inputKind === 'text'
        ? hashString(text!)
        : m.inputKind === 'image'
          ? hashString(imagePath!)
          : hashFloats(features!);

    const shape = readScores(raw);
    if (shape !== null && shape !== 'binary-one') return fail(scoreField, shape);
    const scores = scoreScratch;
    scores.fill(0);
    if (shape === 'binary-one' || m.taskType === 'binary') {
      const twoScores = shape !== 'binary-one';
      let p = logScores[1]!;
      if (m.scoreTransform === 'sigmoid') p = 1 / (1 + Math.exp(-p));
      else if (m.scoreTransform === 'softmax' && twoScores) p = 1 / (1 + Math.exp(logScores[0]! - p));
      if (!(p >= 0 && p <= 1)) return fail(scoreField, `score ${p} is outside [0, 1]`);
      if (twoScores && m.scoreTransform === 'none') {
        const q = logScores[0]!;
        if (!(q >= 0 && q <= 1)) return fail(scoreField, `score ${q} is outside [0, 1]`);
        if (Math.abs(p + q - 1) > m.sumTolerance) return fail(scoreField, `probabilities sum to ${p + q}, not 1`);
      }
      scores[0] = binaryPositive ? p : 1 - p;
    } else {
      if (m.scoreTransform === 'softmax') {
        let max = -Infinity;
        for (let i = 0; i < k; i++) max = Math.max(max, logScores[i]!);
        let sum = 0;
        for (let i = 0; i < k; i++) sum += logScores[i] = Math.exp(logScores[i]! - max);
        for (let i = 0; i < k; i++) logScores[i] = logScores[i]! / sum;
      } else if (m.scoreTransform === 'sigmoid') {
        for (let i = 0; i < k; i++) logScores[i] = 1 / (1 + Math.exp(-logScores[i]!));
      }
      let sum = 0;
      for (let i = 0; i < k; i++) {
        const p = logScores[i]!;
        if (!(p >= 0 && p <= 1)) return fail(scoreField, `score for '${m.classes[i]}' is ${p}, outside [0, 1]`);
        sum += p;
        scores[toProject[i]!] = p;
      }
      if (m.taskType === 'multiclass' && Math.abs(sum - 1) > m.sumTolerance) {
        return fail(scoreField, `probabilities sum to ${sum.toFixed(6)}, not 1`);
      }
    }

    let predicted: number;
    const predictedValue = m.predictedLabel ? raw[m.predictedLabel] : undefined;
    if (predictedValue !== undefined && predictedValue !== null && predictedValue !== '') {
      const idx = labelIndexes(predictedValue, m.predictedLabel!);
      if (!Array.isArray(idx)) return { ok: false, problem: idx };
      predicted = m.taskType === 'multilabel' ? idx.reduce((mask, i) => mask + 2 ** i, 0) : idx[0]!;
    } else {
      predicted = predictedFromScores(scores, m.taskType);
    }

    let groundTruth: string | null = null;
    const truthValue = m.groundTruth ? raw[m.groundTruth] : undefined;
    if (truthValue !== undefined && truthValue !== null && truthValue !== '') {
      const idx = labelIndexes(truthValue, m.groundTruth!);
      if (!Array.isArray(idx)) return { ok: false, problem: idx };
      groundTruth =
        m.taskType === 'multilabel'
          ? JSON.stringify([...new Set(idx)].sort((a, b) => a - b).map((i) => projectClasses[i]))
          : projectClasses[idx[0]!]!;
    }

    const modelName = m.model.nameField ? String(raw[m.model.nameField]) : m.model.name!;
    const modelVersion = m.model.versionField ? String(raw[m.model.versionField]) : m.model.version!;

    if (m.model.nameField && !isWellFormed(modelName)) return fail(m.model.nameField, LONE_SURROGATE_REASON);
    if (m.model.versionField && !isWellFormed(modelVersion)) return fail(m.model.versionField, LONE_SURROGATE_REASON);

    const metadata = writeMetadata(raw);
    // JSON.stringify writes a lone surrogate as an escape (a pair stays raw): only then look closer.
    if (metadata !== null && metadata.includes('\\ud')) {
      const bad = m.metadata.find((f) => !isWellFormed(f) || holdsLoneSurrogate(raw[f]));
      if (bad !== undefined) return fail(bad, LONE_SURROGATE_REASON);
    }

    return {
      ok: true,
      row: {
        id,
        ts,
        text,
        textParts,
        imagePath,
        features,
        scores,
        predicted,
        groundTruth,
        modelName,
        modelVersion,
        metadata,
        contentHash,
      },
    };
  };
}

/** A JSON list written as text (a CSV cell '["a","b"]'), or null. */
function jsonList(text: string): unknown[] | null {
  const t = text.trim();
  if (!t.startsWith('[') || !t.endsWith(']')) return null;
  try {
    const v = JSON.parse(t) as unknown;
    return Array.isArray(v) ? v : null;
  } catch {
    return null;
  }
}

export function predictedFromScores(scores: Float32Array, taskType: ImportMapping['taskType']): number {
  if (taskType === 'binary') return scores[0]! >= 0.5 ? 1 : 0;
  if (taskType === 'multilabel') {
    let mask = 0;
    for (let i = 0; i < scores.length; i++) if (scores[i]! >= 0.5) mask += 2 ** i;
    return mask;
  }
  let best = 0;
  for (let i = 1; i < scores.length; i++) if (scores[i]! > scores[best]!) best = i;
  return best;
}
