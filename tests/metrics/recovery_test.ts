import assert from "node:assert/strict";
import {
  aliveNormRatio,
  componentNorms,
  fromRankOneFactors,
  fromRows,
  recovery,
} from "../../mod.ts";

// Features: 3 columns in 2 dims.
const features = fromRows([[1, 0], [0, 2], [3, 4]]);

/** Rank-1 components: component c = e_{row(c)} ⊗ u_c (V = one-hot column, U = row). */
function oneHotComponents(rows: number[], us: number[][]) {
  const C = rows.length;
  const v = new Float32Array(3 * C);
  rows.forEach((r, c) => v[r * C + c] = 1);
  return fromRankOneFactors("linear1", 3, 2, C, v, Float32Array.from(us.flat()));
}

Deno.test("exact components: MMCS 1, ML2R 1", () => {
  const r = recovery(features, oneHotComponents([0, 1, 2], [[1, 0], [0, 2], [3, 4]]));
  assert.ok(Math.abs(r.mmcs - 1) < 1e-9); // ε = 1e-12 in the denominator
  assert.ok(Math.abs(r.ml2r - 1) < 1e-6);
  assert.deepEqual(r.bestComponent, [0, 1, 2]);
});

Deno.test("shrunken and rotated components: ML2R is the mean norm ratio, MMCS the mean best cosine", () => {
  // Feature 0 found at 0.8x; feature 1 at 1.1x; feature 2 by a rotated direction (cos = 0.96).
  const r = recovery(
    features,
    oneHotComponents([0, 1, 2, 2], [[0.8, 0], [0, 2.2], [5, 0], [0, -5]]),
  );
  const cos2 = 3 / 5; // ⟨(5,0),(3,4)⟩ / (5·5)
  assert.deepEqual(r.bestComponent, [0, 1, 2]);
  assert.ok(Math.abs(r.mmcs - (1 + 1 + cos2) / 3) < 1e-7, `mmcs ${r.mmcs}`);
  assert.ok(Math.abs(r.ml2r - (0.8 + 1.1 + 1) / 3) < 1e-6, `ml2r ${r.ml2r}`);
  const mean = (0.8 + 1.1 + 1) / 3;
  const std = Math.sqrt(((0.8 - mean) ** 2 + (1.1 - mean) ** 2 + (1 - mean) ** 2) / 3);
  assert.ok(Math.abs(r.ml2rStd - std) < 1e-6);
});

Deno.test("a component pointing the opposite way has cosine −1 and is never chosen over a positive one", () => {
  const r = recovery(features, oneHotComponents([0, 0, 1, 2], [[-1, 0], [0.5, 0], [0, 1], [3, 4]]));
  assert.equal(r.bestComponent[0], 1);
  assert.ok(Math.abs(r.cosine[0][0] + 1) < 1e-9);
});

Deno.test("component norms sum column norms; the alive/dead norm ratio", () => {
  const comps = oneHotComponents([0, 1, 2], [[1, 0], [0, 2], [3, 4]]);
  assert.deepEqual(Array.from(componentNorms(comps)), [1, 2, 5]);
  assert.equal(aliveNormRatio([1.2, 1.1, 0.02, 0.01], [true, true, false, false]), 1.1 / 0.02);
  assert.equal(aliveNormRatio([1, 1], [true, true]), Infinity);
  assert.equal(aliveNormRatio([1, 1], [false, false]), 0);
});

Deno.test("shape mismatch is an error naming both shapes", () => {
  const comps = fromRankOneFactors("x", 2, 2, 1, new Float32Array(2), new Float32Array(2));
  assert.throws(() => recovery(features, comps), /components are 2x2, features 3x2/);
});
