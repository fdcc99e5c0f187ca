import { csvRow } from '../../../shared/features/export/csv';
import type { Project } from '../../../shared/features/projects/contract';
import type { ExportExampleRow } from '../../store/export-reads';

const POW10 = Array.from({ length: 120 }, (_, i) => 10 ** (i - 60));

/** The decimal m × 10^−k as text (m an integer, |m| < 10^9), trailing zeros dropped. */
function decimal(m: number, k: number): string {
  if (k <= 0) return `${m}${'0'.repeat(-k)}`;
  const sign = m < 0 ? '-' : '';
  let a = m < 0 ? -m : m;
  while (k > 0 && a % 10 === 0) {
    a /= 10;
    k--;
  }
  if (k === 0) return `${sign}${a}`;
  // Exact integer arithmetic: a and 10^k are integers below 2^53.
  const scale = POW10[k + 60]!;
  const whole = Math.floor(a / scale);
  const fraction = String(a - whole * scale);
  return `${sign}${whole}.${fraction.length < k ? '0'.repeat(k - fraction.length) + fraction : fraction}`;
}

/**
 * A float32 as a short decimal that reads back as the same float32: 7 significant digits when
 * they round-trip (most values), else 8, else 9 (always enough). Integer arithmetic instead of
 * toPrecision or double-to-string: this is the hot loop of exports with feature vectors.
 */
export function f32(v: number): string {
  if (!Number.isFinite(v)) return 'null';
  if (v === 0 || (Number.isInteger(v) && Math.abs(v) < 1e7)) return String(v);
  const e = Math.floor(Math.log10(Math.abs(v)));
  if (e >= -8 && e <= 14) {
    for (let digits = 7; digits <= 9; digits++) {
      const k = digits - 1 - e;
      // m / 10^k is one correctly rounded division of exact doubles: the same double the decimal
      // text would parse to, so the round trip is checked without building or parsing the text.
      const m = k >= 0 ? Math.round(v * POW10[k + 60]!) : Math.round(v / POW10[-k + 60]!);
      const back = k >= 0 ? m / POW10[k + 60]! : m * POW10[-k + 60]!;
      if (Math.fround(back) === v) return decimal(m, k);
    }
  }
  return String(+v.toPrecision(9));
}

function floats(blob: Buffer): Float32Array {
  return new Float32Array(blob.buffer, blob.byteOffset, blob.byteLength / 4);
}

function isoTime(ts: number | null): string | null {
  return ts === null ? null : new Date(ts).toISOString();
}

/** One example as a row of the dataset, in a fixed field order so equal inputs give equal bytes. */
export class RowFormat {
  /** `"name":` for each feature, the ones after the first with their comma. */
  private readonly featureKeys: string[] | null;
  private readonly multilabel: boolean;

  constructor(private readonly project: Project) {
    this.featureKeys = project.featureNames
      ? project.featureNames.map((n, i) => `${i ? ',' : ''}${JSON.stringify(n)}:`)
      : null;
    this.multilabel = project.taskType === 'multilabel';
  }

  jsonl(ex: ExportExampleRow, labels: string[], source: 'human' | 'model'): string {
    const parts = [`{"id":${JSON.stringify(ex.external_id)}`, `"ts":${JSON.stringify(isoTime(ex.ts))}`];
    if (this.project.inputKind === 'text') parts.push(`"text":${JSON.stringify(ex.text)}`);
    if (this.project.inputKind === 'image') parts.push(`"image_path":${JSON.stringify(ex.image_path)}`);
    if (this.featureKeys) {
      if (ex.features) {
        const f = floats(ex.features);
        const keys = this.featureKeys;
        let text = '"features":{';
        for (let i = 0; i < keys.length; i++) text += keys[i]! + f32(f[i] ?? Number.NaN);
        parts.push(`${text}}`);
      } else parts.push('"features":null');
    }
    parts.push(`"metadata":${ex.metadata ?? 'null'}`);
    parts.push(`"label":${JSON.stringify(this.multilabel ? labels : (labels[0] ?? null))}`);
    parts.push(`"label_source":"${source}"}\n`);
    return parts.join(',');
  }

  csvHeader(): string {
    const cols = ['id', 'ts'];
    if (this.project.inputKind === 'text') cols.push('text');
    if (this.project.inputKind === 'image') cols.push('image_path');
    if (this.project.featureNames) cols.push(...this.project.featureNames);
    cols.push('label', 'label_source', 'metadata');
    return csvRow(cols);
  }

  csv(ex: ExportExampleRow, labels: string[], source: 'human' | 'model'): string {
    const cells: (string | number | null)[] = [ex.external_id, isoTime(ex.ts)];
    if (this.project.inputKind === 'text') cells.push(ex.text);
    if (this.project.inputKind === 'image') cells.push(ex.image_path);
    if (this.project.featureNames) {
      const f = ex.features ? floats(ex.features) : null;
      for (let i = 0; i < this.project.featureNames.length; i++) cells.push(f ? f32(f[i] ?? Number.NaN) : null);
    }
    cells.push(this.multilabel ? JSON.stringify(labels) : (labels[0] ?? null), source, ex.metadata);
    return csvRow(cells);
  }

  /** DuckDB column types of the JSONL rows, for the Parquet copy. */
  duckdbColumns(): string {
    const q = (s: string) => `'${s.replace(/'/g, "''")}'`;
    const cols: [string, string][] = [
      ['id', 'VARCHAR'],
      ['ts', 'VARCHAR'],
    ];
    if (this.project.inputKind === 'text') cols.push(['text', 'VARCHAR']);
    if (this.project.inputKind === 'image') cols.push(['image_path', 'VARCHAR']);
    if (this.project.featureNames) {
      const fields = this.project.featureNames.map((n) => `"${n.replace(/"/g, '""')}" FLOAT`).join(', ');
      cols.push(['features', `STRUCT(${fields})`]);
    }
    cols.push(['metadata', 'JSON'], ['label', this.multilabel ? 'VARCHAR[]' : 'VARCHAR'], ['label_source', 'VARCHAR']);
    return `{${cols.map(([n, t]) => `${n}: ${q(t)}`).join(', ')}}`;
  }

  /** The SELECT list of the Parquet copy: timestamps become TIMESTAMP (UTC). */
  duckdbSelect(): string {
    const cols = ['id', `CAST(strptime(ts, '%Y-%m-%dT%H:%M:%S.%gZ') AS TIMESTAMP) AS ts`];
    if (this.project.inputKind === 'text') cols.push('text');
    if (this.project.inputKind === 'image') cols.push('image_path');
    if (this.project.featureNames) cols.push('features');
    cols.push('metadata', 'label', 'label_source');
    return cols.join(', ');
  }
}
