import { csvRow } from '../../../shared/features/export/csv';
import type { Project } from '../../../shared/features/projects/contract';
import type { ExportExampleRow, JsonlColumns } from '../../store/export-reads';
import { f32 } from './float-text';
import { ByteBuilder } from './byte-builder';
import { isFeatureVector } from './feature-layout';

/** The float32 values of a stored feature blob, viewed in place. */
export function floats(blob: Buffer): Float32Array {
  return new Float32Array(blob.buffer, blob.byteOffset, blob.byteLength / 4);
}

const DAY_MS = 86_400_000;
const TWO_DIGITS = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));
const THREE_DIGITS = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));
let cachedDay = Number.NaN;
let cachedDayText = '';

/** Date.toISOString with its date part cached per day: rows of a log come in time order. */
export function isoTime(ts: number | null): string | null {
  if (ts === null) return null;
  if (!(ts >= 0 && ts < 253402300800000) || !Number.isInteger(ts)) return new Date(ts).toISOString();
  const day = Math.floor(ts / DAY_MS);
  if (day !== cachedDay) {
    cachedDay = day;
    cachedDayText = new Date(day * DAY_MS).toISOString().slice(0, 11);
  }
  let ms = ts - day * DAY_MS;
  const h = Math.floor(ms / 3_600_000);
  ms -= h * 3_600_000;
  const m = Math.floor(ms / 60_000);
  ms -= m * 60_000;
  const sec = Math.floor(ms / 1000);
  return `${cachedDayText}${TWO_DIGITS[h]}:${TWO_DIGITS[m]}:${TWO_DIGITS[sec]}.${THREE_DIGITS[ms - sec * 1000]}Z`;
}

const utf8 = (s: string): Uint8Array => Buffer.from(s, 'utf8');
const QUOTE = utf8('"');
const CLOSE_BRACE = utf8('}');
const CLOSE_BRACKET = utf8(']');
const COMMA = utf8(',');
const NULL = utf8('null');

/** The fixed parts of a JSONL line, in field order. */
const PIECES = {
  id: utf8('{"id":'),
  ts: utf8(',"ts":"'),
  tsNull: utf8(',"ts":null'),
  text: utf8(',"text":'),
  image: utf8(',"image_path":'),
  features: utf8(',"features":{'),
  featureList: utf8(',"features":['),
  featuresNull: utf8(',"features":null'),
  metadata: utf8(',"metadata":'),
  label: utf8(',"label":'),
  human: utf8(',"label_source":"human"}\n'),
  model: utf8(',"label_source":"model"}\n'),
};

/** One example as a row of the dataset, in a fixed field order so equal inputs give equal bytes. */
export class RowFormat {
  /** `"name":` for each feature as UTF-8, the ones after the first with their comma. */
  private readonly featureKeys: Uint8Array[] | null;
  private readonly multilabel: boolean;
  /** Features go out as a list (logged as one vector) rather than an object by name. */
  private readonly vector: boolean;
  private readonly labelJsonCache = new WeakMap<string[], string>();

  constructor(private readonly project: Project) {
    this.featureKeys = project.featureNames?.length
      ? project.featureNames.map((n, i) => utf8(`${i ? ',' : ''}${JSON.stringify(n)}:`))
      : null;
    this.multilabel = project.taskType === 'multilabel';
    this.vector = isFeatureVector(project.featureNames ?? []);
  }

  /** Appends row r of a chunk's columns to out as a JSONL line. */
  jsonl(out: ByteBuilder, c: JsonlColumns, r: number, labels: string[], source: 'human' | 'model'): void {
    out.bytes(PIECES.id);
    out.column(c.externalId, r);
    const ts = c.ts[r]!;
    if (Number.isNaN(ts)) out.bytes(PIECES.tsNull);
    else {
      out.bytes(PIECES.ts);
      out.ascii(isoTime(ts)!);
      out.bytes(QUOTE);
    }
    if (this.project.inputKind === 'text') {
      out.bytes(PIECES.text);
      out.column(c.text, r);
    }
    if (this.project.inputKind === 'image') {
      out.bytes(PIECES.image);
      out.column(c.imagePath, r);
    }
    if (this.featureKeys) this.jsonlFeatures(out, c, r);
    out.bytes(PIECES.metadata);
    if (c.metadata.starts[r] === c.metadata.ends[r]) out.bytes(NULL);
    else out.column(c.metadata, r);
    out.bytes(PIECES.label);
    out.utf8(this.labelJson(labels));
    out.bytes(source === 'human' ? PIECES.human : PIECES.model);
  }

  private jsonlFeatures(out: ByteBuilder, c: JsonlColumns, r: number): void {
    const count = c.featureCount[r]!;
    if (count < 0) return out.bytes(PIECES.featuresNull);
    const keys = this.featureKeys!;
    const f = c.floats;
    const at = c.featureStart[r]!;
    // A blob shorter than the project's features leaves the rest null, as missing values would be.
    if (this.vector) {
      out.bytes(PIECES.featureList);
      for (let i = 0; i < keys.length; i++) {
        if (i > 0) out.bytes(COMMA);
        out.f32(i < count ? f[at + i]! : Number.NaN);
      }
      out.bytes(CLOSE_BRACKET);
    } else {
      out.bytes(PIECES.features);
      for (let i = 0; i < keys.length; i++) {
        out.bytes(keys[i]!);
        out.f32(i < count ? f[at + i]! : Number.NaN);
      }
      out.bytes(CLOSE_BRACE);
    }
  }

  /** The label field's JSON, once per label set (the sets are shared by many rows). */
  private labelJson(labels: string[]): string {
    let json = this.labelJsonCache.get(labels);
    if (json === undefined) {
      json = JSON.stringify(this.multilabel ? labels : (labels[0] ?? null));
      this.labelJsonCache.set(labels, json);
    }
    return json;
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
}
