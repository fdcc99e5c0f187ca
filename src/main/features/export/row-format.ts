import { csvRow } from '../../../shared/features/export/csv';
import type { Project } from '../../../shared/features/projects/contract';
import type { ExportExampleRow } from '../../store/export-reads';

/** A float32 as the shortest decimal that reads back as the same float32 (6 to 9 significant digits). */
export function f32(v: number): string {
  if (!Number.isFinite(v)) return 'null';
  if (Number.isInteger(v) && Math.abs(v) < 1e15) return String(v);
  for (let digits = 6; digits < 9; digits++) {
    const shorter = +v.toPrecision(digits);
    if (Math.fround(shorter) === v) return String(shorter);
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
  private readonly featureKeys: string[] | null;
  private readonly multilabel: boolean;

  constructor(private readonly project: Project) {
    this.featureKeys = project.featureNames ? project.featureNames.map((n) => JSON.stringify(n)) : null;
    this.multilabel = project.taskType === 'multilabel';
  }

  jsonl(ex: ExportExampleRow, labels: string[], source: 'human' | 'model'): string {
    const parts = [`{"id":${JSON.stringify(ex.external_id)}`, `"ts":${JSON.stringify(isoTime(ex.ts))}`];
    if (this.project.inputKind === 'text') parts.push(`"text":${JSON.stringify(ex.text)}`);
    if (this.project.inputKind === 'image') parts.push(`"image_path":${JSON.stringify(ex.image_path)}`);
    if (this.featureKeys) {
      if (ex.features) {
        const f = floats(ex.features);
        parts.push(`"features":{${this.featureKeys.map((k, i) => `${k}:${f32(f[i] ?? Number.NaN)}`).join(',')}}`);
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
