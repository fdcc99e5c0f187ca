import fs from 'node:fs';
import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { ApiError } from '../../../shared/api/errors';
import type { ImportMapping } from '../../../shared/features/import/mapping';
import { createRowValidator, type RawRow, type ValidRow } from '../../../shared/features/import/row-validator';
import {
  mulberry32,
  reasonFor,
  seededSample,
  type MiningStrategy,
  type ReasonInput,
} from '../../../shared/features/mining';
import type { Project } from '../../../shared/features/projects/contract';
import type { CandidateRow } from '../../store/mining';
import { convertCells, mappedFields } from '../import/field-access';
import { RejectsFile } from '../import/rejects-file';
import type { SourceReject } from '../import/batch';
import { CONTROL_SEED_OFFSET, dedupe } from '../mining/mine';
import { rank } from '../mining/rank';
import { csvFieldSql, ident, jsonlFieldSql, lit, parquetFieldSql, type FieldSql, type LogFormat } from './field-sql';
import { stageSql, type StageFilters } from './stage-sql';

export interface ScanRequest {
  strategy: MiningStrategy;
  filters: StageFilters;
  limit: number;
  perClassQuota?: number | undefined;
  dedupe: boolean;
  minJaccard: number;
  minCosine: number;
  secondLabelShare: number;
  controlShare: number;
  seed: number;
  bins: number;
  dryRun: boolean;
}

export interface ScanJob {
  pattern: string;
  project: Pick<Project, 'name' | 'classes' | 'taskType' | 'inputKind' | 'featureNames'>;
  /** The mapping given or named (fixed), or the project's saved mappings to choose from. */
  mappings: { name: string; mapping: ImportMapping }[];
  mappingFixed: boolean;
  request: ScanRequest;
  /** Example ids the run must leave out: labeled under the current schema, or no longer pending. */
  blockedIds: string[];
  /** A new folder of the data folder: DuckDB's spill files and the selected rows go here. */
  workDir: string;
  rejectsDir: string;
  threads: number;
  memoryLimitMb: number;
  timeZone: string;
}

export interface ScanItem {
  row: number;
  externalId: string;
  priority: number;
  reason: string;
  labelsWanted: number;
  control: boolean;
  snippet: string | null;
}

export interface ScanResult {
  files: string[];
  /** The model whose scores the files hold (null when no row is valid). */
  model: { name: string; version: string } | null;
  mappingName: string;
  mapping: ImportMapping;
  scanned: number;
  rejected: number;
  rejectsPath: string | null;
  repeatedIds: number;
  eligible: number;
  controlSample: number;
  suppressedDuplicates: number;
  suppressedByQuota: number;
  items: ScanItem[];
  /** The selected rows as JSONL, in file order (null for a dry run). */
  extractPath: string | null;
  histogram: { min: number; max: number; all: number[]; selected: number[] };
  cutoff: number | null;
  timings: { scanMs: number; selectMs: number; peakRssMb: number };
}

export type ScanProgress = (phase: string, fraction: number | null) => void;

/** Priorities from SQL and from the shared math differ by far less (float64 rounding, ln): the pool's margin. */
const POOL_MARGIN = 1e-6;
/** How many refused rows the rejects file lists with the import's reason. */
const REJECTS_LISTED = 1000;
const SNIPPET_CHARS = 200;

function formatOf(file: string): { format: LogFormat; gzip: boolean } {
  const lower = file.toLowerCase();
  const gzip = lower.endsWith('.gz');
  const base = gzip ? lower.slice(0, -3) : lower;
  if (/\.(jsonl|ndjson|json)$/.test(base)) return { format: 'jsonl', gzip };
  if (/\.(csv|tsv)$/.test(base)) return { format: 'csv', gzip };
  if (base.endsWith('.parquet')) {
    if (gzip) throw new ApiError('bad-file', `${file}: a gzipped Parquet file cannot be read in place; gunzip it`);
    return { format: 'parquet', gzip };
  }
  throw new ApiError(
    'bad-file',
    `${file}: mine-file reads .jsonl, .ndjson, .csv (gzipped too) and .parquet files; rename or convert it`,
  );
}

const list = (xs: readonly number[]) => `[${xs.join(', ')}]`;

class Session {
  constructor(readonly con: DuckDBConnection) {}
  async rows(sql: string): Promise<Record<string, unknown>[]> {
    const reader = await this.con.runAndReadAll(sql);
    return reader.getRowObjectsJS() as Record<string, unknown>[];
  }
  async run(sql: string): Promise<void> {
    await this.con.run(sql);
  }
}

const toNum = (v: unknown) => (typeof v === 'bigint' ? Number(v) : (v as number));

/** Mines the files of `job` in place: see mine-file.ts for the whole run. */
export async function scanFiles(job: ScanJob, progress: ScanProgress): Promise<ScanResult> {
  fs.mkdirSync(job.workDir, { recursive: true });
  const instance = await DuckDBInstance.create(':memory:', {
    threads: String(job.threads),
    memory_limit: `${job.memoryLimitMb}MB`,
    temp_directory: path.join(job.workDir, 'spill'),
    preserve_insertion_order: 'true',
  });
  const con = await instance.connect();
  try {
    const db = new Session(con);
    await db.run(`SET TimeZone = ${lit(job.timeZone)}`).catch(() => undefined);
    return await scanWith(db, job, progress);
  } finally {
    con.closeSync();
    instance.closeSync();
  }
}

async function scanWith(db: Session, job: ScanJob, progress: ScanProgress): Promise<ScanResult> {
  const t0 = performance.now();
  const files = (await db.rows(`SELECT file FROM glob(${lit(job.pattern)}) ORDER BY file`)).map((r) =>
    String(r['file']),
  );
  if (files.length === 0) throw new ApiError('not-found', `no file matches ${job.pattern}`);
  const formats = new Set(files.map((f) => formatOf(f).format));
  if (formats.size > 1)
    throw new ApiError(
      'bad-file',
      `${job.pattern} matches files of several formats (${[...formats].join(', ')}): mine one format at a time`,
    );
  const format = [...formats][0]!;
  const fileList = `[${files.map(lit).join(', ')}]`;
  const read =
    format === 'jsonl'
      ? `read_json_objects(${fileList}, format = 'newline_delimited', ignore_errors = true, maximum_object_size = ${64 << 20})`
      : format === 'csv'
        ? `read_csv(${fileList}, all_varchar = true, header = true, union_by_name = true)`
        : `read_parquet(${fileList}, union_by_name = true)`;

  // The files' fields, and the mapping that reads them.
  const columns =
    format === 'jsonl'
      ? []
      : (await db.rows(`DESCRIBE SELECT * FROM ${read}`)).map((r) => ({
          name: String(r['column_name']),
          type: String(r['column_type']),
        }));
  const fields =
    format === 'jsonl'
      ? (
          await db.rows(
            `SELECT DISTINCT unnest(json_keys(json)) AS k FROM (SELECT json FROM ${read} WHERE json IS NOT NULL LIMIT 10000)`,
          )
        ).map((r) => String(r['k']))
      : columns.map((c) => c.name);
  const { name: mappingName, mapping } = chooseMapping(job, new Set(fields), fields);
  const mapped = mappedFields(mapping);
  // Only the mapped fields are read (the import reads no others), and each row gets its place in
  // the files, the order an import of the files one by one would give it.
  const picked = [...mapped.keys()].map(ident).join(', ');
  let source: string;
  /** Parquet: where each file's rows start among all the rows. */
  const starts: { file: string; start: number; rows: number }[] = [];
  if (format === 'jsonl') source = `(SELECT row_number() OVER () - 1 AS __row, json AS __j FROM ${read})`;
  else if (format === 'csv') source = `(SELECT row_number() OVER () - 1 AS __row, ${picked} FROM ${read})`;
  else {
    // Parquet says how many rows each file holds: a row's place is its file's offset plus its row number.
    const counts = await db.rows(`SELECT file_name, num_rows FROM parquet_file_metadata(${fileList})`);
    const rowsOf = new Map(counts.map((r) => [String(r['file_name']), toNum(r['num_rows'])]));
    let offset = 0;
    const offsets = files.map((f) => {
      const at = offset;
      starts.push({ file: f, start: at, rows: rowsOf.get(f) ?? 0 });
      offset += rowsOf.get(f) ?? 0;
      return `WHEN ${lit(f)} THEN ${at}`;
    });
    source =
      `(SELECT CASE filename ${offsets.join(' ')} END + file_row_number AS __row, ${picked} ` +
      `FROM read_parquet(${fileList}, union_by_name = true, filename = true, file_row_number = true))`;
  }
  const project = job.project;
  const multilabel = project.taskType === 'multilabel';
  if (multilabel && mapping.predictedLabel && job.request.filters.predictedClasses)
    throw new ApiError(
      'invalid-input',
      `a class filter over a multilabel log that logs its predicted labels ('${mapping.predictedLabel}') cannot run in place: import the log and use mine`,
    );
  let validate: ReturnType<typeof createRowValidator>;
  try {
    validate = createRowValidator(mapping, project.classes);
  } catch (e) {
    throw new ApiError('bad-mapping', (e as Error).message);
  }
  const F: FieldSql =
    format === 'jsonl'
      ? jsonlFieldSql()
      : format === 'csv'
        ? csvFieldSql()
        : parquetFieldSql(new Map(columns.map((c) => [c.name, c.type])));

  // Stage: one pass over the files, one small row per log row.
  progress('scanning', 0);
  await db.run(`CREATE TABLE blocked (id VARCHAR)`);
  for (let i = 0; i < job.blockedIds.length; i += 1000) {
    const chunk = job.blockedIds.slice(i, i + 1000);
    await db.run(`INSERT INTO blocked VALUES ${chunk.map((id) => `(${lit(id)})`).join(', ')}`);
  }
  const req = job.request;
  const stage = stageSql(source, F, mapping, project, req.strategy, req.filters, { csv: format === 'csv' });
  // The model's name and version are kept per row only where fields of the files give them.
  const perRow = mapping.model.nameField !== undefined || mapping.model.versionField !== undefined;
  const modelColumns = perRow ? 'x_model, x_version, ' : '';
  const poll = setInterval(() => {
    try {
      const p = db.con.progress.percentage;
      if (p >= 0) progress('scanning', p / 100);
    } catch {
      // progress is best effort
    }
  }, 500);
  try {
    await db.run(
      `CREATE TABLE staged AS SELECT __row, id, ${modelColumns}valid, filt, prio, ` +
        `valid AND row_number() OVER (PARTITION BY CASE WHEN valid THEN id END ORDER BY __row) = 1 AS first ` +
        `FROM (${stage})`,
    );
  } catch (e) {
    throw new ApiError('bad-file', `cannot read ${job.pattern}: ${(e as Error).message}`);
  } finally {
    clearInterval(poll);
  }
  await db.run(
    `ALTER TABLE staged ADD COLUMN elig BOOLEAN; ` +
      `UPDATE staged SET elig = first AND filt AND id NOT IN (SELECT id FROM blocked); ` +
      `ALTER TABLE staged ADD COLUMN ctl BOOLEAN DEFAULT false`,
  );
  const models = await db.rows(
    perRow
      ? `SELECT x_model AS name, x_version AS version, count(*) AS n FROM staged WHERE valid GROUP BY 1, 2 ORDER BY 3 DESC LIMIT 5`
      : `SELECT ${lit(mapping.model.name!)} AS name, ${lit(mapping.model.version!)} AS version FROM staged WHERE valid LIMIT 1`,
  );
  if (models.length > 1)
    throw new ApiError(
      'invalid-input',
      `the files hold predictions of several models (${models.map((r) => `${String(r['name'])}@${String(r['version'])}`).join(', ')}): ` +
        `mine-file mines one model's scores; split the files by model`,
    );
  const model = models[0] ? { name: String(models[0]['name']), version: String(models[0]['version']) } : null;
  const scanMs = performance.now() - t0;
  progress('ranking', null);

  // Raw rows, validated by the import's own validator when they come into a selection.
  const touched = new Map<number, { ok: true; row: ValidRow; line: string } | { ok: false }>();
  const lateRejects: SourceReject[] = [];
  const rawOf = async (rows: number[]): Promise<Map<number, { raw: RawRow | null; line: string }>> => {
    const out = new Map<number, { raw: RawRow | null; line: string }>();
    for (let i = 0; i < rows.length; i += 20000) {
      const chunk = rows.slice(i, i + 20000);
      const where = `__row IN (SELECT unnest(${list(chunk)}))`;
      if (format === 'jsonl') {
        for (const r of await db.rows(`SELECT __row, __j FROM ${source} WHERE ${where}`)) {
          const line = r['__j'] === null ? '' : String(r['__j']);
          let raw: RawRow | null;
          try {
            raw = line ? (JSON.parse(line) as RawRow) : null;
          } catch {
            raw = null;
          }
          out.set(toNum(r['__row']), { raw, line });
        }
      } else if (format === 'csv') {
        const cols = [...mapped.keys()];
        for (const r of await db.rows(`SELECT __row, ${cols.map(ident).join(', ')} FROM ${source} WHERE ${where}`)) {
          const cells: Record<string, string> = {};
          for (const c of cols) cells[c] = r[c] === null || r[c] === undefined ? '' : String(r[c]);
          const raw = convertCells(cells, mapped);
          out.set(toNum(r['__row']), { raw, line: JSON.stringify(raw) });
        }
      } else {
        // By file and row number, which DuckDB finds without reading the other rows.
        const pack = [...mapped.keys()].map((c) => `${ident(c)} := ${ident(c)}`).join(', ');
        for (const { file, start, rows: n } of starts) {
          const local = chunk.filter((r) => r >= start && r < start + n).map((r) => r - start);
          if (local.length === 0) continue;
          for (const r of await db.rows(
            `SELECT file_row_number AS n, to_json(struct_pack(${pack})) AS j FROM ${read.replace(
              /\)$/,
              ', filename = true, file_row_number = true)',
            )} WHERE filename = ${lit(file)} AND file_row_number IN (SELECT unnest(${list(local)}))`,
          )) {
            const line = String(r['j']);
            out.set(start + toNum(r['n']), { raw: JSON.parse(line) as RawRow, line });
          }
        }
      }
    }
    return out;
  };
  const matchesFilters = (row: ValidRow): boolean => {
    const f = req.filters;
    if (f.from !== undefined || f.to !== undefined) {
      if (row.ts === null) return false;
      if (f.from !== undefined && row.ts < f.from) return false;
      if (f.to !== undefined && row.ts >= f.to) return false;
    }
    if (f.metadata) {
      const meta = row.metadata ? (JSON.parse(row.metadata) as Record<string, unknown>) : {};
      for (const [key, value] of Object.entries(f.metadata)) {
        const v = meta[key];
        const ok =
          typeof value === 'string'
            ? v === value
            : (typeof v === 'number' && v === +value) || (typeof v === 'boolean' && +v === +value);
        if (!ok) return false;
      }
    }
    if (f.predictedClasses) {
      const wanted = f.predictedClasses.map((c) => project.classes.indexOf(c));
      const p = row.predicted;
      const hit = multilabel ? wanted.some((c) => Math.floor(p / 2 ** c) % 2 === 1) : wanted.includes(p);
      if (!hit) return false;
    }
    return true;
  };
  /** Validates rows not seen yet; false when one of them turned out ineligible (the draw starts over). */
  const touch = async (rows: number[]): Promise<boolean> => {
    const fresh = [...new Set(rows)].filter((r) => !touched.has(r));
    if (fresh.length === 0) return true;
    const raws = await rawOf(fresh);
    const refused: number[] = [];
    const filtered: number[] = [];
    for (const r of fresh) {
      const got = raws.get(r);
      const result = got?.raw ? validate(got.raw) : null;
      if (!result || !result.ok) {
        touched.set(r, { ok: false });
        refused.push(r);
        lateRejects.push({
          row: r + 1,
          line: null,
          field: result && !result.ok ? result.problem.field : '(row)',
          reason: result && !result.ok ? result.problem.reason : 'not a JSON object',
          raw: (got?.line ?? '').slice(0, 300),
        });
        continue;
      }
      const v = result.row;
      const row: ValidRow = {
        ...v,
        scores: v.scores.slice(),
        features: v.features ? v.features.slice() : null,
      };
      touched.set(r, { ok: true, row, line: got!.line });
      if (!matchesFilters(row)) filtered.push(r);
    }
    if (refused.length > 0)
      await db.run(`UPDATE staged SET valid = false, elig = false WHERE __row IN (SELECT unnest(${list(refused)}))`);
    if (filtered.length > 0)
      await db.run(`UPDATE staged SET elig = false WHERE __row IN (SELECT unnest(${list(filtered)}))`);
    return refused.length === 0 && filtered.length === 0;
  };
  const valid = (r: number) => {
    const t = touched.get(r);
    if (!t || !t.ok) throw new Error(`row ${r} was not validated`);
    return t;
  };
  const eligibleCount = async () => toNum((await db.rows(`SELECT count(*) AS n FROM staged WHERE elig`))[0]!['n']);
  const rowsAt = async (positions: Int32Array): Promise<number[]> => {
    if (positions.length === 0) return [];
    const out: number[] = [];
    const all = Array.from(positions);
    for (let i = 0; i < all.length; i += 20000) {
      const rows = await db.rows(
        `SELECT __row FROM (SELECT __row, row_number() OVER (ORDER BY __row) - 1 AS pos FROM staged WHERE elig) ` +
          `WHERE pos IN (SELECT unnest(${list(all.slice(i, i + 20000))})) ORDER BY __row`,
      );
      for (const r of rows) out.push(toNum(r['__row']));
    }
    return out;
  };

  /**
   * The eligible rows (control rows aside) whose SQL priority comes within POOL_MARGIN of the
   * `want`-th best: every row of the exact top `want` is among them.
   */
  const poolRows = async (want: number): Promise<number[]> => {
    const cut = await db.rows(
      `SELECT prio FROM staged WHERE elig AND NOT ctl ORDER BY prio DESC, __row LIMIT 1 OFFSET ${Math.max(0, want - 1)}`,
    );
    const floor = cut.length > 0 ? toNum(cut[0]!['prio']) - POOL_MARGIN : -Infinity;
    return (
      await db.rows(
        `SELECT __row FROM staged WHERE elig AND NOT ctl ${Number.isFinite(floor) ? `AND prio >= ${floor}` : ''} ORDER BY __row`,
      )
    ).map((r) => toNum(r['__row']));
  };
  const w = project.taskType === 'binary' ? 1 : project.classes.length;
  const strategy = req.strategy;
  const t1 = performance.now();
  for (let attempt = 0; ; attempt++) {
    if (attempt > 10_000) throw new ApiError('internal', 'mine-file could not settle its selection');
    await db.run(`UPDATE staged SET ctl = false WHERE ctl`);
    const m = await eligibleCount();

    // The control sample first, uniform over every eligible row (as mine draws it).
    let control: number[] = [];
    if (strategy.strategy !== 'random' && req.controlShare > 0) {
      const want = Math.round(req.limit * req.controlShare);
      if (want > 0) control = await rowsAt(seededSample(m, want, req.seed + CONTROL_SEED_OFFSET));
      // Reading rows back reads the files again: the first ranked pool comes along with the control rows.
      const first = req.dedupe || req.perClassQuota !== undefined ? req.limit * 3 + 50 : req.limit;
      if (!(await touch([...control, ...(await poolRows(first + control.length))]))) continue;
      if (control.length > 0)
        await db.run(`UPDATE staged SET ctl = true WHERE __row IN (SELECT unnest(${list(control)}))`);
    }
    const total = strategy.strategy === 'random' ? Math.min(req.limit, m) : m - control.length;
    const rankedLimit = req.limit - control.length;

    // Ranked candidates best first: the exact priorities of the shared math over a pool SQL found.
    let sample: number[] | null = null;
    if (strategy.strategy === 'random') {
      sample = await rowsAt(seededSample(m, req.limit, strategy.seed));
      if (!(await touch(sample))) continue;
    }
    const ranked = async (want: number): Promise<{ rows: number[]; priority: Map<number, number> } | null> => {
      if (sample) {
        const priority = new Map(sample.map((r, i) => [r, 1 - i / Math.max(1, sample!.length)]));
        return { rows: sample.slice(0, want), priority };
      }
      const pool = await poolRows(want);
      if (!(await touch(pool))) return null;
      const scores = new Float32Array(pool.length * w);
      pool.forEach((r, i) => scores.set(valid(r).row.scores, i * w));
      const exact = rank(
        { strategy, n: pool.length, width: w, multilabel, runs: [scores] },
        new Uint8Array(pool.length).fill(1),
        want,
      );
      const order = Array.from(pool.keys()).sort((a, b) => exact[b]! - exact[a]! || pool[a]! - pool[b]!);
      const priority = new Map(pool.map((r, i) => [r, exact[i]!]));
      return { rows: order.slice(0, want).map((i) => pool[i]!), priority };
    };

    let chosen: number[] = [];
    let priority = new Map<number, number>();
    let suppressedDuplicates = 0;
    let suppressedByQuota = 0;
    let restart = false;
    if (rankedLimit > 0) {
      const plain = !req.dedupe && req.perClassQuota === undefined;
      let want = plain ? rankedLimit : Math.min(total, rankedLimit * 3 + 50);
      for (;;) {
        const got = await ranked(want);
        if (!got) {
          restart = true;
          break;
        }
        priority = got.priority;
        const order = got.rows;
        const byId = new Map<number, CandidateRow>(
          order.map((r) => {
            const v = valid(r).row;
            const features = v.features
              ? Buffer.from(v.features.buffer, v.features.byteOffset, v.features.byteLength)
              : null;
            return [r, { id: r, external_id: v.id, ts: v.ts, text: v.text, features, content_hash: v.contentHash }];
          }),
        );
        const dedupeOptions = {
          minJaccard: req.minJaccard,
          minCosine: req.minCosine,
          perClassQuota: req.perClassQuota,
          limit: rankedLimit,
        };
        const kept = req.dedupe
          ? dedupe(project as Project, dedupeOptions, Int32Array.from(order), order, byId)
          : { kept: order, dropped: 0 };
        const perClass = new Map<string, number>();
        chosen = [];
        let overQuota = 0;
        for (const r of kept.kept) {
          if (chosen.length >= rankedLimit) break;
          if (req.perClassQuota !== undefined) {
            const key = classKey(project, valid(r).row.predicted);
            const used = perClass.get(key) ?? 0;
            if (used >= req.perClassQuota) {
              overQuota++;
              continue;
            }
            perClass.set(key, used + 1);
          }
          chosen.push(r);
        }
        suppressedDuplicates = kept.dropped;
        suppressedByQuota = overQuota;
        if (chosen.length >= rankedLimit || order.length >= total || want >= total) break;
        want = Math.min(total, want * 4);
      }
    }
    if (restart) continue;

    // The items, as mine makes them: ranked first, control items spread evenly among them.
    const rng = mulberry32(req.seed);
    const wants = () => (req.secondLabelShare > 0 && rng() / 2 ** 32 < req.secondLabelShare ? 2 : 1);
    const item = (r: number, p: number, reason: string, isControl: boolean, labelsWanted: number): ScanItem => {
      const v = valid(r).row;
      return {
        row: r,
        externalId: v.id,
        priority: p,
        reason,
        labelsWanted,
        control: isControl,
        snippet: v.text?.slice(0, SNIPPET_CHARS) ?? null,
      };
    };
    const mined = chosen.map((r) =>
      item(
        r,
        priority.get(r)!,
        reasonFor(reasonInput(strategy, project, valid(r).row.scores, multilabel)),
        false,
        wants(),
      ),
    );
    const items: ScanItem[] = [];
    if (control.length === 0) items.push(...mined);
    else {
      const share = `${Math.round(req.controlShare * 100)}%`;
      const step = (mined.length + control.length) / control.length;
      let next = 0;
      for (let i = 0; i < control.length; i++) {
        const at = Math.min(mined.length, Math.floor(i * step + step / 2) - i);
        while (next < at) items.push(mined[next++]!);
        const rankedItem = mined[Math.min(at, mined.length - 1)];
        const p = rankedItem && Number.isFinite(rankedItem.priority) ? rankedItem.priority : 0;
        const reason = `random control sample (${share} of this run, seed ${req.seed}): an unbiased label`;
        items.push(item(control[i]!, p, reason, true, wants()));
      }
      while (next < mined.length) items.push(mined[next++]!);
    }

    const histogram = await histogramOf(
      db,
      req.bins,
      sample ? [...(priority.values() as Iterable<number>)] : null,
      mined,
    );
    const counts = (
      await db.rows(
        `SELECT count(*) AS n, count(*) FILTER (NOT valid) AS bad, count(*) FILTER (valid AND NOT first) AS rep FROM staged`,
      )
    )[0]!;
    const rejects = await writeRejects(db, job, toNum(counts['bad']), lateRejects, rawOf, validate);
    let extractPath: string | null = null;
    if (!req.dryRun) {
      extractPath = path.join(job.workDir, 'selected.jsonl');
      const lines = [...items].sort((a, b) => a.row - b.row).map((i) => valid(i.row).line);
      fs.writeFileSync(extractPath, lines.length > 0 ? `${lines.join('\n')}\n` : '');
    }
    return {
      files,
      model,
      mappingName,
      mapping,
      scanned: toNum(counts['n']),
      rejected: toNum(counts['bad']),
      rejectsPath: rejects,
      repeatedIds: toNum(counts['rep']),
      eligible: sample ? sample.length : total,
      controlSample: control.length,
      suppressedDuplicates,
      suppressedByQuota,
      items,
      extractPath,
      histogram,
      cutoff: mined.length > 0 ? mined.at(-1)!.priority : null,
      timings: { scanMs, selectMs: performance.now() - t1, peakRssMb: process.resourceUsage().maxRSS / 1024 },
    };
  }
}

function classKey(project: ScanJob['project'], predicted: number): string {
  if (project.taskType !== 'multilabel') return project.classes[predicted] ?? String(predicted);
  return String(predicted);
}

function reasonInput(
  strategy: MiningStrategy,
  project: ScanJob['project'],
  scores: Float32Array,
  multilabel: boolean,
): ReasonInput {
  const classes = project.classes;
  switch (strategy.strategy) {
    case 'random':
      return { strategy: 'random', seed: strategy.seed };
    case 'threshold':
      return { strategy: 'threshold', scores, threshold: strategy.threshold, classes };
    case 'margin':
      return { strategy: 'margin', scores, classes };
    case 'entropy':
    case 'least-confidence':
      return { strategy: strategy.strategy, scores, classes, multilabel };
    default:
      throw new ApiError('invalid-input', `${strategy.strategy} cannot run over log files`);
  }
}

async function histogramOf(
  db: Session,
  bins: number,
  samplePriorities: number[] | null,
  mined: ScanItem[],
): Promise<ScanResult['histogram']> {
  let min: number;
  let max: number;
  if (samplePriorities) {
    min = Math.min(...samplePriorities);
    max = Math.max(...samplePriorities);
  } else {
    const r = (await db.rows(`SELECT min(prio) AS lo, max(prio) AS hi FROM staged WHERE elig AND NOT ctl`))[0]!;
    min = r['lo'] === null ? Infinity : toNum(r['lo']);
    max = r['hi'] === null ? -Infinity : toNum(r['hi']);
  }
  const all = new Array<number>(bins).fill(0);
  const selected = new Array<number>(bins).fill(0);
  const width = max > min ? (max - min) / bins : 1;
  const bin = (p: number) => Math.min(bins - 1, Math.max(0, Math.floor((p - min) / width)));
  if (min <= max) {
    if (samplePriorities) for (const p of samplePriorities) all[bin(p)]!++;
    else {
      const counts = (
        await db.rows(
          `SELECT CAST(least(${bins - 1}, greatest(0, floor((prio - ${min}) / ${width}))) AS INTEGER) AS b, count(*) AS n ` +
            `FROM staged WHERE elig AND NOT ctl GROUP BY 1`,
        )
      ).map((r) => ({ b: toNum(r['b']), n: toNum(r['n']) }));
      for (const { b, n } of counts) all[b] = n;
    }
    for (const item of mined) if (Number.isFinite(item.priority)) selected[bin(item.priority)]!++;
  }
  return { min: min <= max ? min : 0, max: min <= max ? max : 0, all, selected };
}

/**
 * The refused rows, each with the import's reason: the validator judges the first ones the SQL
 * checks refused. One it accepts would mean those checks are stricter than the import: the run
 * stops rather than leave such a row out silently.
 */
async function writeRejects(
  db: Session,
  job: ScanJob,
  count: number,
  late: SourceReject[],
  rawOf: (rows: number[]) => Promise<Map<number, { raw: RawRow | null; line: string }>>,
  validate: ReturnType<typeof createRowValidator>,
): Promise<string | null> {
  if (count === 0) return null;
  const lateRows = new Set(late.map((r) => r.row - 1));
  const rows = (await db.rows(`SELECT __row FROM staged WHERE NOT valid ORDER BY __row LIMIT ${REJECTS_LISTED}`)).map(
    (r) => toNum(r['__row']),
  );
  const early = rows.filter((r) => !lateRows.has(r));
  const raws = await rawOf(early);
  const listed: SourceReject[] = [...late];
  for (const r of early) {
    const got = raws.get(r);
    const result = got?.raw ? validate(got.raw) : null;
    if (result?.ok)
      throw new ApiError(
        'internal',
        `row ${r + 1} of ${job.pattern}: the import would take it but mine-file's checks refuse it; ` +
          `import the files and use mine instead`,
      );
    listed.push({
      row: r + 1,
      line: null,
      field: result ? result.problem.field : '(row)',
      reason: result ? result.problem.reason : got?.line ? 'not a JSON object' : 'not valid JSON',
      raw: (got?.line ?? '').slice(0, 300),
    });
  }
  listed.sort((a, b) => a.row - b.row);
  const file = RejectsFile.createIn(job.rejectsDir, `mine-file-${path.basename(job.workDir)}`);
  try {
    file.append(listed.slice(0, REJECTS_LISTED));
  } finally {
    file.close();
  }
  return file.file;
}

function chooseMapping(job: ScanJob, have: Set<string>, fields: string[]): { name: string; mapping: ImportMapping } {
  const missing = (m: ImportMapping) => [...mappedFields(m).keys()].filter((f) => !have.has(f));
  const shown = `${fields.slice(0, 30).join(', ')}${fields.length > 30 ? ', …' : ''}`;
  if (job.mappingFixed) {
    const chosen = job.mappings[0]!;
    const absent = missing(chosen.mapping);
    if (absent.length > 0)
      throw new ApiError(
        'bad-mapping',
        `the mapping reads ${absent.map((f) => `'${f}'`).join(', ')}, which ${job.pattern} does not have ` +
          `(its fields: ${shown}); fix the mapping or the files`,
      );
    return chosen;
  }
  const fit = job.mappings.find((m) => missing(m.mapping).length === 0);
  if (fit) return fit;
  if (job.mappings.length === 0)
    throw new ApiError(
      'bad-mapping',
      `project '${job.project.name}' has no saved import mapping: give one with --mapping FILE.json ` +
        `(flywheel import --save-mapping NAME saves one)`,
    );
  throw new ApiError(
    'bad-mapping',
    `no saved mapping of project '${job.project.name}' fits ${job.pattern}: ` +
      job.mappings
        .map(
          (m) =>
            `'${m.name}' reads ${missing(m.mapping)
              .map((f) => `'${f}'`)
              .join(', ')}`,
        )
        .join('; ') +
      ` (the files' fields: ${shown}); give --mapping`,
  );
}
