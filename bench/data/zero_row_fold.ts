/**
 * Folding the all-zero datapoints of a batch into one weighted row.
 *
 * On a target whose decomposable layers all see exactly zero input for an
 * all-zero datapoint (`TargetModel.zeroInputGivesZeroActivations`), every
 * such datapoint behaves identically: the same causal importances, the same
 * output under any mask (a masked layer maps 0 to its bias, exactly as the
 * target layer does, so its reconstruction error is exactly 0). A batch can
 * therefore be computed as its non-zero datapoints plus one zero row that
 * stands for all the zero ones, with per-row weights wherever a term is a sum
 * over datapoints. This is exact in real arithmetic; in float it changes only
 * the summation order. On sparse data it removes most of the work (77% of TMS
 * 5-2 datapoints are all-zero).
 *
 * @module
 */

/** A batch with its all-zero datapoints folded into one row. */
export interface FoldedBatch {
  /** Row-major `[rows, width]`: the non-zero datapoints in their original order, then one all-zero row when the batch had any. */
  readonly xs: Float32Array;
  /** Rows in `xs`. */
  readonly rows: number;
  /** Values per row. */
  readonly width: number;
  /** Datapoints each row stands for: 1 for a non-zero row; the number of all-zero datapoints for the zero row. */
  readonly weights: Float32Array;
  /** Datapoints the folded batch stands for (the unfolded batch size). */
  readonly datapoints: number;
  /** Whether the last row is the folded zero row. */
  readonly hasZeroRow: boolean;
}

/** Folds the all-zero rows of a row-major `[batch, width]` batch (see the module doc). */
export function foldZeroRows(xs: Float32Array, batch: number, width: number): FoldedBatch {
  const out = new Float32Array((batch + 1) * width);
  let rows = 0;
  for (let b = 0; b < batch; b++) {
    const base = b * width;
    let any = false;
    for (let j = 0; j < width && !any; j++) any = xs[base + j] !== 0;
    if (!any) continue;
    out.set(xs.subarray(base, base + width), rows * width);
    rows++;
  }
  const zeros = batch - rows;
  const hasZeroRow = zeros > 0;
  const total = rows + (hasZeroRow ? 1 : 0);
  const weights = new Float32Array(total).fill(1);
  if (hasZeroRow) weights[rows] = zeros; // the row itself is already zero
  return {
    xs: out.subarray(0, total * width),
    rows: total,
    width,
    weights,
    datapoints: batch,
    hasZeroRow,
  };
}

/** The batch as it is, every row standing for one datapoint (no folding). */
export function unfoldedBatch(xs: Float32Array, batch: number, width: number): FoldedBatch {
  return {
    xs: xs.subarray(0, batch * width),
    rows: batch,
    width,
    weights: new Float32Array(batch).fill(1),
    datapoints: batch,
    hasZeroRow: false,
  };
}

/** Rows `[start, start + n)` of a folded batch, as a batch of its own. */
export function sliceFoldedBatch(batch: FoldedBatch, start: number, n: number): FoldedBatch {
  const weights = batch.weights.subarray(start, start + n);
  let datapoints = 0;
  for (const w of weights) datapoints += w;
  return {
    xs: batch.xs.subarray(start * batch.width, (start + n) * batch.width),
    rows: n,
    width: batch.width,
    weights,
    datapoints,
    hasZeroRow: batch.hasZeroRow && start + n === batch.rows,
  };
}
