import type { ValidRow } from '../../../shared/features/import/row-validator';
import type { RowReject } from '../../../shared/features/import/contract';

/** A reject with the start of the offending source text, as written to the rejects file. */
export interface SourceReject extends RowReject {
  raw: string;
}

/**
 * Validated rows in columns, so a batch crosses threads as a few transferable buffers
 * instead of thousands of small objects.
 */
export interface RowBatch {
  n: number;
  ids: string[];
  rows: Float64Array;
  ts: Float64Array; // NaN = no timestamp
  texts: (string | null)[];
  /** JSON [[field, text], …] where the text was built by a template. */
  textParts: (string | null)[];
  imagePaths: (string | null)[];
  featureDim: number;
  features: Float32Array | null;
  width: number;
  scores: Float32Array;
  predicted: Float64Array;
  groundTruth: (string | null)[];
  modelIndex: Int32Array;
  /** [name, version] for every model seen so far in this file. */
  models: [string, string][];
  metadata: (string | null)[];
  hashes: Float64Array;
}

/** Rows a batch's columns are made for at first; they double as rows come, up to the batch's rows. */
const FIRST_ROWS = 256;

export class BatchBuilder {
  private batch: RowBatch;
  private readonly modelKeys = new Map<string, number>();
  private readonly models: [string, string][] = [];
  private lastModel: [string | null, string | null] = [null, null];
  private lastModelIndex = -1;
  private textChars = 0;
  /** Rows the batch's columns have room for. */
  private allocated = 0;
  /** Rows of the batch handed over last. */
  private lastRows = 0;
  /** The fixed part of a row: numbers, vectors and the array slots of its strings. */
  private readonly rowBytes: number;

  constructor(
    private readonly capacity: number,
    private readonly width: number,
    private readonly featureDim: number,
  ) {
    this.rowBytes = 96 + 4 * (width + featureDim);
    this.batch = this.fresh();
  }

  private fresh(): RowBatch {
    // Sized like the batch before, and grown as rows come: a batch sent early (long documents) or
    // a small file's only batch would otherwise allocate columns for all of `capacity` rows (32 MB
    // with 1,024 features), and full batches grow only once.
    const c = Math.min(this.capacity, Math.max(FIRST_ROWS, this.lastRows));
    this.allocated = c;
    return {
      n: 0,
      ids: [],
      rows: new Float64Array(c),
      ts: new Float64Array(c),
      texts: [],
      textParts: [],
      imagePaths: [],
      featureDim: this.featureDim,
      features: this.featureDim > 0 ? new Float32Array(c * this.featureDim) : null,
      width: this.width,
      scores: new Float32Array(c * this.width),
      predicted: new Float64Array(c),
      groundTruth: [],
      modelIndex: new Int32Array(c),
      models: this.models,
      metadata: [],
      hashes: new Float64Array(c),
    };
  }

  get size(): number {
    return this.batch.n;
  }

  /** About how much memory the batch's rows take (two bytes a character of text). */
  get bytes(): number {
    return this.textChars * 2 + this.batch.n * this.rowBytes;
  }

  private grow(): void {
    const b = this.batch;
    const rows = this.allocated * 2;
    const wider = <T extends Float64Array | Float32Array | Int32Array>(column: T, per: number): T => {
      const out = new (column.constructor as new (n: number) => T)(rows * per);
      out.set(column);
      return out;
    };
    b.rows = wider(b.rows, 1);
    b.ts = wider(b.ts, 1);
    if (b.features) b.features = wider(b.features, this.featureDim);
    b.scores = wider(b.scores, this.width);
    b.predicted = wider(b.predicted, 1);
    b.modelIndex = wider(b.modelIndex, 1);
    b.hashes = wider(b.hashes, 1);
    this.allocated = rows;
  }

  add(row: ValidRow, rowNumber: number): void {
    if (this.batch.n === this.allocated) this.grow();
    const b = this.batch;
    const i = b.n++;
    b.ids.push(row.id);
    b.rows[i] = rowNumber;
    b.ts[i] = row.ts ?? NaN;
    b.texts.push(row.text);
    b.textParts.push(row.textParts);
    b.imagePaths.push(row.imagePath);
    if (b.features && row.features) b.features.set(row.features, i * this.featureDim);
    b.scores.set(row.scores, i * this.width);
    b.predicted[i] = row.predicted;
    b.groundTruth.push(row.groundTruth);
    b.modelIndex[i] = this.modelIndex(row.modelName, row.modelVersion);
    b.metadata.push(row.metadata);
    b.hashes[i] = row.contentHash;
    this.textChars +=
      row.id.length +
      (row.text?.length ?? 0) +
      (row.textParts?.length ?? 0) +
      (row.imagePath?.length ?? 0) +
      (row.groundTruth?.length ?? 0) +
      (row.metadata?.length ?? 0);
  }

  private modelIndex(name: string, version: string): number {
    // A log usually holds one model: skip building the key while it stays the same.
    if (name === this.lastModel[0] && version === this.lastModel[1]) return this.lastModelIndex;
    const key = `${name}\u0000${version}`;
    let m = this.modelKeys.get(key);
    if (m === undefined) {
      m = this.models.length;
      this.models.push([name, version]);
      this.modelKeys.set(key, m);
    }
    this.lastModel = [name, version];
    this.lastModelIndex = m;
    return m;
  }

  /** Hands over the filled batch (trimmed) and starts a new one. */
  take(): RowBatch {
    const b = this.batch;
    this.lastRows = b.n;
    this.batch = this.fresh();
    this.textChars = 0;
    const n = b.n;
    return {
      ...b,
      models: [...this.models],
      rows: b.rows.slice(0, n),
      ts: b.ts.slice(0, n),
      features: b.features ? b.features.slice(0, n * this.featureDim) : null,
      scores: b.scores.slice(0, n * this.width),
      predicted: b.predicted.slice(0, n),
      modelIndex: b.modelIndex.slice(0, n),
      hashes: b.hashes.slice(0, n),
    };
  }
}

export function batchTransferables(b: RowBatch): ArrayBuffer[] {
  const list = [b.rows, b.ts, b.scores, b.predicted, b.modelIndex, b.hashes].map((a) => a.buffer as ArrayBuffer);
  if (b.features) list.push(b.features.buffer as ArrayBuffer);
  return list;
}
