import assert from "node:assert/strict";
import { fromRows, type Matrix, matrix } from "../../bench/linalg/matrix.ts";
import { greedyIdentityOrder, maxWeightAssignment } from "../../bench/metrics/assignment.ts";

/** Tiny deterministic LCG (Numerical Recipes constants) returning floats in [0, 1). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function randomMatrix(rows: number, cols: number, seed: number): Matrix {
  const next = lcg(seed);
  return matrix(rows, cols, Float64Array.from({ length: rows * cols }, next));
}

function total(m: Matrix, a: number[]): number {
  return a.reduce((s, j, i) => s + m.data[i * m.cols + j], 0);
}

/** Best total and every assignment achieving it, by enumerating all injective row→column maps. */
function bruteForce(m: Matrix): { best: number; argmax: number[][] } {
  let best = -Infinity;
  let argmax: number[][] = [];
  const cur: number[] = [];
  const used = new Array<boolean>(m.cols).fill(false);
  const rec = (i: number, s: number) => {
    if (i === m.rows) {
      if (s > best + 1e-12) {
        best = s;
        argmax = [cur.slice()];
      } else if (Math.abs(s - best) <= 1e-12) {
        argmax.push(cur.slice());
      }
      return;
    }
    for (let j = 0; j < m.cols; j++) {
      if (used[j]) continue;
      used[j] = true;
      cur.push(j);
      rec(i + 1, s + m.data[i * m.cols + j]);
      cur.pop();
      used[j] = false;
    }
  };
  rec(0, 0);
  return { best, argmax };
}

function assertDistinct(a: number[], cols: number): void {
  assert.equal(new Set(a).size, a.length);
  for (const j of a) assert.ok(Number.isInteger(j) && j >= 0 && j < cols);
}

Deno.test("maxWeightAssignment: 3x3 where greedy is suboptimal", () => {
  const m = fromRows([
    [0.9, 0.8, 0],
    [0.85, 0, 0],
    [0, 0, 0.5],
  ]);
  const a = maxWeightAssignment(m);
  assert.deepEqual(a, [1, 0, 2]);
  assert.ok(Math.abs(total(m, a) - 2.15) < 1e-12);
  // Greedy takes column 0 for row 0 and ends up with 0.9 + 0 + 0.5 = 1.4.
  const g = greedyIdentityOrder(m);
  assert.deepEqual(g, [0, 1, 2]);
  assert.ok(Math.abs(total(m, g) - 1.4) < 1e-12);
  assert.equal(bruteForce(m).argmax.length, 1);
});

Deno.test("maxWeightAssignment: rectangular 3x5", () => {
  const m = fromRows([
    [7, 1, 3, 9, 2],
    [8, 2, 9, 9, 1],
    [4, 3, 1, 2, 8],
  ]);
  const a = maxWeightAssignment(m);
  assert.deepEqual(a, [3, 2, 4]);
  assert.equal(total(m, a), 26);
  assert.deepEqual(bruteForce(m), { best: 26, argmax: [[3, 2, 4]] });
});

Deno.test("maxWeightAssignment: rectangular 2x4 where the optimum skips the row maxima", () => {
  // Row maxima are both in column 0; optimum is 10 + 9 = 19 via columns 0 and 3.
  const m = fromRows([
    [10, 1, 2, 3],
    [11, 0, 0, 9],
  ]);
  assert.deepEqual(maxWeightAssignment(m), [0, 3]);
  assert.equal(total(m, maxWeightAssignment(m)), 19);
});

Deno.test("maxWeightAssignment: matches brute force on random 4x6 matrices", () => {
  for (const seed of [1, 2, 3, 42, 1234, 99991]) {
    const m = randomMatrix(4, 6, seed);
    const a = maxWeightAssignment(m);
    assertDistinct(a, 6);
    const { best, argmax } = bruteForce(m);
    assert.ok(Math.abs(total(m, a) - best) < 1e-12, `seed ${seed}: ${total(m, a)} vs ${best}`);
    // Random floats: the optimum is unique, so the exact assignment must match.
    assert.equal(argmax.length, 1, `seed ${seed}`);
    assert.deepEqual(a, argmax[0], `seed ${seed}`);
  }
});

Deno.test("maxWeightAssignment: matches brute force on random square and negative matrices", () => {
  for (const seed of [7, 8, 9]) {
    const m0 = randomMatrix(5, 5, seed);
    const m = matrix(5, 5, m0.data.map((x) => 4 * x - 2));
    const a = maxWeightAssignment(m);
    assertDistinct(a, 5);
    const { best, argmax } = bruteForce(m);
    assert.ok(Math.abs(total(m, a) - best) < 1e-12);
    assert.deepEqual(a, argmax[0]);
  }
});

Deno.test("maxWeightAssignment: ties resolve to the lowest column index", () => {
  assert.deepEqual(maxWeightAssignment(fromRows([[1, 1, 1], [1, 1, 1], [1, 1, 1]])), [0, 1, 2]);
  assert.deepEqual(maxWeightAssignment(fromRows([[1, 1, 1, 1], [1, 1, 1, 1]])), [0, 1]);
  assert.deepEqual(maxWeightAssignment(fromRows([[0, 5, 5], [0, 0, 0]])), [1, 0]);
  assert.deepEqual(maxWeightAssignment(fromRows([[2, 2, 0], [2, 2, 0]])), [0, 1]);
  // Stable across repeated calls and Float32 storage.
  const m = fromRows([[0.5, 0.5, 0.5], [0.5, 0.5, 0.5]]);
  const m32 = matrix(2, 3, Float32Array.from(m.data));
  assert.deepEqual(maxWeightAssignment(m), maxWeightAssignment(m));
  assert.deepEqual(maxWeightAssignment(m32), [0, 1]);
});

Deno.test("maxWeightAssignment: empty and 1xN inputs", () => {
  assert.deepEqual(maxWeightAssignment(matrix(0, 0, new Float64Array(0))), []);
  assert.deepEqual(maxWeightAssignment(matrix(0, 3, new Float64Array(0))), []);
  assert.deepEqual(maxWeightAssignment(fromRows([[0.1, 0.7, 0.3, 0.7]])), [1]);
});

Deno.test("maxWeightAssignment: rejects rows > cols and non-finite entries", () => {
  assert.throws(
    () => maxWeightAssignment(fromRows([[1, 2], [3, 4], [5, 6]])),
    (e: unknown) =>
      e instanceof RangeError && /rows <= cols/.test(e.message) && /3x2/.test(e.message),
  );
  assert.throws(() => maxWeightAssignment(fromRows([[1, NaN], [0, 1]])), RangeError);
  assert.throws(() => maxWeightAssignment(fromRows([[1, Infinity], [0, 1]])), RangeError);
});

Deno.test("greedyIdentityOrder: inverts a permuted identity and appends the rest", () => {
  // Row i is active in column perm[i].
  const perm = [4, 0, 5, 2];
  const rows = perm.map((p) => Array.from({ length: 6 }, (_, j) => (j === p ? 1 : 0.01 * j)));
  assert.deepEqual(greedyIdentityOrder(fromRows(rows)), [4, 0, 5, 2, 1, 3]);
});

Deno.test("greedyIdentityOrder: ties pick the lowest unused column", () => {
  const m = fromRows([
    [0.5, 0.9, 0.9, 0.1],
    [0.2, 0.9, 0.9, 0.2],
    [0.3, 0.3, 0.3, 0.3],
  ]);
  assert.deepEqual(greedyIdentityOrder(m), [1, 2, 0, 3]);
});

Deno.test("greedyIdentityOrder: more rows than columns uses the first cols rows", () => {
  const m = fromRows([[0, 1], [0, 1], [1, 0]]);
  assert.deepEqual(greedyIdentityOrder(m), [1, 0]);
  assert.deepEqual(greedyIdentityOrder(matrix(0, 3, new Float64Array(0))), [0, 1, 2]);
  assert.throws(() => greedyIdentityOrder(fromRows([[NaN]])), RangeError);
});
