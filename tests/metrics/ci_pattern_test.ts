import assert from "node:assert/strict";
import { fromRows, type Matrix, matrix } from "../../bench/linalg/matrix.ts";
import { maxWeightAssignment } from "../../bench/metrics/assignment.ts";
import {
  ciPatternError,
  columnPeaks,
  densePatternError,
  identityPatternError,
} from "../../bench/metrics/ci_pattern.ts";

/** Tiny deterministic LCG (Numerical Recipes constants) returning floats in [0, 1). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** n × c CI matrix: row i is ≈ 1 in column perm[i], noise in [0, noise) everywhere else. */
function permutedIdentity(perm: number[], c: number, noise: number, seed: number): Matrix {
  const next = lcg(seed);
  const n = perm.length;
  const data = new Float64Array(n * c);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < c; j++) {
      data[i * c + j] = j === perm[i] ? 1 - next() * noise : next() * noise;
    }
  }
  return matrix(n, c, data);
}

/** rows × cols CI matrix with the given columns fully active (1) and noise elsewhere. */
function denseColumns(rows: number, cols: number, active: number[], noise: number): Matrix {
  const next = lcg(17);
  const data = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) data[i * cols + j] = active.includes(j) ? 1 : next() * noise;
  }
  return matrix(rows, cols, data);
}

function setAt(m: Matrix, i: number, j: number, x: number): Matrix {
  const data = Float64Array.from(m.data);
  data[i * m.cols + j] = x;
  return matrix(m.rows, m.cols, data);
}

// ---------------------------------------------------------------- identity pattern

Deno.test("identityPatternError: 0 on a permuted identity with noise below tau", () => {
  const m = permutedIdentity([4, 0, 5, 2, 1], 8, 0.09, 3);
  assert.equal(identityPatternError(m), 0);
  assert.equal(identityPatternError(m, 0.1), 0);
  assert.deepEqual(maxWeightAssignment(m), [4, 0, 5, 2, 1]);
  // Float32 storage gives the same answer.
  assert.equal(identityPatternError(matrix(m.rows, m.cols, Float32Array.from(m.data))), 0);
});

Deno.test("identityPatternError: 0 on a large 100x120 permuted identity", () => {
  const next = lcg(5);
  const perm = Array.from({ length: 120 }, (_, j) => j);
  for (let j = perm.length - 1; j > 0; j--) {
    const r = Math.floor(next() * (j + 1));
    [perm[j], perm[r]] = [perm[r], perm[j]];
  }
  const m = permutedIdentity(perm.slice(0, 100), 120, 0.05, 11);
  assert.equal(identityPatternError(m), 0);
  assert.deepEqual(maxWeightAssignment(m), perm.slice(0, 100));
});

Deno.test("identityPatternError: a missing diagonal counts 1", () => {
  // Feature 2 activates nothing: its assigned column holds only noise (< 1 - tau).
  const base = permutedIdentity([1, 3, 0], 5, 0.05, 7);
  const data = Float64Array.from(base.data);
  for (let j = 0; j < 5; j++) data[2 * 5 + j] = 0.05;
  assert.equal(identityPatternError(matrix(3, 5, data)), 1);
});

Deno.test("identityPatternError: two features sharing one column count 2", () => {
  // Rows 0 and 1 both fire column 0: one of them gets a noise diagonal (1) and its
  // entry in column 0 is then off-diagonal (1).
  const m = fromRows([
    [1, 0, 0, 0],
    [1, 0, 0, 0],
    [0, 0, 1, 0],
  ]);
  assert.equal(identityPatternError(m), 2);
  assert.deepEqual(maxWeightAssignment(m), [0, 1, 2]);
});

Deno.test("identityPatternError: one feature split over two columns counts 1", () => {
  const m = fromRows([
    [1, 0, 0, 0.95],
    [0, 1, 0, 0],
    [0, 0, 1, 0],
  ]);
  assert.equal(identityPatternError(m), 1);
});

Deno.test("identityPatternError: one leaked entry counts 1, including unassigned columns", () => {
  const id = fromRows([
    [0, 1, 0, 0, 0],
    [0, 0, 0, 1, 0],
    [1, 0, 0, 0, 0],
  ]);
  assert.equal(identityPatternError(id), 0);
  assert.equal(identityPatternError(setAt(id, 1, 0, 0.3)), 1); // leak into an assigned column
  assert.equal(identityPatternError(setAt(id, 1, 4, 0.3)), 1); // leak into an unassigned column
  assert.equal(identityPatternError(setAt(id, 1, 4, 0.3), 0.3), 0); // > tau is strict
  assert.equal(identityPatternError(setAt(id, 0, 1, 0.85)), 1); // weak diagonal
  assert.equal(identityPatternError(setAt(id, 0, 1, 0.85), 0.2), 0);
});

Deno.test("identityPatternError: thresholds are strict (exact binary values)", () => {
  // tau = 0.25: diagonal 0.75 == 1 - tau is fine, off-diagonal 0.25 == tau is fine.
  const m = fromRows([
    [0.75, 0.25, 0],
    [0, 0.75, 0.25],
  ]);
  assert.equal(identityPatternError(m, 0.25), 0);
  assert.equal(identityPatternError(m, 0.125), 4);
});

Deno.test("identityPatternError: Float32 thresholds match torch (fround(1 - tau))", () => {
  const m = matrix(1, 2, Float32Array.from([0.9, 0.1]));
  // In float32, 0.9 is 0.89999998 < 0.9 as a double, but equals fround(0.9).
  assert.equal(identityPatternError(m, 0.1), 0);
});

Deno.test("identityPatternError: rejects bad tau and shape", () => {
  const m = fromRows([[1, 0], [0, 1]]);
  for (const tau of [0, 0.5, -0.1, 0.7, NaN]) {
    assert.throws(
      () => identityPatternError(m, tau),
      (e: unknown) =>
        e instanceof RangeError && /tau/.test(e.message) && /\(0, 0\.5\)/.test(e.message),
    );
  }
  assert.throws(
    () => identityPatternError(fromRows([[1, 0], [0, 1], [0, 0]])),
    (e: unknown) => e instanceof RangeError && /3x2/.test(e.message),
  );
  assert.throws(() => identityPatternError(fromRows([[NaN, 0]])), RangeError);
});

// ---------------------------------------------------------------- dense pattern

Deno.test("densePatternError: 0 on 5x20 with 2 fully active columns and k = 2", () => {
  const m = denseColumns(5, 20, [3, 11], 0.09);
  assert.equal(densePatternError(m, 2), 0);
  assert.equal(densePatternError(m, 2, 0.1), 0);
  assert.equal(densePatternError(matrix(5, 20, Float32Array.from(m.data)), 2), 0);
});

Deno.test("densePatternError: partially active dense columns", () => {
  const m = denseColumns(5, 20, [3, 11], 0.05);
  // Column 11 only at mid strength: no entry >= 1 - tau, so 1 error.
  const mid = Float64Array.from(m.data);
  for (let i = 0; i < 5; i++) mid[i * 20 + 11] = 0.5;
  assert.equal(densePatternError(matrix(5, 20, mid), 2), 1);
  // Column 11 strong on 2 of 5 rows, 0 elsewhere: one strong entry suffices (min_entries = 1).
  const part = Float64Array.from(m.data);
  for (let i = 0; i < 5; i++) part[i * 20 + 11] = i < 2 ? 1 : 0;
  assert.equal(densePatternError(matrix(5, 20, part), 2), 0);
});

Deno.test("densePatternError: wrong k", () => {
  const m = denseColumns(5, 20, [3, 11], 0.09);
  // k = 1: the second dense column is "remaining", all 5 entries > tau.
  assert.equal(densePatternError(m, 1), 5);
  // k = 3: the third-heaviest column is noise with no strong entry.
  assert.equal(densePatternError(m, 3), 1);
  // k = 20: every noise column is a missing dense column.
  assert.equal(densePatternError(m, 20), 18);
});

Deno.test("densePatternError: leaked entries in inactive columns", () => {
  const m = denseColumns(5, 20, [3, 11], 0.05);
  const leak = Float64Array.from(m.data);
  leak[0 * 20 + 7] = 0.2;
  leak[4 * 20 + 15] = 0.11;
  assert.equal(densePatternError(matrix(5, 20, leak), 2), 2);
  assert.equal(densePatternError(matrix(5, 20, leak), 2, 0.2), 0);
});

Deno.test("densePatternError: equal-mass columns sort stably by index", () => {
  // Both columns have mass 2; the lower index is taken as the dense one.
  const a = [1, 1, 0, 0, 0];
  const b = [0.5, 0.5, 0.5, 0.5, 0];
  const ab = fromRows(a.map((x, i) => [x, b[i], 0]));
  const ba = fromRows(a.map((x, i) => [b[i], x, 0]));
  assert.equal(densePatternError(ab, 1), 4); // a dense (0) + b leaks 4 entries
  assert.equal(densePatternError(ba, 1), 3); // b has no strong entry (1) + a leaks 2
});

Deno.test("densePatternError: rejects bad tau and k", () => {
  const m = denseColumns(5, 20, [3, 11], 0.05);
  for (const tau of [0, 0.5, 1, -0.2, NaN]) {
    assert.throws(
      () => densePatternError(m, 2, tau),
      (e: unknown) => e instanceof RangeError && /tau/.test(e.message),
    );
  }
  for (const k of [0, 21, 1.5, -1, NaN]) {
    assert.throws(
      () => densePatternError(m, k),
      (e: unknown) =>
        e instanceof RangeError && /k must be an integer in \[1, 20\]/.test(e.message),
    );
  }
  assert.throws(() => densePatternError(fromRows([[Infinity, 0]]), 1), RangeError);
});

Deno.test("ciPatternError: dispatches on the pattern kind and passes k and tau", () => {
  // Column 0 dense with peak 0.85: the dense test fails at τ = 0.1, passes at τ = 0.2.
  const ci = fromRows([[0.85, 0, 0], [0.5, 0, 0], [0.4, 0, 0]]);
  assert.equal(ciPatternError(ci, { kind: "dense", k: 1 }), 1);
  assert.equal(ciPatternError(ci, { kind: "dense", k: 1 }, 0.2), 0);
  // As an identity: row 0 matched at 0.85 (< 0.9), rows 1 and 2 at 0, 2 leaks > τ: 3 + 2.
  assert.equal(ciPatternError(ci, { kind: "identity" }), identityPatternError(ci));
  assert.equal(ciPatternError(ci, { kind: "identity" }), 5);
});

Deno.test("columnPeaks: the largest entry per column, for all or the chosen columns", () => {
  const ci = fromRows([[0.2, -0.01, 0.9], [0.7, -0.02, 0.3]]);
  assert.deepEqual(columnPeaks(ci), [0.7, -0.01, 0.9]);
  assert.deepEqual(columnPeaks(ci, [2, 0]), [0.9, 0.7]);
  assert.deepEqual(columnPeaks(ci, []), []);
  assert.throws(() => columnPeaks(ci, [3]), /columnPeaks: column 3 is not in \[0, 2\]/);
});
