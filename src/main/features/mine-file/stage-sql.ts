import { ApiError } from '../../../shared/api/errors';
import { parseTemplate } from '../../../shared/domain/text-template';
import { DEFAULT_VALIDATOR_LIMITS } from '../../../shared/features/import/row-validator';
import type { ImportMapping } from '../../../shared/features/import/mapping';
import type { MiningStrategy } from '../../../shared/features/mining';
import { LOG_FLOOR } from '../../../shared/features/mining';
import { ident, lit, type FieldSql } from './field-sql';

export interface StageProject {
  classes: string[];
  taskType: 'binary' | 'multiclass' | 'multilabel';
}

export interface StageFilters {
  from?: number | undefined;
  to?: number | undefined;
  metadata?: Record<string, string | number | boolean> | undefined;
  predictedClasses?: string[] | undefined;
}

const num = (x: number) => (Number.isFinite(x) ? String(x) : 'NULL');
const clamp01 = (x: string) => `greatest(0.0, least(1.0, ${x}))`;
const f32 = (x: string) => `CAST(TRY_CAST(${x} AS FLOAT) AS DOUBLE)`;
const sum = (xs: string[]) => (xs.length === 0 ? '0' : `(${xs.join(' + ')})`);
const NUMERIC_JSON = `('DOUBLE', 'BIGINT', 'UBIGINT', 'HUGEINT')`;

/** Epoch ms as parseTimestamp reads a number (Math.round is floor(x + 0.5)). */
function msOfNumber(v: string, unit: string): string {
  const ms =
    unit === 's'
      ? `floor(${v} * 1000 + 0.5)`
      : unit === 'ms'
        ? `floor(${v} + 0.5)`
        : `CASE WHEN abs(${v}) < 1e11 THEN floor(${v} * 1000 + 0.5) ELSE floor(${v} + 0.5) END`;
  return `CASE WHEN abs(${ms}) <= 8.64e15 THEN ${ms} END`;
}

/** Epoch ms as parseTimestamp reads a text: digits as a number, else an ISO-like date or time. */
function msOfText(t: string, unit: string): string {
  const numeric = unit === 'iso' ? 'NULL' : msOfNumber(`TRY_CAST(${t} AS DOUBLE)`, unit);
  const iso =
    unit === 's' || unit === 'ms'
      ? 'NULL'
      : `CASE WHEN length(${t}) = 10 THEN epoch_ms(TRY_CAST(${t} AS DATE)) ` +
        `ELSE epoch_ms(TRY_CAST(${t} AS TIMESTAMPTZ)) END`;
  return (
    `CASE WHEN length(${t}) = 0 OR length(${t}) > 64 THEN NULL ` +
    `WHEN regexp_full_match(${t}, '-?\\d+(\\.\\d+)?') THEN ${numeric} ` +
    `WHEN regexp_full_match(${t}, '\\d{4}-\\d{2}-\\d{2}([T ]\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?(Z|[+-]\\d{2}:?\\d{2})?)?') THEN ${iso} END`
  );
}

/**
 * The columns the staging query builds for every row of the files: the example id, whether the
 * import would take the row (`valid`), whether the mining filters keep it (`filt`) and the
 * strategy's priority over the scores as the import stores them (float32, in the project's class
 * order). `valid` is the import validator's rules in SQL: what they cannot see (a lone surrogate,
 * a label list) the validator itself checks when the row comes into a selection.
 */
export function stageSql(
  source: string,
  F: FieldSql,
  mapping: ImportMapping,
  project: StageProject,
  strategy: MiningStrategy,
  filters: StageFilters,
  options: { csv: boolean },
): string {
  const m = mapping;
  const k = project.classes.length;
  const multilabel = project.taskType === 'multilabel';
  const binary = project.taskType === 'binary';
  const toProject = m.classes.map((c) => project.classes.indexOf(c));
  const limits = DEFAULT_VALIDATOR_LIMITS;

  // --- r: values read more than once, read once (a JSON value, a time)
  const r: string[] = [];
  const once = (expr: string) => {
    r.push(`${expr} AS __r${r.length}`);
    return `__r${r.length - 1}`;
  };

  // --- a: raw values per row
  const a: string[] = ['__row', `${F.textOrInt(m.id)} AS id`];
  const shape: string[] = [`id IS NOT NULL`, `length(id) BETWEEN 1 AND ${limits.maxIdChars}`];
  const aCol = (expr: string, name: string) => a.push(`${expr} AS ${name}`);
  if (m.text) {
    aCol(F.text(m.text), 'x_text');
    shape.push(`x_text IS NOT NULL AND length(x_text) <= ${limits.maxTextChars}`);
  }
  if (m.textTemplate) {
    parseTemplate(m.textTemplate).fields.forEach((f, i) => {
      aCol(F.text(f), `x_part${i}`);
      shape.push(`x_part${i} IS NOT NULL`);
    });
  }
  if (m.imagePath) {
    aCol(F.text(m.imagePath), 'x_image');
    shape.push(`length(x_image) BETWEEN 1 AND 4096`);
  }
  if (m.features?.kind === 'fields') {
    m.features.fields.forEach((f, i) => {
      aCol(F.num(f), `x_feat${i}`);
      shape.push(`x_feat${i} IS NOT NULL AND abs(x_feat${i}) <= 3.4028234663852886e38`);
    });
  }
  if (m.features?.kind === 'vector') {
    aCol(F.list(m.features.field), 'x_feat');
    shape.push(
      `len(x_feat) = ${m.features.dim} AND list_bool_and(list_transform(x_feat, e -> abs(e) <= 3.4028234663852886e38))`,
    );
  }
  if (m.model.nameField) {
    aCol(F.textOrInt(m.model.nameField), 'x_model');
    shape.push(`length(x_model) BETWEEN 1 AND 200`);
  }
  if (m.model.versionField) {
    aCol(F.textOrInt(m.model.versionField), 'x_version');
    shape.push(`length(x_version) BETWEEN 1 AND 200`);
  }

  // Scores as logged (l0…), in the mapping's class order; `one`: a binary row with one score.
  const sc = m.scores;
  if (sc.kind === 'vector') {
    aCol(F.list(sc.field), 'x_scores');
    shape.push(`len(x_scores) BETWEEN 1 AND ${k}`);
    if (binary) {
      aCol(`len(x_scores) = 1`, 'one');
      aCol(`CASE WHEN len(x_scores) = 2 THEN x_scores[1] END`, 'l0');
      aCol(`x_scores[len(x_scores)]`, 'l1');
    } else {
      aCol(`false`, 'one');
      shape.push(`len(x_scores) = ${k}`);
      for (let i = 0; i < k; i++) aCol(`x_scores[${i + 1}]`, `l${i}`);
    }
  } else if (sc.kind === 'object') {
    aCol(F.keyCount(sc.field), 'x_keys');
    shape.push(`x_keys = ${k}`);
    aCol(`false`, 'one');
    for (let i = 0; i < k; i++) {
      aCol(F.key(sc.field, m.classes[i]!), `l${i}`);
      shape.push(`l${i} IS NOT NULL`);
    }
  } else {
    const one = binary && sc.columns.length === 1;
    aCol(String(one), 'one');
    if (one) {
      aCol('NULL::DOUBLE', 'l0');
      aCol(F.num(sc.columns[0]!), 'l1');
      shape.push('l1 IS NOT NULL');
    } else {
      sc.columns.forEach((c, i) => {
        aCol(F.num(c), `l${i}`);
        shape.push(`l${i} IS NOT NULL`);
      });
    }
  }

  // Timestamps, labels and metadata.
  if (m.timestamp) {
    const unit = m.timestamp.unit;
    const text = once(F.text(m.timestamp.field));
    const n = options.csv ? null : once(F.num(m.timestamp.field));
    const ms = n
      ? `CASE WHEN ${n} IS NOT NULL THEN ${unit === 'iso' ? 'NULL' : msOfNumber(n, unit)} ` +
        `WHEN ${text} IS NOT NULL THEN ${msOfText(text, unit)} END`
      : msOfText(text, unit);
    aCol(ms, 'ts');
    shape.push('ts IS NOT NULL');
  } else aCol('NULL::DOUBLE', 'ts');

  const classList = `[${project.classes.map(lit).join(', ')}]`;
  const toProjectList = `[${toProject.join(', ')}]`;
  /** A label's class index in the project's order; NULL for none; -1 for one the import refuses. */
  const labelIndex = (field: string) => {
    const j = once(F.json(field));
    const t = `json_type(${j})`;
    const s = `(${j} ->> '$')`;
    return (
      `CASE WHEN ${j} IS NULL OR ${t} = 'NULL' THEN NULL ` +
      `WHEN ${t} = 'VARCHAR' AND ${s} = '' THEN NULL ` +
      `WHEN ${t} = 'VARCHAR' AND list_position(${classList}, ${s}) IS NOT NULL THEN list_position(${classList}, ${s}) - 1 ` +
      `WHEN ${t} = 'VARCHAR' AND regexp_full_match(${s}, '0|[1-9]\\d{0,8}') AND TRY_CAST(${s} AS BIGINT) < ${k} THEN ${toProjectList}[TRY_CAST(${s} AS BIGINT) + 1] ` +
      `WHEN ${t} IN ${NUMERIC_JSON} AND TRY_CAST(${j} AS DOUBLE) = trunc(TRY_CAST(${j} AS DOUBLE)) AND TRY_CAST(${j} AS DOUBLE) BETWEEN 0 AND ${k - 1} ` +
      `THEN ${toProjectList}[TRY_CAST(TRY_CAST(${j} AS DOUBLE) AS BIGINT) + 1] ` +
      // A list of one label: the validator reads it; the row comes through and the validator judges it.
      `WHEN ${t} = 'ARRAY' THEN -2 ELSE -1 END`
    );
  };
  if (m.predictedLabel && !multilabel) {
    aCol(labelIndex(m.predictedLabel), 'x_pred');
    shape.push('coalesce(x_pred, 0) <> -1');
  } else aCol('NULL::INTEGER', 'x_pred');
  if (m.groundTruth && !multilabel) {
    aCol(labelIndex(m.groundTruth), 'x_truth');
    shape.push('coalesce(x_truth, 0) <> -1');
  }

  const metaChecks: string[] = [];
  for (const [key, value] of Object.entries(filters.metadata ?? {})) {
    if (!m.metadata.includes(key)) {
      throw new ApiError(
        'invalid-input',
        `filter on metadata '${key}': the mapping does not copy that field into metadata` +
          (m.metadata.length > 0 ? ` (it copies: ${m.metadata.slice(0, 20).join(', ')})` : ' (it copies none)') +
          `; add it to the mapping's metadata or leave the filter out`,
      );
    }
    const j = once(options.csv ? `to_json(${ident(key)})` : F.json(key));
    const t = `json_type(${j})`;
    if (typeof value === 'string') metaChecks.push(`(${t} = 'VARCHAR' AND (${j} ->> '$') = ${lit(value)})`);
    else {
      const v = typeof value === 'boolean' ? (value ? 1 : 0) : value;
      metaChecks.push(
        `((${t} IN ${NUMERIC_JSON} AND TRY_CAST(${j} AS DOUBLE) = ${num(v)}) OR ` +
          `(${t} = 'BOOLEAN' AND (CASE WHEN TRY_CAST(${j} AS BOOLEAN) THEN 1 ELSE 0 END) = ${num(v)}))`,
      );
    }
  }
  aCol(metaChecks.length > 0 ? metaChecks.map((c) => `coalesce(${c}, false)`).join(' AND ') : 'true', 'meta_ok');

  // --- b: transformed scores t0… (mapping order) and the score checks
  const b: string[] = [];
  const checks: string[] = [];
  const clampExp = (x: string) => `exp(least(${x}, 709.0))`;
  let pre = '';
  if (binary) {
    const p =
      m.scoreTransform === 'sigmoid'
        ? `1.0 / (1.0 + ${clampExp('-l1')})`
        : m.scoreTransform === 'softmax'
          ? `CASE WHEN one THEN l1 ELSE 1.0 / (1.0 + ${clampExp('l0 - l1')}) END`
          : 'l1';
    b.push(`${p} AS p`);
    checks.push('p BETWEEN 0 AND 1');
    if (m.scoreTransform === 'none')
      checks.push(`(one OR (l0 BETWEEN 0 AND 1 AND abs(l1 + l0 - 1) <= ${m.sumTolerance}))`);
  } else {
    const ls = Array.from({ length: k }, (_, i) => `l${i}`);
    let t: string[];
    if (m.scoreTransform === 'softmax') {
      pre = `, a1 AS (SELECT *, greatest(${ls.join(', ')}) AS mx FROM a), a2 AS (SELECT *, ${ls
        .map((l, i) => `exp(${l} - mx) AS e${i}`)
        .join(', ')} FROM a1), a3 AS (SELECT *, ${sum(ls.map((_, i) => `e${i}`))} AS es FROM a2)`;
      t = ls.map((_, i) => `e${i} / es`);
    } else if (m.scoreTransform === 'sigmoid') t = ls.map((l) => `1.0 / (1.0 + ${clampExp(`-${l}`)})`);
    else t = ls;
    t.forEach((x, i) => b.push(`${x} AS t${i}`));
    for (let i = 0; i < k; i++) checks.push(`t${i} BETWEEN 0 AND 1`);
    if (project.taskType === 'multiclass')
      checks.push(`abs(${sum(t.map((_, i) => `t${i}`))} - 1) <= ${m.sumTolerance}`);
  }

  // --- c: validity and the scores as stored (project order, float32)
  const w = binary ? 1 : k;
  const fromT = new Array<string>(w);
  if (binary) fromT[0] = toProject[1] === 1 ? 'p' : '1.0 - p';
  else toProject.forEach((j, i) => (fromT[j] = `t${i}`));
  const valid = `coalesce(${[...shape, ...checks].map((c) => `(${c})`).join(' AND ')}, false)`;
  const model = [m.model.nameField ? 'x_model' : `${lit(m.model.name ?? '')} AS x_model`];
  model.push(m.model.versionField ? 'x_version' : `${lit(m.model.version ?? '')} AS x_version`);
  const c = [
    '__row',
    'id',
    'ts',
    'meta_ok',
    'x_pred',
    ...model,
    `${valid} AS valid`,
    ...fromT.map((x, j) => `CASE WHEN ${valid} THEN ${f32(x)} END AS f${j}`),
  ];

  // --- d: filters and priority
  const fs = Array.from({ length: w }, (_, j) => `f${j}`);
  const predicted =
    w === 1
      ? `CASE WHEN f0 >= 0.5 THEN 1 ELSE 0 END`
      : multilabel
        ? sum(fs.map((f, j) => `CASE WHEN ${f} >= 0.5 THEN ${2 ** j} ELSE 0 END`))
        : `list_position([${fs.join(', ')}], greatest(${fs.join(', ')})) - 1`;
  const filt: string[] = ['meta_ok'];
  if (filters.from !== undefined || filters.to !== undefined) {
    filt.push('ts IS NOT NULL');
    if (filters.from !== undefined) filt.push(`ts >= ${num(filters.from)}`);
    if (filters.to !== undefined) filt.push(`ts < ${num(filters.to)}`);
  }
  if (filters.predictedClasses) {
    const wanted = filters.predictedClasses.map((name) => project.classes.indexOf(name));
    const pred = `(CASE WHEN x_pred >= 0 THEN x_pred ELSE ${predicted} END)`;
    filt.push(
      multilabel
        ? `(${wanted.map((cl) => `(CAST(floor(${pred} / ${2 ** cl}) AS BIGINT) % 2 = 1)`).join(' OR ')})`
        : `${pred} IN (${wanted.join(', ')})`,
    );
  }
  const d = [
    '__row',
    'id',
    'x_model',
    'x_version',
    'valid',
    `coalesce(${filt.join(' AND ')}, false) AS filt`,
    `${priority(strategy, fs, multilabel)} AS prio`,
  ];

  const bFrom = pre ? 'a3' : 'a';
  return (
    `WITH r AS (SELECT *${r.length > 0 ? ', ' + r.join(', ') : ''} FROM ${source}), ` +
    `a AS (SELECT ${a.join(', ')} FROM r)${pre}, ` +
    `b AS (SELECT *${b.length > 0 ? ', ' + b.join(', ') : ''} FROM ${bFrom}), ` +
    `c AS (SELECT ${c.join(', ')} FROM b) ` +
    `SELECT ${d.join(', ')} FROM c`
  );
}

/** The strategy's priority over the stored scores, as src/shared/features/mining/uncertainty.ts. */
function priority(s: MiningStrategy, f: string[], multilabel: boolean): string {
  const w = f.length;
  const xlogx = (x: string) => `(${x}) * ln(greatest(${x}, ${LOG_FLOOR}))`;
  switch (s.strategy) {
    case 'least-confidence':
      if (w === 1) return `least(f0, 1.0 - f0)`;
      if (multilabel) return `${sum(f.map((x) => `least(${x}, 1.0 - ${x})`))} / ${w}`;
      return clamp01(`1.0 - greatest(${f.join(', ')})`);
    case 'margin':
      if (w === 1) return clamp01(`1.0 - abs(2.0 * f0 - 1.0)`);
      return clamp01(`1.0 - (list_reverse_sort([${f.join(', ')}])[1] - list_reverse_sort([${f.join(', ')}])[2])`);
    case 'entropy':
      if (w === 1 || multilabel)
        return clamp01(`-${sum(f.map((x) => `(${xlogx(x)} + ${xlogx(`1.0 - ${x}`)})`))} / ${w * Math.LN2}`);
      return (
        `CASE WHEN ${sum(f)} > 0 THEN ${clamp01(`(ln(${sum(f)}) - ${sum(f.map(xlogx))} / ${sum(f)}) / ${Math.log(w)}`)} ` +
        `ELSE 1.0 END`
      );
    case 'threshold': {
      const scale = Math.max(s.threshold, 1 - s.threshold);
      return clamp01(`1.0 - abs(f0 - ${s.threshold}) / ${scale}`);
    }
    case 'random':
      return '0.0';
    default:
      throw new ApiError('invalid-input', `${s.strategy} cannot run over log files`);
  }
}
