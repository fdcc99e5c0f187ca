import { csvRow } from '../../../shared/features/export/csv';
import type { Project } from '../../../shared/features/projects/contract';
import type { ExportExampleRow, JsonlColumns } from '../../store/export-reads';
import { f32 } from './float-text';
import { ByteBuilder, MAX_F32_BYTES } from './byte-builder';
import { isFeatureVector } from './feature-layout';

/** The float32 values of a stored feature blob, viewed in place. */
export function floats(blob: Buffer): Float32Array {
  return new Float32Array(blob.buffer, blob.byteOffset, blob.byteLength / 4);
}

const DAY_MS = 86_400_000;
let cachedDay = Number.NaN;
const cachedDayBytes = new Uint8Array(11);

/** Whether writeIsoTime can take its fast path: whole milliseconds from 1970 to 9999. */
function plainTime(ts: number): boolean {
  return ts >= 0 && ts < 253402300800000 && Number.isInteger(ts);
}

/** The day of ts, with "YYYY-MM-DDT" of it cached: rows of a log come in time order. */
function dayOf(ts: number): number {
  const day = Math.floor(ts / DAY_MS);
  if (day !== cachedDay) {
    cachedDay = day;
    const text = new Date(day * DAY_MS).toISOString();
    for (let i = 0; i < 11; i++) cachedDayBytes[i] = text.charCodeAt(i);
  }
  return day;
}

const isoScratch = Buffer.alloc(32);

/** Date.toISOString with its date part cached per day (writeIsoTime, as a string). */
export function isoTime(ts: number | null): string | null {
  if (ts === null) return null;
  return isoScratch.toString('latin1', 0, writeIsoTime(isoScratch, 0, ts));
}

/** The longest isoTime text: a six-digit year with its sign. */
export const MAX_ISO_TIME_BYTES = 27;

/** isoTime(ts) written into b at `at` (room for MAX_ISO_TIME_BYTES); returns where it ends. No string a row. */
export function writeIsoTime(b: Uint8Array, at: number, ts: number): number {
  if (!plainTime(ts)) {
    const text = new Date(ts).toISOString();
    for (let i = 0; i < text.length; i++) b[at++] = text.charCodeAt(i);
    return at;
  }
  let ms = ts - dayOf(ts) * DAY_MS;
  b.set(cachedDayBytes, at);
  const h = (ms / 3_600_000) | 0;
  ms -= h * 3_600_000;
  const m = (ms / 60_000) | 0;
  ms -= m * 60_000;
  const sec = (ms / 1000) | 0;
  ms -= sec * 1000;
  const hundreds = (ms / 100) | 0;
  const tens = ms - hundreds * 100;
  b[at + 11] = 48 + ((h / 10) | 0);
  b[at + 12] = 48 + (h % 10);
  b[at + 13] = 58; // :
  b[at + 14] = 48 + ((m / 10) | 0);
  b[at + 15] = 48 + (m % 10);
  b[at + 16] = 58;
  b[at + 17] = 48 + ((sec / 10) | 0);
  b[at + 18] = 48 + (sec % 10);
  b[at + 19] = 46; // .
  b[at + 20] = 48 + hundreds;
  b[at + 21] = 48 + ((tens / 10) | 0);
  b[at + 22] = 48 + (tens % 10);
  b[at + 23] = 90; // Z
  return at + 24;
}

const utf8 = (s: string): Uint8Array => Buffer.from(s, 'utf8');
const CLOSE_BRACE = utf8('}');
const CLOSE_BRACKET = utf8(']');
const NULL = utf8('null');
const LINE_CLOSE = utf8('}\n');

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
};

/** One example as a row of the dataset, in a fixed field order so equal inputs give equal bytes. */
export class RowFormat {
  /** `"name":` for each feature as UTF-8, the ones after the first with their comma; null in a list. */
  private readonly featureKeys: Uint8Array[] | null;
  private readonly featureCount: number;
  /** The most bytes a row's features take, separators included. */
  private readonly featureRoom: number;
  private readonly multilabel: boolean;
  /** Features go out as a list (logged as one vector) rather than an object by name. */
  private readonly vector: boolean;
  private readonly lineEnds = new WeakMap<string[], Record<'human' | 'model', Uint8Array>>();

  constructor(private readonly project: Project) {
    this.multilabel = project.taskType === 'multilabel';
    this.vector = isFeatureVector(project.featureNames ?? []);
    const names = project.featureNames ?? [];
    this.featureCount = names.length;
    this.featureKeys = this.vector ? null : names.map((n, i) => utf8(`${i ? ',' : ''}${JSON.stringify(n)}:`));
    this.featureRoom =
      names.length * (1 + MAX_F32_BYTES) + (this.featureKeys ?? []).reduce((sum, k) => sum + k.length, 0);
  }

  /** Appends row r of a chunk's columns to out as a JSONL line; score fields, where given, come last. */
  jsonl(
    out: ByteBuilder,
    c: JsonlColumns,
    r: number,
    labels: string[],
    source: 'human' | 'model',
    scores?: string,
  ): void {
    out.bytes(PIECES.id);
    out.column(c.externalId, r);
    const ts = c.ts[r]!;
    if (Number.isNaN(ts)) out.bytes(PIECES.tsNull);
    else {
      out.bytes(PIECES.ts);
      const b = out.reserve(MAX_ISO_TIME_BYTES + 1);
      const end = writeIsoTime(b, out.length, ts);
      b[end] = 34; // "
      out.length = end + 1;
    }
    if (this.project.inputKind === 'text') {
      out.bytes(PIECES.text);
      out.column(c.text, r);
    }
    if (this.project.inputKind === 'image') {
      out.bytes(PIECES.image);
      out.column(c.imagePath, r);
    }
    if (this.featureCount > 0) this.jsonlFeatures(out, c, r);
    out.bytes(PIECES.metadata);
    if (c.metadata.starts[r] === c.metadata.ends[r]) out.bytes(NULL);
    else out.column(c.metadata, r);
    if (scores === undefined) out.bytes(this.lineEnd(labels, source));
    else {
      const end = this.lineEnd(labels, source);
      out.bytes(end.subarray(0, end.length - LINE_CLOSE.length));
      out.utf8(scores);
      out.bytes(LINE_CLOSE);
    }
  }

  private jsonlFeatures(out: ByteBuilder, c: JsonlColumns, r: number): void {
    const count = c.featureCount[r]!;
    if (count < 0) return out.bytes(PIECES.featuresNull);
    // A blob shorter than the project's features leaves the rest null, as missing values would be.
    out.bytes(this.vector ? PIECES.featureList : PIECES.features);
    out.f32s(c.floats, c.featureStart[r]!, count, this.featureCount, this.featureKeys, this.featureRoom);
    out.bytes(this.vector ? CLOSE_BRACKET : CLOSE_BRACE);
  }

  /** The label field and all after it, as bytes: once per label set (the sets are shared by many rows) and source. */
  private lineEnd(labels: string[], source: 'human' | 'model'): Uint8Array {
    let ends = this.lineEnds.get(labels);
    if (ends === undefined) {
      const json = JSON.stringify(this.multilabel ? labels : (labels[0] ?? null));
      ends = {
        human: utf8(`,"label":${json},"label_source":"human"}\n`),
        model: utf8(`,"label":${json},"label_source":"model"}\n`),
      };
      this.lineEnds.set(labels, ends);
    }
    return ends[source];
  }

  /** The CSV columns, score columns (where an export adds them) after these. */
  csvHeader(scoreColumns: readonly string[] = []): string {
    return csvRow([...this.csvColumns(), ...scoreColumns]);
  }

  csvColumns(): string[] {
    const cols = ['id', 'ts'];
    if (this.project.inputKind === 'text') cols.push('text');
    if (this.project.inputKind === 'image') cols.push('image_path');
    if (this.project.featureNames) cols.push(...this.project.featureNames);
    cols.push('label', 'label_source', 'metadata');
    return cols;
  }

  csv(
    ex: ExportExampleRow,
    labels: string[],
    source: 'human' | 'model',
    scores: readonly (string | null)[] = [],
  ): string {
    const cells: (string | number | null)[] = [ex.external_id, isoTime(ex.ts)];
    if (this.project.inputKind === 'text') cells.push(ex.text);
    if (this.project.inputKind === 'image') cells.push(ex.image_path);
    if (this.project.featureNames) {
      const f = ex.features ? floats(ex.features) : null;
      for (let i = 0; i < this.project.featureNames.length; i++) cells.push(f ? f32(f[i] ?? Number.NaN) : null);
    }
    cells.push(this.multilabel ? JSON.stringify(labels) : (labels[0] ?? null), source, ex.metadata, ...scores);
    return csvRow(cells);
  }
}
