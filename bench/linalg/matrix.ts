/**
 * A dense row-major matrix of plain numbers, the exchange format between the
 * tensor layer and the pure-JS metrics. Metrics never touch tensors, so they
 * run identically on every backend.
 *
 * @module
 */

/** A dense row-major matrix: entry (i, j) is `data[i * cols + j]`. */
export interface Matrix {
  /** Number of rows. */
  readonly rows: number;
  /** Number of columns. */
  readonly cols: number;
  /** Row-major entries, length `rows * cols`. */
  readonly data: Float32Array | Float64Array;
}

/** Builds a {@linkcode Matrix}, checking that the data length matches the shape. */
export function matrix(rows: number, cols: number, data: Float32Array | Float64Array): Matrix {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 0) {
    throw new RangeError(`matrix: shape must be non-negative integers, got ${rows}x${cols}`);
  }
  if (data.length !== rows * cols) {
    throw new RangeError(
      `matrix: ${rows}x${cols} needs ${rows * cols} entries, got ${data.length}`,
    );
  }
  return { rows, cols, data };
}

/** Builds a {@linkcode Matrix} from nested arrays (rows of equal length). */
export function fromRows(rows: readonly (readonly number[])[]): Matrix {
  const r = rows.length;
  const c = r === 0 ? 0 : rows[0].length;
  const data = new Float64Array(r * c);
  rows.forEach((row, i) => {
    if (row.length !== c) {
      throw new RangeError(`fromRows: row ${i} has ${row.length} entries, expected ${c}`);
    }
    data.set(row, i * c);
  });
  return { rows: r, cols: c, data };
}

/** Entry (i, j). */
export function at(m: Matrix, i: number, j: number): number {
  return m.data[i * m.cols + j];
}

/** Row i as a fresh array. */
export function row(m: Matrix, i: number): Float64Array {
  return Float64Array.from(m.data.subarray(i * m.cols, (i + 1) * m.cols));
}

/** Euclidean norm of a vector. */
export function norm(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  return Math.sqrt(s);
}
