/**
 * Quantitative causal-importance (CI) pattern errors of spd.md §7.4 (the reference's
 * `IdentityCIPattern` / `DenseCIPattern` in `spd/utils/target_ci_solutions.py`, reported as
 * `IdentityCIError`). Both are discrete distances — counts of entries that deviate from the
 * target pattern by more than a tolerance τ — so a "solved" run scores exactly 0.
 *
 * Inputs are CI matrices computed on the one-hot batch (rows = one-hot inputs, columns =
 * subcomponents). Pure functions on {@linkcode Matrix}; no tensors, no I/O.
 *
 * @module
 */

import type { Matrix } from "../linalg/matrix.ts";
import type { CiPattern } from "../toys/toy.ts";
import { maxWeightAssignment } from "./assignment.ts";

/** Default tolerance τ of spd.md §7.4: a dense or diagonal entry is strong at CI ≥ 1 − τ. */
export const CI_PATTERN_TAU = 0.1;

function checkTau(fn: string, tau: number): void {
  if (typeof tau !== "number" || !(tau > 0 && tau < 0.5)) {
    throw new RangeError(`${fn}: tau must be a number in the open interval (0, 0.5), got ${tau}`);
  }
}

function checkFinite(fn: string, ci: Matrix): void {
  const d = ci.data;
  for (let k = 0; k < d.length; k++) {
    if (!Number.isFinite(d[k])) {
      const i = Math.floor(k / ci.cols);
      throw new RangeError(`${fn}: ci entry (${i}, ${k - i * ci.cols}) is not finite (${d[k]})`);
    }
  }
}

/**
 * Threshold as the reference compares it: torch casts the Python-float threshold to the
 * tensor dtype, so for float32 CI the comparison happens against `fround(threshold)`.
 */
function threshold(ci: Matrix, x: number): number {
  return ci.data instanceof Float32Array ? Math.fround(x) : x;
}

/**
 * Identity-pattern error of spd.md §7.4: how far an n_features × C CI matrix is from
 * "exactly one CI ≈ 1 per feature, ≈ 0 everywhere else", up to a column permutation.
 *
 * Semantics (matching the reference `IdentityCIPattern.distance_from`):
 * 1. Assign every row i to a distinct column a(i) with the optimal Hungarian max-weight
 *    assignment ({@linkcode maxWeightAssignment}); the reference then permutes the columns as
 *    `[a(0), …, a(n−1), unassigned columns in ascending order]`.
 * 2. The "diagonal" entries are ci[i, a(i)]; every other entry of the whole n × C matrix —
 *    including all entries of the unassigned columns — is off-diagonal.
 * 3. error = #(diagonal entries < 1 − τ) + #(off-diagonal entries > τ).
 *
 * Comparisons are strict as written (a diagonal entry equal to 1 − τ, or an off-diagonal entry
 * equal to τ, is not an error). For Float32Array data the thresholds are rounded to float32,
 * as torch does.
 *
 * @param ci CI matrix, rows = one-hot inputs (n_features), cols = subcomponents C, with
 *   C >= n_features and finite entries.
 * @param tau Tolerance τ in (0, 0.5); default 0.1.
 * @returns The error count, an integer in [0, n · C]; 0 is a perfect identity pattern.
 * @throws {RangeError} for tau outside (0, 0.5), rows > cols, or non-finite entries.
 */
export function identityPatternError(ci: Matrix, tau: number = CI_PATTERN_TAU): number {
  const fn = "identityPatternError";
  checkTau(fn, tau);
  if (ci.rows > ci.cols) {
    throw new RangeError(
      `${fn}: ci must have at least as many columns (subcomponents) as rows (features), ` +
        `got ${ci.rows}x${ci.cols}`,
    );
  }
  checkFinite(fn, ci);
  const assigned = maxWeightAssignment(ci);
  const lo = threshold(ci, 1 - tau);
  const hi = threshold(ci, tau);
  const d = ci.data;
  let errors = 0;
  for (let i = 0; i < ci.rows; i++) {
    const base = i * ci.cols;
    const diagCol = assigned[i];
    for (let j = 0; j < ci.cols; j++) {
      const x = d[base + j];
      if (j === diagCol) {
        if (x < lo) errors++;
      } else if (x > hi) {
        errors++;
      }
    }
  }
  return errors;
}

/**
 * Dense-pattern error of spd.md §7.4: how far a CI matrix is from "exactly k dense columns
 * active, every other column inactive" (e.g. ResidMLP `mlp_out`, TMS hidden identity).
 *
 * Semantics (matching the reference `DenseCIPattern.distance_from` with `min_entries = 1`):
 * 1. Sort the columns by total CI mass Σ_i ci[i, j], descending (ties: lower column index
 *    first, i.e. a stable sort).
 * 2. For each of the first k columns add max(0, 1 − #(entries >= 1 − τ)), i.e. 1 if that
 *    column has no strong entry at all. (A dense column needs only one strong entry to score
 *    0; partially active columns are not penalized further.)
 * 3. For each remaining column add #(entries > τ).
 *
 * For Float32Array data the thresholds are rounded to float32, as torch does.
 *
 * @param ci CI matrix, rows = one-hot inputs, cols = subcomponents C, finite entries.
 * @param k Expected number of dense columns, an integer in [1, C].
 * @param tau Tolerance τ in (0, 0.5); default 0.1.
 * @returns The error count, an integer in [0, k + rows · (C − k)]; 0 is a perfect dense pattern.
 * @throws {RangeError} for tau outside (0, 0.5), k not an integer in [1, C], or non-finite
 *   entries.
 */
export function densePatternError(ci: Matrix, k: number, tau: number = CI_PATTERN_TAU): number {
  const fn = "densePatternError";
  checkTau(fn, tau);
  if (!Number.isInteger(k) || k < 1 || k > ci.cols) {
    throw new RangeError(
      `${fn}: k must be an integer in [1, ${ci.cols}] (1 to the number of columns), got ${k}`,
    );
  }
  checkFinite(fn, ci);
  const { rows, cols, data } = ci;
  const mass = new Float64Array(cols);
  for (let i = 0; i < rows; i++) {
    const base = i * cols;
    for (let j = 0; j < cols; j++) mass[j] += data[base + j];
  }
  const order = Array.from({ length: cols }, (_, j) => j);
  order.sort((a, b) => mass[b] - mass[a] || a - b);

  const lo = threshold(ci, 1 - tau);
  const hi = threshold(ci, tau);
  let errors = 0;
  for (let r = 0; r < cols; r++) {
    const j = order[r];
    if (r < k) {
      let strong = 0;
      for (let i = 0; i < rows; i++) if (data[i * cols + j] >= lo) strong++;
      errors += Math.max(0, 1 - strong);
    } else {
      for (let i = 0; i < rows; i++) if (data[i * cols + j] > hi) errors++;
    }
  }
  return errors;
}

/**
 * The §7.4 error of `ci` against a toy's expected pattern for one layer:
 * {@linkcode identityPatternError} or {@linkcode densePatternError} with the
 * pattern's k. This is the `ci_pattern_error.<layer>` score.
 */
export function ciPatternError(
  ci: Matrix,
  pattern: CiPattern,
  tau: number = CI_PATTERN_TAU,
): number {
  return pattern.kind === "identity"
    ? identityPatternError(ci, tau)
    : densePatternError(ci, pattern.k, tau);
}

/**
 * The largest entry of each of `columns` (all columns by default): a dense
 * column passes the §7.4 test only if its peak reaches 1 − τ.
 */
export function columnPeaks(ci: Matrix, columns?: readonly number[]): number[] {
  const { rows, cols, data } = ci;
  return (columns ?? Array.from({ length: cols }, (_, j) => j)).map((j) => {
    if (!Number.isInteger(j) || j < 0 || j >= cols) {
      throw new RangeError(`columnPeaks: column ${j} is not in [0, ${cols - 1}]`);
    }
    let peak = -Infinity;
    for (let i = 0; i < rows; i++) peak = Math.max(peak, data[i * cols + j]);
    return peak;
  });
}
