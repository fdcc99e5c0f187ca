/**
 * Design matrices for the learner: a dense row-major block (logged features, embeddings) or a CSR
 * sparse block (hashed text). Values are Float32 to halve memory over a million rows; every sum over
 * them is accumulated in Float64.
 */

/** Row-major rows×dim. */
export interface DenseDesign {
  kind: 'dense';
  rows: number;
  dim: number;
  values: Float32Array;
}

/** Compressed sparse rows: row r holds indices[indptr[r]..indptr[r+1]) with their values. */
export interface SparseDesign {
  kind: 'sparse';
  rows: number;
  dim: number;
  indptr: Int32Array;
  indices: Int32Array;
  values: Float32Array;
}

export type Design = DenseDesign | SparseDesign;

/** Checks the shape invariants a solver relies on; throws RangeError saying which one fails. */
export function assertDesign(x: Design): void {
  if (!Number.isInteger(x.rows) || x.rows < 0) throw new RangeError(`design rows must be a whole number ≥ 0`);
  if (!Number.isInteger(x.dim) || x.dim < 1) throw new RangeError(`design dim must be a whole number ≥ 1`);
  if (x.kind === 'dense') {
    if (x.values.length !== x.rows * x.dim) {
      throw new RangeError(`dense design holds ${x.values.length} values, expected rows×dim = ${x.rows * x.dim}`);
    }
    return;
  }
  if (x.indptr.length !== x.rows + 1 || x.indptr[0] !== 0) {
    throw new RangeError(`sparse design indptr must have rows+1 = ${x.rows + 1} entries starting at 0`);
  }
  const nnz = x.indptr[x.rows]!;
  if (x.indices.length < nnz || x.values.length < nnz) {
    throw new RangeError(`sparse design holds fewer indices or values than indptr says (${nnz})`);
  }
  for (let r = 0; r < x.rows; r++) {
    if (x.indptr[r + 1]! < x.indptr[r]!) throw new RangeError(`sparse design indptr decreases at row ${r}`);
  }
  for (let e = 0; e < nnz; e++) {
    const j = x.indices[e]!;
    if (j < 0 || j >= x.dim) throw new RangeError(`sparse design column ${j} is outside 0..${x.dim - 1}`);
  }
}

/** The given rows, in the given order (repeats allowed), as a new design of the same kind. */
export function selectRows(x: Design, rows: Int32Array): Design {
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    if (r < 0 || r >= x.rows) throw new RangeError(`row ${r} is outside 0..${x.rows - 1}`);
  }
  if (x.kind === 'dense') {
    const values = new Float32Array(rows.length * x.dim);
    for (let i = 0; i < rows.length; i++) {
      const start = rows[i]! * x.dim;
      values.set(x.values.subarray(start, start + x.dim), i * x.dim);
    }
    return { kind: 'dense', rows: rows.length, dim: x.dim, values };
  }
  const indptr = new Int32Array(rows.length + 1);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    indptr[i + 1] = indptr[i]! + (x.indptr[r + 1]! - x.indptr[r]!);
  }
  const nnz = indptr[rows.length]!;
  const indices = new Int32Array(nnz);
  const values = new Float32Array(nnz);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    const from = x.indptr[r]!;
    const to = x.indptr[r + 1]!;
    indices.set(x.indices.subarray(from, to), indptr[i]!);
    values.set(x.values.subarray(from, to), indptr[i]!);
  }
  return { kind: 'sparse', rows: rows.length, dim: x.dim, indptr, indices, values };
}
