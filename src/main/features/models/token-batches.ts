import type { Padding } from './text-tokenizer';

/** One batch of tokenized texts as the model takes it: int64 [rows, width] per model input. */
export interface TokenBatch {
  /** Which texts of the window, in the batch's row order. */
  rows: Int32Array;
  dims: [number, number];
  feeds: Record<string, BigInt64Array>;
}

/** The model inputs a tokenizer fills (token type ids only where the graph takes them). */
export interface TokenInputs {
  inputIds: string;
  attentionMask: string;
  tokenTypeIds: string | null;
}

/** Texts' positions, shortest first (ties keep their order), so each batch pads to little more than its own rows. */
export function byLength(lengths: readonly number[]): Int32Array {
  const order = Int32Array.from(lengths, (_, i) => i);
  return order.sort((a, b) => lengths[a]! - lengths[b]! || a - b);
}

/** The padded width of rows whose longest is `longest` tokens. */
export function paddedWidth(longest: number, padding: Padding): number {
  const width = padding.fixedLength ?? longest;
  return padding.multipleOf ? Math.ceil(width / padding.multipleOf) * padding.multipleOf : width;
}

/**
 * Writes a non-negative int64 through its low 32-bit word: BigInt conversion per value is the
 * slowest part of building a tensor otherwise. Little-endian only (every platform Node ships for).
 */
function fill(target: Int32Array, row: number, width: number, values: readonly number[], offset: number): void {
  const base = (row * width + offset) * 2;
  for (let j = 0; j < values.length; j++) target[base + j * 2] = values[j]!;
}

/**
 * A window of tokenized texts cut into batches of `batchRows`: by length when `bucket` (padding
 * each batch to its own longest row, which cuts the work a transformer does on padding), else in
 * window order. Padding follows the tokenizer (side, id, type id, fixed width, multiple of).
 */
export function tokenBatches(
  encoded: { ids: number[][]; typeIds: number[][] },
  padding: Padding,
  inputs: TokenInputs,
  batchRows: number,
  bucket: boolean,
): TokenBatch[] {
  const n = encoded.ids.length;
  const order = bucket ? byLength(encoded.ids.map((r) => r.length)) : Int32Array.from({ length: n }, (_, i) => i);
  const batches: TokenBatch[] = [];
  for (let start = 0; start < n; start += batchRows) {
    const rows = order.slice(start, Math.min(n, start + batchRows));
    let longest = 0;
    for (const r of rows) longest = Math.max(longest, encoded.ids[r]!.length);
    const width = paddedWidth(longest, padding);
    const size = rows.length * width;
    const ids = new BigInt64Array(size);
    const mask = new BigInt64Array(size);
    const types = inputs.tokenTypeIds ? new BigInt64Array(size) : null;
    const [ids32, mask32, types32] = [ids, mask, types].map((a) => (a ? new Int32Array(a.buffer) : null));
    if (padding.id !== 0) ids.fill(BigInt(padding.id));
    if (types && padding.typeId !== 0) types.fill(BigInt(padding.typeId));
    rows.forEach((r, i) => {
      const rowIds = encoded.ids[r]!;
      const offset = padding.left ? width - rowIds.length : 0;
      fill(ids32!, i, width, rowIds, offset);
      fill(mask32!, i, width, Array<number>(rowIds.length).fill(1), offset);
      if (types32) fill(types32, i, width, encoded.typeIds[r]!, offset);
    });
    const feeds: Record<string, BigInt64Array> = { [inputs.inputIds]: ids, [inputs.attentionMask]: mask };
    if (inputs.tokenTypeIds) feeds[inputs.tokenTypeIds] = types!;
    batches.push({ rows, dims: [rows.length, width], feeds });
  }
  return batches;
}
