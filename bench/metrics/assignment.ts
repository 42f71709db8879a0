/**
 * Column-assignment helpers for causal-importance (CI) matrices: the optimal Hungarian
 * (Kuhn–Munkres) assignment used by the CI-pattern error (spd.md §7.4) and the greedy
 * "permute to identity" column order used by the CI heatmaps (spd.md §7.3).
 *
 * Pure functions on {@linkcode Matrix}; no tensors, no I/O.
 *
 * @module
 */

import type { Matrix } from "../linalg/matrix.ts";

/** Throws a RangeError naming the first non-finite entry of `m`, if any. */
function assertFinite(m: Matrix, fn: string): void {
  const d = m.data;
  for (let k = 0; k < d.length; k++) {
    if (!Number.isFinite(d[k])) {
      const i = Math.floor(k / m.cols);
      throw new RangeError(`${fn}: entry (${i}, ${k - i * m.cols}) is not finite (${d[k]})`);
    }
  }
}

/**
 * Optimal assignment of rows to distinct columns maximizing the summed weight
 * Σ_i m[i, a[i]] (the linear sum assignment problem, solved as a minimization of −m).
 *
 * Follows spd.md §7.4 ("permute the columns with the Hungarian method"; the reference
 * calls `linear_sum_assignment(-ci)`). Implementation: Kuhn–Munkres with row/column
 * potentials (shortest augmenting paths), O(rows² · cols) time, O(cols) extra memory.
 * Rectangular inputs with `rows <= cols` are supported; the surplus columns stay unassigned.
 *
 * Tie-breaking is deterministic: columns are scanned in ascending index order with strict
 * comparisons, so whenever the algorithm has several equally good choices the lowest column
 * index wins (e.g. an all-equal matrix yields `[0, 1, …, rows − 1]`). When the optimum is
 * unique the result is exactly that optimum.
 *
 * @param m Weight matrix, `rows <= cols`, all entries finite.
 * @returns `a` with `a[i]` the column assigned to row `i`; the entries are distinct.
 *   A perfect result is one whose total weight equals the maximum over all injective
 *   row→column maps (which this always returns, up to floating-point rounding).
 * @throws {RangeError} if `rows > cols` or an entry is NaN/±Infinity.
 */
export function maxWeightAssignment(m: Matrix): number[] {
  const n = m.rows;
  const c = m.cols;
  if (n > c) {
    throw new RangeError(
      `maxWeightAssignment: needs rows <= cols, got a ${n}x${c} matrix (transpose it first)`,
    );
  }
  assertFinite(m, "maxWeightAssignment");
  if (n === 0) return [];

  const d = m.data;
  // 1-based rows and columns; column 0 is a virtual column used as the path root.
  const u = new Float64Array(n + 1); // row potentials
  const v = new Float64Array(c + 1); // column potentials
  const p = new Int32Array(c + 1); // p[j] = row matched to column j (0 = free)
  const way = new Int32Array(c + 1); // predecessor column on the augmenting path
  const minv = new Float64Array(c + 1);
  const used = new Uint8Array(c + 1);

  for (let i = 1; i <= n; i++) {
    p[0] = i;
    let j0 = 0;
    minv.fill(Infinity);
    used.fill(0);
    do {
      used[j0] = 1;
      const i0 = p[j0];
      const base = (i0 - 1) * c - 1;
      const ui0 = u[i0];
      let delta = Infinity;
      let j1 = 0;
      for (let j = 1; j <= c; j++) {
        if (used[j]) continue;
        const cur = -d[base + j] - ui0 - v[j];
        if (cur < minv[j]) {
          minv[j] = cur;
          way[j] = j0;
        }
        if (minv[j] < delta) {
          delta = minv[j];
          j1 = j;
        }
      }
      for (let j = 0; j <= c; j++) {
        if (used[j]) {
          u[p[j]] += delta;
          v[j] -= delta;
        } else {
          minv[j] -= delta;
        }
      }
      j0 = j1;
    } while (p[j0] !== 0);
    do {
      const j1 = way[j0];
      p[j0] = p[j1];
      j0 = j1;
    } while (j0 !== 0);
  }

  const assignment = new Array<number>(n).fill(-1);
  for (let j = 1; j <= c; j++) {
    if (p[j] !== 0) assignment[p[j] - 1] = j - 1;
  }
  return assignment;
}

/**
 * The greedy "permute to identity" column order of spd.md §7.3 (reference:
 * `permute_to_identity_greedy`): for each row `i` in turn (the first `min(rows, cols)`
 * rows), pick the not-yet-used column with the largest value in that row (ties: lowest
 * column index), then append all remaining columns in ascending index order.
 *
 * Cheaper than {@linkcode maxWeightAssignment} (O(rows · cols)) but not optimal; the
 * reference switches to it only when `min(shape) >= 500`.
 *
 * @param m Matrix of any shape with finite entries (typically CI, n_features × C).
 * @returns A permutation of `0 … cols − 1`; reordering the columns by it puts the greedy
 *   picks on the diagonal. For a column-permuted identity the result inverts the
 *   permutation exactly (the ideal outcome).
 * @throws {RangeError} if an entry is NaN/±Infinity.
 */
export function greedyIdentityOrder(m: Matrix): number[] {
  assertFinite(m, "greedyIdentityOrder");
  const c = m.cols;
  const effectiveRows = Math.min(m.rows, c);
  const used = new Uint8Array(c);
  const order: number[] = [];
  for (let i = 0; i < effectiveRows; i++) {
    const base = i * c;
    let best = -1;
    for (let j = 0; j < c; j++) {
      if (used[j]) continue;
      if (best < 0 || m.data[base + j] > m.data[base + best]) best = j;
    }
    used[best] = 1;
    order.push(best);
  }
  for (let j = 0; j < c; j++) if (!used[j]) order.push(j);
  return order;
}
